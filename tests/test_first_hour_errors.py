"""The mistakes of a first hour with ucxml end in a typed error that says what to do.

A ``ca_bundle`` that is missing or holds no certificate, ``https://`` against a plain-HTTP
port (never retried), ``ucxml.validate`` on a path that cannot be read, and a second EPAS
login refused because a session exists: each raises a :class:`ucxml.UcxmlError` naming the
parameter, the path or the call that fixes it, rather than an OSError, an ssl.SSLError or
a bare server text.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ucxml
from ucxml.axl import AsyncAxlClient, AxlClient
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import AsyncCupClient, CupClient
from ucxml.em import AsyncEmClient, EmClient
from ucxml.emulator import EmulatorServer, create_app
from ucxml.emulator.cup_state import DEMO_CUP_PASSWORD, DEMO_CUP_USER
from ucxml.errors import (
    ConnectError,
    CupSessionError,
    InputFileError,
    ParameterError,
    TlsConfigurationError,
    TlsError,
    TlsVerificationError,
    UcxmlError,
)
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient
from ucxml.retry import RetryPolicy
from ucxml.transport import (
    AsyncHttpxTransport,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    HttpxTransport,
    Transport,
)

URL = "https://server.example:8443"

# --------------------------------------------------------------------------- ca_bundle

#: Every client constructor, given only a ``ca_bundle``.
CONSTRUCTORS: dict[str, Callable[[Any], object]] = {
    "cme": lambda ca: CmeClient(URL, username="u", password="p", ca_bundle=ca),
    "cme-async": lambda ca: AsyncCmeClient(URL, username="u", password="p", ca_bundle=ca),
    "em": lambda ca: EmClient(URL, app_id="a", app_certificate="c", ca_bundle=ca),
    "em-async": lambda ca: AsyncEmClient(URL, app_id="a", app_certificate="c", ca_bundle=ca),
    "cup": lambda ca: CupClient(URL, username="u", password="p", ca_bundle=ca),
    "cup-async": lambda ca: AsyncCupClient(URL, username="u", password="p", ca_bundle=ca),
    "huawei": lambda ca: AgentGatewayClient(URL, ca_bundle=ca),
    "huawei-async": lambda ca: AsyncAgentGatewayClient(URL, ca_bundle=ca),
    "axl": lambda ca: AxlClient(URL, username="u", password="p", ca_bundle=ca),
    "axl-async": lambda ca: AsyncAxlClient(URL, username="u", password="p", ca_bundle=ca),
}


@pytest.fixture(scope="module")
def pem_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A certificate, its private key, a public key and a malformed certificate (PEM)."""
    pytest.importorskip("cryptography")
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("pem")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ucxml test CA")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    files = {
        "certificate": certificate.public_bytes(serialization.Encoding.PEM),
        "private-key": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        "public-key": key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "broken": (
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
        ),
    }
    paths = {}
    for label, data in files.items():
        path = folder / f"{label}.pem"
        path.write_bytes(data)
        paths[label] = path
    return paths


def _refused(make: Callable[[Any], object], ca_bundle: object) -> TlsConfigurationError:
    with pytest.raises(UcxmlError) as caught:
        make(ca_bundle)
    error = caught.value
    assert isinstance(error, TlsConfigurationError), repr(error)
    assert isinstance(error, ParameterError)
    assert f"ca_bundle={str(ca_bundle)!r}" in str(error)
    return error


