"""Safety backups' names sort by when they were taken, even when the wall clock steps back (a
virtual machine's clock may): a new name is always later than every name already there."""

from __future__ import annotations

from pathlib import Path

import pytest

from openscc.backup import safety


def test_a_name_follows_every_name_already_there_when_the_clock_stepped_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "split-20991231T235959Z-000000007.zip").write_bytes(b"")
    monkeypatch.setattr(safety.time, "time_ns", lambda: 1_700_000_000_123_456_789)

    name = safety.next_name(tmp_path, "safety-")

    assert name == "safety-20991231T235959Z-000000008.zip"
    assert safety._stamp(Path(name)) > safety._stamp(
        tmp_path / "split-20991231T235959Z-000000007.zip"
    )


def test_a_name_is_the_time_to_the_nanosecond(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety.time, "time_ns", lambda: 1_700_000_000_123_456_789)

    assert safety.next_name(tmp_path, "split-") == "split-20231114T221320Z-123456789.zip"
