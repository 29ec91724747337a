"""
The errors openscc raises on purpose, shared by the server, the archive code and the client.

Each error knows the HTTP status and Cloud Connector error ``type`` the server answers with, the
exit code the CLI ends with and, where several classes share a wire type, the ``prefix`` every
one of its messages starts with. The server renders every error as ``{"type": ..., "message":
...}``; the client rebuilds the same class from such a body, by status, type and prefix: the
tables for it are derived from the classes below, never written by hand.

OpensccError                      500 RUNTIME_FAILURE        exit 1
  InvalidRequest                  400 INVALID_REQUEST        exit 2
    BackupError                   400 INVALID_REQUEST        exit 10
      NotABackup                  400 INVALID_REQUEST        exit 11   "not a backup archive: ..."
      WrongPassword               400 INVALID_REQUEST        exit 12   "wrong password"
      CorruptArchive              400 INVALID_REQUEST        exit 13   "archive is corrupt: ..."
      UnsupportedVersion          400 INVALID_REQUEST        exit 14   "archive is too new: ..."
      UnsafeArchive               400 INVALID_REQUEST        exit 15   "unsafe archive: ..."
  PayloadTooLarge                 413 INVALID_REQUEST        exit 15
  NotAuthenticated                401 UNAUTHORIZED           exit 3
  Forbidden                       403 FORBIDDEN_REQUEST      exit 4
  NotFound                        404 NOT_FOUND              exit 5
  MethodNotAllowed                405 INVALID_REQUEST        exit 2
  UnsupportedMediaType            415 INVALID_REQUEST        exit 2
  Conflict                        409 ILLEGAL_STATE          exit 6
    InvalidConfiguration          409 INVALID_CONFIGURATION  exit 6
  Gone                            410 NOT_FOUND              exit 5
  ServerBusy                      503 RUNTIME_FAILURE        exit 1    too many logons being checked
    StoreBusy                     503 RUNTIME_FAILURE        exit 1    database locked elsewhere
  SourceFailed                    502 RUNTIME_FAILURE        exit 1    another connector failed
  DamagedStore                    500 RUNTIME_FAILURE        exit 1    "stored configuration is damaged: ..."
  ListenFailed                    (openscc serve only)       exit 1    port in use
  ClientError                     (client side only)         exit 1
    Unreachable                   (no answer from the URL)   exit 7
    RestartTimeout                (server not back in time)  exit 8
    UnexpectedResponse            (not the Cloud Connector)  exit 9
    RestoreNotConfirmed           (warnings, no --yes)       exit 16
"""

from __future__ import annotations

from typing import ClassVar, Self


class OpensccError(Exception):
    """Base of every error openscc raises on purpose."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "RUNTIME_FAILURE"
    exit_code: ClassVar[int] = 1
    # Where several classes share a status and type, every message of a class starts with its
    # prefix ("archive is corrupt: member x is missing"), so a client can tell them apart.
    prefix: ClassVar[str] = ""

    def __init__(self, detail: str = "") -> None:
        message = ": ".join(part for part in (self.prefix, detail) if part)
        super().__init__(message)
        self.message = message

    @classmethod
    def from_wire(cls, message: str) -> Self:
        """The error as a server answered it: its message taken as it is (prefix included)."""
        error = cls.__new__(cls)
        Exception.__init__(error, message)
        error.message = message
        return error

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
    prefix = "not a backup archive"


class WrongPassword(BackupError):
    """The password does not open this archive."""

    exit_code = 12
    prefix = "wrong password"


class CorruptArchive(BackupError):
    """A member was changed, truncated, added or removed after the archive was made."""

    exit_code = 13
    prefix = "archive is corrupt"


class UnsupportedVersion(BackupError):
    """The archive was made by a newer product or in a newer format."""

    exit_code = 14
    prefix = "archive is too new"


class UnsafeArchive(BackupError):
    """The archive's structure is hostile or exceeds a limit."""

    exit_code = 15
    prefix = "unsafe archive"


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
    """No such resource (or entity): is the URL right?"""

    status = 404
    type = "NOT_FOUND"
    exit_code = 5


class Gone(OpensccError):
    """An endpoint the Cloud Connector discontinued."""

    status = 410
    type = "NOT_FOUND"
    exit_code = 5


# 405 and 415 carry INVALID_REQUEST: the pages list seven error types and no other (a client
# switches on them); the status tells these apart (docs/compatibility.md).
class MethodNotAllowed(OpensccError):
    """The path exists; the method does not."""

    status = 405
    type = "INVALID_REQUEST"
    exit_code = 2


class UnsupportedMediaType(OpensccError):
    """A body in a content type the endpoint does not take."""

    status = 415
    type = "INVALID_REQUEST"
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


class SourceFailed(OpensccError):
    """Another connector (a schedule's source) could not be backed up, or did not take an
    archive back; the message says why. A failure of another server, hence 502."""

    status = 502


class DamagedStore(OpensccError):
    """A stored entity no longer reads (changed outside openscc): nothing can use it as it is."""

    prefix = "stored configuration is damaged"


class ListenFailed(OpensccError):
    """``openscc serve`` cannot listen on its address (the port is in use, say)."""


class ClientError(OpensccError):
    """Raised on the client side only: never on the wire."""


class Unreachable(ClientError):
    """No answer from the URL: refused, DNS, timeout, connection broken."""

    exit_code = 7


class TlsVerificationFailed(Unreachable):
    """The server's TLS certificate is not trusted (exit code of Unreachable)."""


class RestartTimeout(ClientError):
    """The restore was accepted but the server was not back in time."""

    exit_code = 8


class RestoreNotConfirmed(ClientError):
    """The dry run warned and nobody confirmed the restore (no terminal and no --yes)."""

    exit_code = 16


class UnexpectedResponse(ClientError):
    """The answer is not the Cloud Connector API (an HTML page, a proxy)."""

    exit_code = 9


def _wire_classes(cls: type[OpensccError] = OpensccError) -> list[type[OpensccError]]:
    """Every class a server answers with, parents before children."""
    found = [cls]
    for sub in cls.__subclasses__():
        if not issubclass(sub, ClientError):
            found += _wire_classes(sub)
    return found


def _by_wire(classes: list[type[OpensccError]]) -> dict[tuple[int, str], list[type[OpensccError]]]:
    table: dict[tuple[int, str], list[type[OpensccError]]] = {}
    for cls in classes:
        table.setdefault((cls.status, cls.type), []).append(cls)
    return table


# (status, type) -> the classes with that wire form, the most general first.
_BY_WIRE = _by_wire(_wire_classes())


def error_class_for(status: int, kind: str, message: str) -> type[OpensccError]:
    """The class a server's answer stands for: by status and type, then by message prefix."""
    candidates = _BY_WIRE.get((status, kind))
    if candidates is None:
        by_status = [classes[0] for (known, _), classes in _BY_WIRE.items() if known == status]
        if by_status:
            return by_status[0]
        return UnexpectedResponse if status < 500 else OpensccError
    for cls in reversed(candidates):  # the most specific first
        if cls.prefix and (message == cls.prefix or message.startswith(cls.prefix + ": ")):
            return cls
    return next(cls for cls in candidates if not cls.prefix)


def error_from_response(status: int, body: object) -> OpensccError:
    """Rebuild the error a server answered with; unknown shapes become a generic error."""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        message: str = body["message"]
        return error_class_for(status, str(body.get("type")), message).from_wire(message)
    return error_class_for(status, "", "")(f"HTTP {status}")
