"""The Extension Mobility emulator over real loopback HTTP (uvicorn + httpx).

Requests are posted as the real clients post them: ``application/x-www-form-urlencoded``
with one field ``xml``.  Every answer is checked with
:func:`ucxml._validation.validate_bytes` against the corrected EM schema and read back with
:func:`ucxml._documents.parse`.  One server runs for the module; each test installs a fresh
app (fresh service on a fake clock, fresh faults) behind it.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from ucxml import DeviationWarning, parse, serialize
from ucxml._validation import validate_bytes
from ucxml.em import EM_ERROR_CODES, EmClient, EmVersion, logout_all_action
from ucxml.emulator import (
    DEMO_EM_APP_CERTIFICATE,
    DEMO_EM_APP_ID,
    DEMO_EM_NOPROXY_APP_ID,
    DEMO_EM_NOPROXY_CERTIFICATE,
    EM_LOGIN_PATH,
    EM_PATHS,
    EM_QUERY_PATH,
    EM_SERVLET_PATH,
    EmFaults,
    EmService,
    EmulatorServer,
    create_app,
    create_em_app,
)
from ucxml.emulator.em_app import lastlogin_text
from ucxml.errors import EmError
from ucxml.generated.em import models as m

AA, BB, CC = "SEP0011223344AA", "SEP0011223344BB", "SEP0011223344CC"
UNKNOWN_DEVICE = "SEPFFFFFFFFFFFF"
R = TypeVar("R")


class FakeClock:
    """A settable wall clock (seconds since the epoch)."""

    def __init__(self) -> None:
        self.value = 1_700_000_000.0

    def __call__(self) -> float:
        return self.value


class Slot:
    """An ASGI app forwarding to whichever app the current test installed."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def slot() -> Slot:
    return Slot()


@pytest.fixture(scope="module")
def server(slot: Slot) -> Iterator[EmulatorServer]:
    with EmulatorServer(slot) as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(clock: FakeClock) -> EmService:
    em = EmService(clock=clock)
    em.seed_demo()
    return em


@pytest.fixture
def app(slot: Slot, service: EmService) -> Starlette:
    installed = create_em_app(service)
    slot.app = installed
    return installed


@pytest.fixture
def faults(app: Starlette) -> EmFaults:
    found: EmFaults = app.state.faults
    return found


@pytest.fixture
def client(server: EmulatorServer, app: Starlette) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=5.0) as c:
        yield c


# --------------------------------------------------------------------------- helpers


def app_info(app_id: str = DEMO_EM_APP_ID, certificate: str = DEMO_EM_APP_CERTIFICATE) -> m.AppInfo:
    return m.AppInfo(app_id=app_id, app_certificate=certificate)


def login_request(
    device: str,
    user: str,
    profile: str | None = None,
    duration: int | str | None = None,
    *,
    info: m.AppInfo | None = None,
) -> m.Request:
    exclusive = None
    if duration == "indefinite":
        exclusive = m.ExclusiveDuration(indefinite=m.Empty())
    elif isinstance(duration, int):
        exclusive = m.ExclusiveDuration(time=duration)
    login = m.Login(
        device_name=device, user_id=user, device_profile=profile, exclusive_duration=exclusive
    )
    return m.Request(app_info=info or app_info(), login=login)


def logout_request(device: str, *, info: m.AppInfo | None = None) -> m.Request:
    return m.Request(app_info=info or app_info(), logout=m.Logout(device_name=device))


def logout_all_request(*, info: m.AppInfo | None = None) -> m.Request:
    return m.Request(app_info=info or app_info(), logout_all=m.LogoutAll())


def device_user_query(*devices: str, info: m.AppInfo | None = None) -> m.Query:
    query = m.DeviceUserQuery(device_name=list(devices))
    return m.Query(app_info=info or app_info(), device_user_query=query)


def user_devices_query(*users: str, info: m.AppInfo | None = None) -> m.Query:
    query = m.UserDevicesQuery(user_id=list(users))
    return m.Query(app_info=info or app_info(), user_devices_query=query)


