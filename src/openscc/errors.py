"""
The errors openscc raises on purpose, shared by the server, the archive code and the client.

Each error knows the HTTP status and Cloud Connector error ``type`` the server answers with, and the
exit code the CLI ends with. The server renders every one as ``{"type": ..., "message": ...}``; the
client rebuilds the same class from such a body.

OpensccError                      500 RUNTIME_FAILURE        exit 1
  InvalidRequest                  400 INVALID_REQUEST        exit 2
    BackupError                   400 INVALID_REQUEST        exit 10
      NotABackup                  400 INVALID_REQUEST        exit 11   not a ZIP / not a backup
      WrongPassword               400 INVALID_REQUEST        exit 12
      CorruptArchive              400 INVALID_REQUEST        exit 13   tampered or truncated
      UnsupportedVersion          400 INVALID_REQUEST        exit 14   newer format or product
      UnsafeArchive               400 INVALID_REQUEST        exit 15   hostile structure, limits
  PayloadTooLarge                 413 INVALID_REQUEST        exit 15
  NotAuthenticated                401 UNAUTHORIZED           exit 3
  Forbidden                       403 FORBIDDEN_REQUEST      exit 4
  NotFound                        404 NOT_FOUND              exit 5
  MethodNotAllowed                405 METHOD_NOT_ALLOWED     exit 2
  UnsupportedMediaType            415 UNSUPPORTED_MEDIA_TYPE exit 2
  Conflict                        409 ILLEGAL_STATE          exit 6
    InvalidConfiguration          409 INVALID_CONFIGURATION  exit 6
  Gone                            410 NOT_FOUND              exit 5
  ServerBusy                      503 RUNTIME_FAILURE        exit 1    too many logons being checked
    StoreBusy                     503 RUNTIME_FAILURE        exit 1    database locked elsewhere
  ClientError                     (client side only)         exit 1
    Unreachable                   (no answer from the URL)   exit 7
    RestartTimeout                (server not back in time)  exit 8
    UnexpectedResponse            (not the Cloud Connector)  exit 9
"""

from __future__ import annotations

from typing import ClassVar


class OpensccError(Exception):
    """Base of every error openscc raises on purpose."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "RUNTIME_FAILURE"
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_body(self) -> dict[str, str]:
        return {"type": self.type, "message": self.message}


class InvalidRequest(OpensccError):
    """The request is malformed or its values are invalid."""

    status = 400
    type = "INVALID_REQUEST"
    exit_code = 2


class BackupError(InvalidRequest):
    """A backup archive cannot be restored."""

    exit_code = 10


class NotABackup(BackupError):
    """The upload is not a ZIP file, or not an openscc backup archive."""

    exit_code = 11


class WrongPassword(BackupError):
    """The password does not open this archive."""

    exit_code = 12


class CorruptArchive(BackupError):
    """A member was changed, truncated, added or removed after the archive was made."""

    exit_code = 13


class UnsupportedVersion(BackupError):
    """The archive was made by a newer product or in a newer format."""

    exit_code = 14


class UnsafeArchive(BackupError):
    """The archive's structure is hostile or exceeds a limit."""

    exit_code = 15


class PayloadTooLarge(InvalidRequest):
    """The request body is over the upload cap."""

    status = 413
    exit_code = 15


class NotAuthenticated(OpensccError):
    """Credentials are missing or wrong."""

    status = 401
    type = "UNAUTHORIZED"
    exit_code = 3


class Forbidden(OpensccError):
    """The caller may not do this (role, initial password, HA role, shadow, CSRF)."""

    status = 403
    type = "FORBIDDEN_REQUEST"
    exit_code = 4


class NotFound(OpensccError):
    status = 404
    type = "NOT_FOUND"
    exit_code = 5


class Gone(OpensccError):
    """An endpoint the Cloud Connector discontinued."""

    status = 410
    type = "NOT_FOUND"
    exit_code = 5


class MethodNotAllowed(OpensccError):
    status = 405
    type = "METHOD_NOT_ALLOWED"
    exit_code = 2


class UnsupportedMediaType(OpensccError):
    status = 415
    type = "UNSUPPORTED_MEDIA_TYPE"
    exit_code = 2


class Conflict(OpensccError):
    """The request conflicts with the current state (already set, in use)."""

    status = 409
    type = "ILLEGAL_STATE"
    exit_code = 6


class InvalidConfiguration(Conflict):
    """The entity already exists or the configuration cannot be applied."""

    type = "INVALID_CONFIGURATION"


class ServerBusy(OpensccError):
    """The server cannot take this request now; retrying after ``retry_after`` seconds can succeed."""

    status = 503
    retry_after: ClassVar[int] = 5


class StoreBusy(ServerBusy):
    """The configuration store is locked by another process."""


class ClientError(OpensccError):
    """Raised on the client side only."""


class Unreachable(ClientError):
    exit_code = 7


class RestartTimeout(ClientError):
    exit_code = 8


class UnexpectedResponse(ClientError):
    exit_code = 9


_BY_STATUS_AND_TYPE: dict[tuple[int, str], type[OpensccError]] = {
    (400, "INVALID_REQUEST"): InvalidRequest,
    (413, "INVALID_REQUEST"): PayloadTooLarge,
    (401, "UNAUTHORIZED"): NotAuthenticated,
    (403, "FORBIDDEN_REQUEST"): Forbidden,
    (404, "NOT_FOUND"): NotFound,
    (405, "METHOD_NOT_ALLOWED"): MethodNotAllowed,
    (409, "ILLEGAL_STATE"): Conflict,
    (409, "INVALID_CONFIGURATION"): InvalidConfiguration,
    (410, "NOT_FOUND"): Gone,
    (415, "UNSUPPORTED_MEDIA_TYPE"): UnsupportedMediaType,
}


def error_from_response(status: int, body: object) -> OpensccError:
    """Rebuild the error a server answered with; unknown shapes become a generic error."""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        message = body["message"]
        kind = body.get("type")
        cls = _BY_STATUS_AND_TYPE.get((status, str(kind)))
        if cls is None:
            cls = _class_for_status(status)
        if cls is InvalidRequest:
            cls = backup_error_for_message(message) or InvalidRequest
        return cls(message)
    cls = _class_for_status(status)
    return cls(f"HTTP {status}")


def _class_for_status(status: int) -> type[OpensccError]:
    for (known_status, _), cls in _BY_STATUS_AND_TYPE.items():
        if known_status == status:
            return cls
    return UnexpectedResponse if status < 500 else OpensccError


# The server's backup messages start with these phrases (see BackupError subclasses), so a client
# can give each kind of failure its own exit code while the wire type stays INVALID_REQUEST.
_BACKUP_MESSAGE_PREFIXES: tuple[tuple[str, type[BackupError]], ...] = (
    ("wrong password", WrongPassword),
    ("not a zip", NotABackup),
    ("not a backup archive", NotABackup),
    ("archive is corrupt", CorruptArchive),
    ("archive was created by a newer", UnsupportedVersion),
    ("unsafe archive", UnsafeArchive),
)


def backup_error_for_message(message: str) -> type[BackupError] | None:
    lowered = message.lower()
    for prefix, cls in _BACKUP_MESSAGE_PREFIXES:
        if lowered.startswith(prefix):
            return cls
    return None
