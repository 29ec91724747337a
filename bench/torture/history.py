"""The history a torture run records, and its check: pure, no I/O.

Every change the driver makes is an ``Op`` over a set of keys (a register each: the connector's
description, one system mapping, one user), with the values it writes, when it was sent and
when it was answered. Its outcome is ``ok`` (acknowledged), ``failed`` (refused: nothing
changed) or ``unknown`` (the server was killed before it answered: either way is right).

After each restart the state read back is checked against the history since the last check:

* **registers**: a key's value must come from a write that no acknowledged write followed in
  real time (Jepsen's rule for registers): an acknowledged change that is missing, or a refused
  change that is present, is a violation;
* **atomicity**: an op whose outcome is unknown is wholly there or wholly absent on the keys
  only the sequential API client writes (a restore, a partial restore): never half there.

Then the state read becomes the known state and the history starts again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ABSENT = "<absent>"
OK, FAILED, UNKNOWN = "ok", "failed", "unknown"
Value = str


@dataclass(eq=False)
class Op:
    name: str
    writes: dict[str, Value]
    invoked: float
    # Keys only the sequential API client writes: all or nothing when the outcome is unknown.
    atomic: frozenset[str] = frozenset()
    completed: float | None = None
    outcome: str | None = None

    @property
    def effective_until(self) -> float:
        """The latest moment its change may take effect (an unknown op: until the restart)."""
        if self.outcome == UNKNOWN or self.completed is None:
            return math.inf
        return self.completed


@dataclass
class History:
    state: dict[str, Value]
    ops: list[Op] = field(default_factory=list)
    keys_checked: int = 0

    def begin(self, name: str, writes: Mapping[str, Value], now: float,
              atomic: Iterable[str] = ()) -> Op:  # fmt: skip
        op = Op(name, dict(writes), now, frozenset(atomic))
        self.ops.append(op)
        return op

    @staticmethod
    def end(op: Op, outcome: str, now: float) -> None:
        op.outcome, op.completed = outcome, now

    def known(self, key: str) -> Value:
        """The value the key has if every op so far took effect as answered (unknown ones
        not): what the driver expects while the server runs."""
        value = self.state.get(key, ABSENT)
        for op in sorted(self.ops, key=lambda o: o.completed or math.inf):
            if op.outcome == OK and key in op.writes:
                value = op.writes[key]
        return value

    def allowed(self, key: str) -> set[Value]:
        writers = [o for o in self.ops if key in o.writes and o.outcome in (OK, UNKNOWN)]
        acked = [o for o in writers if o.outcome == OK]
        values = {
            w.writes[key]
            for w in writers
            if not any(a.invoked > w.effective_until for a in acked if a is not w)
        }
        if not acked:
            values.add(self.state.get(key, ABSENT))
        return values

    def check(self, actual: Mapping[str, Value]) -> list[str]:
        """The violations of the state read back; the history then starts from it."""
        problems: list[str] = []
        keys = set(self.state) | set(actual) | {k for o in self.ops for k in o.writes}
        for key in sorted(keys):
            found = actual.get(key, ABSENT)
            allowed = self.allowed(key)
            self.keys_checked += 1
            if found not in allowed:
                problems.append(
                    f"{key}: found {found!r}, but the history allows only {sorted(allowed)!r} "
                    f"({self._story(key)})"
                )
        problems += self._half_applied(actual)
        self.state = {k: v for k in keys if (v := actual.get(k, ABSENT)) != ABSENT}
        self.ops.clear()
        return problems

    def _half_applied(self, actual: Mapping[str, Value]) -> list[str]:
        problems = []
        for op in self.ops:
            if op.outcome != UNKNOWN or not op.atomic:
                continue
            before = self._before(op)
            changing = [k for k in op.atomic if op.writes[k] != before.get(k, ABSENT)]
            applied = {k for k in changing if actual.get(k, ABSENT) == op.writes[k]}
            if applied and len(applied) != len(changing):
                problems.append(
                    f"{op.name} is half there: {len(applied)} of its {len(changing)} changes "
                    f"(for instance {sorted(set(changing) - applied)[:3]} are missing)"
                )
        return problems

    def _before(self, op: Op) -> dict[str, Value]:
        """The atomic keys' values just before ``op``: the known state and the acknowledged
        ops sent before it (the API client is sequential, so they all finished before it)."""
        values = dict(self.state)
        for earlier in self.ops:
            if earlier is op:
                break
            if earlier.outcome == OK:
                values.update({k: v for k, v in earlier.writes.items() if k in op.atomic})
        return values

    def _story(self, key: str) -> str:
        told = [f"{o.name}={o.writes[key]!r}:{o.outcome}" for o in self.ops if key in o.writes]
        return "; ".join(told) or "never written since the last check"
