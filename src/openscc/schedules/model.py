"""A backup schedule as the API gives it and the store keeps it: ``name``, ``cron`` (5 fields,
UTC), ``target`` (a directory, S3-compatible object storage or Azure Blob Storage, checked in
target_fields.py), ``password`` (the backups' password), ``keep`` (retention) and ``drill``.
The password and the target's credentials are the entity's secret, sealed under the master key
like every secret, and never answered back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openscc import kinds
from openscc.backup.password import ArchivePassword
from openscc.config.values import Fields, Flag, Structured, Text
from openscc.errors import InvalidRequest
from openscc.schedules import sources
from openscc.schedules.retention import Keep
from openscc.schedules.sources import Source
from openscc.schedules.target_fields import (
    SECRET_FIELDS,
    TARGET_SCHEMA,
    credentials_view,
    kept_credentials,
    parse_target,
)
from openscc.schedules.timing import check_cron
from openscc.store.records import EntityRecord

KIND = kinds.BACKUP_SCHEDULE
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_KEEP_FIELDS = ("last", "daily", "weekly", "monthly")


@dataclass(frozen=True, slots=True)
class Schedule:
    name: str
    cron: str
    # type, and path; or bucket, prefix, endpoint, region; or account, container, prefix, endpoint
    target: dict[str, str]
    keep: Keep
    drill: bool
    created_at: str  # ISO time: the first run is due after it
    password: str = field(repr=False)
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    # Another connector to back up (openscc.schedules.sources); None: this instance.
    source: Source | None = None

    def view(self) -> dict[str, Any]:
        """As the API answers it: never the password nor the credentials."""
        keep = {name: getattr(self.keep, name) for name in _KEEP_FIELDS}
        target = dict(self.target)
        credentials = credentials_view(self.target, self.credentials)
        if credentials is not None:
            target["credentials"] = credentials
        return {
            "name": self.name,
            "cron": self.cron,
            "target": target,
            "keep": {k: v for k, v in keep.items() if v},
            "drill": self.drill,
            "createdAt": self.created_at,
            **({"source": self.source.view()} if self.source else {}),
        }

    def record(self) -> EntityRecord:
        return EntityRecord(
            kind=KIND,
            key=self.name,
            parent=None,
            body={
                "name": self.name,
                "cron": self.cron,
                "target": self.target,
                "keep": {name: getattr(self.keep, name) for name in _KEEP_FIELDS},
                "drill": self.drill,
                "createdAt": self.created_at,
                **({"source": self.source.body()} if self.source else {}),
            },
            secret={
                "password": self.password,
                **self.credentials,
                **({sources.PASSWORD: self.source.password} if self.source else {}),
            },
        )


def from_record(record: EntityRecord) -> Schedule:
    body, secret = record.body, record.secret or {}
    return Schedule(
        name=str(body["name"]),
        cron=str(body["cron"]),
        target=dict(body["target"]),
        keep=Keep(**{k: int(v) for k, v in dict(body.get("keep", {})).items()}),
        drill=bool(body.get("drill", False)),
        created_at=str(body["createdAt"]),
        password=str(secret.get("password", "")),
        credentials={k: str(secret[k]) for k in SECRET_FIELDS if k in secret},
        source=(
            sources.from_body(dict(body["source"]), str(secret.get(sources.PASSWORD, "")))
            if body.get("source")
            else None
        ),
    )


def parse(data: dict[str, Any], *, created_at: str, current: Schedule | None) -> Schedule:
    """A POST (``current`` None) or a PUT of ``current``, checked. A PUT may leave out the name,
    the password and the credentials: the stored ones stay."""
    fields = NEW_SCHEDULE_FIELDS if current is None else SCHEDULE_FIELDS
    unknown = sorted(set(data) - {given.name for given in fields})
    if unknown:
        raise InvalidRequest(f"unknown field(s): {', '.join(unknown)}")
    values = fields.read(data)
    name = values["name"] if current is None else current.name
    if values["name"] not in (None, name):
        raise InvalidRequest("a schedule's name cannot change")
    if not NAME.match(name):
        raise InvalidRequest(
            "name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    password = values["password"] or (current.password if current else None)
    if not password:
        raise InvalidRequest("password (the backups' password) is required")
    target, credentials = values["target"]
    return Schedule(
        name=name,
        cron=check_cron(values["cron"]),
        target=target,
        keep=values["keep"],
        drill=values["drill"],
        created_at=current.created_at if current else created_at,
        password=password,
        credentials=credentials
        or (kept_credentials(target, current.target, current.credentials) if current else {}),
        source=_source(data, values["source"], current),
    )


def _source(
    data: dict[str, Any], given: sources.SourceRequest | None, current: Schedule | None
) -> Source | None:
    """A PUT that does not name ``source`` keeps the schedule's (a client that knows nothing of
    sources changes nothing of it); ``null`` makes it this instance's again."""
    if given is not None:
        return given.source(current.source if current else None)
    if current is not None and "source" not in data:
        return current.source
    return None


def _keep(data: Any, field_name: str) -> Keep:
    if not isinstance(data, dict) or set(data) - set(_KEEP_FIELDS):
        raise InvalidRequest(f"{field_name} is an object of counts: {', '.join(_KEEP_FIELDS)}")
    values = {}
    for name in _KEEP_FIELDS:
        value = data.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
            raise InvalidRequest(f"{field_name}.{name} must be a count from 0 to 10000")
        values[name] = value
    return Keep(**values)


_KEEP_SCHEMA = {
    "type": "object",
    "properties": {name: {"type": "integer", "minimum": 0, "maximum": 10_000}
                   for name in _KEEP_FIELDS},
    "additionalProperties": False,
}  # fmt: skip
_CRON = Text(name="cron", required=True, description='5 fields, UTC, e.g. "0 2 * * *"')
_TARGET = Structured(name="target", required=True, json_schema=TARGET_SCHEMA, parser=parse_target)
_KEEP = Structured(name="keep", default=Keep(), json_schema=_KEEP_SCHEMA, parser=_keep,
                   description="the archives kept at the target; none given: every one")  # fmt: skip
_SOURCE = Structured(name="source", default=None, json_schema=sources.SOURCE_SCHEMA,
                     parser=sources.parse_source,
                     description="another Cloud Connector to back up; absent: this instance")  # fmt: skip
_DRILL = Flag(name="drill", default=False,
              description="restore each archive into a throwaway instance")  # fmt: skip
NEW_SCHEDULE_FIELDS = Fields(
    Text(name="name", required=True, max_length=64),
    _CRON,
    _TARGET,
    ArchivePassword(name="password", required=True, description="the backups' password"),
    _KEEP,
    _DRILL,
    _SOURCE,
)
# A PUT may leave out the name (it cannot change) and the password (the stored one stays).
SCHEDULE_FIELDS = Fields(
    Text(name="name", max_length=64),
    _CRON,
    _TARGET,
    ArchivePassword(name="password", description="the backups' password; absent: it stays"),
    _KEEP,
    _DRILL,
    _SOURCE,
)