def check_user_query(user: str, *, info: m.AppInfo | None = None) -> m.Query:
    return m.Query(app_info=info or app_info(), check_user=m.CheckUser(user_id=user))


def profile_query(*users: str, info: m.AppInfo | None = None) -> m.Query:
    query = m.DeviceProfileQuery(user_id=list(users))
    return m.Query(app_info=info or app_info(), device_profile_query=query)


def post(client: httpx.Client, document: m.Request | m.Query | str, path: str) -> httpx.Response:
    text = document if isinstance(document, str) else serialize(document).decode()
    return client.post(path, data={"xml": text})


def read(response: httpx.Response) -> Any:
    """Check status, content type and schema validity; return the typed answer."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    report = validate_bytes(response.content, "em")
    assert report.valid, report.issues
    # Query results come wrapped in <response> and user IDs URL-encoded, as from a real
    # CUCM: those are the only warnings an answer may carry.
    assert {i.code for i in report.warnings} <= {"T-WRAPPER", "T-URL-ENCODED"}, report.warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviationWarning)
        return parse(response.content, "em")


def call(
    client: httpx.Client,
    document: m.Request | m.Query | str,
    expected: type[R],
    path: str = EM_SERVLET_PATH,
) -> R:
    answer = read(post(client, document, path))
    assert type(answer) is expected, answer
    return answer


def assert_error(failure: m.Failure | None, code: int) -> None:
    assert failure is not None and failure.error is not None
    assert (failure.error.code, failure.error.value) == (code, EM_ERROR_CODES[code])


def assert_success(
    client: httpx.Client, request: m.Request | str, path: str = EM_SERVLET_PATH
) -> None:
    answer = call(client, request, m.Response, path)
    assert answer.failure is None and answer.success is not None


def assert_response_error(
    client: httpx.Client, request: m.Request | m.Query | str, code: int, path: str = EM_SERVLET_PATH
) -> None:
    answer = call(client, request, m.Response, path)
    assert answer.success is None
    assert_error(answer.failure, code)


# --------------------------------------------------------------------------- requests


@pytest.mark.parametrize("path", [EM_SERVLET_PATH, EM_LOGIN_PATH])
def test_login_and_logout(
    client: httpx.Client, service: EmService, clock: FakeClock, path: str
) -> None:
    assert_success(client, login_request(AA, "jdoe", "jdoe-UDP-7975", 60), path)
    login = service.login_of(AA)
    assert login is not None
    assert (login.user, login.profile, login.expires) == (
        "jdoe",
        "jdoe-UDP-7975",
        clock.value + 3600,
    )
    assert_success(client, logout_request(AA), path)
    assert service.login_of(AA) is None


def test_login_defaults_and_indefinite(client: httpx.Client, service: EmService) -> None:
    assert_success(client, login_request(AA, "jdoe", duration="indefinite"))
    login = service.login_of(AA)
    assert login is not None and (login.profile, login.expires) == ("jdoe-UDP-8845", None)


def test_login_the_published_example_shape(client: httpx.Client, service: EmService) -> None:
    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<request>
  <appInfo>
    <appID>{DEMO_EM_APP_ID}</appID>
    <appCertificate>{DEMO_EM_APP_CERTIFICATE}</appCertificate>
  </appInfo>
  <login>
    <deviceName>{AA}</deviceName>
    <userID>em@cisco.com</userID>
    <exclusiveDuration><indefinite/></exclusiveDuration>
    <remoteIPAddr>10.10.20.51</remoteIPAddr>
    <isViaHeaderSet>true</isViaHeaderSet>
  </login>
</request>"""
    assert_success(client, document)
    login = service.login_of(AA)
    assert login is not None and (login.user, login.profile) == ("em@cisco.com", "em-UDP")


def test_same_user_again_refreshes(client: httpx.Client, service: EmService) -> None:
    assert_success(client, login_request(AA, "jdoe"))
    assert_success(client, login_request(AA, "jdoe", "jdoe-UDP-7975"))
    login = service.login_of(AA)
    assert login is not None and login.profile == "jdoe-UDP-7975"


