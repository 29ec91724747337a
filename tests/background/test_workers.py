"""The workers, where blocking jobs run: results and errors come back, the pool is bounded, a
stop interrupts jobs between their stages and leaves a stuck one behind without waiting for it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from openscc.background.workers import Interrupted, StopSignal, Workers


def test_a_job_returns_its_result_or_raises_its_error() -> None:
    workers = Workers(size=2)

    def fail() -> None:
        raise ValueError("no")

    assert asyncio.run(workers.run(lambda x: x * 2, 21)) == 42
    with pytest.raises(ValueError, match="no"):
        asyncio.run(workers.run(fail))
    assert workers.stop(1) == 0


def test_the_pool_runs_at_most_its_size_at_once_and_every_job_ends() -> None:
    workers = Workers(size=3)
    release = threading.Event()
    running = threading.Semaphore(0)
    most, at_once, lock = [0], [0], threading.Lock()

    def job(n: int) -> int:
        with lock:
            at_once[0] += 1
            most[0] = max(most[0], at_once[0])
        running.release()
        release.wait()
        with lock:
            at_once[0] -= 1
        return n

    futures = [workers.submit(job, n) for n in range(10)]
    for _ in range(3):
        running.acquire()  # three are running; the others wait in the queue
    release.set()

    assert sorted(f.result() for f in futures) == list(range(10))
    assert most[0] == 3
    assert workers.stop(1) == 0


def test_a_stop_interrupts_jobs_at_their_next_check() -> None:
    workers = Workers()
    between_stages = threading.Event()
    go_on = threading.Event()

    def staged() -> str:
        workers.stopping.check()
        between_stages.set()
        go_on.wait()
        workers.stopping.check()  # the stop came meanwhile
        return "finished"

    future = workers.submit(staged)
    between_stages.wait()
    stopper = threading.Thread(target=workers.stop, args=(5,))
    stopper.start()
    assert workers.stopping.wait(30)
    go_on.set()
    stopper.join()

    with pytest.raises(Interrupted):
        future.result()
    with pytest.raises(Interrupted):
        workers.submit(lambda: None).result()  # nothing starts once stopping


def test_a_stuck_job_is_left_behind_and_not_waited_for() -> None:
    workers = Workers()
    stuck = threading.Event()
    started = threading.Event()

    def never_checks() -> None:
        started.set()
        stuck.wait()

    workers.submit(never_checks)
    started.wait()

    assert workers.stop(0) == 1  # the deadline passed: left to end on its own (a daemon)
    stuck.set()


def test_a_stop_callback_runs_when_the_signal_is_set_or_at_once_after() -> None:
    signal = StopSignal()
    called: list[str] = []
    cancel = signal.when_set(lambda: called.append("first"))
    signal.when_set(lambda: called.append("second"))
    cancel()

    signal.set()
    signal.when_set(lambda: called.append("late"))

    assert called == ["second", "late"]
    assert signal.wait(0)
