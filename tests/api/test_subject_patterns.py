"""Subject pattern rules: the default rule, insertion order, conditions, index addressing."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from starlette.testclient import TestClient

from openscc.config import certs, key_pairs
from support.config_api import CONFIG

RULES = f"{CONFIG}/connector/onPremises/subjectPatternRules"
RULE = {
    "condition": {"operator": "is", "value": "Terraform", "variable": "name"},
    "description": "added by a test",
    "subjectPattern": {"CN": "Terraform", "EMAIL": "t@example.com", "C": "TC"},
}
DEFAULT = {"condition": "always true", "subjectPattern": {"CN": "${name}"}}


def test_a_fresh_connector_has_the_default_rule(admin: TestClient) -> None:
    assert admin.get(RULES).json() == [DEFAULT]


def test_new_rules_go_before_the_catch_all(admin: TestClient) -> None:
    """As recorded: the new rule is index 0, the default stays last; condition reads as text."""
    response = admin.post(RULES, json=RULE)

    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{RULES}/0"
    assert admin.get(RULES).json() == [
        {
            "description": "added by a test",
            "condition": "name is Terraform",
            "subjectPattern": {"CN": "Terraform", "EMAIL": "t@example.com", "C": "TC"},
        },
        DEFAULT,
    ]


def test_update_and_delete_by_index(admin: TestClient) -> None:
    admin.post(RULES, json=RULE)

    response = admin.put(
        f"{RULES}/0",
        json={
            "condition": {"operator": "is", "value": "UpdatedValue", "variable": "login_name"},
            "subjectPattern": {"CN": "UpdatedCN"},
        },
    )

    assert response.status_code == 204
    assert admin.get(f"{RULES}/0").json() == {
        "condition": "login_name is UpdatedValue",
        "subjectPattern": {"CN": "UpdatedCN"},
    }
    assert admin.delete(f"{RULES}/0").status_code == 204
    assert admin.get(RULES).json() == [DEFAULT]
    assert admin.delete(f"{RULES}/5").status_code == 404


def test_the_older_path_works_too(admin: TestClient) -> None:
    assert admin.get(f"{CONFIG}/connector/onPremise/subjectPatternRules").json() == [DEFAULT]


def test_invalid_rules_are_rejected(admin: TestClient) -> None:
    assert admin.post(RULES, json={"subjectPattern": {"XX": "y"}}).status_code == 400
    assert admin.post(RULES, json={"subjectPattern": {"O": "no common name"}}).status_code == 400
    assert (
        admin.post(
            RULES, json={"condition": {"variable": "name"}, "subjectPattern": {"CN": "x"}}
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("condition", "shown"),
    [
        ({"variable": "name", "operator": "exist"}, "name exist"),
        ({"variable": "mail", "operator": "exist_not"}, "mail exist_not"),
        ({"variable": "name", "operator": "is_not", "value": "x"}, "name is_not x"),
        ("name exist", "name exist"),
    ],
)
def test_the_documented_operators(admin: TestClient, condition: object, shown: str) -> None:
    """exist and exist_not take no value; is and is_not need one."""
    response = admin.post(RULES, json={"condition": condition, "subjectPattern": {"CN": "x"}})

    assert response.status_code == 201
    assert admin.get(f"{RULES}/0").json()["condition"] == shown


@pytest.mark.parametrize(
    "condition",
    [
        {"variable": "name", "operator": "matches", "value": "x"},
        {"variable": "name", "operator": "is"},
        {"variable": "name", "operator": "exist", "value": "x"},
        {"variable": "", "operator": "exist"},
    ],
)
def test_operators_and_values_are_checked(admin: TestClient, condition: object) -> None:
    response = admin.post(RULES, json={"condition": condition, "subjectPattern": {"CN": "x"}})

    assert response.status_code == 400


def _add(admin: TestClient, cn: str) -> None:
    body = {
        "condition": {"variable": "name", "operator": "is", "value": cn},
        "subjectPattern": {"CN": cn},
    }
    assert admin.post(RULES, json=body).status_code == 201


def test_move_a_rule(admin: TestClient) -> None:
    for cn in ("a", "b", "c"):
        _add(admin, cn)  # each goes before the default: a, b, c, default

    response = admin.post(f"{RULES}/0/move", json={"position": 2})

    order = [r["subjectPattern"]["CN"] for r in admin.get(RULES).json()]
    assert response.status_code == 200
    assert [r["subjectPattern"]["CN"] for r in response.json()] == order
    assert order == ["b", "c", "a", "${name}"]


@pytest.mark.parametrize(
    ("index", "body", "status"),
    [
        ("0", {"position": 9}, 400),
        ("0", {"position": -1}, 400),
        ("0", {}, 400),
        ("0", {"position": "x"}, 400),
        ("7", {"position": 0}, 404),
    ],
)
def test_a_move_outside_the_list_is_refused(
    admin: TestClient, index: str, body: dict[str, object], status: int
) -> None:
    _add(admin, "a")

    assert admin.post(f"{RULES}/{index}/move", json=body).status_code == status
    assert [r["subjectPattern"]["CN"] for r in admin.get(RULES).json()] == ["a", "${name}"]


def _pp_ca(admin: TestClient) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pp ca")])
    pair = certs.self_signed(subject, is_ca=True)
    response = admin.put(
        f"{CONFIG}/connector/onPremises/ppCaCertificate",
        files={"pkcs12": ("ca.p12", key_pairs.to_pkcs12(pair, "pw")), "password": (None, "pw")},
    )
    assert response.status_code == 204, response.text
    return certs.load_certificate(pair.certificate_pem)


def test_a_sample_certificate_fills_the_placeholders_and_is_signed_by_the_pp_ca(
    admin: TestClient,
) -> None:
    ca = _pp_ca(admin)
    admin.post(
        RULES,
        json={
            "condition": "always true",
            "subjectPattern": {"CN": "${name}", "O": "${org} Ltd", "C": "DE"},
        },
    )

    der = admin.get(
        f"{RULES}/0/sampleCertificate",
        params={"name": "alice", "org": "Example"},
        headers={"Accept": "application/pkix-cert"},
    )
    pem = admin.get(
        f"{RULES}/0/sampleCertificate",
        params={"name": "bob", "org": "Example"},
        headers={"Accept": "application/x-pem-file"},
    )

    cert = x509.load_der_x509_certificate(der.content)
    assert der.status_code == 200
    assert 'filename="scc_sample_cert.der"' in der.headers["content-disposition"]
    assert certs.dn_text(cert.subject) == "CN=alice,O=Example Ltd,C=DE"
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(minutes=60)
    assert 'filename="scc_sample_cert.pem"' in pem.headers["content-disposition"]
    assert (
        x509.load_pem_x509_certificate(pem.content).subject.rfc4514_string().startswith("CN=bob,")
    )


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "required by the rule: name"),
        ({"name": "a", "extra": "b"}, "does not use: extra"),
        ({"name": ""}, "required by the rule: name"),
    ],
)
def test_a_sample_certificate_needs_exactly_the_rules_placeholders(
    admin: TestClient, params: dict[str, str], fragment: str
) -> None:
    _pp_ca(admin)

    response = admin.get(f"{RULES}/0/sampleCertificate", params=params)

    assert response.status_code == 400
    assert fragment in response.json()["message"]


def test_a_sample_certificate_is_valid_as_long_as_the_pp_settings_say(admin: TestClient) -> None:
    _pp_ca(admin)
    admin.patch(f"{CONFIG}/connector/onPremises/ppSettings", json={"certificateValidityInMin": 5})

    response = admin.get(f"{RULES}/0/sampleCertificate", params={"name": "a"})

    cert = x509.load_der_x509_certificate(response.content)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(minutes=5)


def test_a_sample_certificate_needs_a_pp_ca(admin: TestClient) -> None:
    response = admin.get(f"{RULES}/0/sampleCertificate", params={"name": "a"})

    assert response.status_code == 409
    assert "principal propagation" in response.json()["message"]
