"""The EPAS client on later releases: release paths, WS-Addressing header blocks,
get-onetime-password (a secret), over loopback against the emulator, sync and async."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from ucxml.cup import DEFAULT_RELEASE, RELEASES, AsyncCupClient, CupClient
from ucxml.emulator.app import create_app
from ucxml.emulator.cup_state import DEMO_CUP_PASSWORD, DEMO_CUP_USER
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import CupError, HttpStatusError, ParameterError, SoapFault
from ucxml.generated.cup import models as m
from ucxml.transport import HttpRequest, HttpResponse, MockTransport

WSA = "http://www.w3.org/2005/08/addressing"
WSA_BLOCKS = (
    f'<wsa:MessageID xmlns:wsa="{WSA}">urn:uuid:6f2c1e0a-3b7d-4c55-9e1a-0d4c2b8e7f11'
    "</wsa:MessageID>",
    f'<wsa:To xmlns:wsa="{WSA}">https://cup.example.com:8443/EPASSoap/service/latest</wsa:To>',
)
ENV = "http://www.w3.org/2003/05/soap-envelope"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    app = create_app()
    with EmulatorServer(app) as running:
        running.app = app  # type: ignore[attr-defined]
        yield running


@pytest.fixture(autouse=True)
def _fresh(server: EmulatorServer) -> Iterator[None]:
    yield
    app = server.app  # type: ignore[attr-defined]
    app.state.cup_faults.clear()
    app.state.cup_service.expire_all()


def _client(server: EmulatorServer, **options: object) -> CupClient:
    return CupClient(
        server.base_url,
        username=DEMO_CUP_USER,
        password=DEMO_CUP_PASSWORD,
        client_type="CUPC",
        client_version="9.7.0.18474",
        **options,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- releases


def test_the_default_release_is_the_documented_path(server: EmulatorServer) -> None:
    cup = CupClient(server.base_url)
    assert DEFAULT_RELEASE == cup.release == "6.0"
    assert cup.url == server.base_url + "/EPASSoap/service"


@pytest.mark.parametrize("release", list(RELEASES))
def test_every_release_path_against_the_emulator(server: EmulatorServer, release: str) -> None:
    with _client(server, release=release) as cup:
        assert cup.url == server.base_url + RELEASES[release]
        assert cup.get_user_config().properties
    assert not cup.logged_in


@pytest.mark.parametrize("release", ["6", "v80", "LATEST", "", None, 8.0])
def test_a_bad_release_is_a_parameter_error(release: object) -> None:
    with pytest.raises(ParameterError, match="release must be one of"):
        CupClient("http://127.0.0.1:8080", release=release)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="release must be one of"):
        AsyncCupClient("http://127.0.0.1:8080", release=release)  # type: ignore[arg-type]


def test_a_url_with_a_path_wins_over_the_release() -> None:
    cup = CupClient("https://cup.example.com:8443/EPASSoap/service/v105", release="latest")
    assert cup.url == "https://cup.example.com:8443/EPASSoap/service/v105"


@pytest.mark.parametrize(
    "block",
    [
        "<Action>x</Action>",
        "not xml",
        "<a:To xmlns:a='urn:x'>",
        '<!DOCTYPE x [<!ENTITY e "e">]><x/>',
    ],
)
def test_a_bad_header_block_is_a_parameter_error(block: str) -> None:
    with pytest.raises(ParameterError, match="header block"):
        CupClient("http://127.0.0.1:8080", header_blocks=[block])


# --------------------------------------------------------------------------- flow on /latest


def test_flow_on_latest_with_ws_addressing_sync(
    server: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sent: list[bytes] = []
    with _client(server, release="latest", header_blocks=WSA_BLOCKS) as cup:
        original = cup._core.soap_request

        def spy(*args: object) -> HttpRequest:
            request = original(*args)  # type: ignore[arg-type]
            sent.append(request.content)
            return request

        cup._core.soap_request = spy  # type: ignore[method-assign]
        config = cup.get_all_config()
        assert config.get_system_config_resp is not None
        otp = cup.get_onetime_password()
        assert otp.success is not None and len(otp.success.password) >= 20
        again = cup.get_onetime_password()
        assert again.success is not None and again.success.password != otp.success.password
        assert otp.success.password not in repr(otp)
        password = otp.success.password
    assert sent and all(b"<wsa:To" in body and b"<wsa:MessageID" in body for body in sent)
    assert all(b"session-key" in body for body in sent)
    assert password not in caplog.text and DEMO_CUP_PASSWORD not in caplog.text


def test_flow_on_latest_with_ws_addressing_async(server: EmulatorServer) -> None:
    async def run() -> tuple[str, str]:
        async with AsyncCupClient(
            server.base_url,
            username=DEMO_CUP_USER,
            password=DEMO_CUP_PASSWORD,
            release="latest",
            header_blocks=WSA_BLOCKS,
        ) as cup:
            assert cup.url.endswith("/EPASSoap/service/latest")
            assert (await cup.get_user_config()).properties
            otp = await cup.get_onetime_password()
            assert otp.success is not None
            return otp.success.password, repr(otp)

    password, shown = asyncio.run(run())
    assert len(password) >= 20 and password not in shown


def test_a_must_understand_block_is_a_soap_fault(server: EmulatorServer) -> None:
    block = f'<wsa:Action xmlns:wsa="{WSA}" xmlns:e="{ENV}" e:mustUnderstand="true">x</wsa:Action>'
    cup = _client(server, release="latest", header_blocks=[block])
    with pytest.raises(SoapFault) as fault:
        cup.login()
    assert fault.value.code == "MustUnderstand"
    assert "not understood" in fault.value.reason
    assert not cup.logged_in
    cup.close()


# --------------------------------------------------------------------------- answers


def _answer(body: bytes, header: bytes = b"") -> bytes:
    head = b"<env:Header>" + header + b"</env:Header>" if header else b""
    return (
        b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
        b'xmlns:wsa="http://www.w3.org/2005/08/addressing">'
        + head
        + b"<env:Body>"
        + body
        + b"</env:Body></env:Envelope>"
    )


LOGIN_RESP = (
    b'<epas:login-resp xmlns:epas="urn:cisco:epas:soap"><epas:success>'
    b"<epas:session-key>k1</epas:session-key></epas:success></epas:login-resp>"
)


def _mock(answers: dict[bytes, bytes]) -> MockTransport:
    def answer(request: HttpRequest) -> HttpResponse:
        for marker, body in answers.items():
            if marker in request.content:
                if body.startswith(b"<html>"):
                    return HttpResponse(500, body, {"content-type": "text/html"})
                return HttpResponse(200, body, {"content-type": "application/soap+xml"})
        raise AssertionError(request.content)

    return MockTransport(answer)


def test_an_answer_with_unknown_header_blocks_is_read(caplog: pytest.LogCaptureFixture) -> None:
    wsa = b"<wsa:Action>urn:cisco:epas:soap/login-resp</wsa:Action><wsa:RelatesTo>u</wsa:RelatesTo>"
    transport = _mock({b"<epas:login": _answer(LOGIN_RESP, wsa)})
    cup = CupClient("http://cup.example.com", username="u", password="p", transport=transport)
    with caplog.at_level(logging.WARNING, logger="ucxml"):
        assert cup.login().success is not None
    assert "T-HEADER" in caplog.text and "<wsa:Action>" in caplog.text
    assert cup.logged_in


def test_a_one_time_password_is_masked_in_later_errors() -> None:
    otp = b"Zq3-one-time-Secret-0042"
    answers = {
        b"<epas:login": _answer(LOGIN_RESP),
        b"get-onetime-password": _answer(
            b'<epas:get-onetime-password-resp xmlns:epas="urn:cisco:epas:soap"><epas:success>'
            b"<epas:password>" + otp + b"</epas:password></epas:success>"
            b"</epas:get-onetime-password-resp>"
        ),
        # An error page that echoes the password: the error text (its excerpt) masks it.
        b"get-user-config": b"<html>" + otp + b"</html>",
    }
    cup = CupClient(
        "http://cup.example.com", username="u", password="p", transport=_mock(answers), retry=None
    )
    cup.login()
    answer = cup.get_onetime_password()
    assert answer.success is not None and answer.success.password == otp.decode()
    assert otp.decode() not in repr(answer) and otp.decode() not in str(answer)
    with pytest.raises(HttpStatusError, match=r"HTTP 500: <html>\*\*\*</html>") as error:
        cup.get_user_config()
    chain: list[BaseException] = []
    exc: BaseException | None = error.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert all(otp.decode() not in str(e) and otp.decode() not in repr(e) for e in chain)


def test_a_refused_one_time_password_is_a_cup_error() -> None:
    answers = {
        b"<epas:login": _answer(LOGIN_RESP),
        b"get-onetime-password": _answer(
            b'<epas:get-onetime-password-resp xmlns:epas="urn:cisco:epas:soap"><epas:failure>'
            b"<epas:reason>Invalid request</epas:reason></epas:failure>"
            b"</epas:get-onetime-password-resp>"
        ),
    }
    cup = CupClient("http://cup.example.com", username="u", password="p", transport=_mock(answers))
    cup.login()
    with pytest.raises(CupError, match="Invalid request"):
        cup.get_onetime_password()


def test_the_one_time_password_model_masks_its_repr() -> None:
    shown = repr(m.GetOnetimePasswordResp(success=m.OnetimePassword(password="s3cret-otp")))
    assert "s3cret-otp" not in shown and "'***'" in shown
