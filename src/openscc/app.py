"""``create_app(settings)``: one instance's runtime (openscc.runtime) served over HTTP
(openscc.api.http.app). Nothing happens at import."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.applications import Starlette

from openscc.api.http.app import http_app
from openscc.instance import Instance, open_instance
from openscc.runtime.runtime import Runtime
from openscc.settings import Settings


def create_app(
    settings: Settings,
    *,
    instance: Instance | None = None,
    request_restart: Callable[[], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """Build the runtime of one instance and its app. ``request_restart`` is how a restore
    restarts the server; ``clock`` drives session expiry, lockouts and the credential cache.
    The app's lifespan, or ``app.state.runtime.close()``, closes what it opened."""
    runtime = Runtime(
        settings,
        instance or open_instance(settings),
        request_restart=request_restart or (lambda: None),
    )
    return http_app(runtime, clock=clock)
