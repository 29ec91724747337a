"""``openscc backup ...`` with click's CliRunner against the real app in-process."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from client_harness import ADMIN, ADMIN_PASSWORD, BACKUP_PASSWORD, InProcessServer, invoke, remote

from openscc import SCC_API_VERSION
from openscc.client.offline import verify_backup


def _rewrite_member(src: Path, dst: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    """Copy an archive, changing one member's bytes (a tampered or crafted archive)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == name else data)


def _json(output: str) -> dict:  # type: ignore[type-arg]
    return json.loads(output)


# --- create ----------------------------------------------------------------------------------------


def test_create_writes_the_backup_and_says_where_and_how_big(
    server: InProcessServer, tmp_path: Path
) -> None:
    """backup create writes a verifiable archive and prints its path and size."""
    out = tmp_path / "scc.zip"

    result = invoke(server, *remote(server, "backup", "create"), "-o", str(out))

    assert result.exit_code == 0, result.output
    assert str(out.resolve()) in result.stdout
    assert f"{out.stat().st_size} bytes" in result.stdout
    assert hashlib.sha256(out.read_bytes()).hexdigest() in result.stdout  # whole, never cut
    assert verify_backup(out, BACKUP_PASSWORD).entities > 0


def test_create_json_gives_path_size_and_hash(server: InProcessServer, tmp_path: Path) -> None:
    """With --json, create prints one object with the path, byte count and SHA-256."""
    out = tmp_path / "scc.zip"
    result = invoke(server, *remote(server, "backup", "create"), "-o", str(out), "--json")

    data = _json(result.stdout)
    assert result.exit_code == 0
    assert data["path"] == str(out.resolve())
    assert data["bytes"] == out.stat().st_size
    assert data["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_create_does_not_replace_a_file_without_force(
    server: InProcessServer, tmp_path: Path
) -> None:
    """An existing output file is kept (exit 2) unless --force is given."""
    out = tmp_path / "scc.zip"
    out.write_bytes(b"older backup")

    refused = invoke(server, *remote(server, "backup", "create"), "-o", str(out))
    assert refused.exit_code == 2
    assert out.read_bytes() == b"older backup"

    forced = invoke(server, *remote(server, "backup", "create"), "-o", str(out), "--force")
    assert forced.exit_code == 0
    assert zipfile.is_zipfile(out)


def test_wrong_login_exits_3_and_writes_nothing(server: InProcessServer, tmp_path: Path) -> None:
    """Wrong credentials: exit 3 with the server's message, and no file, not even a temporary one."""
    folder = tmp_path / "out"
    folder.mkdir()

    result = invoke(
        server,
        *remote(server, "backup", "create"),
        "-o",
        str(folder / "scc.zip"),
        env={"OPENSCC_PASSWORD": "wrong"},
    )

    assert result.exit_code == 3
    assert "invalid credentials" in result.stderr
    assert list(folder.iterdir()) == []


def test_a_locked_out_user_is_told_the_account_may_be_locked(
    server: InProcessServer, tmp_path: Path
) -> None:
    """The server answers a locked user as any failed login (as the product does); the CLI says
    that the account may be locked for a while, and for how long on openscc."""
    for _ in range(5):
        invoke(server, *remote(server, "backup", "create"), "-o", str(tmp_path / "x.zip"),
               env={"OPENSCC_PASSWORD": "Wrong-guess-pw"})  # fmt: skip

    result = invoke(server, *remote(server, "backup", "create"), "-o", str(tmp_path / "y.zip"))

    assert result.exit_code == 3
    assert "locked" in result.stderr
    assert "lock it for 5 minutes" in result.stderr


def test_a_role_without_backup_permission_exits_4(server: InProcessServer, tmp_path: Path) -> None:
    """A user whose role may not back up gets exit 4 and the server's message."""
    server.add_user("viewer", "sccdisplay", "viewer-pw")

    result = invoke(
        server,
        "backup",
        "create",
        "--url",
        server.url,
        "--user",
        "viewer",
        "-o",
        str(tmp_path / "x.zip"),
        env={"OPENSCC_PASSWORD": "viewer-pw"},
    )

    assert result.exit_code == 4
    assert "requires one of the roles sccadmin. User has role(s) sccdisplay" in result.stderr


