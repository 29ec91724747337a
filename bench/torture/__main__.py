"""``python -m bench.torture``: a long torture run, printing its figures; exit 1 on a violation.

Environment: TORTURE_KILLS [200], TORTURE_SEED [1], TORTURE_KEEP [unset: keep the data directory].
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bench.torture.run import Torture


def main() -> int:
    kills = int(os.environ.get("TORTURE_KILLS", "200"))
    seed = int(os.environ.get("TORTURE_SEED", "1"))
    root = Path(tempfile.mkdtemp(prefix="openscc-torture-"))
    figures = Torture(root, seed=seed, kills=kills).run()
    summary = {k: v for k, v in asdict(figures).items() if k != "violations"}
    print("crash-consistency torture:", json.dumps(summary))
    print(f"violations: {len(figures.violations)}")
    for violation in figures.violations:
        print("  -", violation)
    if os.environ.get("TORTURE_KEEP"):
        print(f"data directory and server log kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if figures.violations else 0


if __name__ == "__main__":
    sys.exit(main())