@pytest.mark.parametrize("path", [EM_SERVLET_PATH, EM_LOGIN_PATH])
def test_logout_all(client: httpx.Client, service: EmService, path: str) -> None:
    assert_success(client, login_request(AA, "jdoe"))
    assert_success(client, login_request(BB, "asmith"))
    assert_success(client, logout_all_request(), path)
    assert service.logins() == []
    assert_success(
        client,
        "<request><appInfo><appID>emapp</appID><appCertificate>"
        "emapp-secret</appCertificate></appInfo><logoutAll><remoteIPAddr>10.0.0.1"
        "</remoteIPAddr></logoutAll></request>",
        path,
    )


def test_login_error_codes(client: httpx.Client, service: EmService) -> None:
    bad_app = app_info(certificate="wrong")
    unknown_app = app_info(app_id="nobody")
    no_proxy = app_info(DEMO_EM_NOPROXY_APP_ID, DEMO_EM_NOPROXY_CERTIFICATE)
    assert_response_error(client, login_request(AA, "jdoe", info=bad_app), 3)
    assert_response_error(client, login_request(AA, "jdoe", info=unknown_app), 3)
    assert_response_error(client, login_request(AA, "jdoe", info=no_proxy), 10)
    assert_response_error(client, login_request(UNKNOWN_DEVICE, "jdoe"), 11)
    assert_response_error(client, login_request(AA, "jdoe", "asmith-UDP"), 12)
    assert_response_error(client, login_request(AA, "jdoe", "no-such-UDP"), 12)
    assert_response_error(client, login_request(AA, "nobody"), 23)
    assert_success(client, login_request(AA, "jdoe"))
    assert_response_error(client, login_request(AA, "asmith"), 18)
    assert_response_error(client, login_request(BB, "jdoe"), 25)
    service.allow_multiple_logins = True
    assert_success(client, login_request(BB, "jdoe"))


def test_logout_error_codes(client: httpx.Client) -> None:
    assert_response_error(client, logout_request(AA), 19)
    assert_response_error(client, logout_request(UNKNOWN_DEVICE), 11)
    assert_response_error(client, logout_request(AA, info=app_info(certificate="x")), 3)
    no_proxy = app_info(DEMO_EM_NOPROXY_APP_ID, DEMO_EM_NOPROXY_CERTIFICATE)
    assert_response_error(client, logout_all_request(info=no_proxy), 10)


def test_busy_is_26_for_requests_and_queries(client: httpx.Client, service: EmService) -> None:
    service.busy = True
    assert_response_error(client, login_request(AA, "jdoe"), 26)
    assert_response_error(client, logout_request(AA), 26)
    assert_response_error(client, logout_all_request(), 26, EM_LOGIN_PATH)
    assert_error(call(client, device_user_query(AA), m.DeviceUserResults).failure, 26)
    assert_error(call(client, user_devices_query("jdoe"), m.UserDevicesResults).failure, 26)
    assert_error(call(client, check_user_query("jdoe"), m.CheckUserResults).failure, 26)
    answer = call(client, profile_query("jdoe"), m.DeviceProfileResults, EM_QUERY_PATH)
    assert_error(answer.failure, 26)


def test_exclusive_duration_expires(client: httpx.Client, clock: FakeClock) -> None:
    assert_success(client, login_request(AA, "jdoe", duration=1))
    assert_response_error(client, login_request(AA, "asmith"), 18)
    clock.value += 60
    assert_success(client, login_request(AA, "asmith"))


# --------------------------------------------------------------------------- queries


