"""TLS verification: on by default in every client, a clear error when it fails, off only
with an explicit ``verify=False`` that logs a warning naming the host.

The server is the emulator over HTTPS on loopback, with a self-signed certificate made
at test time by the ``openssl`` command.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ucxml.axl import AxlClient
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import CupClient
from ucxml.em import EmClient
from ucxml.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorServer, create_app
from ucxml.errors import ConnectError, TlsVerificationError, TransportError
from ucxml.huawei import AgentGatewayClient

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    assert OPENSSL is not None
    subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def https(certificate: tuple[Path, Path]) -> Iterator[str]:
    cert, key = certificate
    with EmulatorServer(create_app(), ssl_certfile=str(cert), ssl_keyfile=str(key)) as server:
        assert server.base_url.startswith("https://127.0.0.1:")
        yield server.base_url


def _cme(url: str, **options: Any) -> Callable[[], object]:
    def call() -> object:
        with CmeClient(url, username=DEMO_USER, password=DEMO_PASSWORD, **options) as cme:
            return cme.get_global()

    return call


def _em(url: str) -> object:
    with EmClient(url, app_id="emapp", app_certificate="emapp-secret") as em:
        return em.check_user("jdoe")


def _cup(url: str) -> object:
    with CupClient(url, username="soapuser1", password="soapuser1-secret") as cup:
        return cup.get_contact_list()


def _huawei(url: str) -> object:
    with AgentGatewayClient(url) as gateway:
        return gateway.sign_in(1001, "88880001", password="Agent@1001")


def _axl(url: str) -> object:
    with AxlClient(url, username="admin", password="x") as axl:
        return axl.call("getUser", {"userid": "tttt"})


def _async_cme(url: str) -> object:
    async def call() -> object:
        async with AsyncCmeClient(url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:
            return await cme.get_global()

    return asyncio.run(call())


CALLS: dict[str, Callable[[str], object]] = {
    "cme": lambda url: _cme(url)(),
    "cme-async": _async_cme,
    "em": _em,
    "cup": _cup,
    "huawei": _huawei,
    "axl": _axl,
}


@pytest.mark.parametrize("name", CALLS)
def test_every_client_verifies_by_default(https: str, name: str) -> None:
    with pytest.raises(TlsVerificationError) as caught:
        CALLS[name](https)
    error = caught.value
    assert isinstance(error, ConnectError) and not error.sent
    text = str(error)
    assert "127.0.0.1" in text and "not trusted" in text
    assert "ca_bundle=" in text and "verify=False" in text and "not recommended" in text


def test_the_certificate_as_ca_bundle_is_trusted(
    https: str, certificate: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ucxml"):
        result = _cme(https, ca_bundle=certificate[0])()
    assert type(result).__name__ == "ISgetGlobalResponse"
    assert not [r for r in caplog.records if "verification" in r.getMessage()]


def test_verify_false_works_and_warns_once_naming_the_host(
    https: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ucxml"):
        with CmeClient(https, username=DEMO_USER, password=DEMO_PASSWORD, verify=False) as cme:
            assert type(cme.get_global()).__name__ == "ISgetGlobalResponse"
            cme.get_global()
        with CmeClient(https, username=DEMO_USER, password=DEMO_PASSWORD, verify=False) as other:
            other.get_global()
    warned = [
        r
        for r in caplog.records
        if r.name == "ucxml" and r.levelno == logging.WARNING and "verify=False" in r.getMessage()
    ]
    # One warning per client, each naming the host.
    assert len(warned) == 2
    assert all("127.0.0.1" in r.getMessage() for r in warned)


def test_verify_false_warns_in_the_async_client_too(
    https: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def call() -> object:
        async with AsyncCmeClient(
            https, username=DEMO_USER, password=DEMO_PASSWORD, verify=False
        ) as cme:
            return await cme.get_global()

    with caplog.at_level(logging.WARNING, logger="ucxml"):
        assert type(asyncio.run(call())).__name__ == "ISgetGlobalResponse"
    assert any(
        "127.0.0.1" in r.getMessage() and "verify=False" in r.getMessage() for r in caplog.records
    )


def test_other_failures_are_not_called_certificate_problems(https: str) -> None:
    # Speaking plain HTTP to the TLS port fails, but not on a certificate.
    with pytest.raises(TransportError) as caught:
        _cme(https.replace("https://", "http://"), timeout=5.0)()
    assert not isinstance(caught.value, TlsVerificationError)
