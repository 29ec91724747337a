"""Fault-injection points for crash and stop tests; inert unless a test names them in the
settings (OPENSCC_TEST_FAULT_POINTS)."""

from __future__ import annotations

import os
import signal
import time

from openscc.settings import Settings

# How long a named pause point blocks: the slow disk or network a stop test needs (longer
# than a stop may take, so the stop cannot wait for it).
PAUSE_SECONDS = 10.0


def crash_point(settings: Settings, name: str) -> None:
    """Kill this process at once (as ``kill -9`` would) if the settings name this point."""
    if name in settings.fault_points:
        os.kill(os.getpid(), signal.SIGKILL)


def pause_point(settings: Settings, name: str) -> None:
    """Wait a moment here (as a slow target would) if the settings name this point."""
    if name in settings.fault_points:
        time.sleep(PAUSE_SECONDS)
