"""Throw-away X.509 certificates for the broken-TLS cases, made with `cryptography`.

A private CA signs a good and an expired leaf for 127.0.0.1; a separate self-signed leaf has
no CA at all. Nothing here touches the system trust store: a crawl trusts the CA only in a
subprocess started with SSL_CERT_FILE pointing at it (the crawler itself never disables or
relaxes verification).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class CertFiles:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(directory: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
           ) -> CertFiles:
    files = CertFiles(directory / f"{stem}.pem", directory / f"{stem}.key")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return files


def _leaf(subject_key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
          issuer_key: ec.EllipticCurvePrivateKey, *, not_before: dt.datetime,
          not_after: dt.datetime, common_name: str = "127.0.0.1") -> x509.Certificate:
    return (x509.CertificateBuilder()
            .subject_name(_name(common_name)).issuer_name(issuer)
            .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256()))


def make_certs(directory: Path) -> dict[str, CertFiles]:
    """ca, good (CA-signed, valid), expired (CA-signed, expired yesterday), self_signed."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Hostile Test CA")
    ca = (x509.CertificateBuilder()
          .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=30)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    files = {"ca": _write(directory, "ca", ca, ca_key)}
    for stem, before, after in (("good", now - dt.timedelta(days=1), now + dt.timedelta(days=1)),
                                ("expired", now - dt.timedelta(days=10),
                                 now - dt.timedelta(days=1))):
        key = ec.generate_private_key(ec.SECP256R1())
        files[stem] = _write(directory, stem, _leaf(key, ca_name, ca_key, not_before=before,
                                                    not_after=after), key)
    own_key = ec.generate_private_key(ec.SECP256R1())
    files["self_signed"] = _write(directory, "self_signed", _leaf(
        own_key, _name("127.0.0.1"), own_key, not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=1)), own_key)
    return files
