"""Benchmarks of openscc: ``python -m bench`` writes docs/benchmarks.md (see bench/__main__.py)."""
