"""Property-based fuzzing of the restore endpoint with mutated archives and random bytes.

Whatever is uploaded: never a 5xx, never a change to the configuration, nothing staged, and no
file written anywhere but the data directory's own folders.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openscc.layout import RESTORE_PENDING, RESTORE_STAGING
from support.in_process import InProcessServer

PASSWORD = "fuzz-pw"


@pytest.fixture(scope="module")
def target(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[InProcessServer, bytes, Path]]:
    root = tmp_path_factory.mktemp("fuzz")
    connector = InProcessServer(root / "data")
    archive = connector.backup(PASSWORD)
    yield connector, archive, root
    connector.close()


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if "tmp" not in p.parts}


def _check_refused(connector: InProcessServer, root: Path, payload: bytes) -> None:
    before_state = connector.state()
    before_tree = _tree(root)

    response = connector.restore(payload, PASSWORD)

    assert response.status_code in (204, 400, 413), response.text
    if response.status_code == 204:
        # Only an upload that still is the intact archive may restore; undo for the next example.
        connector.restart()
        return
    body = response.json()
    assert set(body) == {"type", "message"}
    assert "Traceback" not in body["message"]
    assert connector.state() == before_state
    assert _tree(root) == before_tree
    assert not (connector.instance.data_dir / RESTORE_PENDING.name).exists()
    assert not (connector.instance.data_dir / RESTORE_STAGING.name).exists()


@given(st.binary(max_size=4096))
def test_random_bytes_are_refused_cleanly(target, payload: bytes) -> None:  # type: ignore[no-untyped-def]
    """Random uploads get a 400 with the error shape and change nothing."""
    connector, _, root = target
    _check_refused(connector, root, payload)


@given(st.data())
def test_mutated_archives_are_refused_cleanly(target, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    """Flipped, inserted, deleted or truncated bytes anywhere in a valid archive: refused cleanly."""
    connector, archive, root = target
    mutated = bytearray(archive)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, max(0, len(mutated) - 1)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip" and mutated:
            mutated[position] ^= data.draw(st.integers(1, 255))
        elif action == "insert":
            mutated[position:position] = data.draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del mutated[position : position + data.draw(st.integers(1, 16))]
        else:
            del mutated[position:]
    _check_refused(connector, root, bytes(mutated))


@given(st.data())
def test_archives_with_a_mutated_member_are_refused_cleanly(target, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    """A re-packed archive with one member's content changed is refused: the ZIP is valid, the
    content is not."""
    connector, archive, root = target
    source = zipfile.ZipFile(io.BytesIO(archive))
    names = source.namelist()
    victim = data.draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for name in names:
            content = source.read(name)
            if name == victim:
                content = (
                    data.draw(st.binary(max_size=256))
                    if not content
                    else (
                        content[: data.draw(st.integers(0, len(content) - 1))]
                        + data.draw(st.binary(min_size=1, max_size=8))
                    )
                )
            packed.writestr(name, content)
    _check_refused(connector, root, out.getvalue())
