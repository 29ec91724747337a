"""``openscc backup history`` lists the safety backups, newest first."""

from __future__ import annotations

import json

from click.testing import CliRunner

from openscc.cli.history import history_command
from support.in_process import InProcessServer


def test_history_lists_each_safety_backup_newest_first(connector: InProcessServer) -> None:
    """After two restores, two safety backups are listed with their creation times and sizes."""
    archive = connector.backup()
    for _ in range(2):
        assert connector.restore(archive).status_code == 204
        connector.restart()

    result = CliRunner().invoke(
        history_command, ["--data-dir", str(connector.instance.data_dir), "--json"]
    )

    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 2
    assert rows[0]["file"] > rows[1]["file"]
    assert all(row["size"] > 0 and row["createdAt"] > 0 for row in rows)


def test_history_of_an_instance_without_restores_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No restore yet: the command says there is nothing, and succeeds."""
    result = CliRunner().invoke(history_command, ["--data-dir", str(tmp_path)])

    assert result.exit_code == 0
    assert "no safety backups" in result.output
