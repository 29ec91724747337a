"""A real OpenLDAP server (Debian's ``slapd``) for the LDAP tests, on free loopback ports.

``LdapServer.start(tmp)`` writes a ``slapd.conf`` (a generated suffix, the mdb backend, access
rules that let only bound users read and nobody read passwords), a test CA and a server
certificate for 127.0.0.1 and localhost (made with ``cryptography``), and an LDIF of users and
groups loaded with ``slapadd``; then it starts slapd listening for LDAP (with StartTLS) and LDAPS,
and waits until both answer. ``stop()`` ends it. ``make test`` installs slapd (as root, with apt);
without it the tests fail, never skip.

The directory:

    ou=users:  alice (sccadmin group), bob (sccdisplay group), carol (only the staff group),
               dave (ops-admins group: a custom role name), erin (sccsupport through a nested
               group), frank (sccassocadmin and sccsubadmin), connector (the connection user);
               dave's entry also names a role itself (employeeType: sccmonitoring)
    ou=groups: groupOfUniqueNames sccadmin, sccdisplay, staff, ops-admins, support-team (member
               of sccsupport), sccsupport, sccmonitoring, sccassocadmin, sccsubadmin
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.testclient import TestClient

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SCHEMA = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
LDAP_V1 = "/api/v1/configuration/connector/authentication/ldap"
LDAP_V2 = "/api/v2/configuration/connector/authentication/ldap"
SERVERS = f"{LDAP_V2}/servers"
AUTH_V1 = "/api/v1/configuration/connector/authentication"
AUTH_V2 = "/api/v2/configuration/connector/authentication"
CONNECTOR = "/api/v1/configuration/connector"
USERS = ("alice", "bob", "carol", "dave", "erin", "frank")


def _require_slapd() -> None:
    missing = [str(p) for p in (SLAPD, SLAPADD) if not p.exists()]
    if missing:
        pytest.fail(
            f"OpenLDAP's slapd is not installed ({', '.join(missing)} missing): the LDAP tests need "
            "it. `make test` installs it as root (apt-get install -y slapd ldap-utils); or run that "
            "command yourself.",
            pytrace=False,
        )


@dataclass(frozen=True, slots=True)
class TestCa:
    certificate_pem: str
    key: ec.EllipticCurvePrivateKey


def make_ca(name: str) -> TestCa:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TestCa(certificate.public_bytes(serialization.Encoding.PEM).decode(), key)


def _server_certificate(ca: TestCa) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = x509.load_pem_x509_certificate(ca.certificate_pem.encode()).subject
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LdapServer:
    """A running slapd: its suffix, ports, the CA that signed its certificate, the users'
    passwords and the connection user."""

    directory: Path
    suffix: str
    ldap_port: int
    ldaps_port: int
    ca: TestCa
    passwords: dict[str, str]
    bind_dn: str
    bind_password: str
    root_dn: str
    root_password: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    # What the API's configuration objects need.
    def rules(self, **extra: str) -> str:
        """Search rules as SAP's template has them, for this directory."""
        values = {
            "roleBase": f"ou=groups,{self.suffix}",
            "roleName": "cn",
            "roleSearch": "(uniqueMember={0})",
            "userBase": f"ou=users,{self.suffix}",
            "userSearch": "(uid={0})",
            **extra,
        }
        return " ".join(f'{name}="{value}"' for name, value in values.items())

    def configuration(
        self,
        *,
        secure: bool = False,
        start_tls: bool = False,
        ca: str | None = None,
        **fields: object,
    ) -> dict[str, object]:
        """An LDAP server configuration object of the API for this directory."""
        extra = {"useStartTls": "true"} if start_tls else {}
        body: dict[str, object] = {
            "config": self.rules(**extra),
            "hosts": [
                {
                    "host": "127.0.0.1",
                    "port": str(self.ldaps_port if secure else self.ldap_port),
                    "isSecure": secure,
                }
            ],
            "user": self.bind_dn,
            "password": self.bind_password,
        }
        if secure or start_tls:
            body["caCertificate"] = self.ca.certificate_pem if ca is None else ca
        body.update(fields)
        return body

    def user_dn(self, name: str) -> str:
        return f"uid={name},ou=users,{self.suffix}"

    def group_dn(self, name: str) -> str:
        return f"cn={name},ou=groups,{self.suffix}"

    @classmethod
    def start(cls, directory: Path) -> LdapServer:
        _require_slapd()
        directory.mkdir(parents=True, exist_ok=True)
        suffix = f"dc=t{secrets.token_hex(4)},dc=example"
        ca = make_ca("openscc test LDAP CA")
        certificate, key = _server_certificate(ca)
        (directory / "ca.pem").write_text(ca.certificate_pem)
        (directory / "server.pem").write_bytes(certificate)
        (directory / "server.key").write_bytes(key)
        (directory / "server.key").chmod(0o600)
        (directory / "db").mkdir()
        server = cls(
            directory=directory,
            suffix=suffix,
            ldap_port=free_port(),
            ldaps_port=free_port(),
            ca=ca,
            passwords={name: f"{name.title()}-{secrets.token_hex(8)}" for name in USERS},
            bind_dn=f"uid=connector,ou=users,{suffix}",
            bind_password=f"Connector-{secrets.token_hex(8)}",
            root_dn=f"cn=admin,{suffix}",
            root_password=secrets.token_hex(16),
        )
        (directory / "slapd.conf").write_text(server._config())
        (directory / "data.ldif").write_text(server._ldif())
        subprocess.run(
            [
                str(SLAPADD),
                "-q",
                "-f",
                str(directory / "slapd.conf"),
                "-l",
                str(directory / "data.ldif"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        server._run()
        return server

    def _run(self) -> None:
        urls = f"ldap://127.0.0.1:{self.ldap_port}/ ldaps://127.0.0.1:{self.ldaps_port}/"
        log = (self.directory / "slapd.log").open("wb")
        # -d 0: stay in the foreground (so the fixture owns the process), logging nothing.
        self.process = subprocess.Popen(
            [str(SLAPD), "-d", "0", "-f", str(self.directory / "slapd.conf"), "-h", urls],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = (self.directory / "slapd.log").read_text(errors="replace")
                raise RuntimeError(f"slapd exited with {self.process.returncode}: {output[-2000:]}")
            if all(_answers(port) for port in (self.ldap_port, self.ldaps_port)):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("slapd did not answer within 20 seconds")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def _config(self) -> str:
        d = self.directory
        return "\n".join(
            [
                *(
                    f"include {SCHEMA / name}.schema"
                    for name in ("core", "cosine", "inetorgperson")
                ),
                f"pidfile {d / 'slapd.pid'}",
                f"argsfile {d / 'slapd.args'}",
                f"modulepath {MODULES}",
                "moduleload back_mdb",
                f"TLSCACertificateFile {d / 'ca.pem'}",
                f"TLSCertificateFile {d / 'server.pem'}",
                f"TLSCertificateKeyFile {d / 'server.key'}",
                "database mdb",
                "maxsize 16777216",
                f'suffix "{self.suffix}"',
                f'rootdn "{self.root_dn}"',
                f"rootpw {self.root_password}",
                f"directory {d / 'db'}",
                # Passwords serve binds only; everything else is for bound users alone.
                "access to attrs=userPassword by anonymous auth by self write by * none",
                "access to * by users read by * none",
                "",
            ]
        )

    def _ldif(self) -> str:
        s = self.suffix
        entries = [
            f"dn: {s}\nobjectClass: dcObject\nobjectClass: organization\n"
            f"dc: {s.split(',')[0][3:]}\no: openscc test",
            f"dn: ou=users,{s}\nobjectClass: organizationalUnit\nou: users",
            f"dn: ou=groups,{s}\nobjectClass: organizationalUnit\nou: groups",
            f"dn: {self.bind_dn}\nobjectClass: inetOrgPerson\nuid: connector\ncn: connector\n"
            f"sn: connector\nuserPassword: {self.bind_password}",
        ]
        for name in USERS:
            entries.append(
                f"dn: {self.user_dn(name)}\nobjectClass: inetOrgPerson\nuid: {name}\n"
                f"cn: {name.title()}\nsn: {name.title()}\nuserPassword: {self.passwords[name]}"
                # A role named on the user's own entry (for userRoleName).
                + ("\nemployeeType: sccmonitoring" if name == "dave" else "")
            )
        members = {
            "sccadmin": [self.user_dn("alice")],
            "sccdisplay": [self.user_dn("bob")],
            "staff": [self.user_dn("carol"), self.user_dn("bob")],
            "ops-admins": [self.user_dn("dave")],
            "support-team": [self.user_dn("erin")],
            "sccsupport": [self.group_dn("support-team")],
            "sccmonitoring": [self.bind_dn],
            "sccassocadmin": [self.user_dn("frank")],
            "sccsubadmin": [self.user_dn("frank")],
        }
        for group, dns in members.items():
            lines = [
                f"dn: {self.group_dn(group)}",
                "objectClass: groupOfUniqueNames",
                f"cn: {group}",
            ]
            lines += [f"uniqueMember: {dn}" for dn in dns]
            entries.append("\n".join(lines))
        return "\n\n".join(entries) + "\n"

    def set_members(self, group: str, members: list[str]) -> None:
        """Replace a group's members (as the directory's administrator)."""
        import ldap3

        connection = ldap3.Connection(
            ldap3.Server("127.0.0.1", port=self.ldap_port, get_info=ldap3.NONE),
            user=self.root_dn,
            password=self.root_password,
            auto_bind=True,
        )
        try:
            ok = connection.modify(
                self.group_dn(group),
                {"uniqueMember": [(ldap3.MODIFY_REPLACE, [self.user_dn(m) for m in members])]},
            )
            assert ok, connection.result
        finally:
            connection.unbind()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture
def ldap_directory(tmp_path: Path) -> Iterator[LdapServer]:
    """A running slapd with the users and groups above, stopped after the test (slow tests only:
    it starts a process)."""
    server = LdapServer.start(tmp_path / "ldap")
    try:
        yield server
    finally:
        server.stop()


def enable_ldap(client: TestClient, directory: LdapServer, **options: object) -> None:
    """Turn LDAP authentication on (as the local Administrator) with one server on ``directory``."""
    response = client.put(
        LDAP_V2,
        json={"enabled": True, "orderedLdapConfigurations": [directory.configuration(**options)]},
    )
    assert response.status_code == 204, response.text
