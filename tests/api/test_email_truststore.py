"""The e-mail trust store (SAP's e-mail-configuration page): list, download as PEM or DER,
upload one or several certificates, remove one or all, with the documented errors and roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from starlette.testclient import TestClient

from openscc import kinds
from openscc.auth.roles import ROLE_NAMES
from openscc.store.entities import EntityStore
from support.config_api import CONFIG
from support.smtp import make_ca

TRUSTSTORE = f"{CONFIG}/connector/email/truststore"
CERTIFICATES = f"{TRUSTSTORE}/certificates"
PEM = "application/x-pem-file"
DER = "application/pkix-cert"


def _ca(name: str) -> x509.Certificate:
    return make_ca(name)[0]


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def test_an_empty_trust_store(admin: TestClient) -> None:
    assert admin.get(TRUSTSTORE).json() == {"trustedEmailCertificates": []}
    response = admin.get(CERTIFICATES, headers={"Accept": PEM})
    assert response.status_code == 200
    assert response.content == b""


def test_upload_answers_201_with_the_location_and_lists_it(admin: TestClient) -> None:
    ca = _ca("Mail Root CA")

    response = admin.post(CERTIFICATES, files={"certificates": ("ca.pem", _pem(ca), PEM)})

    assert response.status_code == 201
    assert response.content == b""
    assert (
        response.headers["location"] == f"https://testserver{CERTIFICATES}/trustedemailserver.1.1"
    )
    entries = admin.get(TRUSTSTORE).json()["trustedEmailCertificates"]
    assert entries == [
        {
            "alias": "trustedemailserver.1.1",
            "subjectDN": "CN=Mail Root CA,O=openscc tests",
            "issuer": "CN=Mail Root CA,O=openscc tests",
            "notAfterTimeStamp": int(ca.not_valid_after_utc.timestamp() * 1000),
        }
    ]


def test_a_pem_bundle_and_several_parts_are_numbered_per_upload(admin: TestClient) -> None:
    """One upload holding three certificates: trustedemailserver.<upload>.1 to .3, as the page's
    sample shows; the next upload is number 2."""
    first, second, third = _ca("A"), _ca("B"), _ca("C")

    response = admin.post(
        CERTIFICATES,
        files=[
            ("certificates", ("ab.pem", _pem(first) + _pem(second), PEM)),
            ("certificates", ("c.der", _der(third), DER)),
        ],
    )
    later = admin.post(CERTIFICATES, files={"certificates": ("d.der", _der(_ca("D")), DER)})

    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{CERTIFICATES}"
    assert later.status_code == 201
    aliases = [e["alias"] for e in admin.get(TRUSTSTORE).json()["trustedEmailCertificates"]]
    assert aliases == [
        "trustedemailserver.1.1",
        "trustedemailserver.1.2",
        "trustedemailserver.1.3",
        "trustedemailserver.2.1",
    ]
    assert [e["subjectDN"] for e in admin.get(TRUSTSTORE).json()["trustedEmailCertificates"]] == [
        "CN=A,O=openscc tests",
        "CN=B,O=openscc tests",
        "CN=C,O=openscc tests",
        "CN=D,O=openscc tests",
    ]


def test_one_certificate_downloads_as_pem_or_der(admin: TestClient) -> None:
    ca = _ca("Download CA")
    admin.post(CERTIFICATES, files={"certificates": ("ca.pem", _pem(ca), PEM)})
    url = f"{CERTIFICATES}/trustedemailserver.1.1"

    as_pem = admin.get(url, headers={"Accept": PEM})
    as_der = admin.get(url, headers={"Accept": DER})

    assert as_pem.status_code == 200
    assert as_pem.headers["content-type"] == PEM
    assert x509.load_pem_x509_certificate(as_pem.content) == ca
    assert as_der.headers["content-type"] == DER
    assert as_der.content == _der(ca)
    assert "trustedemailserver.1.1.der" in as_der.headers["content-disposition"]


def test_all_certificates_download_as_one_pem_or_der_stream(admin: TestClient) -> None:
    cas = [_ca("One"), _ca("Two")]
    admin.post(CERTIFICATES, files={"certificates": ("b.pem", _pem(cas[0]) + _pem(cas[1]), PEM)})

    as_pem = admin.get(CERTIFICATES, headers={"Accept": PEM})
    as_der = admin.get(CERTIFICATES, headers={"Accept": DER})

    assert x509.load_pem_x509_certificates(as_pem.content) == cas
    assert as_der.content == _der(cas[0]) + _der(cas[1])


def test_without_an_accept_header_pem_is_answered(admin: TestClient) -> None:
    admin.post(CERTIFICATES, files={"certificates": ("ca.pem", _pem(_ca("X")), PEM)})

    response = admin.get(CERTIFICATES)

    assert response.headers["content-type"] == PEM


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ([("other", ("x.pem", b"-"))], "certificates is required"),
        ([("certificates", ("x.txt", b"hello"))], "PEM or DER"),
        (
            [
                (
                    "certificates",
                    ("x.pem", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
                )
            ],
            "no certificate",
        ),
    ],
)
def test_no_certificate_is_400(admin: TestClient, files: list[object], says: str) -> None:
    response = admin.post(CERTIFICATES, files=files)

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"
    assert says in response.json()["message"]


def test_a_duplicate_is_400_and_the_upload_adds_nothing(admin: TestClient) -> None:
    known, new = _ca("Known"), _ca("New")
    admin.post(CERTIFICATES, files={"certificates": ("k.pem", _pem(known), PEM)})

    again = admin.post(
        CERTIFICATES, files={"certificates": ("b.pem", _pem(new) + _pem(known), PEM)}
    )
    twice = admin.post(CERTIFICATES, files={"certificates": ("t.pem", _pem(new) + _pem(new), PEM)})

    assert again.status_code == 400
    assert "already trusted as trustedemailserver.1.1" in again.json()["message"]
    assert twice.status_code == 400
    assert len(admin.get(TRUSTSTORE).json()["trustedEmailCertificates"]) == 1


def test_the_upload_must_be_multipart(admin: TestClient) -> None:
    response = admin.post(CERTIFICATES, content=_pem(_ca("Y")), headers={"content-type": PEM})

    assert response.status_code == 415


def test_delete_one_and_not_found(admin: TestClient) -> None:
    admin.post(
        CERTIFICATES, files={"certificates": ("b.pem", _pem(_ca("1")) + _pem(_ca("2")), PEM)}
    )

    assert admin.delete(f"{CERTIFICATES}/trustedemailserver.1.1").status_code == 204
    missing = admin.delete(f"{CERTIFICATES}/trustedemailserver.1.1")
    read = admin.get(f"{CERTIFICATES}/trustedemailserver.1.1")

    assert missing.status_code == 404
    assert missing.json()["type"] == "NOT_FOUND"
    assert read.status_code == 404
    assert (
        read.json()["message"] == "Certificate with alias 'trustedemailserver.1.1' does not exist"
    )
    aliases = [e["alias"] for e in admin.get(TRUSTSTORE).json()["trustedEmailCertificates"]]
    assert aliases == ["trustedemailserver.1.2"]


def test_delete_all(admin: TestClient) -> None:
    admin.post(
        CERTIFICATES, files={"certificates": ("b.pem", _pem(_ca("1")) + _pem(_ca("2")), PEM)}
    )

    assert admin.delete(CERTIFICATES).status_code == 204
    assert admin.delete(CERTIFICATES).status_code == 204

    assert admin.get(TRUSTSTORE).json() == {"trustedEmailCertificates": []}


def test_each_certificate_is_an_entity_apart_from_the_back_end_trust_store(
    admin: TestClient, store: EntityStore
) -> None:
    admin.post(CERTIFICATES, files={"certificates": ("ca.pem", _pem(_ca("E")), PEM)})

    assert [r.key for r in store.children(kinds.TRUSTED_EMAIL_SERVER, None)] == [
        "trustedemailserver.1.1"
    ]
    assert store.children(kinds.TRUSTED_BACKEND, None) == []
    assert admin.get(f"{CONFIG}/connector/onPremise/truststore").json()["trustedBackends"] == []


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_role_reads_and_the_administrators_write(
    admin: TestClient, client_of_role: Callable[[str], TestClient], role: str
) -> None:
    admin.post(CERTIFICATES, files={"certificates": ("ca.pem", _pem(_ca("R")), PEM)})
    client = client_of_role(role)
    writes = role in ("sccadmin", "sccassocadmin")

    assert client.get(TRUSTSTORE).status_code == 200
    assert client.get(CERTIFICATES).status_code == 200
    assert client.get(f"{CERTIFICATES}/trustedemailserver.1.1").status_code == 200
    upload = client.post(CERTIFICATES, files={"certificates": ("n.pem", _pem(_ca("N")), PEM)})
    assert upload.status_code == (201 if writes else 403)
    one = client.delete(f"{CERTIFICATES}/trustedemailserver.1.1")
    assert one.status_code == (204 if writes else 403)
    assert client.delete(CERTIFICATES).status_code == (204 if writes else 403)
