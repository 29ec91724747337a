"""The UI, system and principal propagation CA certificates, and the back-end trust store."""

from __future__ import annotations

import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from starlette.testclient import TestClient

from openscc import kinds
from openscc.config import certs, key_pairs
from openscc.store.entities import EntityStore
from support.config_api import CONFIG

CONNECTOR = f"{CONFIG}/connector"
SYSTEM = f"{CONNECTOR}/onPremise/systemCertificate"
PP_CA = f"{CONNECTOR}/onPremise/ppCaCertificate"
UI = f"{CONNECTOR}/ui/uiCertificate"
TRUSTSTORE = f"{CONNECTOR}/onPremise/truststore"
RECORDED_KEYS = ["notAfterTimeStamp", "notBeforeTimeStamp", "subjectDN", "issuer", "serialNumber"]


def _pair(name: str, *, is_ca: bool = False) -> certs.KeyPair:
    return certs.self_signed(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), is_ca=is_ca
    )


def _pkcs12_upload(
    data: bytes, password: str, **extra: str
) -> dict[str, tuple[str | None, object]]:
    return {
        "pkcs12": ("c.p12", data),
        "password": (None, password),
        **{k: (None, v) for k, v in extra.items()},
    }


def test_system_certificate_is_absent_at_first(admin: TestClient) -> None:
    assert admin.get(SYSTEM).status_code == 404


def test_self_signed_system_certificate_in_the_recorded_shape(admin: TestClient) -> None:
    """POST selfsigned answers 201 + Location; GET answers the recorded keys and formats."""
    response = admin.post(
        SYSTEM,
        json={
            "type": "selfsigned",
            "keySize": "2048",
            "subjectDN": "CN=system,OU=unit,O=Example,L=Here,C=DE",
        },
    )

    body = admin.get(SYSTEM).json()
    assert response.status_code == 201
    assert response.headers["location"] == f"https://testserver{SYSTEM}"
    assert list(body) == RECORDED_KEYS
    assert body["subjectDN"] == "CN=system,OU=unit,O=Example,L=Here,C=DE"
    assert body["issuer"] == body["subjectDN"]
    assert re.fullmatch(r"[0-9a-f]{1,2}(:[0-9a-f]{1,2})+", body["serialNumber"])
    assert body["notAfterTimeStamp"] % 1000 == 0


