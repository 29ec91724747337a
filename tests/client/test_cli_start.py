"""`openscc` starts fast: a command imports only what it uses (openscc.cli.lazy). The figures
are in docs/benchmarks.md (make bench); here, what must never be imported for them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a fresh interpreter: this one has imported everything

HEAVY = ("cryptography", "httpx", "starlette", "uvicorn", "openscc.server", "openscc.app",
         "openscc.api", "openscc.client.api", "argon2")  # fmt: skip
_PROBE = """
import json, sys
from openscc.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY))


@pytest.mark.parametrize("args", [("--help",), ("backup", "--help"), ("--version",)])
def test_help_imports_no_server_cryptography_or_http_client(args: tuple[str, ...]) -> None:
    assert _heavy(_imported(*args)) == []


def test_backup_inspect_needs_no_server_and_no_http_client(tmp_path: Path) -> None:
    archive = tmp_path / "not-a-backup.zip"
    archive.write_bytes(b"PK\x03\x04 not really")  # refused: the command's imports all ran
    imported = _imported("backup", "inspect", str(archive))

    # It reads the archive's format (cryptography, argon2 for its parameters); never a server or
    # an HTTP client.
    server_or_http = ("httpx", "starlette", "uvicorn", "openscc.server", "openscc.app",
                      "openscc.api", "openscc.client.api")  # fmt: skip
    assert sorted(m for m in imported if m.startswith(server_or_http)) == []
