"""`openscc backup restore` shows the dry run's warnings, each with what to do, and goes on only
once confirmed: a question at a terminal, --yes in a script, a refusal (exit 16) otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from client_harness import InProcessServer, invoke, remote

from openscc.cli import options


def _props_changed_here(server: InProcessServer) -> None:
    """This instance's props.ini now differs from the archive's: the dry run warns."""
    props = server.instance.layout.props
    props.write_bytes(props.read_bytes() + b"\n# changed on this host\n")


def test_without_a_terminal_or_yes_a_warned_restore_is_refused(
    server: InProcessServer, backup_file: Path
) -> None:
    _props_changed_here(server)
    server.set_description("current")

    result = invoke(server, *remote(server, "backup", "restore", str(backup_file)))

    assert result.exit_code == 16, result.output
    assert "PROPS_INI_DIFFERS" in result.stderr
    assert "What to do:" in result.stderr
    assert "--yes" in result.stderr
    assert server.restarts == 0
    assert server.description() == "current"


def test_with_yes_the_warnings_are_printed_and_the_restore_goes_on(
    server: InProcessServer, backup_file: Path
) -> None:
    _props_changed_here(server)
    server.set_description("current")

    result = invoke(server, *remote(server, "backup", "restore", str(backup_file)), "--yes")

    assert result.exit_code == 0, result.output
    assert "PROPS_INI_DIFFERS" in result.stderr
    assert server.restarts == 1
    assert server.description() == ""


@pytest.mark.parametrize(("answer", "code", "restarts"), [("n\n", 16, 0), ("y\n", 0, 1)])
def test_at_a_terminal_the_question_decides(
    server: InProcessServer, backup_file: Path, monkeypatch: pytest.MonkeyPatch,
    answer: str, code: int, restarts: int,
) -> None:  # fmt: skip
    _props_changed_here(server)
    monkeypatch.setattr(options, "at_terminal", lambda: True)

    result = invoke(server, *remote(server, "backup", "restore", str(backup_file)), input=answer)

    assert result.exit_code == code, result.output
    assert "Restore anyway?" in result.stderr
    assert server.restarts == restarts


def test_a_restore_without_warnings_asks_nothing(
    server: InProcessServer, backup_file: Path
) -> None:
    result = invoke(server, *remote(server, "backup", "restore", str(backup_file)))

    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    assert server.restarts == 1


def test_the_restored_certificate_is_never_written_into_a_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restoring a safety backup that brings another UI certificate: the PEM for --ca-file goes
    to the current folder, not beside the archive inside the data directory."""
    from openscc.cli.backup_restore import save_restored_certificate
    from openscc.config import certs

    pem = certs.self_signed(certs.parse_dn("CN=restored")).certificate_pem
    kept = tmp_path / "data" / "safety-backups"
    kept.mkdir(parents=True)
    elsewhere = tmp_path / "archives"
    elsewhere.mkdir()
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)

    from_safety = save_restored_certificate(kept / "safety-1.zip", pem)
    from_elsewhere = save_restored_certificate(elsewhere / "scc.zip", pem)

    assert from_safety is not None
    assert from_safety.path == here / "safety-1-ui-certificate.pem"
    assert from_elsewhere is not None
    assert from_elsewhere.path == elsewhere / "scc-ui-certificate.pem"
    assert list(kept.iterdir()) == []