def test_binary_download_is_the_der_certificate(admin: TestClient) -> None:
    """Accept: application/pkix-cert gives the DER file, as recorded."""
    admin.post(SYSTEM, json={"type": "selfsigned", "subjectDN": "CN=system"})

    response = admin.get(SYSTEM, headers={"Accept": "application/pkix-cert"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment;filename="system_certificate.der"'
    cert = x509.load_der_x509_certificate(response.content)
    assert certs.serial_text(cert.serial_number) == admin.get(SYSTEM).json()["serialNumber"]


def test_pp_ca_certificate_is_a_ca_with_its_file_name(admin: TestClient) -> None:
    admin.post(
        PP_CA,
        json={
            "type": "selfsigned",
            "subjectDN": "CN=pp ca",
            "subjectAltNames": [{"type": "DNS", "value": "ca.example"}],
        },
    )

    der = admin.get(PP_CA, headers={"Accept": "application/pkix-cert"})
    body = admin.get(PP_CA).json()

    constraints = x509.load_der_x509_certificate(der.content).extensions.get_extension_for_class(
        x509.BasicConstraints
    )
    assert constraints.value.ca is True
    assert der.headers["content-disposition"] == 'attachment;filename="ca_certificate.der"'
    assert body["subjectAltNames"] == [{"type": "DNS", "value": "ca.example"}]


def test_pkcs12_upload_installs_key_and_certificate(admin: TestClient, store: EntityStore) -> None:
    """PUT pkcs12 answers 204; the key is kept only as the entity's secret, never shown."""
    pair = _pair("uploaded")

    response = admin.put(
        SYSTEM, files=_pkcs12_upload(key_pairs.to_pkcs12(pair, "p12-pw"), "p12-pw")
    )

    record = store.get(kinds.SYSTEM_CERTIFICATE, kinds.SINGLETON_KEY, with_secret=True)
    assert response.status_code == 204
    assert admin.get(SYSTEM).json()["subjectDN"] == "CN=uploaded"
    assert record is not None
    assert record.secret == {"privateKeyPem": pair.private_key_pem}
    assert "PRIVATE" not in admin.get(SYSTEM).text


def test_pkcs12_with_the_wrong_password_is_invalid(admin: TestClient) -> None:
    response = admin.put(
        SYSTEM, files=_pkcs12_upload(key_pairs.to_pkcs12(_pair("x"), "right"), "wrong")
    )

    assert response.status_code == 400
    assert response.json()["type"] == "INVALID_REQUEST"


def test_pkcs12_upload_must_be_multipart(admin: TestClient) -> None:
    assert admin.put(SYSTEM, json={"pkcs12": "x"}).status_code == 415


def test_csr_then_signed_certificate(admin: TestClient) -> None:
    """POST csr answers the PEM request; PATCH with the signed chain installs it."""
    csr_response = admin.post(SYSTEM, json={"type": "csr", "subjectDN": "CN=to be signed"})
    csr = x509.load_pem_x509_csr(csr_response.content)
    ca = _pair("issuing ca", is_ca=True)
    ca_key = serialization.load_pem_private_key(ca.private_key_pem.encode(), password=None)
    ca_cert = certs.load_certificate(ca.certificate_pem)
    signed = (
        (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(ca_cert.subject)
            .public_key(csr.public_key())
            .serial_number(7)
            .not_valid_before(ca_cert.not_valid_before_utc)
            .not_valid_after(ca_cert.not_valid_after_utc)
            .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
        )
        .public_bytes(serialization.Encoding.PEM)
        .decode()
    )

    response = admin.patch(
        SYSTEM, files={"signedCertificate": ("chain.pem", signed + ca.certificate_pem)}
    )

    assert csr_response.status_code == 200
    assert response.status_code == 201
    assert admin.get(SYSTEM).json()["issuer"] == "CN=issuing ca"
    assert (
        admin.patch(SYSTEM, files={"signedCertificate": ("chain.pem", signed)}).status_code == 400
    )


def test_a_certificate_not_matching_the_csr_is_refused(admin: TestClient) -> None:
    admin.post(SYSTEM, json={"type": "csr", "subjectDN": "CN=x"})

    response = admin.patch(
        SYSTEM, files={"signedCertificate": ("c.pem", _pair("other").certificate_pem)}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"type": "magic", "subjectDN": "CN=x"},
        {"type": "selfsigned"},
        {"type": "selfsigned", "subjectDN": "O=no cn"},
        {"type": "selfsigned", "subjectDN": "CN=x,C=Germany"},
        {"type": "selfsigned", "subjectDN": "CN=x", "keySize": 1024},
    ],
)
def test_invalid_generation_requests(admin: TestClient, body: dict[str, object]) -> None:
    assert admin.post(SYSTEM, json=body).status_code == 400


def test_delete_system_certificate(admin: TestClient) -> None:
    admin.post(SYSTEM, json={"type": "selfsigned", "subjectDN": "CN=system"})

    assert admin.delete(SYSTEM).status_code == 204
    assert admin.get(SYSTEM).status_code == 404
    assert admin.delete(SYSTEM).status_code == 404


def test_ui_certificate_exists_and_cannot_be_deleted(admin: TestClient) -> None:
    """The instance's UI certificate is described like the others; the product has no DELETE."""
    assert admin.get(UI).status_code == 200
    assert admin.delete(UI).status_code == 405

    admin.put(UI, files=_pkcs12_upload(key_pairs.to_pkcs12(_pair("ui.example"), "pw"), "pw"))

    assert admin.get(UI).json()["subjectDN"] == "CN=ui.example"


def test_truststore_add_list_and_remove(admin: TestClient) -> None:
    """Trusted certificates get the product's alias form and are listed with DN and expiry."""
    assert admin.get(TRUSTSTORE).json() == {"trustAllBackends": False, "trustedBackends": []}
    pem = _pair("backend ca", is_ca=True).certificate_pem

    response = admin.post(f"{TRUSTSTORE}/certificates", files={"certificate": ("ca.pem", pem)})

    [entry] = admin.get(TRUSTSTORE).json()["trustedBackends"]
    assert response.status_code == 201
    assert (
        response.headers["location"]
        == f"https://testserver{TRUSTSTORE}/certificates/trustedbackend.1.1"
    )
    assert list(entry) == ["alias", "subjectDN", "issuer", "notAfterTimeStamp"]
    assert (entry["alias"], entry["subjectDN"]) == ("trustedbackend.1.1", "CN=backend ca")
    assert (
        admin.post(f"{TRUSTSTORE}/certificates", files={"certificate": ("ca.pem", pem)}).status_code
        == 400
    )
    assert admin.delete(f"{TRUSTSTORE}/certificates/trustedbackend.1.1").status_code == 204
    assert admin.get(TRUSTSTORE).json()["trustedBackends"] == []


