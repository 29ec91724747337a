"""``openscc backup history`` lists the safety backups, newest first."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from openscc import __version__
from openscc.backup.archive import read_archive
from openscc.cli.history import history_command
from openscc.ha.split import write_split_backup
from openscc.layout import SAFETY_BACKUPS
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


def test_history_of_an_instance_without_restores_says_so(connector: InProcessServer) -> None:
    """No restore yet: the command says there is nothing, and succeeds."""
    result = CliRunner().invoke(history_command, ["--data-dir", str(connector.instance.data_dir)])

    assert result.exit_code == 0
    assert "no safety backups" in result.output


def test_history_refuses_a_directory_that_is_not_an_instance(tmp_path: Path) -> None:
    """A mistyped --data-dir is an error, not "no safety backups"."""
    missing = CliRunner().invoke(history_command, ["--data-dir", str(tmp_path / "typo")])
    empty = CliRunner().invoke(history_command, ["--data-dir", str(tmp_path)])

    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    assert empty.exit_code == 2
    assert "is not an openscc data directory" in empty.output
    assert not (tmp_path / "typo").exists()


def test_history_never_cuts_a_file_name_when_not_on_a_terminal(
    connector: InProcessServer,
) -> None:
    archive = connector.backup()
    assert connector.restore(archive).status_code == 204
    connector.restart()

    result = CliRunner().invoke(history_command, ["--data-dir", str(connector.instance.data_dir)])

    (kept,) = (connector.instance.data_dir / "safety-backups").glob("safety-*.zip")
    assert result.exit_code == 0, result.output
    assert kept.name in result.output
    assert "…" not in result.output


def test_a_split_backup_is_listed_and_its_password_opens_it(connector: InProcessServer) -> None:
    """The backup a master keeps before relinquishing after a split: listed with the restore
    ones, newest first, and --password-of prints the password that decrypts it."""
    assert connector.restore(connector.backup()).status_code == 204
    connector.restart()
    name = write_split_backup(connector.instance)
    data_dir = str(connector.instance.data_dir)

    listed = CliRunner().invoke(history_command, ["--data-dir", data_dir, "--json"])
    rows = json.loads(listed.output)
    assert [row["takenBefore"] for row in rows] == ["split", "restore"]
    assert Path(rows[0]["file"]).name == name

    printed = CliRunner().invoke(history_command, ["--data-dir", data_dir, "--password-of", name])
    assert printed.exit_code == 0, printed.output
    password = printed.output.strip()
    with (connector.instance.data_dir / SAFETY_BACKUPS.name / name).open("rb") as src:
        assert (
            sum(
                1
                for _ in read_archive(src, password=password, product_version=__version__).records()
            )
            > 0
        )

    restore_one = Path(rows[1]["file"]).name
    refused = CliRunner().invoke(
        history_command, ["--data-dir", data_dir, "--password-of", restore_one]
    )
    assert refused.exit_code == 2
    assert "that restore's backup password" in refused.output
