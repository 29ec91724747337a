"""A schedule's target as the API gives it: a directory, S3-compatible object storage, or a
container of Azure Blob Storage, each checked with a message that says what is wrong. The
credentials given with a target are split off (the schedule seals them with its other secrets);
a PUT that gives none keeps the stored ones only for the same store. ``location`` says where a
target is, for the runs list and the CLI."""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from pathlib import Path
from typing import Any

from openscc.errors import InvalidRequest

S3_PUBLIC = ("bucket", "prefix", "endpoint", "region")
S3_SECRET = ("accessKeyId", "secretAccessKey")
AZURE_PUBLIC = ("account", "container", "prefix", "endpoint")
AZURE_SECRET = ("accessKey", "sasToken")
# What the schedule's sealed secret may hold for its target, beside the passwords.
SECRET_FIELDS = S3_SECRET + AZURE_SECRET
# What names a store.
_SAME_STORE = ("type", "bucket", "account", "container", "endpoint")
# Azure's own naming rules: an account name is 3-24 lowercase letters and digits; a container
# name 3-63 lowercase letters, digits and single hyphens, a letter or digit at each end.
_ACCOUNT = r"^[a-z0-9]{3,24}$"
_CONTAINER = r"^[a-z0-9](?:-?[a-z0-9])*$"