@pytest.mark.parametrize("client", CONSTRUCTORS)
def test_a_missing_ca_bundle_is_named(client: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    error = _refused(CONSTRUCTORS[client], missing)
    assert "not found" in str(error)
    assert error.__cause__ is None and error.__suppress_context__  # no OSError traceback


@pytest.mark.parametrize("client", CONSTRUCTORS)
def test_a_relative_missing_ca_bundle_is_named(client: str) -> None:
    error = _refused(CONSTRUCTORS[client], "missing.pem")
    assert "'missing.pem'" in str(error) and "not found" in str(error)


@pytest.mark.parametrize("client", CONSTRUCTORS)
def test_a_private_key_as_ca_bundle_is_named(client: str, pem_files: dict[str, Path]) -> None:
    error = _refused(CONSTRUCTORS[client], pem_files["private-key"])
    assert "holds no certificate (is it a private key?)" in str(error)


@pytest.mark.parametrize("label", ["public-key", "broken"])
@pytest.mark.parametrize("client", CONSTRUCTORS)
def test_a_pem_file_without_a_usable_certificate_is_named(
    client: str, label: str, pem_files: dict[str, Path]
) -> None:
    error = _refused(CONSTRUCTORS[client], pem_files[label])
    assert "certificate" in str(error) and "private key" not in str(error)


@pytest.mark.parametrize("client", ["cme", "huawei-async"])
def test_a_folder_as_ca_bundle_is_named(client: str, tmp_path: Path) -> None:
    error = _refused(CONSTRUCTORS[client], tmp_path)
    assert "folder" in str(error)


@pytest.mark.parametrize("client", CONSTRUCTORS)
def test_a_certificate_as_ca_bundle_is_taken(client: str, pem_files: dict[str, Path]) -> None:
    made = CONSTRUCTORS[client](pem_files["certificate"])
    closing = getattr(made, "close", None) or made.aclose  # type: ignore[attr-defined]
    result = closing()
    if asyncio.iscoroutine(result):
        asyncio.run(result)


# --------------------------------------------------------------------------- https:// to http


@pytest.fixture(scope="module")
def plain_http() -> Iterator[str]:
    """The emulators over plain HTTP, addressed as https://."""
    with EmulatorServer(create_app()) as server:
        assert server.base_url.startswith("http://")
        yield server.base_url.replace("http://", "https://", 1)


#: Every wait zero, three sends: a retried TLS failure would show as three sends.
NO_WAIT = RetryPolicy(attempts=3, backoff=0.0, max_backoff=0.0, sleep=lambda _: None)


Runner = Callable[[str], tuple[UcxmlError, int]]


class Counting(Transport):
    """A real httpx transport that counts the connection attempts made through it."""

    def __init__(self) -> None:
        self.inner = HttpxTransport(timeout=5.0)
        self.sends = 0

    def send(self, request: HttpRequest) -> HttpResponse:
        self.sends += 1
        return self.inner.send(request)

    def close(self) -> None:
        self.inner.close()


class AsyncCounting(AsyncTransport):
    """The asynchronous :class:`Counting`."""

    def __init__(self) -> None:
        self.inner = AsyncHttpxTransport(timeout=5.0)
        self.sends = 0

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.sends += 1
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _sync(make: Callable[[str, Counting], Any], call: Callable[[Any], object]) -> Runner:
    def run(url: str) -> tuple[UcxmlError, int]:
        transport = Counting()
        client = make(url, transport)
        try:
            with pytest.raises(UcxmlError) as caught:
                call(client)
        finally:
            client.close()
            transport.close()
        return caught.value, transport.sends

    return run


def _async(make: Callable[[str, AsyncCounting], Any], call: Callable[[Any], Any]) -> Runner:
    def run(url: str) -> tuple[UcxmlError, int]:
        async def scenario() -> tuple[UcxmlError, int]:
            transport = AsyncCounting()
            client = make(url, transport)
            try:
                with pytest.raises(UcxmlError) as caught:
                    await call(client)
            finally:
                await client.aclose()
                await transport.aclose()
            return caught.value, transport.sends

        return asyncio.run(scenario())

    return run


def _options(transport: object) -> dict[str, Any]:
    return {"transport": transport, "retry": NO_WAIT}


#: One call of every client, sync and async (CME, EM and AXL: queries, which are retried
#: after failures that may pass; EPAS and Huawei: a sign-in, sent once anyway).
PLAIN_HTTP_CALLS: dict[str, Runner] = {
    "cme": _sync(
        lambda url, t: CmeClient(url, username="u", password="p", **_options(t)),
        lambda c: c.get_global(),
    ),
    "cme-async": _async(
        lambda url, t: AsyncCmeClient(url, username="u", password="p", **_options(t)),
        lambda c: c.get_global(),
    ),
    "em": _sync(
        lambda url, t: EmClient(url, app_id="a", app_certificate="c", **_options(t)),
        lambda c: c.check_user("jdoe"),
    ),
    "em-async": _async(
        lambda url, t: AsyncEmClient(url, app_id="a", app_certificate="c", **_options(t)),
        lambda c: c.check_user("jdoe"),
    ),
    "axl": _sync(
        lambda url, t: AxlClient(url, username="u", password="p", **_options(t)),
        lambda c: c.call("getUser", {"userid": "tttt"}),
    ),
    "axl-async": _async(
        lambda url, t: AsyncAxlClient(url, username="u", password="p", **_options(t)),
        lambda c: c.call("getUser", {"userid": "tttt"}),
    ),
    "cup": _sync(
        lambda url, t: CupClient(url, username="u", password="p", **_options(t)),
        lambda c: c.login(),
    ),
    "cup-async": _async(
        lambda url, t: AsyncCupClient(url, username="u", password="p", **_options(t)),
        lambda c: c.login(),
    ),
    "huawei": _sync(
        lambda url, t: AgentGatewayClient(url, **_options(t)),
        lambda c: c.sign_in(1001, "88880001", password="x"),
    ),
    "huawei-async": _async(
        lambda url, t: AsyncAgentGatewayClient(url, **_options(t)),
        lambda c: c.sign_in(1001, "88880001", password="x"),
    ),
}


@pytest.mark.parametrize("client", PLAIN_HTTP_CALLS)
def test_https_to_a_plain_http_port_says_so_and_is_not_retried(
    plain_http: str, client: str
) -> None:
    error, sends = PLAIN_HTTP_CALLS[client](plain_http)
    assert isinstance(error, TlsError) and not isinstance(error, TlsVerificationError)
    assert isinstance(error, ConnectError) and not error.sent
    text = str(error)
    netloc = plain_http.removeprefix("https://")
    assert "plain HTTP" in text and f"http://{netloc}" in text, text
    assert sends == 1 and error.attempts == 1
    assert "after" not in text  # not "after 3 attempts"


def test_a_query_that_really_fails_to_connect_is_still_retried() -> None:
    # The same client and policy as above: a refused connection does pass the retries.
    transport = Counting()
    with (
        CmeClient("https://127.0.0.1:1", transport=transport, retry=NO_WAIT) as cme,
        pytest.raises(ConnectError) as caught,
    ):
        cme.get_global()
    assert not isinstance(caught.value, TlsError)
    assert transport.sends == 3 and caught.value.attempts == 3


def test_tls_errors_are_never_retryable() -> None:
    policy = RetryPolicy()
    assert not policy.retryable(TlsError("handshake failed"), None)
    assert not policy.retryable(TlsVerificationError("not trusted"), None)
    assert policy.retryable(ConnectError("refused"), None)


# --------------------------------------------------------------------------- validate(path)


def test_validate_a_missing_file_names_it() -> None:
    with pytest.raises(InputFileError) as caught:
        ucxml.validate("/nonexistent.xml")
    error = caught.value
    assert isinstance(error, UcxmlError) and isinstance(error, OSError)
    assert "'/nonexistent.xml'" in str(error) and "no such file" in str(error)
    assert error.filename == "/nonexistent.xml" and error.errno == errno.ENOENT
    assert error.__cause__ is None and error.__suppress_context__


def test_validate_a_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as caught:
        ucxml.validate(tmp_path)
    assert str(tmp_path) in str(caught.value) and "folder" in str(caught.value)
    assert isinstance(caught.value, OSError)


def test_validate_an_unreadable_file_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.xml"
    path.write_bytes(b"<a/>")

    def refuse(self: Path) -> bytes:
        # The tests may run as root, whom chmod 000 does not stop: refuse as the OS would.
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InputFileError) as caught:
        ucxml.validate(str(path))
    assert str(path) in str(caught.value) and "permission denied" in str(caught.value)
    assert caught.value.errno == errno.EACCES