@pytest.mark.parametrize("path", [EM_SERVLET_PATH, EM_QUERY_PATH])
def test_device_user_query_shapes(client: httpx.Client, clock: FakeClock, path: str) -> None:
    assert_success(client, login_request(AA, "em@cisco.com"))
    response = post(client, device_user_query(AA, BB, UNKNOWN_DEVICE), path)
    answer = read(response)
    assert isinstance(answer, m.DeviceUserResults) and answer.failure is None
    logged_in, logged_out, unknown = answer.device
    assert logged_in == m.Device(
        name=AA,
        user_id="em%40cisco.com",
        lastlogin="em%40cisco.com",
        emcc_device=m.YesNo.NO,
    )
    assert logged_out == m.Device(name=BB, none=[m.Empty(), m.Empty()], emcc_device=m.YesNo.NO)
    assert unknown == m.Device(name=UNKNOWN_DEVICE, does_not_exist=m.Empty())
    # The wire text, as the published traces show it.
    text = response.text
    assert "<userID>em%40cisco.com</userID>" in text
    assert f'<device name="{BB}"><none/><none/><emccDevice>no</emccDevice></device>' in text
    assert f'<device name="{UNKNOWN_DEVICE}"><doesNotExist/></device>' in text


def test_lastlogin_is_the_user_last_logged_in(client: httpx.Client, clock: FakeClock) -> None:
    """Real CUCM puts a user ID in lastlogin, not a time (extension-mobility spec)."""
    assert_success(client, login_request(AA, "jdoe"))
    clock.value += 3600
    answer = call(client, device_user_query(AA), m.DeviceUserResults)
    assert answer.device[0].lastlogin == "jdoe" == lastlogin_text("jdoe")
    assert lastlogin_text("em@cisco.com") == "em%40cisco.com"


def test_query_results_are_wrapped_in_response(client: httpx.Client) -> None:
    """Every real CUCM answers a query's results inside <response>; the emulator too."""
    response = post(client, device_user_query(AA), EM_SERVLET_PATH)
    assert response.text.lstrip().startswith("<?xml")
    body = response.text.split("?>", 1)[1].strip()
    assert body.startswith("<response><deviceUserResults>"), body
    assert body.endswith("</deviceUserResults></response>"), body


def test_device_user_query_with_cucm12_extras(client: httpx.Client) -> None:
    document = f"""<query><appInfo><appID>{DEMO_EM_APP_ID}</appID>
<appCertificate>{DEMO_EM_APP_CERTIFICATE}</appCertificate></appInfo>
<deviceUserQuery><deviceName>{AA}</deviceName><loginType>UID</loginType>
<remoteIPAddr>10.10.20.51</remoteIPAddr></deviceUserQuery></query>"""
    answer = call(client, document, m.DeviceUserResults)
    assert len(answer.device[0].none) == 2


def test_user_devices_query(client: httpx.Client, service: EmService) -> None:
    service.allow_multiple_logins = True
    assert_success(client, login_request(CC, "em@cisco.com"))
    assert_success(client, login_request(AA, "em@cisco.com"))
    answer = call(
        client, user_devices_query("em@cisco.com", "jdoe", "nobody"), m.UserDevicesResults
    )
    assert answer.user == [
        m.DevicesUser(id="em%40cisco.com", device_name=[AA, CC]),
        m.DevicesUser(id="jdoe", none=m.Empty()),
        m.DevicesUser(id="nobody", does_not_exist=m.Empty()),
    ]


@pytest.mark.parametrize("path", [EM_SERVLET_PATH, EM_QUERY_PATH])
def test_check_user(client: httpx.Client, path: str) -> None:
    answer = call(client, check_user_query("em@cisco.com"), m.CheckUserResults, path)
    assert answer.user == [m.CheckedUser(id="em%40cisco.com", exists="true")]
    answer = call(client, check_user_query("nobody"), m.CheckUserResults, path)
    assert answer.user == [m.CheckedUser(id="nobody", exists="false")]


def test_device_profile_query(client: httpx.Client) -> None:
    answer = call(client, profile_query("jdoe", "em@cisco.com"), m.DeviceProfileResults)
    t, f = m.DefaultFlag.T, m.DefaultFlag.F
    assert answer.user == [
        m.ProfilesUser(
            id="jdoe",
            device_profile=[
                m.DeviceProfile(device_profile_name="jdoe-UDP-8845", is_default_device_profile=t),
                m.DeviceProfile(device_profile_name="jdoe-UDP-7975", is_default_device_profile=f),
            ],
        ),
        m.ProfilesUser(
            id="em%40cisco.com",
            device_profile=[
                m.DeviceProfile(device_profile_name="em-UDP", is_default_device_profile=t)
            ],
        ),
    ]
    # One unknown user among known ones: its own failure inside its <user> (ERRATA D16).
    mixed = call(client, profile_query("jdoe", "nobody"), m.DeviceProfileResults)
    assert mixed.failure is None and [u.id for u in mixed.user] == ["jdoe", "nobody"]
    assert mixed.user[0].device_profile and mixed.user[1].failure is not None
    assert_error(mixed.user[1].failure, 23)


