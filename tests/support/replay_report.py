"""Prints the replay's result after the run: its totals, and a line per recording that failed
(per recording, passed too, with ``-v``).

A plugin loaded by the root conftest, so it reports in every run that includes the replay,
under pytest-xdist too (the results travel in each report's ``user_properties``).
"""

from __future__ import annotations

from typing import Any

_SUMMARIES: list[dict[str, Any]] = []


def pytest_runtest_logreport(report: Any) -> None:
    if report.when == "call":
        _SUMMARIES.extend(value for name, value in report.user_properties if name == "replay")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _SUMMARIES:
        return
    terminalreporter.section("replay of the recorded Cloud Connector traffic")
    verbose = terminalreporter.config.getoption("verbose") > 0
    for summary in sorted(_SUMMARIES, key=lambda s: s["line"].split(" ", 1)[1]):
        if verbose or not summary["passed"]:
            terminalreporter.write_line(summary["line"])
    matched = sum(s["matched"] for s in _SUMMARIES)
    differ = sum(s["differ"] for s in _SUMMARIES)
    tunnel = sum(s["tunnel"] for s in _SUMMARIES)
    passed = sum(bool(s["passed"]) for s in _SUMMARIES)
    terminalreporter.write_line(
        f"interactions: {matched} match, {differ} differ, {tunnel} tunnel-only (allowed to differ)"
    )
    terminalreporter.write_line(f"recordings: {passed} passed, {len(_SUMMARIES) - passed} failed")
