"""The crash-consistency torture test: ``python -m bench.torture`` (``make soak``); a short run
is part of ``make test`` (tests/restore/test_torture.py)."""