def test_user_device_profile_query_spelling(client: httpx.Client) -> None:
    document = f"""<query><appInfo><appID>{DEMO_EM_APP_ID}</appID>
<appCertificate>{DEMO_EM_APP_CERTIFICATE}</appCertificate></appInfo>
<userDeviceProfileQuery><userID>asmith</userID></userDeviceProfileQuery></query>"""
    answer = call(client, document, m.DeviceProfileResults, EM_QUERY_PATH)
    assert [p.device_profile_name for p in answer.user[0].device_profile] == ["asmith-UDP"]


@pytest.mark.parametrize(
    ("info", "code"),
    [
        (app_info(certificate="wrong"), 3),
        (app_info(app_id="nobody"), 3),
        (app_info(DEMO_EM_NOPROXY_APP_ID, DEMO_EM_NOPROXY_CERTIFICATE), 10),
    ],
)
def test_query_failures_take_the_results_shape(
    client: httpx.Client, info: m.AppInfo, code: int
) -> None:
    answer1 = call(client, device_user_query(AA, info=info), m.DeviceUserResults)
    assert answer1.device == []
    assert_error(answer1.failure, code)
    answer2 = call(client, user_devices_query("jdoe", info=info), m.UserDevicesResults)
    assert_error(answer2.failure, code)
    answer3 = call(client, check_user_query("jdoe", info=info), m.CheckUserResults)
    assert_error(answer3.failure, code)
    answer4 = call(client, profile_query("jdoe", info=info), m.DeviceProfileResults)
    assert_error(answer4.failure, code)


# --------------------------------------------------------------------------- parse errors


PARSE_ERRORS = {
    "malformed": "<request><appInfo>",
    "doctype": '<!DOCTYPE request [<!ENTITY x "y">]><request/>',
    "empty": "",
    "a response": "<response><success/></response>",
    "a results element": "<checkUserResults><user id='a'><exists>true</exists></user>"
    "</checkUserResults>",
    "another root": "<hello/>",
    "schema-invalid": f"<request><appInfo><appID>emapp</appID><appCertificate>x"
    f"</appCertificate></appInfo><login><deviceName>{AA}</deviceName></login></request>",
    "unknown element": f"<query><appInfo><appID>emapp</appID><appCertificate>x"
    f"</appCertificate></appInfo><deviceUserQuery><deviceName>{AA}</deviceName><extra/>"
    f"</deviceUserQuery></query>",
    "bad duration": f"<request><appInfo><appID>emapp</appID><appCertificate>x"
    f"</appCertificate></appInfo><login><deviceName>{AA}</deviceName><userID>jdoe</userID>"
    f"<exclusiveDuration><time>0</time></exclusiveDuration></login></request>",
}


@pytest.mark.parametrize("path", EM_PATHS)
@pytest.mark.parametrize("document", PARSE_ERRORS.values(), ids=PARSE_ERRORS.keys())
def test_unreadable_documents_answer_code_1(client: httpx.Client, document: str, path: str) -> None:
    assert_response_error(client, document, 1, path)


@pytest.mark.parametrize("path", EM_PATHS)
def test_missing_field_or_wrong_encoding_is_code_1(client: httpx.Client, path: str) -> None:
    request = serialize(check_user_query("jdoe")).decode()
    for response in (
        client.post(path, data={"document": request}),
        client.post(path, content=b""),
        client.post(path, content=request, headers={"Content-Type": "text/xml"}),
    ):
        answer = read(response)
        assert isinstance(answer, m.Response)
        assert_error(answer.failure, 1)


