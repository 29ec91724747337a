"""Progress reporting for transfers: a plain callback, so the client needs no terminal library."""

from __future__ import annotations

from collections.abc import Callable

# Called with (bytes done so far, total bytes or None when the server did not say).
ProgressCallback = Callable[[int, int | None], None]


def no_progress(done: int, total: int | None) -> None:
    """The callback used when the caller passes none."""
