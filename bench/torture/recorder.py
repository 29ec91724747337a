"""What a torture run records, from two threads (the API client and the commands beside it):
the history of changes, the figures and the violations."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.torture.history import History, Op


@dataclass
class Figures:
    seed: int
    api_operations: int = 0
    cli_commands: int = 0
    kills: int = 0  # every one: at random moments, and at the restore's fault points
    random_kills: int = 0
    restores_acknowledged: int = 0
    partial_restores_acknowledged: int = 0
    changes_checked: int = 0
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)


class Recorder:
    def __init__(self, seed: int) -> None:
        self.figures = Figures(seed=seed)
        self.history = History(state={})
        self._lock = threading.Lock()

    def begin(self, name: str, writes: Mapping[str, str], *, atomic: bool = False) -> Op:
        """A change about to be sent; ``atomic``: all of it or nothing if it is cut off."""
        with self._lock:
            return self.history.begin(
                name, writes, time.monotonic(), writes.keys() if atomic else ()
            )

    def end(self, op: Op, outcome: str) -> None:
        with self._lock:
            self.history.end(op, outcome, time.monotonic())

    def known(self, key: str) -> str:
        with self._lock:
            return self.history.known(key)

    def check(self, actual: Mapping[str, str]) -> None:
        with self._lock:
            self.figures.violations += self.history.check(actual)
            self.figures.changes_checked = self.history.keys_checked

    def violation(self, text: str) -> None:
        with self._lock:
            self.figures.violations.append(text)
