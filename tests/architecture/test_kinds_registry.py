"""The registry of kinds (openscc.kinds) is what the rest derives from: its restore validators
resolve, and a validator refuses what the API could not have stored."""

from __future__ import annotations

import pytest

from openscc import kinds
from openscc.backup.content import validator_of
from openscc.store.records import EntityRecord

# A body each validator must refuse (every kind the registry gives a validator is here).
REFUSED = {
    kinds.CONNECTOR: {"haRole": "emperor"},
    kinds.USER: {"role": "emperor"},
    kinds.UI_CERTIFICATE: {"certificatePem": "not a certificate"},
    kinds.LDAP_SETTINGS: {"enabled": "yes", "order": []},
    kinds.LDAP_SERVER: {"host": ""},
}


def test_every_validated_kind_has_a_refused_example() -> None:
    assert set(REFUSED) == {kind.name for kind in kinds.KINDS.values() if kind.validator}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_each_validator_resolves_and_refuses_a_bad_body(kind: str) -> None:
    check = validator_of(kind)
    key = kinds.SINGLETON_KEY if kinds.KINDS[kind].scope is kinds.Scope.SINGLETON else "1"
    record = EntityRecord(kind=kind, key=key, parent=None, body=REFUSED[kind],
                          secret={"privateKeyPem": "not a key"})  # fmt: skip

    assert check is not None
    with pytest.raises(ValueError, match=r"\w"):  # any reason, but one
        check(record)


def test_a_kind_without_a_validator_has_none() -> None:
    assert validator_of(kinds.PROXY) is None


def test_derived_sets_follow_the_declarations() -> None:
    assert {k.name for k in kinds.KINDS.values() if not k.replicated} == kinds.LOCAL_KINDS
    assert {kinds.SUBACCOUNT, kinds.SYSTEM_MAPPING, kinds.RESOURCE} <= kinds.SUBACCOUNT_KINDS
    assert not kinds.SUBACCOUNT_KINDS & {kinds.USER, kinds.BACKUP_SCHEDULE, kinds.PROXY}
