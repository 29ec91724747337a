"""The one error tree: a client rebuilds every server error as its own class, from the classes'
own status, type and prefix (no table or message list written by hand)."""

from __future__ import annotations

import pytest

from openscc import errors
from openscc.errors import ClientError, OpensccError, error_from_response


def _all(cls: type[OpensccError] = OpensccError) -> list[type[OpensccError]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _all(child))]


WIRE = [cls for cls in _all() if not issubclass(cls, ClientError)]


@pytest.mark.parametrize("cls", [cls for cls in WIRE if cls.prefix], ids=lambda c: c.__name__)
def test_a_class_with_a_prefix_comes_back_as_itself(cls: type[OpensccError]) -> None:
    error = cls("some detail")

    rebuilt = error_from_response(error.status, error.to_body())

    assert error.message == f"{cls.prefix}: some detail"
    assert type(rebuilt) is cls
    assert rebuilt.message == error.message


@pytest.mark.parametrize("cls", WIRE, ids=lambda c: c.__name__)
def test_every_wire_class_comes_back_as_itself_or_its_general_form(
    cls: type[OpensccError],
) -> None:
    rebuilt = error_from_response(cls.status, cls("x").to_body())

    # Classes that share a status and type without a prefix come back as the most general one.
    assert isinstance(rebuilt, OpensccError)
    assert (rebuilt.status, rebuilt.type) == (cls.status, cls.type)
    assert cls is type(rebuilt) or issubclass(cls, type(rebuilt))


def test_a_message_that_only_looks_like_a_prefix_is_not_taken_for_it() -> None:
    rebuilt = error_from_response(
        400, {"type": "INVALID_REQUEST", "message": "unsafe archives are bad"}
    )

    assert type(rebuilt) is errors.InvalidRequest


def test_unknown_answers_become_generic_errors() -> None:
    assert (
        type(error_from_response(418, {"type": "TEAPOT", "message": "no"}))
        is errors.UnexpectedResponse
    )
    assert type(error_from_response(504, "<html>")) is OpensccError  # a status no class has
    assert type(error_from_response(404, {"type": "X", "message": "gone"})) is errors.NotFound
