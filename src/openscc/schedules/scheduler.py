"""The timer: on a master, each schedule runs when its cron expression comes due after its last
run (or its creation). A time missed while the server was down runs once at start-up, not once
per missed time. Runs never overlap (the runner's lock), and a shadow runs none: after a
failover, the new master's timer takes the schedules over with the rest of the configuration."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from openscc.background.wakeup import Wakeup
from openscc.config.connector_state import ha_role
from openscc.errors import Conflict, NotFound
from openscc.instance import Instance
from openscc.schedules.model import KIND, Schedule, from_record
from openscc.schedules.runner import Runner
from openscc.schedules.runs import Run
from openscc.schedules.timing import is_due, next_time
from openscc.store.thread import StoreThread

logger = logging.getLogger(__name__)
MAX_SLEEP_SECONDS = 60.0
LastRuns = dict[str, dt.datetime]


def _last(schedule: Schedule, last: LastRuns) -> dt.datetime:
    """When the schedule last began a run, or else when it was created."""
    known = last.get(schedule.name)
    if known is not None:
        return known
    return dt.datetime.fromisoformat(schedule.created_at.replace("Z", "+00:00"))


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Scheduler:
    def __init__(
        self,
        instance: Instance,
        store_thread: StoreThread,
        runner: Runner,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._instance = instance
        self._store_thread = store_thread
        self.runner = runner
        self._clock = clock
        self._wakeup = Wakeup()  # a schedule changed

    # Reading the schedules (in the store thread)

    def read_all(self) -> tuple[str | None, list[Schedule]]:
        store = self._instance.store
        records = store.children(KIND, None, with_secret=True)
        return ha_role(store), [from_record(r) for r in records]

    def _read_for_tick(self) -> tuple[str | None, list[Schedule], LastRuns]:
        role, schedules = self.read_all()
        return role, schedules, self.runner.runs.last_runs()

    def last_runs(self) -> LastRuns:
        """From a worker thread: when each schedule last began a run."""
        return self._store_thread.call(self.runner.runs.last_runs)

    def one(self, name: str) -> Schedule:
        record = self._instance.store.get(KIND, name, with_secret=True)
        if record is None:
            raise NotFound(f"no backup schedule named {name}")
        return from_record(record)

    # Running

    def due(self, schedules: list[Schedule], now: dt.datetime, last: LastRuns) -> list[Schedule]:
        return [s for s in schedules if is_due(s.cron, _last(s, last), now)]

    def next_wake(self, schedules: list[Schedule], now: dt.datetime, last: LastRuns) -> float:
        """Seconds until the next schedule comes due (at most a minute: schedules change)."""
        if not schedules:
            return MAX_SLEEP_SECONDS
        soonest = min(next_time(s.cron, _last(s, last)) for s in schedules)
        return max(0.5, min(MAX_SLEEP_SECONDS, (soonest - now).total_seconds()))

    async def tick(self) -> float:
        """Run what is due (one after the other); the seconds to sleep before the next tick."""
        role, schedules, last = await self._store_thread.run(self._read_for_tick)
        now = self._clock()
        if role != "master":
            self.runner.metrics.schedules_checked()
            return MAX_SLEEP_SECONDS
        for schedule in self.due(schedules, now, last):
            # Each run's own time: the one before may have taken long.
            at = self._clock()
            run = self.runner.new_run(schedule, at)
            await self._store_thread.run(self.runner.runs.started, run, at)
            await self.runner.workers.run(self.runner.run, schedule, run, at)
        last = await self._store_thread.run(self.runner.runs.last_runs)
        self.runner.metrics.schedules_checked()
        return self.next_wake(schedules, self._clock(), last)

    async def run(self) -> None:
        """The timer, until cancelled (the runtime's loop of the schedules)."""
        while True:
            try:
                delay = await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("the backup schedules' timer failed; it tries again")
                delay = MAX_SLEEP_SECONDS
            await self._wakeup.sleep(delay)

    def changed(self) -> None:
        """A schedule was added, changed or removed: look again now."""
        self._wakeup.wake()

    async def start_now(self, schedule: Schedule) -> Run:
        """POST .../run: the run is recorded at once and runs in the background (after any run
        in progress)."""
        now = self._clock()
        run = self.runner.new_run(schedule, now)

        def begin() -> None:  # in the store thread: the check and the record, together
            if self.runner.runs.running(schedule.name):
                raise Conflict(f"a run of {schedule.name} is in progress")
            self.runner.runs.started(run, now)

        await self._store_thread.run(begin)
        self.runner.workers.submit(self.runner.run, schedule, run, now)
        return run
