"""The torture test's checker: it must see a lost change, a refused change that is there, and a
restore that is half there, and must allow what concurrency and kills allow."""

from __future__ import annotations

from bench.torture.history import ABSENT, FAILED, OK, UNKNOWN, History


def _history(**state: str) -> History:
    return History(state=dict(state))


def test_an_acknowledged_change_that_is_missing_is_a_violation() -> None:
    history = _history(description="a")
    op = history.begin("description", {"description": "b"}, 1.0)
    history.end(op, OK, 2.0)

    assert history.check({"description": "b"}) == []
    again = history.begin("description", {"description": "c"}, 3.0)
    history.end(again, OK, 4.0)
    [problem] = history.check({"description": "b"})
    assert "description: found 'b'" in problem


def test_a_refused_change_that_is_there_is_a_violation() -> None:
    history = _history()
    op = history.begin("add", {"user/u": "pw"}, 1.0)
    history.end(op, FAILED, 2.0)

    assert history.check({}) == []
    op = history.begin("add", {"user/u": "pw"}, 3.0)
    history.end(op, FAILED, 4.0)
    assert len(history.check({"user/u": "pw"})) == 1


def test_a_change_cut_off_by_a_kill_may_be_there_or_not() -> None:
    for found in ({"description": "a"}, {"description": "b"}):
        history = _history(description="a")
        op = history.begin("description", {"description": "b"}, 1.0)
        history.end(op, UNKNOWN, 2.0)
        assert history.check(found) == []


def test_overlapping_changes_may_land_in_either_order_but_not_an_older_one() -> None:
    history = _history()
    first = history.begin("set", {"user/u": "one"}, 1.0)
    second = history.begin("restore", {"user/u": "two"}, 2.0)
    history.end(first, OK, 3.0)
    history.end(second, OK, 4.0)
    assert history.check({"user/u": "one"}) == []

    earlier = history.begin("set", {"user/u": "three"}, 5.0)
    history.end(earlier, OK, 6.0)
    later = history.begin("set", {"user/u": "four"}, 7.0)
    history.end(later, OK, 8.0)
    assert len(history.check({"user/u": "three"})) == 1


def test_a_restore_cut_off_by_a_kill_is_all_there_or_not_at_all() -> None:
    writes = {"description": "old-b", "mapping/s/erp": ABSENT, "mapping/s/crm": "x"}
    for found, problems in (
        ({"description": "b", "mapping/s/erp": "e"}, 0),  # not applied
        ({"description": "old-b", "mapping/s/crm": "x"}, 0),  # applied
        ({"description": "old-b", "mapping/s/erp": "e"}, 1),  # half
    ):
        history = _history(description="b", **{"mapping/s/erp": "e"})
        op = history.begin("restore", writes, 1.0, atomic=writes)
        history.end(op, UNKNOWN, 2.0)
        assert len(history.check(found)) == problems, found