def test_an_unreachable_server_exits_7(tmp_path: Path, server: InProcessServer) -> None:
    """Nothing listening at the URL: exit 7 naming the URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"https://127.0.0.1:{port}"  # not one of the in-process servers: the real network

    result = invoke(
        server, "backup", "create", "--url", url, "--user", ADMIN, "-o", str(tmp_path / "x.zip")
    )

    assert result.exit_code == 7
    assert url in result.stderr


def test_the_json_error_names_kind_message_and_exit_code(
    server: InProcessServer, tmp_path: Path
) -> None:
    """With --json a failure is one object on stdout with the error's kind, message and exit code."""
    result = invoke(
        server,
        *remote(server, "backup", "create"),
        "-o",
        str(tmp_path / "x.zip"),
        "--json",
        env={"OPENSCC_PASSWORD": "wrong"},
    )

    error = _json(result.stdout)["error"]
    assert result.exit_code == error["exitCode"] == 3
    assert error["kind"] == "NotAuthenticated"
    assert error["message"] == "invalid credentials"


# --- passwords and TLS options --------------------------------------------------------------------


def test_passwords_are_not_accepted_on_the_command_line(
    server: InProcessServer, tmp_path: Path
) -> None:
    """There is no --password option: a password in argv is a usage error."""
    result = invoke(
        server,
        *remote(server, "backup", "create"),
        "-o",
        str(tmp_path / "x.zip"),
        "--password",
        "pw",
    )

    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_without_a_password_source_the_command_explains_and_does_not_block(
    server: InProcessServer, tmp_path: Path
) -> None:
    """No file, no variable and no terminal: exit 2 naming OPENSCC_PASSWORD and --password-file."""
    result = invoke(
        server,
        *remote(server, "backup", "create"),
        "-o",
        str(tmp_path / "x.zip"),
        env={"OPENSCC_PASSWORD": None},
    )

    assert result.exit_code == 2
    assert "OPENSCC_PASSWORD" in result.stderr
    assert "--password-file" in result.stderr


def test_password_files_are_read(server: InProcessServer, tmp_path: Path) -> None:
    """--password-file and --backup-password-file supply both passwords (first line only)."""
    login = tmp_path / "login"
    login.write_text(ADMIN_PASSWORD + "\n")
    archive = tmp_path / "archive"
    archive.write_text("file-backup-pw\nignored second line\n")
    out = tmp_path / "scc.zip"

    result = invoke(
        server,
        *remote(server, "backup", "create"),
        "-o",
        str(out),
        "--password-file",
        str(login),
        "--backup-password-file",
        str(archive),
        env={"OPENSCC_PASSWORD": None, "OPENSCC_BACKUP_PASSWORD": None},
    )

    assert result.exit_code == 0, result.output
    assert verify_backup(out, "file-backup-pw").entities > 0


def test_help_documents_where_passwords_come_from() -> None:
    """--help names the environment variables and the file options for both passwords."""
    from click.testing import CliRunner

    from openscc.cli import cli

    text = CliRunner().invoke(cli, ["backup", "restore", "--help"]).output
    for word in (
        "OPENSCC_PASSWORD",
        "OPENSCC_BACKUP_PASSWORD",
        "--password-file",
        "--backup-password-file",
    ):
        assert word in text


def test_insecure_and_ca_file_together_are_refused(server: InProcessServer, tmp_path: Path) -> None:
    """--insecure with --ca-file is contradictory: exit 2."""
    ca = tmp_path / "ca.pem"
    ca.write_text("x")

    result = invoke(
        server,
        *remote(server, "backup", "create"),
        "-o",
        str(tmp_path / "x.zip"),
        "--insecure",
        "--ca-file",
        str(ca),
    )

    assert result.exit_code == 2