def test_validate_text_that_is_no_path_quotes_none_of_its_secrets() -> None:
    payload = '{"password": "Hunter-Plant-2291", "user": "jdoe"}'
    with pytest.raises(InputFileError) as caught:
        ucxml.validate(payload)
    text = str(caught.value)
    assert "Hunter-Plant-2291" not in text and "***" in text
    assert "as bytes" in text


def test_validate_still_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "payload.xml"
    path.write_bytes(b"<nothing-known/>")
    report = ucxml.validate(path)
    assert report.source == str(path) and not report.valid


# --------------------------------------------------------------------------- EPAS sessions


@pytest.fixture(scope="module")
def epas() -> Iterator[EmulatorServer]:
    app = create_app()
    with EmulatorServer(app) as running:
        yield running


def test_a_second_login_says_how_to_take_the_session_over(epas: EmulatorServer) -> None:
    url = epas.base_url
    with CupClient(url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD) as first:
        second = CupClient(url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD)
        with pytest.raises(CupSessionError) as refused:
            second.login()
        text = str(refused.value)
        assert refused.value.state == "established"
        assert "already been established" in text  # the server's words are kept
        assert "login(force=True)" in text and "relogin=True" in text
        second.login(force=True)
        # The forced login ended the first client's session: it says what to do too.
        with pytest.raises(CupSessionError) as ended:
            first.get_contact_list()
        text = str(ended.value)
        assert ended.value.state == "expired"
        assert "taken over" in text
        assert "login(force=True)" in text and "relogin=True" in text
        second.logout()
        first._session_key = None  # already ended on the server


def test_a_second_async_login_says_how_to_take_the_session_over(epas: EmulatorServer) -> None:
    async def scenario() -> str:
        url = epas.base_url
        async with AsyncCupClient(url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD):
            second = AsyncCupClient(url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD)
            try:
                with pytest.raises(CupSessionError) as refused:
                    await second.login()
            finally:
                await second.aclose()
            return str(refused.value)

    text = asyncio.run(scenario())
    assert "login(force=True)" in text and "relogin=True" in text


def test_a_missing_session_says_to_log_in() -> None:
    cup = CupClient(URL, username="u", password="p")
    with pytest.raises(CupSessionError) as missing:
        cup.get_contact_list()
    assert missing.value.state == "missing" and "login()" in str(missing.value)
    cup.close()