def test_form_field_decoding(client: httpx.Client, service: EmService) -> None:
    """Other fields are ignored, '+' is a space, non-ASCII survives percent-encoding."""
    service.add_user("zoë")
    document = serialize(check_user_query("zoë")).decode()
    response = client.post(EM_SERVLET_PATH, data={"other": "1", "xml": document, "z": "+"})
    answer = read(response)
    assert answer.user == [m.CheckedUser(id="zo%C3%AB", exists="true")]


def test_wrong_url_is_code_8(client: httpx.Client, service: EmService) -> None:
    assert_response_error(client, check_user_query("jdoe"), 8, EM_LOGIN_PATH)
    assert_response_error(client, login_request(AA, "jdoe"), 8, EM_QUERY_PATH)
    assert_response_error(client, logout_all_request(), 8, EM_QUERY_PATH)
    assert service.logins() == []


def test_oversize_body_is_413(client: httpx.Client) -> None:
    response = client.post(EM_SERVLET_PATH, data={"xml": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413


def test_other_methods_are_405_and_a_bare_get_a_parse_error(client: httpx.Client) -> None:
    for path in EM_PATHS:
        assert client.put(path, content=b"xml=").status_code == 405
        answer = read(client.get(path))  # no xml= in the query string
        assert answer.failure is not None and answer.failure.error is not None
        assert answer.failure.error.code == 1


# --------------------------------------------------------------------------- faults


def test_fault_status(client: httpx.Client, faults: EmFaults) -> None:
    faults.status = 503
    response = post(client, check_user_query("jdoe"), EM_SERVLET_PATH)
    assert (response.status_code, response.text) == (503, "503 Service Unavailable\n")
    faults.clear()
    read(post(client, check_user_query("jdoe"), EM_SERVLET_PATH))


def test_fault_html(client: httpx.Client, faults: EmFaults) -> None:
    faults.html = True
    response = post(client, check_user_query("jdoe"), EM_QUERY_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_fault_garbage(client: httpx.Client, faults: EmFaults) -> None:
    faults.garbage = True
    response = post(client, logout_all_request(), EM_LOGIN_PATH)
    assert response.status_code == 200
    assert not validate_bytes(response.content, "em").valid


def test_fault_no_xml(client: httpx.Client, faults: EmFaults) -> None:
    faults.no_xml = True
    response = post(client, logout_all_request(), EM_SERVLET_PATH)
    assert (response.status_code, response.content) == (200, b"")


def test_fault_truncate(client: httpx.Client, faults: EmFaults) -> None:
    faults.truncate = True
    with pytest.raises(httpx.RemoteProtocolError):
        post(client, check_user_query("jdoe"), EM_SERVLET_PATH)


def test_fault_delay(client: httpx.Client, faults: EmFaults) -> None:
    faults.delay = 0.3
    started = time.monotonic()
    read(post(client, check_user_query("jdoe"), EM_SERVLET_PATH))
    assert time.monotonic() - started >= 0.3
    faults.delay = 0.0
    with pytest.raises(httpx.ReadTimeout):
        faults.delay = 1.0
        client.post(EM_SERVLET_PATH, data={"xml": "<x/>"}, timeout=0.2)


# --------------------------------------------------------------------------- combined app


def test_create_app_mounts_the_demo_em_service(slot: Slot, server: EmulatorServer) -> None:
    combined = create_app()
    slot.app = combined
    assert isinstance(combined.state.em_service, EmService)
    assert isinstance(combined.state.em_faults, EmFaults)
    with httpx.Client(base_url=server.base_url, timeout=5.0) as client:
        assert_success(client, login_request(BB, "asmith"), EM_LOGIN_PATH)
        answer = call(client, user_devices_query("asmith"), m.UserDevicesResults, EM_QUERY_PATH)
        assert answer.user == [m.DevicesUser(id="asmith", device_name=[BB])]
        combined.state.em_faults.status = 500
        assert post(client, logout_request(BB), EM_SERVLET_PATH).status_code == 500


def test_create_app_takes_a_service(slot: Slot, service: EmService) -> None:
    combined = create_app(em=service)
    assert combined.state.em_service is service


def test_em_client_against_the_emulator(
    slot: Slot, server: EmulatorServer, service: EmService
) -> None:
    slot.app = create_em_app(service)
    with EmClient(
        server.base_url, app_id=DEMO_EM_APP_ID, app_certificate=DEMO_EM_APP_CERTIFICATE
    ) as em:
        em.login(AA, "em@cisco.com", duration="indefinite")
        (device,) = em.device_user_query(AA)
        assert (device.device, device.user) == (AA, "em@cisco.com")
        with pytest.raises(EmError) as caught:
            em.login(AA, "jdoe")
        assert caught.value.code == "18"
        assert em.check_user("em@cisco.com").exists
        profiles = em.device_profile_query("jdoe")[0].profiles
        assert [p.default for p in profiles] == [True, False]
    with EmClient(
        app_id=DEMO_EM_APP_ID,
        app_certificate=DEMO_EM_APP_CERTIFICATE,
        call_manager_host=server.base_url.removeprefix("http://"),
        version=EmVersion.V333,
    ) as em333:
        assert em333.user_devices_query("em@cisco.com")[0].devices == (AA,)
    result = logout_all_action(
        DEMO_EM_APP_ID,
        DEMO_EM_APP_CERTIFICATE,
        call_manager_host=server.base_url.removeprefix("http://"),
        version="v333",
    )
    assert (result.error_code, result.error_message, result.success) == (0, None, True)
    assert service.logins() == []


# --------------------------------------------------------------------------- what the field sends

REALWORLD = Path(__file__).resolve().parents[2] / "schemas/em/examples/realworld"


@pytest.mark.parametrize("encoded", [True, False], ids=["url-encoded", "raw"])
def test_get_with_the_form_in_the_query_string(client: httpx.Client, encoded: bool) -> None:
    """``GET EMServiceServlet?xml=<query>…``, URL-encoded or not, is read like a POST."""
    assert_success(client, login_request(AA, "jdoe"))
    document = serialize(device_user_query(AA)).decode().split("?>", 1)[1].strip()
    query = quote(document, safe="") if encoded else document
    response = client.get(f"{EM_SERVLET_PATH}?xml={query}")
    answer = read(response)
    assert isinstance(answer, m.DeviceUserResults), answer
    assert answer.device[0].user_id == "jdoe"


def test_indefinite_written_with_an_end_tag(client: httpx.Client, service: EmService) -> None:
    document = f"""<request><appInfo><appID>{DEMO_EM_APP_ID}</appID>
<appCertificate>{DEMO_EM_APP_CERTIFICATE}</appCertificate></appInfo>
<login><deviceName>{AA}</deviceName><userID>jdoe</userID>
<exclusiveDuration><indefinite></indefinite></exclusiveDuration></login></request>"""
    assert_success(client, document)
    login = service.login_of(AA)
    assert login is not None and login.expires is None


def test_a_trace_doctype_is_read_never_fetched(client: httpx.Client) -> None:
    """CUCM's EMApp logs requests with ``<!DOCTYPE query SYSTEM "http://…/LoginQuery.dtd">``;
    the URL here is a closed loopback port: fetching it would fail the request."""
    document = serialize(check_user_query("jdoe")).decode().split("?>", 1)[1]
    doctype = '<!DOCTYPE query SYSTEM "http://127.0.0.1:9/emservice/jsp/LoginQuery.dtd">\n'
    answer = call(client, doctype + document, m.CheckUserResults)
    assert answer.user[0].exists == "true"


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in REALWORLD.glob("*.xml")
        if p.read_bytes().find(b"<request") >= 0 or p.read_bytes().find(b"<query") >= 0
    ),
    ids=lambda p: p.name,
)
def test_every_real_request_is_understood(client: httpx.Client, path: Path) -> None:
    """Each real request or query reaches the service: its app user is unknown here, so the
    answer is error 3 (invalid app user), never 1 (parse) or 8 (query type)."""
    response = post(client, path.read_text(encoding="utf-8"), EM_SERVLET_PATH)
    answer = read(response)
    failure = answer.failure
    assert failure is not None and failure.error is not None, answer
    assert failure.error.code == 3, failure