# --- restore, dry run, diff -----------------------------------------------------------------------


def test_restore_waits_for_the_restart_and_brings_the_old_state_back(
    server: InProcessServer, backup_file: Path
) -> None:
    """restore uploads, waits until the restarted server answers, and the backup's state is back."""
    server.set_description("changed after the backup")

    result = invoke(server, *remote(server, "backup", "restore", str(backup_file)), "--json")

    assert result.exit_code == 0, result.output
    data = _json(result.stdout)
    assert data["restored"] is True
    assert data["version"] == SCC_API_VERSION
    assert server.restarts == 1
    assert server.description() == ""


def test_restore_with_the_wrong_backup_password_exits_12_and_changes_nothing(
    server: InProcessServer, backup_file: Path
) -> None:
    """A wrong backup password: exit 12, no restart, configuration unchanged."""
    server.set_description("current")

    result = invoke(
        server,
        *remote(server, "backup", "restore", str(backup_file)),
        env={"OPENSCC_BACKUP_PASSWORD": "wrong"},
    )

    assert result.exit_code == 12
    assert "wrong password" in result.stderr
    assert server.restarts == 0
    assert server.description() == "current"


def test_restoring_a_file_that_is_not_a_backup_exits_11(
    server: InProcessServer, tmp_path: Path
) -> None:
    """Uploading something that is not a backup: exit 11."""
    junk = tmp_path / "notes.zip"
    junk.write_bytes(b"this is not a zip file")

    result = invoke(server, *remote(server, "backup", "restore", str(junk)))

    assert result.exit_code == 11
    assert server.restarts == 0


def test_restoring_a_tampered_archive_exits_13(
    server: InProcessServer, backup_file: Path, tmp_path: Path
) -> None:
    """An archive changed after it was made: exit 13, nothing restored."""
    tampered = tmp_path / "tampered.zip"
    _rewrite_member(
        backup_file,
        tampered,
        "config.jsonl",
        lambda b: b.replace(b'"connector"', b'"connectoR"', 1),
    )

    result = invoke(server, *remote(server, "backup", "restore", str(tampered)))

    assert result.exit_code == 13
    assert server.restarts == 0


