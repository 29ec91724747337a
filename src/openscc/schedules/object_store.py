"""Object storage as a target, through obstore: one class for any store obstore opens, and the
builder of an S3 or S3-compatible store from a schedule's target (Azure's: azure_store.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import obstore
from obstore.store import S3Store

from openscc.background.workers import Interrupted
from openscc.schedules.shipping import (
    CHUNK,
    Checkpoint,
    TargetFailed,
    check_read_back,
    file_chunks,
    first_line,
    sha256_of,
)


class ObjectStoreTarget:
    """Archives as objects of one store, under its prefix: uploaded under a temporary name, read
    back, copied to the final name and read back again (a store has no rename)."""

    def __init__(self, store: Any, where: str, holder: str = "the bucket") -> None:
        self.store = store
        self.where = where  # the URL of the prefix, "s3://bucket/prefix/" (for the runs list)
        self.holder = holder  # "the bucket NAME": what a write answered 404 lacks

    def _where(self, name: str) -> str:
        return f"{self.where}{name}"

    def ship(self, source: Path, name: str, size: int, sha256: str, checkpoint: Checkpoint) -> str:
        temporary = f".{name}.partial"
        try:
            self._put(temporary, file_chunks(source, checkpoint), name)
            check_read_back(self._where(temporary), sha256_of(self.read(temporary)), size, sha256)
            obstore.copy(self.store, temporary, name)
            check_read_back(self._where(name), sha256_of(self.read(name)), size, sha256)
        except (TargetFailed, Interrupted):
            raise
        except Exception as error:  # network, permissions, a missing bucket
            raise TargetFailed(
                f"uploading to {self._where(name)} failed: {first_line(error)}"
            ) from None
        finally:
            # Nothing may be left under the temporary name, or the store is unreachable.
            with contextlib.suppress(Exception):
                obstore.delete(self.store, temporary)
        return self._where(name)

    def _put(self, temporary: str, chunks: Iterator[bytes], name: str) -> None:
        try:
            obstore.put(self.store, temporary, chunks)
        except FileNotFoundError as error:
            # obstore's 404 (no file name, unlike the archive's own file missing): a write meets
            # one only where the bucket or the container is missing.
            if error.filename is not None:
                raise
            raise TargetFailed(
                f"uploading to {self._where(name)} failed: {self.holder} was not found "
                f"({first_line(error)})"
            ) from None

    def read(self, name: str) -> Iterator[bytes]:
        try:
            for chunk in obstore.get(self.store, name).stream(min_chunk_size=CHUNK):
                yield bytes(chunk)
        except Exception as error:
            raise TargetFailed(f"reading {self._where(name)} failed: {first_line(error)}") from None

    def names(self) -> list[str]:
        try:
            # Only the prefix's own level: another site's archives under a deeper prefix are
            # not this schedule's, whatever their names.
            paths = [str(item["path"]) for batch in obstore.list(self.store) for item in batch]
            return [path for path in paths if "/" not in path]
        except Exception as error:
            raise TargetFailed(f"listing {self._where('')} failed: {first_line(error)}") from None

    def delete(self, name: str) -> None:
        try:
            obstore.delete(self.store, name)
        except Exception as error:
            raise TargetFailed(
                f"deleting {self._where(name)} failed: {first_line(error)}"
            ) from None


def s3_store(target: dict[str, str], credentials: dict[str, str]) -> ObjectStoreTarget:
    """An S3 or S3-compatible bucket. Without stored credentials, the standard AWS credential
    chain of the server's environment applies, as boto3 resolves it (the ``aws`` extra)."""
    bucket, prefix = target["bucket"], target.get("prefix", "")
    options: dict[str, object] = {}
    endpoint = target.get("endpoint")
    if endpoint:
        options["endpoint"] = endpoint
        options["virtual_hosted_style_request"] = False
        if endpoint.startswith("http://"):
            options["client_options"] = {"allow_http": True}
    if target.get("region"):
        options["region"] = target["region"]
    if credentials:
        options["access_key_id"] = credentials["accessKeyId"]
        options["secret_access_key"] = credentials["secretAccessKey"]
    else:
        options["credential_provider"] = _aws_credential_chain()
    try:
        store = S3Store(bucket, prefix=prefix or None, **options)  # type: ignore[arg-type]
    except Exception as error:  # obstore's configuration errors have no common base
        raise TargetFailed(f"the S3 target is not usable: {first_line(error)}") from None
    where = f"s3://{bucket}/{prefix + '/' if prefix else ''}"
    return ObjectStoreTarget(store, where, holder=f"the bucket {bucket}")


def _aws_credential_chain() -> Any:
    """The standard AWS chain (variables, the shared files with AWS_PROFILE, SSO, roles), which
    needs boto3: an optional extra, since stored keys and other stores do not."""
    try:
        from obstore.auth.boto3 import Boto3CredentialProvider
    except ImportError:
        raise TargetFailed(
            "the schedule has no stored S3 keys, and the AWS credential chain needs boto3: "
            "install openscc with the aws extra (pip install 'openscc[aws]')"
        ) from None
    return Boto3CredentialProvider()
