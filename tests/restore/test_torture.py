"""The crash-consistency torture test, short (`make soak` runs a long one): random API writes,
backups, dry runs, partial and full restores against a real server, `openscc users` beside it,
and kill -9 at random moments and at the restore's steps. After every restart each
acknowledged change is there, nothing refused or half-done is, the database passes
`PRAGMA integrity_check`, and the next backup and dry run work (bench/torture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.torture.run import Torture

pytestmark = pytest.mark.slow  # real server processes, killed


@pytest.mark.parametrize("seed", [11])
def test_no_acknowledged_change_is_lost_across_kills(tmp_path: Path, seed: int) -> None:
    figures = Torture(tmp_path, seed=seed, kills=24).run()

    assert figures.violations == []
    assert figures.kills >= 24
    assert figures.random_kills > 0
    assert figures.restores_acknowledged > 0
    assert figures.cli_commands > 0
    assert figures.changes_checked > 24 * 5
