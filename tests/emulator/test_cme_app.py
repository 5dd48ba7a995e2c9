"""The CME XML API emulator over real loopback HTTP (uvicorn + httpx).

Requests are built with the generated request models and :func:`ucxml.documents.serialize`;
every answer is checked against the corrected schema with :func:`ucxml.validation.validate`
and read back with :func:`ucxml.documents.parse`.  One server runs for the module; each
test installs a fresh app (fresh router, fresh faults) behind it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from ucxml.documents import parse, serialize
from ucxml.emulator import (
    CME_PATH,
    DEMO_PASSWORD,
    DEMO_USER,
    CmeFaults,
    CmeRouter,
    CmeService,
    EmulatorServer,
    SipConfig,
    create_app,
    create_cme_app,
)
from ucxml.emulator.cme_state import INVALID_INPUT, URL_DIRECTORIES
from ucxml.errors import XmlSyntaxError
from ucxml.generated.cme import models as m
from ucxml.validation import validate

USER = "admin"
PASSWORD = "s3cret-pw"
EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "cme" / "examples" / "corrected"

R = TypeVar("R")

PROVISION = [
    "telephony-service",
    " max-ephones 24",
    " max-dn 48",
    " ip source-address 192.168.5.1 port 2000",
    " url directories http://192.168.5.1/dir.xml",
    "ephone-dn 10 dual-line",
    " number 3010 secondary 3099",
    " name Ann Smith",
    " call-forward all 3999",
    "ephone-dn 11",
    " number 3011",
    "ephone 10",
    ' username "ann" password pw1',
    " mac-address 1111.2222.3333",
    " type 7965",
    " button 1:10 2:11",
    "ephone 11",
    " mac-address AAAA.BBBB.CCCC",
    " type CIPC",
    " button 1s11",
    "end",
]


class FakeClock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.value = 5000.0

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
def router(clock: FakeClock) -> CmeRouter:
    return CmeRouter(
        clock=clock, xml_users={USER: (PASSWORD, 15), "viewer": ("view", 1)}, host_name="R1"
    )


@pytest.fixture
def app(slot: Slot, router: CmeRouter) -> Starlette:
    installed = create_cme_app(router)
    slot.app = installed
    return installed


@pytest.fixture
def faults(app: Starlette) -> CmeFaults:
    found: CmeFaults = app.state.faults
    return found


@pytest.fixture
def client(server: EmulatorServer, app: Starlette) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, auth=(USER, PASSWORD), timeout=5.0) as c:
        yield c


@pytest.fixture
def provisioned(client: httpx.Client, router: CmeRouter, clock: FakeClock) -> CmeRouter:
    """Two ephones and two dns configured through ISexecCLI; ephone 10 registered."""
    answer = call(
        client, m.ISexecCLI(exec_cli=m.ISexecCLIParams(cli=PROVISION)), m.ISexecCLIResponse
    )
    assert (answer.result, answer.error) == (0, "")
    clock.value += 42
    router.register(10, "192.168.5.10")
    router.tick(10, 7)
    return router


# --------------------------------------------------------------------------- helpers


def post(client: httpx.Client, body: bytes | str, **kwargs: Any) -> httpx.Response:
    headers = {"Content-Type": "text/xml"}
    return client.post(CME_PATH, content=body, headers=headers, **kwargs)


def assert_valid_xml_answer(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    report = validate(response.content)
    assert report.valid, report.issues


def call(client: httpx.Client, request: m.ISRequest, expected: type[R]) -> R:
    """Post ``request``; check status, content type and schema; return the typed answer."""
    response = post(client, serialize(request))
    assert_valid_xml_answer(response)
    answer = parse(response.content, "cme")
    assert type(answer) is expected
    return answer


def get_device(
    client: httpx.Client, *, ids: Sequence[int] = (), names: Sequence[Any] = ()
) -> list[m.ISDevice]:
    params = m.ISgetDeviceParams(dev_id=list(ids), dev_name=list(names))
    return call(client, m.ISgetDevice(get_device=params), m.ISgetDeviceResponse).device


def get_extension(
    client: httpx.Client, *, ids: Sequence[int] = (), numbers: Sequence[Any] = ()
) -> list[m.ISExtension]:
    params = m.ISgetExtensionParams(ext_id=list(ids), ext_number=list(numbers))
    return call(client, m.ISgetExtension(get_extension=params), m.ISgetExtensionResponse).extension


def one_line_text(response: httpx.Response, status: int) -> str:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert text.endswith("\n") and "\n" not in text[:-1]
    return text


# --------------------------------------------------------------------------- ISexecCLI


def test_exec_cli_provisions_the_router(provisioned: CmeRouter) -> None:
    assert [e.tag for e in provisioned.devices(names=["all"])] == [10, 11]
    assert [d.number for d in provisioned.extensions(numbers=["all"])] == ["3010", "3011"]
    assert provisioned.global_info().address == "192.168.5.1"


def test_exec_cli_failure_answers_the_failing_line_and_text(
    client: httpx.Client, router: CmeRouter
) -> None:
    lines = ["ephone 12", "mac-address 1111.2222.4444", "bogus command", "type 7960"]
    answer = call(client, m.ISexecCLI(exec_cli=m.ISexecCLIParams(cli=lines)), m.ISexecCLIResponse)
    assert answer.result == 3
    assert answer.error == INVALID_INPUT
    [phone] = router.devices([12])
    assert phone.mac == "SEP111122224444"
    assert phone.type is None  # the line after the failure was not applied


def test_exec_cli_documented_failure(client: httpx.Client) -> None:
    lines = ["ephone 4", "mac-address 000D.BC80.EB51", "type 7960", "button 1:1"]
    answer = call(client, m.ISexecCLI(exec_cli=m.ISexecCLIParams(cli=lines)), m.ISexecCLIResponse)
    assert (answer.result, answer.error) == (4, " invalid input dn parameter for button 1")


# --------------------------------------------------------------------------- ISSaveConfig


def test_save_config_success_delay_and_fail(client: httpx.Client, router: CmeRouter) -> None:
    def save() -> m.SaveConfigResult:
        request = m.ISSaveConfig(save_config=m.NoParams())
        return call(client, request, m.ISSaveConfigResponse).save_config_result

    assert save() is m.SaveConfigResult.SUCCESS
    assert "hostname R1" in router.startup_config()
    router.terminal_sessions = 1
    assert save() is m.SaveConfigResult.DELAY
    router.nvram_full = True
    assert save() is m.SaveConfigResult.FAIL


# --------------------------------------------------------------------------- ISgetGlobal


def test_get_global_reflects_the_router(client: httpx.Client, provisioned: CmeRouter) -> None:
    answer = call(client, m.ISgetGlobal(get_global=m.NoParams()), m.ISgetGlobalResponse)
    assert answer.address == "192.168.5.1"
    assert answer.mode == "ITS"
    assert answer.name == "R1"
    assert answer.device_registered == 1
    assert answer.peak_device_registered == 1
    assert answer.peak_device_registered_time == 42
    assert (answer.configured_device, answer.configured_extension) == (2, 2)
    assert (answer.max_ephone, answer.max_dn) == (24, 48)
    assert answer.port_number == 2000
    assert [(u.url_type, u.url_link) for u in answer.url_services] == [
        (URL_DIRECTORIES, "http://192.168.5.1/dir.xml")
    ]


# --------------------------------------------------------------------------- ISgetDevice


def test_get_device_by_tag_has_the_documented_shape(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    [device] = get_device(client, ids=[10])
    assert device.dev_id == 10
    assert device.dev_name == "SEP111122223333"
    assert device.dev_type == "IP Phone 7965"
    assert device.dev_user_name == "ann"
    assert [(b.dev_line_button_id, b.dev_line_button_mode) for b in device.dev_line_button] == [
        (1, "Normal"),
        (2, "Normal"),
    ]
    assert device.dev_addr == m.Address(xipv4_address="192.168.5.10")
    assert device.phone_line_list is not None
    assert device.phone_line_list.ext_map_status == [
        m.ExtMapStatus(
            line_id=1, ext_id=10, ext_number="3010", ext_status=True, line_state=m.LineState.IDLE
        ),
        m.ExtMapStatus(
            line_id=2, ext_id=11, ext_number="3011", ext_status=True, line_state=m.LineState.IDLE
        ),
    ]
    assert device.key_phone is False
    assert device.tapi_client_addr == m.Address(xipv4_address="0.0.0.0")
    assert device.dev_status is m.DeviceStatus.REGISTERED
    assert device.dev_last_status is m.DeviceStatus.UNREGISTERED
    assert device.dev_change_time == 42
    assert device.dev_keep_alives == 7
    assert device.dev_tapi_cstatus == ""
    assert device.dev_tapi_clast_status == ""
    assert device.dev_dnd is m.YesNo.NO
    assert device.pool_id is None


def test_get_device_by_mac_and_unregistered_phone(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    [device] = get_device(client, names=["SEPAAAABBBBCCCC"])
    assert device.dev_id == 11
    assert device.dev_type == "CIPC"
    assert device.dev_user_name is None
    assert device.dev_line_button[0].dev_line_button_mode == "Silent"
    assert device.dev_addr == m.Address(xipv4_address="0.0.0.0")
    assert device.dev_status is m.DeviceStatus.UNREGISTERED
    assert get_device(client, names=["SEP000000000000"]) == []
    assert get_device(client, ids=[99]) == []


@pytest.mark.parametrize(
    ("keyword", "tags"),
    [
        (m.DeviceNameKeyword.ALL, [10, 11]),
        (m.DeviceNameKeyword.ALL_REGISTERED, [10]),
        (m.DeviceNameKeyword.ALL_UNREGISTERED, [11]),
        (m.DeviceNameKeyword.ALL_KEYPHONE, []),
    ],
)
def test_get_device_keywords(
    client: httpx.Client, provisioned: CmeRouter, keyword: m.DeviceNameKeyword, tags: list[int]
) -> None:
    devices = get_device(client, names=[keyword])
    assert [d.dev_id for d in devices] == tags
    assert all(d.dev_name is not None and d.dev_status is not None for d in devices)


def test_get_device_all_tag_answers_only_the_tags(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    devices = get_device(client, names=[m.DeviceNameKeyword.ALL_TAG])
    assert devices == [m.ISDevice(dev_id=10), m.ISDevice(dev_id=11)]
    # A phone also selected by another selector is answered in full.
    mixed = get_device(client, ids=[11], names=[m.DeviceNameKeyword.ALL_TAG])
    assert mixed[0] == m.ISDevice(dev_id=10)
    assert mixed[1].dev_id == 11 and mixed[1].dev_name == "SEPAAAABBBBCCCC"


def test_get_device_union_of_selectors_sorted_by_tag(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    devices = get_device(client, ids=[11, 10], names=["SEP111122223333"])
    assert [d.dev_id for d in devices] == [10, 11]


def test_sip_device_selectors_select_nothing(client: httpx.Client, provisioned: CmeRouter) -> None:
    params = m.ISgetDeviceParams(
        pool_id=[1], pool_name=[m.PoolKeyword.ALL, m.PoolKeyword.AVAILABLE]
    )
    answer = call(client, m.ISgetDevice(get_device=params), m.ISgetDeviceResponse)
    assert answer.device == []


# --------------------------------------------------------------------------- ISgetExtension


def test_get_extension_by_tag(client: httpx.Client, provisioned: CmeRouter) -> None:
    [ext] = get_extension(client, ids=[10])
    assert ext.ext_id == 10
    assert ext.ext_number == "3010"
    assert ext.ext_sec_number == "3099"
    assert ext.ext_type == "normal"
    assert ext.ext_status is m.ExtensionStatus.UP
    assert ext.ext_change_time == 42
    assert ext.ext_line_mode is m.LineMode.DUAL_LINE
    assert (ext.first_name, ext.last_name) == ("Ann", "Smith")
    assert ext.call_forward_all == "3999"
    assert ext.dev_list == m.ISDevList(device_id=[10])
    assert ext.voice_reg_dnid is None


def test_get_extension_by_number_lists_every_phone_of_the_dn(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    [ext] = get_extension(client, numbers=["3011"])
    assert ext.ext_id == 11
    assert ext.ext_line_mode is m.LineMode.SINGLE_LINE
    assert ext.ext_sec_number is None and ext.first_name is None
    assert ext.dev_list == m.ISDevList(device_id=[10, 11])
    assert ext.ext_multi_lines == 1


def test_get_extension_keywords(client: httpx.Client, provisioned: CmeRouter) -> None:
    def tags(keyword: m.ExtensionNumberKeyword) -> list[int | None]:
        return [e.ext_id for e in get_extension(client, numbers=[keyword])]

    assert tags(m.ExtensionNumberKeyword.ALL) == [10, 11]
    assert tags(m.ExtensionNumberKeyword.ALL_UP) == [10, 11]
    assert tags(m.ExtensionNumberKeyword.ALL_DOWN) == []
    provisioned.unregister(10)
    assert tags(m.ExtensionNumberKeyword.ALL_UP) == []
    assert tags(m.ExtensionNumberKeyword.ALL_DOWN) == [10, 11]
    assert get_extension(client, numbers=[m.ExtensionNumberKeyword.ALL_TAG]) == [
        m.ISExtension(ext_id=10),
        m.ISExtension(ext_id=11),
    ]
    [down] = get_extension(client, ids=[11])
    assert down.ext_status is m.ExtensionStatus.DOWN
    [device] = get_device(client, ids=[10])
    assert device.phone_line_list is not None
    assert {s.line_state for s in device.phone_line_list.ext_map_status} == {m.LineState.DOWN}


def test_sip_extension_selectors_select_nothing(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    params = m.ISgetExtensionParams(
        voice_reg_dnid=[1], voice_reg_number=["3010"], voice_reg_dnname=[m.PoolKeyword.ALL]
    )
    answer = call(client, m.ISgetExtension(get_extension=params), m.ISgetExtensionResponse)
    assert answer.extension == []


# --------------------------------------------------------------------------- key phones


def test_set_and_unset_key_phones(client: httpx.Client, provisioned: CmeRouter) -> None:
    names = m.PhoneNames(phone_name=["SEP000000000001", "SEPAAAABBBBCCCC"])
    answer = call(client, m.ISsetKeyPhones(set_key_phones=names), m.ISsetKeyPhonesResponse)
    assert answer.set_result == [False, True]
    assert [d.dev_id for d in get_device(client, names=[m.DeviceNameKeyword.ALL_KEYPHONE])] == [11]
    unset = call(client, m.ISunsetKeyPhones(unset_key_phones=names), m.ISunsetKeyPhonesResponse)
    assert unset.unset_result == [False, True]
    assert get_device(client, names=[m.DeviceNameKeyword.ALL_KEYPHONE]) == []


# --------------------------------------------------------------------------- events


def test_event_counts_and_event_tables(
    client: httpx.Client, provisioned: CmeRouter, clock: FakeClock
) -> None:
    clock.value += 8
    provisioned.unregister(10)
    counts = call(client, m.ISgetEvtCounts(get_evt_counts=m.NoParams()), m.ISgetEvtCountsResponse)
    assert (counts.dev_evt_count, counts.ext_evt_count) == (2, 4)

    params = m.ISgetDevEvtsParams(dev_name=[m.AllKeyword.ALL])
    events = call(client, m.ISgetDevEvts(get_dev_evts=params), m.ISgetDevEvtsResponse).dev_event
    assert [(e.dev_id, e.dev_name, e.dev_event_time, e.dev_status) for e in events] == [
        (10, "SEP111122223333", 42, m.DeviceStatus.REGISTERED),
        (10, "SEP111122223333", 50, m.DeviceStatus.UNREGISTERED),
    ]
    assert {e.dev_event_type for e in events} == {"Device"}
    by_id = m.ISgetDevEvtsParams(dev_evt_id=[2])
    [second] = call(client, m.ISgetDevEvts(get_dev_evts=by_id), m.ISgetDevEvtsResponse).dev_event
    assert second.dev_status is m.DeviceStatus.UNREGISTERED

    ext_params = m.ISgetExtEvtsParams(ext_number=["3011"])
    ext_events = call(
        client, m.ISgetExtEvts(get_ext_evts=ext_params), m.ISgetExtEvtsResponse
    ).ext_event
    assert [
        (e.ext_id, e.ext_number, e.ext_event_time, e.ext_status_change_event) for e in ext_events
    ] == [
        (11, "3011", 42, m.ExtensionStatusChange.UP),
        (11, "3011", 50, m.ExtensionStatusChange.DOWN),
    ]
    everything = m.ISgetExtEvtsParams(ext_number=[m.AllKeyword.ALL])
    all_ext = call(client, m.ISgetExtEvts(get_ext_evts=everything), m.ISgetExtEvtsResponse)
    assert len(all_ext.ext_event) == 4


# --------------------------------------------------------------------------- users


def test_get_user_known_and_unknown(client: httpx.Client, provisioned: CmeRouter) -> None:
    def user(name: str) -> m.ISuser:
        request = m.ISgetUser(get_user=m.ISgetUserParams(user_id=name))
        return call(client, request, m.ISgetUserResponse).user

    assert user("ann") == m.ISuser(user_id="ann", user_type=m.UserType.EPHONE_USER, user_tag=10)
    assert user("nobody") == m.ISuser(
        user_id="nobody", user_type=m.UserType.INVALID_CME_USER, user_tag=0
    )


def test_update_user_success_and_failure(client: httpx.Client, provisioned: CmeRouter) -> None:
    def update(name: str, password: str) -> m.ISupdateUserResponse:
        params = m.ISupdateUserParams(user_id=name, password=password)
        return call(client, m.ISupdateUser(update_user=params), m.ISupdateUserResponse)

    assert update("ann", "new-pw") == m.ISupdateUserResponse(set_result=True)
    assert [u.password for u in provisioned.users() if u.user_id == "ann"] == ["new-pw"]
    failed = update("nobody", "x")
    assert failed.set_result is False
    assert failed.set_error == "User nobody does not exist"


# --------------------------------------------------------------------------- SIP and presence


def test_voice_reg_global_uses_the_router_address_by_default(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    request = m.ISgetVoiceRegGlobal(get_voice_reg_global=m.NoParams())
    answer = call(client, request, m.ISgetVoiceRegGlobalResponse)
    assert answer.address == "192.168.5.1"
    assert (answer.mode, answer.auth_mode, answer.port_number) == ("cme", "all", 5060)
    assert (answer.max_pool, answer.max_dn, answer.max_redirect) == (10, 10, 5)


def test_session_servers(client: httpx.Client) -> None:
    def servers(params: m.ISgetSessionServerParams) -> list[m.ISSessionServer]:
        request = m.ISgetSessionServer(get_session_server=params)
        return call(client, request, m.ISgetSessionServerResponse).session_server

    crs = m.ISSessionServer(session_server_id=1, session_register_id="CRS", session_keep_alives=60)
    assert servers(m.ISgetSessionServerParams(session_server_id=[1, 2])) == [crs]
    assert servers(m.ISgetSessionServerParams(session_server_name=[m.PoolKeyword.ALL])) == [crs]
    available = m.ISgetSessionServerParams(session_server_name=[m.PoolKeyword.AVAILABLE])
    assert servers(available) == [m.ISSessionServer(session_server_id=2)]


def test_presence_global(client: httpx.Client) -> None:
    request = m.ISgetPresenceGlobal(get_presence_global=m.NoParams())
    answer = call(client, request, m.ISgetPresenceGlobalResponse)
    assert answer == m.ISgetPresenceGlobalResponse(
        presence_enable=False,
        mode="cme",
        allow_sub=False,
        allow_watch=False,
        max_sub_allow=100,
        sip_ua_presence_status=False,
    )


def test_sip_config_is_configurable(slot: Slot, server: EmulatorServer, router: CmeRouter) -> None:
    sip = SipConfig(address="10.1.1.1", presence_enabled=True, session_servers=())
    slot.app = create_cme_app(router, sip=sip)
    with httpx.Client(base_url=server.base_url, auth=(USER, PASSWORD)) as c:
        vrg = call(
            c,
            m.ISgetVoiceRegGlobal(get_voice_reg_global=m.NoParams()),
            m.ISgetVoiceRegGlobalResponse,
        )
        assert vrg.address == "10.1.1.1"
        presence = call(
            c,
            m.ISgetPresenceGlobal(get_presence_global=m.NoParams()),
            m.ISgetPresenceGlobalResponse,
        )
        assert presence.presence_enable is True
        params = m.ISgetSessionServerParams(session_server_name=[m.PoolKeyword.AVAILABLE])
        free = call(
            c, m.ISgetSessionServer(get_session_server=params), m.ISgetSessionServerResponse
        )
        assert free.session_server == [m.ISSessionServer(session_server_id=1)]


# --------------------------------------------------------------------------- documented requests


REQUEST_EXAMPLES = sorted(EXAMPLES.glob("*-request.xml"))


def test_every_documented_request_type_is_covered() -> None:
    types = {path.name.split("-")[1] for path in REQUEST_EXAMPLES}
    assert len(types) == 15


@pytest.mark.parametrize("path", REQUEST_EXAMPLES, ids=lambda p: p.name)
def test_documented_requests_get_valid_answers_on_the_demo_router(
    slot: Slot, server: EmulatorServer, path: Path
) -> None:
    slot.app = create_app()
    with httpx.Client(base_url=server.base_url, auth=(DEMO_USER, DEMO_PASSWORD)) as c:
        response = post(c, path.read_bytes())
    assert_valid_xml_answer(response)
    expected = path.name.split("-")[1] + "Response"
    assert type(parse(response.content, "cme")).__name__ == expected


def test_bare_request_is_tolerated(client: httpx.Client) -> None:
    body = (
        '<request xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ISgetGlobal">'
        "<ISgetGlobal/></request>"
    )
    response = post(client, body)
    assert_valid_xml_answer(response)


# --------------------------------------------------------------------------- authentication


def test_missing_credentials_are_refused(client: httpx.Client) -> None:
    body = serialize(m.ISgetGlobal(get_global=m.NoParams()))
    response = httpx.post(str(client.base_url) + CME_PATH, content=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="CME XML API"'
    assert len(response.content) < 64


@pytest.mark.parametrize(
    "auth",
    [(USER, "wrong"), ("nobody", PASSWORD), ("viewer", "view"), (USER, PASSWORD.upper())],
    ids=["wrong-password", "unknown-user", "low-privilege", "case"],
)
def test_wrong_credentials_are_refused(client: httpx.Client, auth: tuple[str, str]) -> None:
    body = serialize(m.ISgetGlobal(get_global=m.NoParams()))
    response = post(client, body, auth=auth)
    assert response.status_code == 401
    assert "www-authenticate" in response.headers
    assert auth[1] not in response.text


@pytest.mark.parametrize(
    "header", ["Bearer abc", "Basic !!!notbase64", "Basic YWRtaW4=", "Digest username=admin"]
)
def test_malformed_authorization_headers_are_refused(client: httpx.Client, header: str) -> None:
    body = serialize(m.ISgetGlobal(get_global=m.NoParams()))
    url = str(client.base_url) + CME_PATH
    response = httpx.post(url, content=body, headers={"Authorization": header})
    assert response.status_code == 401


def test_custom_realm(slot: Slot, server: EmulatorServer, router: CmeRouter) -> None:
    slot.app = create_cme_app(router, realm='Lab "B"')
    response = httpx.post(server.base_url + CME_PATH, content=b"<x/>")
    assert response.headers["www-authenticate"] == 'Basic realm="Lab \\"B\\""'


def test_authentication_comes_before_reading_the_body(client: httpx.Client) -> None:
    response = post(client, b"not xml", auth=(USER, "wrong"))
    assert response.status_code == 401


# --------------------------------------------------------------------------- bad requests


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<axl><request", "malformed XML"),
        (b"", "empty request body"),
        (b"just text", "malformed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><axl>&lol;</axl>',
            "malformed XML",
        ),
        (b"<html><body/></html>", "not a CME request"),
        (
            b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"'
            b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><SOAP-ENV:Body><axl>'
            b'<request xsi:type="ISdoSomething"/></axl></SOAP-ENV:Body></SOAP-ENV:Envelope>',
            "not a CME request",
        ),
    ],
    ids=["truncated", "empty", "text", "doctype", "html", "unknown-type"],
)
def test_malformed_requests_get_400(client: httpx.Client, body: bytes, reason: str) -> None:
    text = one_line_text(post(client, body), 400)
    assert text.startswith(reason), text


def test_doctype_reason_names_the_refusal(client: httpx.Client) -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><axl/>'
    text = one_line_text(post(client, body), 400)
    assert "DOCTYPE" in text


def test_a_response_posted_as_request_gets_400(client: httpx.Client) -> None:
    body = serialize(m.ISgetEvtCountsResponse(dev_evt_count=1, ext_evt_count=2))
    text = one_line_text(post(client, body), 400)
    assert "ISgetEvtCountsResponse is a response" in text


def test_schema_invalid_request_gets_400(client: httpx.Client) -> None:
    params = m.ISgetDeviceParams(dev_name=["not-a-phone"])
    text = one_line_text(post(client, serialize(m.ISgetDevice(get_device=params))), 400)
    assert text.startswith("invalid ISgetDevice request")
    empty = serialize(m.ISsetKeyPhones(set_key_phones=m.PhoneNames(phone_name=[])))
    assert post(client, empty).status_code == 400


def test_oversize_body_gets_413(client: httpx.Client) -> None:
    big = b"<axl>" + b" " * (1024 * 1024) + b"</axl>"
    assert post(client, big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for _ in range(20):
            yield b" " * 65536

    assert post(client, chunks()).status_code == 413  # type: ignore[arg-type]


def test_max_body_is_configurable(slot: Slot, server: EmulatorServer, router: CmeRouter) -> None:
    slot.app = create_cme_app(router, max_body=100)
    body = serialize(m.ISgetGlobal(get_global=m.NoParams()))
    response = httpx.post(server.base_url + CME_PATH, content=body, auth=(USER, PASSWORD))
    assert response.status_code == 413


def test_only_post_is_served(client: httpx.Client) -> None:
    assert client.get(CME_PATH).status_code == 405
    assert client.post("/ios_xml_app/other", content=b"<x/>").status_code == 404


# --------------------------------------------------------------------------- faults


GLOBAL = serialize(m.ISgetGlobal(get_global=m.NoParams()))


def test_faults_are_on_the_app_state_and_accept_a_given_instance(router: CmeRouter) -> None:
    mine = CmeFaults(delay=1.5)
    app = create_cme_app(router, faults=mine)
    assert app.state.faults is mine
    assert app.state.router is router


def test_delay_fault(client: httpx.Client, faults: CmeFaults) -> None:
    faults.delay = 0.3
    started = time.monotonic()
    assert_valid_xml_answer(post(client, GLOBAL))
    assert time.monotonic() - started >= 0.3
    faults.delay = 0.8
    with pytest.raises(httpx.ReadTimeout):
        post(client, GLOBAL, timeout=0.2)


def test_status_fault(client: httpx.Client, faults: CmeFaults) -> None:
    faults.status = 503
    response = post(client, GLOBAL)
    assert response.status_code == 503
    assert response.text == "503 Service Unavailable\n"
    faults.status = 401
    response = post(client, GLOBAL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")


def test_html_fault(client: httpx.Client, faults: CmeFaults) -> None:
    faults.html = True
    response = post(client, GLOBAL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<html>")


def test_truncate_fault(client: httpx.Client, faults: CmeFaults) -> None:
    faults.truncate = True
    with pytest.raises(httpx.RemoteProtocolError):
        post(client, GLOBAL)


def test_garbage_fault(client: httpx.Client, faults: CmeFaults) -> None:
    faults.garbage = True
    response = post(client, GLOBAL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    with pytest.raises(XmlSyntaxError):
        parse(response.content, "cme")


def test_faults_apply_while_set_and_clear(client: httpx.Client, faults: CmeFaults) -> None:
    faults.status = 500
    assert post(client, GLOBAL).status_code == 500
    assert post(client, GLOBAL).status_code == 500
    faults.clear()
    assert faults == CmeFaults()
    assert_valid_xml_answer(post(client, GLOBAL))


# --------------------------------------------------------------------------- app and service


def test_create_app_seeds_the_demo_router(slot: Slot, server: EmulatorServer) -> None:
    app = create_app()
    slot.app = app
    demo: CmeRouter = app.state.cme_router
    assert [e.tag for e in demo.devices(names=["all"])] == [1, 2, 3]
    with httpx.Client(base_url=server.base_url, auth=(DEMO_USER, DEMO_PASSWORD)) as c:
        [device] = get_device(c, names=["SEP000DBC80EB51"])
        assert device.dev_user_name == "peter"
        app.state.cme_faults.status = 502
        assert post(c, GLOBAL).status_code == 502


def test_create_app_serves_a_given_router(
    slot: Slot, server: EmulatorServer, router: CmeRouter
) -> None:
    app = create_app(cme=router)
    slot.app = app
    assert app.state.cme_router is router
    with httpx.Client(base_url=server.base_url, auth=(USER, PASSWORD)) as c:
        assert get_device(c, names=[m.DeviceNameKeyword.ALL]) == []


def test_service_refuses_a_non_request(router: CmeRouter) -> None:
    with pytest.raises(TypeError):
        CmeService(router).answer(m.ISgetEvtCountsResponse(dev_evt_count=0, ext_evt_count=0))  # type: ignore[arg-type]
