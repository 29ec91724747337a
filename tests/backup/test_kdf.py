"""Password-based key derivation: Argon2id with capped parameters, HKDF-separated subkeys."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openscc.backup import kdf
from openscc.backup.kdf import KdfParams, check_kdf_params, derive_keys
from openscc.errors import UnsafeArchive

PASSWORD = "correct horse battery staple \u2713"
KAT_PARAMS = KdfParams(
    name="argon2id", memory_kib=8, iterations=1, parallelism=1, salt=bytes(range(16))
)

# OWASP Password Storage Cheat Sheet minimum for Argon2id.
OWASP_MEMORY_KIB = 19 * 1024
OWASP_ITERATIONS = 2


def test_known_answer() -> None:
    """A fixed password, salt and parameters give exactly the committed subkeys."""
    keys = derive_keys(PASSWORD, KAT_PARAMS)

    assert keys.encryption_key.hex() == (
        "76ebbc1e546a6161a2303490a233cb335c8dd3ec2cd520da81abf83bd0264c51"
    )
    assert keys.mac_key.hex() == "8ba5b4d25edc05d2f40ac2660d92ea85ebbe5f79c516d4b579e55c50a59b501c"
    assert keys.key_check.hex() == (
        "f1b1fa39e124a51d9814fb6fccf447fd345a1245d1acb479d31b7f3036e70ac9"
    )


def test_subkeys_are_distinct_and_32_bytes() -> None:
    """Each purpose gets its own 256-bit key."""
    keys = derive_keys(PASSWORD, KAT_PARAMS)

    assert {len(keys.encryption_key), len(keys.mac_key), len(keys.key_check)} == {32}
    assert len({keys.encryption_key, keys.mac_key, keys.key_check}) == 3


_ANY_CHARACTER = st.characters(exclude_categories=[])  # lone surrogates too


@settings(max_examples=25, deadline=None)
@given(a=st.text(_ANY_CHARACTER, max_size=20), b=st.text(_ANY_CHARACTER, max_size=20))
def test_different_passwords_give_different_keys(a: str, b: str) -> None:
    """Property: the key check separates any two different passwords (lone surrogates included)."""
    keys_a = derive_keys(a, KAT_PARAMS)
    keys_b = derive_keys(b, KAT_PARAMS)

    assert (keys_a.key_check == keys_b.key_check) == (a == b)


def test_salt_changes_every_key() -> None:
    """The same password under another salt gives unrelated keys."""
    other = dataclasses.replace(KAT_PARAMS, salt=bytes(16))

    a, b = derive_keys(PASSWORD, KAT_PARAMS), derive_keys(PASSWORD, other)

    assert a.encryption_key != b.encryption_key
    assert a.mac_key != b.mac_key
    assert a.key_check != b.key_check


def test_keys_never_appear_in_repr() -> None:
    """Printing the keys (in a log, a traceback) shows no key material."""
    keys = derive_keys(PASSWORD, KAT_PARAMS)

    assert keys.encryption_key.hex() not in repr(keys)
    assert repr(keys.encryption_key) not in repr(keys)


def test_factories_draw_a_fresh_16_byte_salt() -> None:
    """Salts are random per archive, never a shared constant."""
    salts = {kdf.production_kdf().salt for _ in range(3)} | {kdf.test_kdf().salt for _ in range(3)}

    assert len(salts) == 6
    assert {len(salt) for salt in salts} == {16}


def test_production_parameters_meet_owasp() -> None:
    """Production Argon2id is at least OWASP's 19 MiB, t=2, p=1, within the caps (its time is
    measured by make bench, not here)."""
    params = kdf.production_kdf()

    keys = derive_keys(PASSWORD, params)

    assert params.name == "argon2id"
    assert params.memory_kib >= OWASP_MEMORY_KIB
    assert params.iterations >= OWASP_ITERATIONS
    assert params.parallelism >= 1
    assert params.memory_kib * params.iterations >= OWASP_MEMORY_KIB * OWASP_ITERATIONS
    assert len(keys.encryption_key) == 32


def test_test_parameters_are_not_collected_as_a_test() -> None:
    """kdf.test_kdf is a factory; pytest must not run it when a test module imports it."""
    assert kdf.test_kdf.__test__ is False  # type: ignore[attr-defined]
    assert kdf.test_kdf().memory_kib < OWASP_MEMORY_KIB


OVER_THE_CAPS = {
    "memory-too-high": {"memory_kib": kdf.MAX_MEMORY_KIB + 1},
    "memory-huge": {"memory_kib": 2**40},
    "memory-below-floor": {"memory_kib": 7},
    "memory-below-floor-per-lane": {"memory_kib": 8, "parallelism": 2},
    "iterations-too-high": {"iterations": kdf.MAX_ITERATIONS + 1},
    "iterations-zero": {"iterations": 0},
    "parallelism-too-high": {"parallelism": kdf.MAX_PARALLELISM + 1, "memory_kib": 1024},
    "parallelism-zero": {"parallelism": 0},
    "salt-too-short": {"salt": bytes(15)},
    "salt-too-long": {"salt": bytes(65)},
    "unknown-kdf": {"name": "scrypt"},
    "iterations-bool": {"iterations": True},
}


@pytest.mark.parametrize("change", OVER_THE_CAPS.values(), ids=OVER_THE_CAPS.keys())
def test_parameters_outside_the_caps_are_refused_before_any_derivation(
    change: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hostile KDF parameters are refused as unsafe without running Argon2 at all."""
    params = dataclasses.replace(KAT_PARAMS, **change)

    def must_not_run(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("argon2 ran on parameters over the cap")

    monkeypatch.setattr(kdf, "hash_secret_raw", must_not_run)

    with pytest.raises(UnsafeArchive, match=r"^unsafe archive: KDF parameters"):
        check_kdf_params(params)
    with pytest.raises(UnsafeArchive, match=r"^unsafe archive: KDF parameters"):
        derive_keys(PASSWORD, params)


@pytest.mark.parametrize(
    "params",
    [
        dataclasses.replace(KAT_PARAMS, memory_kib=kdf.MAX_MEMORY_KIB),
        dataclasses.replace(KAT_PARAMS, iterations=kdf.MAX_ITERATIONS),
        dataclasses.replace(KAT_PARAMS, parallelism=kdf.MAX_PARALLELISM, memory_kib=64),
        dataclasses.replace(KAT_PARAMS, salt=bytes(64)),
    ],
    ids=["memory", "iterations", "parallelism", "salt"],
)
def test_parameters_at_the_caps_are_accepted(params: KdfParams) -> None:
    """The caps are inclusive: the largest allowed values pass the check."""
    check_kdf_params(params)


def test_production_parameters_are_within_the_caps() -> None:
    """Archives this openscc writes can always be read back by it."""
    check_kdf_params(kdf.production_kdf())
    check_kdf_params(kdf.test_kdf())
