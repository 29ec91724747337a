"""The one wakeable timer: a wake from another thread cuts a sleep short, a wake between arming
and sleeping is not lost, and an unwoken sleep ends when its time is up."""

from __future__ import annotations

import asyncio
import threading

from openscc.background.wakeup import Wakeup


def test_a_wake_from_another_thread_ends_the_sleep() -> None:
    wakeup = Wakeup()

    async def sleeper() -> bool:
        async with wakeup.armed() as sleep:
            threading.Thread(target=wakeup.wake).start()
            return await sleep(3600)

    assert asyncio.run(sleeper()) is True


def test_a_wake_before_the_sleep_begins_is_not_missed() -> None:
    wakeup = Wakeup()

    async def sleeper() -> bool:
        async with wakeup.armed() as sleep:
            wakeup.wake()  # as a commit between reading a position and waiting would
            await asyncio.sleep(0)
            return await sleep(3600)

    assert asyncio.run(sleeper()) is True


def test_an_unwoken_sleep_ends_with_its_time_and_says_so() -> None:
    assert asyncio.run(Wakeup().sleep(0.01)) is False


def test_a_wake_with_nobody_sleeping_is_no_error_and_not_kept() -> None:
    wakeup = Wakeup()
    wakeup.wake()

    assert asyncio.run(wakeup.sleep(0.01)) is False
