"""The back-end trust store's 2.18+ operations: several certificates per upload, downloads as PEM
or DER, and delete all."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.testclient import TestClient

from openscc.config import certs
from support.config_api import CONFIG
from support.raw_asgi import body_messages, send_raw

TRUSTSTORE = f"{CONFIG}/connector/onPremises/truststore"
CERTIFICATES = f"{TRUSTSTORE}/certificates"


def _ca(name: str) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return certs.load_certificate(certs.self_signed(subject, is_ca=True).certificate_pem)


def _pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _aliases(client: TestClient) -> list[str]:
    return [e["alias"] for e in client.get(TRUSTSTORE).json()["trustedBackends"]]


@pytest.fixture(scope="module")
def cas() -> list[x509.Certificate]:
    return [_ca(f"backend ca {n}") for n in range(3)]


def test_one_pem_file_of_several_certificates(
    admin: TestClient, cas: list[x509.Certificate]
) -> None:
    response = admin.post(CERTIFICATES, files={"certificates": ("cas.pem", _pem(cas[0], cas[1]))})

    assert response.status_code == 201
    assert response.headers["location"].endswith("/certificates/trustedbackend.1.1")
    assert _aliases(admin) == ["trustedbackend.1.1", "trustedbackend.2.1"]


def test_several_certificates_parts_pem_and_der(
    admin: TestClient, cas: list[x509.Certificate]
) -> None:
    """curl -F certificates=@a.pem -F certificates=@b.der: both are added."""
    files = [
        ("certificates", ("a.pem", _pem(cas[0]), "application/x-pem-file")),
        ("certificates", ("b.der", _der(cas[1]), "application/pkix-cert")),
    ]

    response = admin.post(CERTIFICATES, files=files)

    subjects = [e["subjectDN"] for e in admin.get(TRUSTSTORE).json()["trustedBackends"]]
    assert response.status_code == 201
    assert subjects == ["CN=backend ca 0", "CN=backend ca 1"]


def test_the_older_certificate_part_still_works(
    admin: TestClient, cas: list[x509.Certificate]
) -> None:
    response = admin.post(CERTIFICATES, files={"certificate": ("a.der", _der(cas[2]))})

    assert response.status_code == 201
    assert _aliases(admin) == ["trustedbackend.1.1"]


@pytest.mark.parametrize(
    "files",
    [
        {"certificates": ("a.pem", b"not a certificate")},
        {"other": ("a.pem", b"x")},
    ],
)
def test_an_upload_without_a_certificate_is_refused(
    admin: TestClient, files: dict[str, object]
) -> None:
    response = admin.post(CERTIFICATES, files=files)

    assert response.status_code == 400
    assert _aliases(admin) == []


def test_an_upload_with_a_trusted_certificate_adds_nothing(
    admin: TestClient, cas: list[x509.Certificate]
) -> None:
    """INVALID_REQUEST if one of them is already there, as the page says; none is added."""
    admin.post(CERTIFICATES, files={"certificates": ("a.pem", _pem(cas[0]))})

    again = admin.post(CERTIFICATES, files={"certificates": ("b.pem", _pem(cas[1], cas[0]))})
    twice = admin.post(CERTIFICATES, files={"certificates": ("c.pem", _pem(cas[2], cas[2]))})

    assert (again.status_code, again.json()["type"]) == (400, "INVALID_REQUEST")
    assert "already trusted as trustedbackend.1.1" in again.json()["message"]
    assert twice.status_code == 400
    assert _aliases(admin) == ["trustedbackend.1.1"]


def test_one_certificate_as_der_or_as_its_description(
    admin: TestClient, cas: list[x509.Certificate]
) -> None:
    admin.post(CERTIFICATES, files={"certificates": ("a.pem", _pem(cas[0]))})

    der = admin.get(
        f"{CERTIFICATES}/trustedbackend.1.1", headers={"Accept": "application/pkix-cert"}
    )
    described = admin.get(f"{CERTIFICATES}/trustedbackend.1.1")

    assert der.status_code == 200
    assert der.headers["content-type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(der.content) == cas[0]
    assert described.json()["subjectDN"] == "CN=backend ca 0"
    assert admin.get(f"{CERTIFICATES}/trustedbackend.9.1").status_code == 404


def test_download_all_as_pem_or_der(admin: TestClient, cas: list[x509.Certificate]) -> None:
    empty = admin.get(CERTIFICATES, headers={"Accept": "application/x-pem-file"})
    admin.post(CERTIFICATES, files={"certificates": ("a.pem", _pem(cas[0], cas[1]))})

    pem = admin.get(CERTIFICATES, headers={"Accept": "application/x-pem-file"})
    der = admin.get(CERTIFICATES, headers={"Accept": "application/pkix-cert"})

    assert empty.status_code == 404
    assert pem.headers["content-type"].startswith("application/x-pem-file")
    assert x509.load_pem_x509_certificates(pem.content) == [cas[0], cas[1]]
    first = _der(cas[0])
    assert der.content[: len(first)] == first
    assert x509.load_der_x509_certificate(der.content[len(first) :]) == cas[1]


def test_delete_all(admin: TestClient, cas: list[x509.Certificate]) -> None:
    admin.post(CERTIFICATES, files={"certificates": ("a.pem", _pem(*cas))})

    response = admin.delete(CERTIFICATES)

    assert response.status_code == 204
    assert _aliases(admin) == []


def test_a_chunked_upload_is_cut_off_at_the_cap(admin_app: Starlette) -> None:
    """Without Content-Length the body is read only up to the cap, then 413: a form parser never
    spools a larger upload to disk."""
    head = b'--b\r\nContent-Disposition: form-data; name="certificates"; filename="a"\r\n\r\n'
    chunks = [head] + [b"A" * (256 * 1024)] * 256  # 64 MiB in all
    headers = [(b"content-type", b"multipart/form-data; boundary=b")]

    exchange = send_raw(admin_app, "POST", CERTIFICATES, body_messages(chunks), headers=headers)

    assert exchange.status == 413
    assert exchange.received <= 6  # 1 MiB and a little: the rest was never read
