"""Where a schedule's archives go, and how each upload is made trustworthy: written under a
temporary name, read back (size and SHA-256 must match), then made visible under its final
name. Retention lists and deletes only the names this schedule makes."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import obstore
from obstore.auth.boto3 import Boto3CredentialProvider
from obstore.store import S3Store

from openscc.errors import OpensccError
from openscc.fileio import fsync_path

_CHUNK = 1024 * 1024


class TargetFailed(OpensccError):
    status = 500
    type = "RUNTIME_FAILURE"


def archive_name(schedule: str, when: dt.datetime) -> str:
    return f"openscc-{schedule}-{when.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.zip"


def made_by(schedule: str, name: str) -> dt.datetime | None:
    """The time in a name this schedule made, or None for any other name."""
    match = re.fullmatch(rf"openscc-{re.escape(schedule)}-(\d{{8}}T\d{{6}}Z)\.zip", name)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


class Target(Protocol):
    def ship(self, source: Path, name: str, size: int, sha256: str) -> str:
        """Upload ``source`` as ``name``, verified; where it is (for the runs list)."""

    def names(self) -> list[str]: ...

    def delete(self, name: str) -> None: ...


def _sha256(chunks: Iterator[bytes]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as src:
        while chunk := src.read(_CHUNK):
            yield chunk


def _check(where: str, read_back: tuple[int, str], size: int, sha256: str) -> None:
    if read_back != (size, sha256):
        raise TargetFailed(
            f"{where} does not read back as written ({read_back[0]} bytes, SHA-256 "
            f"{read_back[1][:16]}… instead of {size} bytes, {sha256[:16]}…)"
        )


class DirectoryTarget:
    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def _folder(self) -> Path:
        if not self.path.is_dir():
            raise TargetFailed(f"the target directory {self.path} does not exist")
        return self.path

    def ship(self, source: Path, name: str, size: int, sha256: str) -> str:
        folder = self._folder()
        temporary = folder / f".{name}.partial"
        try:
            with source.open("rb") as src, temporary.open("wb") as out:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            _check(str(temporary), _sha256(_file_chunks(temporary)), size, sha256)
            os.replace(temporary, folder / name)
            fsync_path(folder)
        except OSError as error:
            raise TargetFailed(f"writing to {folder} failed: {error.strerror or error}") from None
        finally:
            temporary.unlink(missing_ok=True)
        return str(folder / name)

    def names(self) -> list[str]:
        return [p.name for p in self._folder().iterdir() if p.is_file()]

    def delete(self, name: str) -> None:
        (self._folder() / name).unlink(missing_ok=True)


class S3Target:
    """S3-compatible object storage through obstore. Without stored credentials, the standard
    AWS credential chain of the server's environment applies (as boto3 resolves it)."""

    def __init__(self, target: dict[str, str], credentials: dict[str, str]) -> None:
        self.bucket = target["bucket"]
        self.prefix = target.get("prefix", "")
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
            # The standard AWS chain: variables, the shared files with AWS_PROFILE, SSO, roles.
            options["credential_provider"] = Boto3CredentialProvider()
        try:
            self.store = S3Store(self.bucket, prefix=self.prefix or None, **options)  # type: ignore[arg-type]
        except Exception as error:  # obstore's configuration errors have no common base
            raise TargetFailed(f"the S3 target is not usable: {_short(error)}") from None

    def _where(self, name: str) -> str:
        return f"s3://{self.bucket}/{self.prefix + '/' if self.prefix else ''}{name}"

    def ship(self, source: Path, name: str, size: int, sha256: str) -> str:
        temporary = f".{name}.partial"
        try:
            obstore.put(self.store, temporary, _file_chunks(source))
            _check(self._where(temporary), _sha256(self._read(temporary)), size, sha256)
            obstore.copy(self.store, temporary, name)
            _check(self._where(name), _sha256(self._read(name)), size, sha256)
        except TargetFailed:
            raise
        except Exception as error:  # network, permissions, a missing bucket
            raise TargetFailed(
                f"uploading to {self._where(name)} failed: {_short(error)}"
            ) from None
        finally:
            # Nothing may be left under the temporary name, or the store is unreachable.
            with contextlib.suppress(Exception):
                obstore.delete(self.store, temporary)
        return self._where(name)

    def _read(self, name: str) -> Iterator[bytes]:
        for chunk in obstore.get(self.store, name).stream(min_chunk_size=_CHUNK):
            yield bytes(chunk)

    def names(self) -> list[str]:
        try:
            # Only the prefix's own level: another site's archives under a deeper prefix are
            # not this schedule's, whatever their names.
            paths = [str(item["path"]) for batch in obstore.list(self.store) for item in batch]
            return [path for path in paths if "/" not in path]
        except Exception as error:
            raise TargetFailed(f"listing {self._where('')} failed: {_short(error)}") from None

    def delete(self, name: str) -> None:
        try:
            obstore.delete(self.store, name)
        except Exception as error:
            raise TargetFailed(f"deleting {self._where(name)} failed: {_short(error)}") from None


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:300] if str(error) else type(error).__name__


def target_for(target: dict[str, str], credentials: dict[str, str]) -> Target:
    if target["type"] == "directory":
        return DirectoryTarget(target["path"])
    return S3Target(target, credentials)
