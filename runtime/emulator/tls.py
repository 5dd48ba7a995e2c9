"""A self-signed certificate for serving the emulators over HTTPS (``ucxml emulate --tls``).

:func:`self_signed_certificate` writes a PEM certificate and its private key into a folder,
for the emulator's host: its subject names the host asked for, its subjectAltName that host,
``127.0.0.1``, ``::1`` and ``localhost`` (and the machine's name for a wildcard host). The
certificate is its own trust anchor: a client trusts it with ``ca_bundle="<its path>"``.
A folder that already holds a usable certificate for the same names keeps it, so a client
set up once keeps working.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["CERT_NAME", "KEY_NAME", "TlsFiles", "self_signed_certificate"]

CERT_NAME: Final = "ucxml-emulator-cert.pem"
"""File name of the certificate in the folder."""
KEY_NAME: Final = "ucxml-emulator-key.pem"
"""File name of the private key in the folder (mode 0600)."""

_VALID_DAYS: Final = 90
#: A certificate that expires sooner than this is made again rather than reused.
_RENEW_BEFORE: Final = datetime.timedelta(days=1)
_LOOPBACK_NAMES: Final = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """The PEM certificate and private key of a self-signed server certificate."""

    certfile: Path
    keyfile: Path
    #: True when the files were made now, False when a usable pair was already there.
    created: bool = True


def _names(host: str) -> list[str]:
    """The names the certificate covers: ``host``, loopback and localhost (deduplicated).

    For a wildcard host (``0.0.0.0``, ``::``) the machine's own name is added, the name a
    client on the network would connect to.
    """
    name = host.strip().strip("[]")
    names = [name] if name else []
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(name).is_unspecified:
            names.append(socket.gethostname())
    names += _LOOPBACK_NAMES
    return list(dict.fromkeys(n for n in names if n))


def _general_names(names: list[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def _usable(certfile: Path, keyfile: Path, names: list[str]) -> bool:
    """Whether the pair in the folder is there, unexpired and covers ``names``."""
    if not (certfile.is_file() and keyfile.is_file()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(certfile.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    now = datetime.datetime.now(datetime.UTC)
    if cert.not_valid_after_utc - _RENEW_BEFORE < now or cert.not_valid_before_utc > now:
        return False
    return all(name in san for name in _general_names(names))


def self_signed_certificate(folder: str | Path, host: str = "127.0.0.1") -> TlsFiles:
    """Write (or reuse) a self-signed certificate and key for ``host`` into ``folder``.

    The certificate (EC P-256, SHA-256, valid 90 days) names ``host`` as its common name
    and ``host``, ``127.0.0.1``, ``::1`` and ``localhost`` as its subjectAltName (with the
    machine's name when ``host`` is ``0.0.0.0`` or ``::``); it is
    usable both as the server's certificate and as the CA a client trusts
    (``ca_bundle=``). The key file is readable by its owner only.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = root / CERT_NAME, root / KEY_NAME
    names = _names(host)
    if _usable(certfile, keyfile, names):
        return TlsFiles(certfile, keyfile, created=False)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ucxml emulator (self-signed)"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_general_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_pem)
    os.chmod(keyfile, 0o600)  # an older file keeps its mode through O_TRUNC
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return TlsFiles(certfile, keyfile, created=True)
