"""The store thread: every use of the store connection runs there, one at a time, in the order
it was asked for; recordings never block their caller and are done before the thread stops."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from openscc.store.thread import StoreThread


def test_work_runs_in_one_thread_in_the_order_it_was_queued() -> None:
    thread = StoreThread()
    seen: list[tuple[int, str]] = []

    def note(index: int) -> None:
        seen.append((index, threading.current_thread().name))

    async def main() -> str:
        for index in range(50):
            thread.record(note, index)
        return await thread.run(lambda: threading.current_thread().name)

    try:
        last = asyncio.run(main())
    finally:
        thread.close()

    assert [index for index, _ in seen] == list(range(50))
    assert {name for _, name in seen} == {last}
    assert last.startswith("openscc-store")


def test_call_from_another_thread_waits_and_from_the_store_thread_runs_at_once() -> None:
    thread = StoreThread()
    answers: list[int] = []

    def outer() -> int:
        return thread.call(lambda: 41) + 1  # in the store thread: no deadlock

    worker = threading.Thread(target=lambda: answers.append(thread.call(outer)))
    worker.start()
    worker.join(30)
    thread.close()

    assert answers == [42]


def test_a_failed_recording_is_logged_and_the_next_work_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    thread = StoreThread()

    def fails() -> None:
        raise ValueError("disk on fire")

    with caplog.at_level(logging.ERROR, logger="openscc.store"):
        thread.record(fails)
        after = thread.call(lambda: "still serving")
    thread.close()

    assert after == "still serving"
    assert "recording in the store failed: disk on fire" in caplog.text


def test_close_finishes_the_queue_and_a_later_recording_is_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    thread = StoreThread()
    release = threading.Event()
    done: list[int] = []
    thread.record(lambda: release.wait(30) and None)
    thread.record(done.append, 1)
    closer = threading.Thread(target=thread.close)
    closer.start()
    release.set()
    closer.join(30)

    with caplog.at_level(logging.WARNING, logger="openscc.store"):
        thread.record(done.append, 2)

    assert done == [1]
    assert "not recorded, the store is closing" in caplog.text
