"""Waiting for an event another thread or process causes: the condition is polled until it holds,
and the timeout only bounds a failure (it is never the thing a test measures)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 60.0


def wait_for(condition: Callable[[], T], what: str, timeout: float = DEFAULT_TIMEOUT) -> T:
    """The first truthy value of ``condition()``; AssertionError naming ``what`` at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)
