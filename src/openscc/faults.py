"""Fault-injection points for crash tests; inert unless a test names them in the settings."""

from __future__ import annotations

import os
import signal

from openscc.settings import Settings


def crash_point(settings: Settings, name: str) -> None:
    """Kill this process at once (as ``kill -9`` would) if the settings name this point."""
    if name in settings.fault_points:
        os.kill(os.getpid(), signal.SIGKILL)