def test_truststore_trust_all_switch(admin: TestClient) -> None:
    assert admin.patch(TRUSTSTORE, json={"trustAllBackends": "true"}).status_code == 204

    assert admin.get(f"{CONNECTOR}/onPremises/truststore").json()["trustAllBackends"] is True


def test_truststore_rejects_what_is_not_a_certificate(admin: TestClient) -> None:
    response = admin.post(
        f"{TRUSTSTORE}/certificates", files={"certificate": ("x.pem", b"nonsense")}
    )

    assert response.status_code == 400


def _short_key_pkcs12(password: str) -> bytes:
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "short.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"short", key, cert, None, serialization.BestAvailableEncryption(password.encode())
    )


def test_a_pkcs12_with_a_key_tls_refuses_is_invalid(admin: TestClient) -> None:
    """A 1024-bit RSA key would stop the server from starting as its UI certificate: 400."""
    response = admin.put(UI, files=_pkcs12_upload(_short_key_pkcs12("pw"), "pw"))

    assert response.status_code == 400
    assert "2048 bits" in response.json()["message"]


def test_a_key_pair_must_belong_together() -> None:
    """A certificate with another certificate's key is refused."""
    one, other = _pair("one.example"), _pair("other.example")

    key_pairs.check_key_pair(one.certificate_pem, one.private_key_pem)
    with pytest.raises(Exception, match="does not belong"):
        key_pairs.check_key_pair(one.certificate_pem, other.private_key_pem)


def test_both_spellings_serve_the_same_pp_ca_certificate(admin: TestClient) -> None:
    """onPremise (the recordings, older releases) and onPremises (the pages, 2.18+) are one slot."""
    spelled = f"{CONNECTOR}/onPremises/ppCaCertificate"
    generate = {"type": "selfsigned", "subjectDN": "CN=pp ca", "keySize": 2048}
    assert admin.post(PP_CA, json=generate).status_code == 201

    assert admin.get(spelled).json() == admin.get(PP_CA).json()
    assert admin.delete(spelled).status_code == 204
    assert admin.get(PP_CA).status_code == 404


@pytest.mark.parametrize("path", [UI, PP_CA])
def test_subject_alt_names_are_described_in_the_order_given(admin: TestClient, path: str) -> None:
    """A declarative client reads the list back after creating it and compares: the
    certificate's own order, not grouped by type."""
    given = [
        {"type": "IP", "value": "10.0.0.7"},
        {"type": "DNS", "value": "scc.example"},
        {"type": "URI", "value": "https://scc.example/"},
        {"type": "DNS", "value": "alt.example"},
    ]

    created = admin.post(
        path, json={"type": "selfsigned", "subjectDN": "CN=ordered", "subjectAltNames": given}
    )

    assert created.status_code in (200, 201, 204), created.text
    assert admin.get(path).json()["subjectAltNames"] == given


@pytest.mark.parametrize("path", [UI, SYSTEM])
def test_a_pkcs12_part_without_a_filename_is_read_as_the_file(admin: TestClient, path: str) -> None:
    """SAP's initial-configuration sample sends the PKCS#12 file as a part with a name and no
    filename (Fuel's BlobDataPart): its bytes are the file all the same."""
    pair = _pair("no-filename")
    data = key_pairs.to_pkcs12(pair, "test1234")
    boundary = "fuel-boundary-7"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\ntest1234\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="keyPassword"\r\n\r\ntest1234\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="pkcs12"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )

    response = admin.put(
        path, content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )

    assert response.status_code == 204, response.text
    assert admin.get(path).json()["subjectDN"] == "CN=no-filename"


def test_a_missing_pkcs12_part_is_named_as_missing(admin: TestClient) -> None:
    response = admin.put(SYSTEM, files={"password": (None, "test1234")})

    assert response.status_code == 400
    assert response.json()["message"] == "form part pkcs12 is required"
