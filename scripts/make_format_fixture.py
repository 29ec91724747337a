"""Write the committed fixture archive of the current backup format version.

Run once per released format version (``python scripts/make_format_fixture.py``); the archive is
committed under tests/fixtures/archives/ and the suite keeps restoring it forever after.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from openscc.backup.create import create_backup
from openscc.backup.manifest import FORMAT_VERSION
from openscc.config.connector_state import update_connector
from openscc.instance import open_instance
from openscc.settings import Settings

FIXTURE_PASSWORD = "fixture-password"
OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "archives"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        instance = open_instance(
            Settings(data_dir=Path(tmp), kdf_profile="test", admin_password="fixture-admin-pw")
        )
        with instance.store.transaction():
            update_connector(instance.store, description=f"format {FORMAT_VERSION} fixture")
            instance.users.add("fixture-viewer", "sccdisplay", "fixture-viewer-pw")
        target = OUT / f"format-{FORMAT_VERSION}.zip"
        with target.open("wb") as out:
            create_backup(instance, FIXTURE_PASSWORD, out)
        instance.close()
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
