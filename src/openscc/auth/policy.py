"""The minimum password policy, applied wherever a password is set: the API, the CLI and
``OPENSCC_ADMIN_PASSWORD``."""

from __future__ import annotations

from openscc.auth.credentials import MAX_PASSWORD_CHARS
from openscc.errors import InvalidRequest

# The Cloud Connector's documented initial password; a user may never set it again.
INITIAL_PASSWORD = "manage"  # noqa: S105 - the product's documented initial password
MIN_PASSWORD_CHARS = 8
POLICY = (
    f"a password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters, is not the user "
    f"name, is not the initial password '{INITIAL_PASSWORD}' and differs from the old one"
)


def check_new_password(user: str, new: str, *, old: str | None = None) -> None:
    """Raise InvalidRequest, saying which rule failed, unless ``new`` may be set for ``user``."""
    if new == INITIAL_PASSWORD:
        raise InvalidRequest(
            f"the new password must not be the initial password '{INITIAL_PASSWORD}'"
        )
    if len(new) < MIN_PASSWORD_CHARS:
        raise InvalidRequest(
            f"the new password is too short: at least {MIN_PASSWORD_CHARS} characters"
        )
    if len(new) > MAX_PASSWORD_CHARS:
        raise InvalidRequest(
            f"the new password is too long: at most {MAX_PASSWORD_CHARS} characters"
        )
    if new.casefold() == user.casefold():
        raise InvalidRequest("the new password must not be the user name")
    if old is not None and new == old:
        raise InvalidRequest("the new password must differ from the old one")