def parse_target(data: Any, field_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """The target as the schedule keeps it, and the credentials given with it (none: the stored
    ones may stay, see ``kept_credentials``)."""
    if not isinstance(data, dict):
        raise InvalidRequest(
            f'{field_name} must be {{"type": "directory", "path": ...}}, {{"type": "s3", ...}} '
            'or {"type": "azure", ...}'
        )
    kind = data.get("type")
    if kind == "directory":
        path = data.get("path")
        if set(data) - {"type", "path"}:
            raise InvalidRequest("a directory target has type and path only")
        if not isinstance(path, str) or not Path(path).is_absolute():
            raise InvalidRequest("target.path must be an absolute directory path")
        return {"type": "directory", "path": path}, {}
    if kind == "s3":
        return _s3(data)
    if kind == "azure":
        return _azure(data)
    raise InvalidRequest('target.type must be "directory", "s3" or "azure"')


def _s3(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    _refuse_unknown(data, S3_PUBLIC + S3_SECRET)
    bucket = data.get("bucket")
    if not isinstance(bucket, str) or not bucket:
        raise InvalidRequest("target.bucket is required")
    public = {"type": "s3", "bucket": bucket, **_optional(data, ("prefix", "endpoint", "region"))}
    given = {k: data[k] for k in S3_SECRET if k in data}
    if any(not isinstance(v, str) or not v for v in given.values()):
        raise InvalidRequest("target.accessKeyId and target.secretAccessKey must be strings")
    if given and set(given) != set(S3_SECRET):
        raise InvalidRequest("give both target.accessKeyId and target.secretAccessKey, or neither")
    return public, dict(given)


def _azure(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    _refuse_unknown(data, AZURE_PUBLIC + AZURE_SECRET)
    account, container = data.get("account"), data.get("container")
    if not isinstance(account, str) or not re.match(_ACCOUNT, account):
        raise InvalidRequest(
            "target.account must be the storage account's name: 3-24 lowercase letters and digits"
        )
    if not isinstance(container, str) or not (
        3 <= len(container) <= 63 and re.match(_CONTAINER, container)
    ):
        raise InvalidRequest(
            "target.container must be a container's name: 3-63 lowercase letters, digits and "
            "hyphens, a letter or digit first and last, never two hyphens in a row"
        )
    public = {"type": "azure", "account": account, "container": container,
              **_optional(data, ("prefix", "endpoint"))}  # fmt: skip
    if "endpoint" in public:
        # The blob service's URL, without a final "/" (obstore appends "/container").
        public["endpoint"] = public["endpoint"].rstrip("/")
    given = {k: data[k] for k in AZURE_SECRET if k in data}
    if len(given) > 1:
        raise InvalidRequest("give target.accessKey or target.sasToken, not both")
    # The messages never repeat a secret's value: it could end up in a log or a ticket.
    if "accessKey" in given and not _is_account_key(given["accessKey"]):
        raise InvalidRequest("target.accessKey must be a storage account key (base64)")
    if "sasToken" in given:
        token = given["sasToken"]
        given["sasToken"] = token.removeprefix("?") if isinstance(token, str) else token
        if not _is_sas_token(given["sasToken"]):
            raise InvalidRequest(
                "target.sasToken must be a shared access signature: its query string, such as "
                "sv=…&sp=…&sig=… (a leading ? is fine)"
            )
    return public, dict(given)


def _refuse_unknown(data: dict[str, Any], known: tuple[str, ...]) -> None:
    unknown = set(data) - {"type", *known}
    if unknown:
        raise InvalidRequest(f"unknown target field(s): {', '.join(sorted(unknown))}")


def _optional(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """The optional strings given (not empty); the prefix without its slashes at either end, the
    endpoint checked."""
    values: dict[str, str] = {}
    for name in names:
        value = data.get(name, "")
        if not isinstance(value, str):
            raise InvalidRequest(f"target.{name} must be a string")
        if value:
            values[name] = value.strip("/") if name == "prefix" else value
    if "endpoint" in values:
        values["endpoint"] = _endpoint(values["endpoint"])
    return values


def _is_account_key(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        return bool(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return False


def _is_sas_token(value: Any) -> bool:
    if not isinstance(value, str) or any(ch.isspace() or not ch.isprintable() for ch in value):
        return False
    try:
        return "sig" in urllib.parse.parse_qs(value, strict_parsing=True)
    except ValueError:
        return False


def _endpoint(value: str) -> str:
    """An object store's endpoint, checked here: the store client panics on one it cannot
    parse (``::bad`` stopped the run short of an outcome)."""
    if not _is_endpoint(value):
        raise InvalidRequest(
            "target.endpoint must be an http:// or https:// URL with a host, such as "
            "https://s3.example.com or http://127.0.0.1:9000"
        )
    return value


def _is_endpoint(value: str) -> bool:
    """An http(s) URL with a host, a port in range if any, and nothing but a path besides."""
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        return False
    try:
        parts = urllib.parse.urlsplit(value)
        _ = parts.port  # a port out of range raises ValueError
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.username is None
        and not parts.query
        and not parts.fragment
    )


def kept_credentials(
    target: dict[str, str], current: dict[str, str], stored: dict[str, str]
) -> dict[str, str]:
    """The ``stored`` credentials of the ``current`` target if ``target`` is the same store (the
    same bucket, or account and container, at the same endpoint), else none: they are never
    sent to another store."""
    same_store = all(current.get(k) == target.get(k) for k in _SAME_STORE)
    return dict(stored) if same_store else {}


def credentials_view(target: dict[str, str], credentials: dict[str, str]) -> str | None:
    """What the API says of a target's credentials, never what they are."""
    if target["type"] == "s3":
        return "stored" if credentials else "environment"
    if target["type"] == "azure":
        if "accessKey" in credentials:
            return "key"
        return "sas" if "sasToken" in credentials else "environment"
    return None


def location(target: dict[str, str]) -> str:
    """Where a target is, as the runs list says: a directory's path, or the URL of a bucket's or
    a container's prefix."""
    prefix = target.get("prefix", "")
    if target["type"] == "directory":
        return target["path"]
    if target["type"] == "azure":
        return f"azure://{target['account']}/{target['container']}/{prefix}"
    return f"s3://{target['bucket']}/{prefix}"


TARGET_SCHEMA = {
    "type": "object",
    "oneOf": [
        {
            "type": "object",
            "properties": {"type": {"const": "directory"}, "path": {"type": "string"}},
            "required": ["type", "path"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "type": {"const": "s3"},
                "bucket": {"type": "string", "minLength": 1},
                **{name: {"type": "string"} for name in S3_PUBLIC if name != "bucket"},
                **{name: {"type": "string", "minLength": 1, "writeOnly": True}
                   for name in S3_SECRET},
            },
            "required": ["type", "bucket"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "type": {"const": "azure"},
                "account": {"type": "string", "pattern": _ACCOUNT},
                "container": {"type": "string", "minLength": 3, "maxLength": 63,
                              "pattern": _CONTAINER},
                "prefix": {"type": "string"},
                "endpoint": {"type": "string",
                             "description": "the blob service's URL; absent: Azure's public cloud"},
                "accessKey": {"type": "string", "minLength": 1, "writeOnly": True,
                              "description": "the storage account's key (base64)"},
                "sasToken": {"type": "string", "minLength": 1, "writeOnly": True,
                             "description": "a shared access signature (its query string)"},
            },
            "required": ["type", "account", "container"],
            "not": {"required": ["accessKey", "sasToken"]},
            "additionalProperties": False,
        },
    ],
    "description": "a directory (an absolute path), S3-compatible object storage, or a container "
    "of Azure Blob Storage; without credentials (accessKeyId and secretAccessKey; accessKey or "
    "sasToken), the stored ones stay for the same store, and a new store uses the server's "
    "environment",
}  # fmt: skip
