"""``openscc users`` beside the server, in processes of their own, from a thread of the torture
run: add, set-password and remove on a few users, each recorded as a change of that user."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path

from bench.torture.history import ABSENT, FAILED, OK
from bench.torture.recorder import Recorder
from bench.torture.state import USERS, user_key


class Commands:
    def __init__(self, recorder: Recorder, data_dir: Path, seed: float) -> None:
        self.recorder = recorder
        self.data_dir = data_dir
        self.rng = random.Random(seed)
        # Every password ever given to each user: how a stored hash is told apart.
        self.passwords: dict[str, list[str]] = {name: [] for name in USERS}
        # Held while a command runs: a check of the state waits until none does.
        self.idle = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="torture-commands")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.rng.uniform(0.1, 0.6)):
            with self.idle:
                self._one()

    def _one(self) -> None:
        name = self.rng.choice(USERS)
        action = self.rng.choice(("add", "set-password", "remove"))
        password = None
        if action == "remove":
            writes = {user_key(name): ABSENT}
        else:
            password = f"{name}-Pass-{self.rng.randrange(10**6)}"
            self.passwords[name].append(password)
            writes = {user_key(name): password}
        args = [action, name] + (["--role", "sccdisplay"] if action == "add" else [])
        op = self.recorder.begin(f"users {action} {name}", writes)
        done = subprocess.run(
            [sys.executable, "-m", "openscc", "users", *args, "--data-dir", str(self.data_dir)],
            input=None if password is None else password + "\n",
            capture_output=True, text=True, env=_environment(), timeout=120,
        )  # fmt: skip
        self.recorder.figures.cli_commands += 1
        self.recorder.end(op, OK if done.returncode == 0 else FAILED)
        if done.returncode not in (0, 1) or "Traceback" in done.stderr:
            self.recorder.violation(f"users {action}: {done.returncode} {done.stderr[-500:]}")


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSCC_")}
    env["OPENSCC_KDF_PROFILE"] = "test"
    return env