def test_restore_exits_8_if_the_server_does_not_come_back(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """A server that goes down for the restart and stays down: exit 8 after --wait-timeout."""
    server = make_server(mode="down")
    backup = tmp_path / "b.zip"
    assert invoke(server, *remote(server, "backup", "create"), "-o", str(backup)).exit_code == 0

    result = invoke(
        server, *remote(server, "backup", "restore", str(backup)), "--wait-timeout", "0.3"
    )

    assert result.exit_code == 8
    assert "did not answer again" in result.stderr


def test_restore_is_not_reported_before_the_restart_happened(
    make_server: Callable[..., InProcessServer], tmp_path: Path
) -> None:
    """If the server accepts the upload but never restarts, restore fails with exit 8."""
    server = make_server(mode="never")
    backup = tmp_path / "b.zip"
    assert invoke(server, *remote(server, "backup", "create"), "-o", str(backup)).exit_code == 0

    result = invoke(
        server, *remote(server, "backup", "restore", str(backup)), "--wait-timeout", "0.3"
    )

    assert result.exit_code == 8
    assert "did not restart" in result.stderr


def test_restore_dry_run_prints_a_table_and_changes_nothing(
    server: InProcessServer, backup_file: Path
) -> None:
    """--dry-run shows per kind what would change and each changed entity; nothing changes."""
    server.set_description("changed")
    server.add_user("later-user", "sccdisplay")

    result = invoke(server, *remote(server, "backup", "restore", str(backup_file)), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "would change 2 entities" in result.stdout
    assert "Changes per kind" in result.stdout
    assert "description" in result.stdout
    assert "later-user" in result.stdout
    assert "- remove" in result.stdout
    assert server.restarts == 0
    assert server.description() == "changed"


def test_diff_json_is_the_servers_dry_run_report(
    server: InProcessServer, backup_file: Path
) -> None:
    """diff --json prints the server's dry-run report with a total of changes."""
    server.set_description("changed")

    result = invoke(
        server, "backup", "diff", str(backup_file), "--url", server.url, "--user", ADMIN, "--json"
    )

    data = _json(result.stdout)
    assert result.exit_code == 0
    assert data["dryRun"] is True
    assert data["changeCount"] == 1
    assert data["changes"]["connector"]["changedEntities"] == [
        {"key": "connector", "name": "Connector", "fields": ["description"],
         "fieldChanges": [{"field": "description", "old": "changed", "new": ""}],
         "secretChanged": False}
    ]  # fmt: skip


def test_diff_of_an_unchanged_configuration_says_so(
    server: InProcessServer, backup_file: Path
) -> None:
    """Right after the backup, diff says restoring would change nothing."""
    result = invoke(
        server, "backup", "diff", str(backup_file), "--url", server.url, "--user", ADMIN
    )

    assert result.exit_code == 0
    assert "would change nothing" in result.stdout


# --- inspect and verify (offline) -----------------------------------------------------------------


def test_inspect_shows_the_manifest_without_a_password(
    backup_file: Path, server: InProcessServer
) -> None:
    """inspect needs no password and shows versions, creation time, source instance and counts."""
    result = CliRunnerNoEnv.invoke("backup", "inspect", str(backup_file))

    assert result.exit_code == 0, result.output
    for text in (
        "openscc 0.1.0, Cloud Connector API 2.19.0.2",
        "Format version",
        "Created",
        server.instance.instance_id,
        "connector",
        "user",
        "Not authenticated",
    ):
        assert text in result.stdout


def test_inspect_json_has_counts_and_versions(backup_file: Path, server: InProcessServer) -> None:
    """inspect --json gives the manifest's counts, versions and source instance."""
    result = CliRunnerNoEnv.invoke("backup", "inspect", str(backup_file), "--json")

    data = _json(result.stdout)
    assert data["formatVersion"] == 1
    assert data["productVersion"] == "0.1.0"
    assert data["sourceInstance"] == server.instance.instance_id
    assert data["counts"]["user"] == 1
    assert data["authenticated"] is False


def test_inspect_of_a_non_zip_exits_11(tmp_path: Path) -> None:
    """inspect of something that is not a ZIP: exit 11."""
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"nope")

    assert CliRunnerNoEnv.invoke("backup", "inspect", str(junk)).exit_code == 11


def test_verify_accepts_a_good_archive(backup_file: Path) -> None:
    """verify with the right password exits 0 and says it would restore."""
    result = CliRunnerNoEnv.invoke(
        "backup", "verify", str(backup_file), env={"OPENSCC_BACKUP_PASSWORD": BACKUP_PASSWORD}
    )

    assert result.exit_code == 0, result.output
    assert "would restore" in result.stdout


@pytest.mark.parametrize(
    ("member", "change", "code"),
    [
        (None, None, 12),  # wrong password
        ("config.jsonl", lambda b: b[:-2] + b"x\n", 13),  # tampered content
        ("secrets.jsonl.enc", lambda b: b[:-1] + bytes([b[-1] ^ 1]), 13),  # tampered ciphertext
        (
            "manifest.json",
            lambda b: b.replace(b'"product_version": "0.1.0"', b'"product_version": "99.0"'),
            14,
        ),
        ("manifest.json", lambda b: b.replace(b'"product": "openscc"', b'"product": "other"'), 11),
    ],
)
def test_verify_exits_with_the_failures_own_code(
    backup_file: Path,
    tmp_path: Path,
    member: str | None,
    change: Callable[[bytes], bytes] | None,
    code: int,
) -> None:
    """verify fails with 12 wrong password, 13 tampered, 14 newer version, 11 not a backup."""
    target = backup_file
    password = "wrong" if member is None else BACKUP_PASSWORD
    if member is not None and change is not None:
        target = tmp_path / "changed.zip"
        _rewrite_member(backup_file, target, member, change)

    result = CliRunnerNoEnv.invoke(
        "backup", "verify", str(target), "--json", env={"OPENSCC_BACKUP_PASSWORD": password}
    )

    assert result.exit_code == code, result.output
    assert _json(result.stdout)["error"]["exitCode"] == code


def test_output_has_no_progress_bar_when_not_a_terminal(
    server: InProcessServer, tmp_path: Path
) -> None:
    """Outside a terminal the output is plain lines: no progress bar, no escape sequences."""
    result = invoke(server, *remote(server, "backup", "create"), "-o", str(tmp_path / "b.zip"))

    assert result.exit_code == 0
    assert "\x1b[" not in result.output
    assert "Downloading" not in result.output
    assert len(result.stdout.strip().splitlines()) == 1


class CliRunnerNoEnv:
    """The CLI with no server and none of the CLI's variables set (offline commands)."""

    @staticmethod
    def invoke(*args: str, env: dict[str, str | None] | None = None):  # type: ignore[no-untyped-def]
        from click.testing import CliRunner

        from openscc.cli import cli

        base: dict[str, str | None] = {
            "OPENSCC_PASSWORD": None,
            "OPENSCC_BACKUP_PASSWORD": None,
            "OPENSCC_URL": None,
        }
        return CliRunner().invoke(cli, list(args), env={**base, **(env or {})})


def test_progress_bars_only_on_a_terminal_and_never_with_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A progress bar is drawn only when stdout is a terminal, and never in --json mode."""
    from openscc.cli import output as output_module
    from openscc.client.progress import no_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(output_module.sys, "stdout", Terminal())
    with output_module.Output(as_json=False).progress("x") as on_terminal:
        assert on_terminal is not no_progress
    with output_module.Output(as_json=True).progress("x") as with_json:
        assert with_json is no_progress
    monkeypatch.setattr(output_module.sys, "stdout", io.StringIO())
    with output_module.Output(as_json=False).progress("x") as in_a_pipe:
        assert in_a_pipe is no_progress


def test_on_a_terminal_passwords_are_asked_for_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no file and no variable, a terminal user is prompted with hidden input (twice for create)."""
    from openscc.cli import passwords

    asked: list[dict[str, object]] = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def prompt(text: str, **options: object) -> str:
        asked.append({"text": text, **options})
        return "typed"

    monkeypatch.setattr(passwords.sys, "stdin", Terminal())
    monkeypatch.setattr(passwords.click, "prompt", prompt)
    monkeypatch.delenv("OPENSCC_BACKUP_PASSWORD", raising=False)

    assert passwords.backup_password(None, confirm=True) == "typed"
    assert asked == [{"text": "Backup password", "hide_input": True, "confirmation_prompt": True}]


def test_server_messages_are_printed_literally(capsys: pytest.CaptureFixture[str]) -> None:
    """A message with brackets is shown as sent, not read as terminal markup, with its exit code."""
    import click

    from openscc.cli.output import Output
    from openscc.errors import Conflict

    with pytest.raises(click.exceptions.Exit) as ended:
        Output(as_json=False).fail(Conflict("[bold]restore[/bold] already [SSL: x] running"))

    assert ended.value.exit_code == 6
    assert "[bold]restore[/bold] already [SSL: x] running" in capsys.readouterr().err


def test_diff_names_things_and_shows_old_and_new_values(
    server: InProcessServer, backup_file: Path
) -> None:
    """diff speaks of the connector and its description, old → new, not of internal keys."""
    server.set_description("now")

    result = invoke(
        server, "backup", "diff", str(backup_file), "--url", server.url, "--user", ADMIN
    )

    assert result.exit_code == 0, result.output
    assert "description: now → ''" in result.stdout
    assert "Connector" in result.stdout
