"""Creating a backup of an instance: one consistent snapshot, streamed into an archive."""

from __future__ import annotations

import time
from typing import BinaryIO

from openscc import SCC_API_VERSION, __version__
from openscc.backup.archive import write_archive
from openscc.backup.kdf import KdfParams, production_kdf, test_kdf
from openscc.backup.manifest import Manifest
from openscc.backup.writer import DEFAULT_COMPRESS_LEVEL
from openscc.instance import Instance
from openscc.settings import Settings

# The instance file an archive carries beside the entities (files/props.ini).
ARCHIVED_PROPS = "props.ini"


def kdf_for(settings: Settings) -> KdfParams:
    """Fresh KDF parameters (new salt) for the instance's profile."""
    return test_kdf() if settings.kdf_profile == "test" else production_kdf()


def create_backup(
    instance: Instance,
    password: str,
    dst: BinaryIO,
    *,
    compress_level: int = DEFAULT_COMPRESS_LEVEL,
) -> Manifest:
    """Write the whole configuration, as of one instant, to ``dst`` (a seekable file)."""
    props = instance.layout.props.read_bytes()
    with instance.snapshot() as snapshot:
        return write_archive(
            dst,
            records=snapshot.iter_all(),
            files={ARCHIVED_PROPS: props},
            password=password,
            kdf=kdf_for(instance.settings),
            product_version=__version__,
            scc_api_version=SCC_API_VERSION,
            source_instance=instance.instance_id,
            created_at_ms=int(time.time() * 1000),
            keys_unique=True,  # the entity table's primary key is (kind, key)
            compress_level=compress_level,
        )
