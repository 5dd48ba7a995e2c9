"""EmClient with a mock transport: URL selection, what is posted, typed answers, errors."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from pathlib import Path
from urllib.parse import parse_qs

import pytest

import ucxml
from ucxml.em import (
    AsyncEmClient,
    DeviceState,
    EmClient,
    async_logout_all_action,
    logout_all_action,
    service_urls,
)
from ucxml.errors import EmError, MalformedResponseError, ParameterError
from ucxml.generated.em import models as m
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport

EXAMPLES = Path(__file__).resolve().parents[2] / "schemas/em/examples/corrected"


def _example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def _answer(body: bytes, status: int = 200) -> MockTransport:
    return MockTransport(lambda _: HttpResponse(status, body, {"content-type": "text/xml"}))


def _client(transport: MockTransport, **kwargs: object) -> EmClient:
    return EmClient(
        "https://ucm:8443",
        app_id="emapp",
        app_certificate="s3cr3t",
        transport=transport,
        **kwargs,  # type: ignore[arg-type]
    )


def _posted(request: HttpRequest) -> object:
    fields = parse_qs(request.content.decode("ascii"))
    assert list(fields) == ["xml"]
    return ucxml.parse(fields["xml"][0].encode(), api="em")


@pytest.mark.parametrize(
    ("url", "host", "version", "login", "query"),
    [
        ("https://ucm:8443", None, "other", "https://ucm:8443/emservice/EMServiceServlet", None),
        ("http://ccm/custom/em", None, "other", "http://ccm/custom/em", None),
        (None, "10.0.0.5:8080", "other", "http://10.0.0.5:8080/emservice/EMServiceServlet", None),
        (
            None,
            "10.0.0.5:80",
            "v333",
            "http://10.0.0.5:80/LoginService/login.asp",
            "http://10.0.0.5:80/LoginService/query.asp",
        ),
        (
            "http://ignored/em",
            "10.0.0.6:8080",
            "other",
            "http://10.0.0.6:8080/emservice/EMServiceServlet",
            None,
        ),
    ],
)
def test_service_url_selection(
    url: str | None, host: str | None, version: str, login: str, query: str | None
) -> None:
    urls = service_urls(url, host, version)
    assert urls.login == login
    assert urls.query == (query or login)


def test_undefined_version_is_accepted_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="undefined"):
        urls = service_urls(None, "10.0.0.5:8080", "Undefined")
    assert urls.login.endswith("/emservice/EMServiceServlet")


@pytest.mark.parametrize(
    ("url", "host", "version"), [(None, None, "other"), ("ucm", None, "other"), (None, "h:1", "v9")]
)
def test_bad_service_parameters(url: str | None, host: str | None, version: str) -> None:
    with pytest.raises(ParameterError):
        service_urls(url, host, version)


def test_login_posts_the_form_field() -> None:
    transport = _answer(_example("14-response-success.xml"))
    with _client(transport) as em:
        em.login("SEP0011223344AA", "jdoe", profile="jdoe-UDP-8845", duration=60)
        em.login("SEP0011223344AA", "jdoe", duration="indefinite", remote_ip="10.1.1.1")
    first, second = transport.requests
    assert first.url == "https://ucm:8443/emservice/EMServiceServlet"
    assert first.headers["Content-Type"] == "application/x-www-form-urlencoded"
    request = _posted(first)
    assert isinstance(request, m.Request)
    assert request.app_info.app_id == "emapp" and request.app_info.app_certificate == "s3cr3t"
    assert request.login is not None
    assert request.login.device_name == "SEP0011223344AA" and request.login.user_id == "jdoe"
    assert request.login.device_profile == "jdoe-UDP-8845"
    assert request.login.exclusive_duration == m.ExclusiveDuration(time=60)
    login2 = _posted(second)
    assert isinstance(login2, m.Request) and login2.login is not None
    assert login2.login.exclusive_duration is not None
    assert login2.login.exclusive_duration.indefinite is not None
    assert login2.login.remote_ip_addr == "10.1.1.1"


@pytest.mark.parametrize("duration", [0, -5, "forever", True])
def test_bad_duration_is_refused_before_sending(duration: object) -> None:
    transport = _answer(b"")
    with _client(transport) as em, pytest.raises(ParameterError):
        em.login("SEP0011223344AA", "jdoe", duration=duration)  # type: ignore[arg-type]
    assert transport.requests == []


def test_v333_queries_go_to_query_asp() -> None:
    transport = _answer(_example("25-results-deviceuser-emcc-logged-in.xml"))
    em = EmClient(
        app_id="a",
        app_certificate="c",
        call_manager_host="10.0.0.5:80",
        version="v333",
        transport=transport,
    )
    em.device_user_query("SEP0011223344AA")
    assert transport.requests[0].url == "http://10.0.0.5:80/LoginService/query.asp"


def test_failure_raises_em_error_with_meaning() -> None:
    with (
        _client(_answer(_example("16-response-failure-error-18.xml"))) as em,
        pytest.raises(EmError) as info,
    ):
        em.login("SEP0011223344AA", "jdoe")
    assert (info.value.code, info.value.number) == ("18", 18)
    assert info.value.meaning == "Another user logged in"
    assert "18" in str(info.value) and "s3cr3t" not in str(info.value)


def test_unknown_code_still_raises_with_its_number() -> None:
    body = _example("16-response-failure-error-18.xml").replace(b'code="18"', b'code="999"')
    with _client(_answer(body)) as em, pytest.raises(EmError) as info:
        em.logout("SEP0011223344AA")
    assert info.value.code == "999" and info.value.meaning is None


def test_query_failure_inside_results_raises() -> None:
    with (
        _client(_answer(_example("28-results-deviceuser-failure-error.xml"))) as em,
        pytest.raises(EmError) as info,
    ):
        em.device_user_query("SEP0011223344AA")
    assert info.value.code == "10"


def test_error_message_failure_raises_code_zero() -> None:
    with (
        _client(_answer(_example("23-response-failure-errormessage.xml"))) as em,
        pytest.raises(EmError) as info,
    ):
        em.logout_all()
    assert info.value.code == "0" and info.value.text


def test_device_query_states() -> None:
    with _client(_answer(_example("24-results-deviceuser-dtd.xml"))) as em:
        devices = em.device_user_query("a", "b", "c", "d")
    states = [d.state for d in devices]
    assert DeviceState.LOGGED_IN in states and DeviceState.DOES_NOT_EXIST in states
    assert DeviceState.LOGGED_OUT in states
    with _client(_answer(_example("26-results-deviceuser-emcc-logged-out.xml"))) as em:
        (device,) = em.device_user_query("SEP0011223344BB")
    assert device.state is DeviceState.LOGGED_OUT and device.emcc is False
    with _client(_answer(_example("25-results-deviceuser-emcc-logged-in.xml"))) as em:
        (device,) = em.device_user_query("SEP0011223344AA")
    assert device.state is DeviceState.LOGGED_IN and device.user and device.last_login


def test_user_ids_are_url_decoded_and_raw_kept() -> None:
    with _client(_answer(_example("32-results-userdevices-urlencoded.xml"))) as em:
        users = em.user_devices_query("em@cisco.com")
    assert users[0].user == "em@cisco.com"
    assert users[0].user_raw == "em%40cisco.com"


def test_profiles_and_check_user() -> None:
    with _client(_answer(_example("34-results-deviceprofile.xml"))) as em:
        users = em.device_profile_query("jdoe")
    assert any(p.default for u in users for p in u.profiles)
    with _client(_answer(_example("37-results-checkuser-false.xml"))) as em:
        check = em.check_user("em@cisco.com")
    assert check.exists is False


def test_profile_query_spelling_option() -> None:
    transport = _answer(_example("34-results-deviceprofile.xml"))
    with _client(transport, profile_query_element="userDeviceProfileQuery") as em:
        em.device_profile_query("jdoe")
    assert b"userDeviceProfileQuery" in transport.requests[0].content
    transport = _answer(_example("34-results-deviceprofile.xml"))
    with _client(transport) as em:
        em.device_profile_query("jdoe")
    assert b"userDeviceProfileQuery" not in transport.requests[0].content


def test_wrong_answer_type_is_refused() -> None:
    with (
        _client(_answer(_example("29-results-userdevices.xml"))) as em,
        pytest.raises(MalformedResponseError),
    ):
        em.device_user_query("SEP0011223344AA")


def test_certificate_stays_out_of_reprs() -> None:
    em = _client(_answer(b""))
    assert "s3cr3t" not in repr(em)
    assert "s3cr3t" not in repr(em._core._app_info)


def test_logout_all_action_contract() -> None:
    ok = logout_all_action(
        "emapp", "s3cr3t", url="http://u/em", transport=_answer(_example("14-response-success.xml"))
    )
    assert tuple(ok) == (0, None) and ok.success and ok.branch == "Success"
    failed = logout_all_action(
        "emapp",
        "bad",
        url="http://u/em",
        transport=_answer(_example("21-response-failure-error-3.xml")),
    )
    code, message = failed
    assert code == 3 and message and failed.branch == "Failure"
    no_xml = logout_all_action("emapp", "s3cr3t", url="http://u/em", transport=_answer(b""))
    assert tuple(no_xml) == (0, None) and no_xml.branch == "Failure"


def test_logout_all_action_unreachable_service() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.warns(UserWarning, match="undefined"):
        result = logout_all_action(
            "emapp", "s3cr3t", call_manager_host=f"127.0.0.1:{port}", timeout=2
        )
    assert tuple(result) == (0, None) and result.branch == "Failure"


def test_async_client_and_action() -> None:
    body = _example("14-response-success.xml")

    async def run() -> tuple[object, ...]:
        transport = AsyncMockTransport(
            lambda _: HttpResponse(200, body, {"content-type": "text/xml"})
        )
        async with AsyncEmClient(
            "http://u", app_id="emapp", app_certificate="s3cr3t", transport=transport
        ) as em:
            await em.logout("SEP0011223344AA")
        result = await async_logout_all_action(
            "emapp", "s3cr3t", url="http://u/em", version="other", transport=transport
        )
        return len(transport.requests), tuple(result)

    assert asyncio.run(run()) == (2, (0, None))


def test_results_carry_the_release_and_what_no_release_has(
    caplog: pytest.LogCaptureFixture,
) -> None:
    real = EXAMPLES.parent / "realworld" / "deviceuserresults-response-emcc.xml"
    # A real CUCM answer (wrapped: 12.x), with one attribute and one element no release has.
    body = real.read_bytes().replace(
        b'<device name="SEP402CF4915265">',
        b'<device name="SEP402CF4915265" site="hq"><uxNewField>7</uxNewField>',
    )
    with _client(_answer(body)) as em:
        (device,) = em.device_user_query("SEP402CF4915265")
    assert "not in the schema of any known release (kept) [T-UNKNOWN]" in caplog.text
    assert (device.user, device.release) == ("em@cisco.com", "12.x")
    assert device.raw is not None and device.raw.extra is not None
    assert device.raw.extra.attributes == {"site": "hq"}
    assert [u.xml for u in device.raw.extra.elements] == ["<uxNewField>7</uxNewField>"]
    # Neither is part of equality or of the repr: the result is the same whatever answered.
    assert device == dataclasses.replace(device, release=None, raw=None)
    assert "release" not in repr(device) and "uxNewField" not in repr(device)
    with _client(_answer(_example("34-results-deviceprofile.xml"))) as em:
        users = em.device_profile_query("jdoe")
    assert {u.release for u in users} == {"4.0"} and all(u.raw for u in users)
