"""The CME XML API emulator over real loopback HTTP (uvicorn + httpx).

Requests are built with the generated request models and :func:`ucxml._documents.serialize`;
every answer is checked against the corrected schema with :func:`ucxml._validation.validate`
and read back with :func:`ucxml._documents.parse`.  One server runs for the module; each
test installs a fresh app (fresh router, fresh faults) behind it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from ucxml import parse, serialize, validate
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
from ucxml.errors import ParameterError, XmlSyntaxError
from ucxml.generated.cme import models as m

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


def test_sip_device_selectors_without_sip_phones(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    params = m.ISgetDeviceParams(pool_id=[1], pool_name=[m.PoolKeyword.ALL])
    answer = call(client, m.ISgetDevice(get_device=params), m.ISgetDeviceResponse)
    assert answer.device == []
    # available: the next free pool tag, nothing configured on it.
    params = m.ISgetDeviceParams(pool_name=[m.PoolKeyword.AVAILABLE])
    answer = call(client, m.ISgetDevice(get_device=params), m.ISgetDeviceResponse)
    assert answer.device == [m.ISDevice(pool_id=1)]


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


def test_sip_extension_selectors_without_sip_extensions(
    client: httpx.Client, provisioned: CmeRouter
) -> None:
    params = m.ISgetExtensionParams(
        voice_reg_dnid=[1], voice_reg_number=["3010"], voice_reg_dnname=[m.PoolKeyword.ALL]
    )
    answer = call(client, m.ISgetExtension(get_extension=params), m.ISgetExtensionResponse)
    assert answer.extension == []
    params = m.ISgetExtensionParams(voice_reg_dnname=[m.PoolKeyword.AVAILABLE])
    answer = call(client, m.ISgetExtension(get_extension=params), m.ISgetExtensionResponse)
    assert answer.extension == [m.ISExtension(voice_reg_dnid=1)]


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
    assert (answer.mode, answer.auth_mode, answer.port_number) == ("cme", ["all"], 5060)
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


# --------------------------------------------------------------------------- the 12.x methods

RELEASES = ("2008", "12.x")
REALWORLD = EXAMPLES.parent / "realworld"
PROFILE_PASSWORD = "Profile-Pw-1"

#: The entities of the 12.x methods, configured as the 2022 guide's examples show them.
ENTITIES = [
    "voice register dn 1",
    " number 901",
    " name Henry Mann",
    " session-server 1,2",
    " allow watch",
    "voice register dn 2",
    " number 902",
    " label Lab Phone",
    " call-forward b2bua all 3999",
    "voice register pool 1",
    " id mac 0013.1978.3ca5",
    " session-server 1",
    " number 1 dn 1",
    " number 2 dn 2",
    " dtmf-relay rtp-nte sip-notify",
    " codec g729r8",
    " max registrations 42",
    " description Lobby SIP",
    "voice register pool 2",
    " id mac 0013.1978.3CA6",
    " number 1 dn 1",
    "voice hunt-group 1 longest-idle",
    " pilot 200",
    " list 201,202",
    " hops 2",
    "voice hunt-group 2 sequential",
    " pilot 300 secondary 3001",
    " list 3010,3011,*",
    " final 3999",
    " timeout 20",
    "ephone-template 1",
    " softkeys remote-in-use CBarge Newcall",
    " softkeys idle Newcall Redial",
    " conference add-mode creator",
    " conference drop-mode local",
    " conference admin",
    " keep-conference drop-last endcall",
    " transfer-pattern blocked",
    " mwi-line 2",
    " button-layout 1,9 line",
    " button-layout 4-5,7 speed-dial",
    " privacy-button",
    "ephone-dn-template 1",
    " call-forward all 1234",
    " call-forward busy 3456",
    " call-forward noan 9999 timeout 80",
    " hold-alert 15 idle ring-silent-dn",
    " pickup-group 1",
    " allow watch",
    " description ephoneDnTemplate",
    "ephone-dn-template 2",
    "voice user-profile 1",
    f" user a password {PROFILE_PASSWORD}",
    " pin 1212",
    " max-idle-time 30",
    " privacy-button",
    " number 2003",
    " number 201,202 type overlay",
    " speed-dial 1 901",
    ' speed-dial 3 2002 label "2002Label"',
    ' speed-dial 5 2004 blf label "2004"',
    "voice user-profile 2",
    "telephony-service",
    " directory entry 1 12345 name first last",
    " directory entry 2 67890 name first2 last 2",
    " directory entry 3 555 name Solo",
    "ephone 10",
    " ephone-template 1",
    "ephone-dn 11",
    " ephone-dn-template 1",
    "end",
]


@pytest.fixture(params=RELEASES)
def release(request: pytest.FixtureRequest) -> str:
    found: str = request.param
    return found


@pytest.fixture
def dialect_client(
    slot: Slot, server: EmulatorServer, router: CmeRouter, release: str
) -> Iterator[httpx.Client]:
    """A client of the emulator answering in ``release``."""
    slot.app = create_cme_app(router, release=release)
    with httpx.Client(base_url=server.base_url, auth=(USER, PASSWORD), timeout=5.0) as c:
        yield c


@pytest.fixture
def entities(dialect_client: httpx.Client, router: CmeRouter, clock: FakeClock) -> CmeRouter:
    """PROVISION and ENTITIES configured through ISexecCLI; ephone 10 and pool 1 registered."""
    request = m.ISexecCLI(exec_cli=m.ISexecCLIParams(cli=PROVISION + ENTITIES))
    answer = call(dialect_client, request, m.ISexecCLIResponse)
    assert (answer.result, answer.error) == (0, "")
    clock.value += 42
    router.register(10, "192.168.5.10")
    router.register_pool(1, "192.168.5.20")
    return router


def _sip_device(*pools: int, keywords: Sequence[m.PoolKeyword] = ()) -> m.ISgetSipDevice:
    params = m.ISgetSipDeviceParams(pool_id=list(pools), pool_name=list(keywords))
    return m.ISgetSipDevice(get_sip_device=params)


def _sip_extension(*dns: int, numbers: Sequence[Any] = ()) -> m.ISgetSipExtension:
    params = m.ISgetSipExtensionParams(voice_reg_dnid=list(dns), voice_reg_number=list(numbers))
    return m.ISgetSipExtension(get_sip_extension=params)


def _hunt_group(*tags: int) -> m.ISgetVoiceHuntGroup:
    params = m.ISgetVoiceHuntGroupParams(voice_hunt_group_id=list(tags))
    return m.ISgetVoiceHuntGroup(get_voice_hunt_group=params)


def _device_template(*tags: int) -> m.ISgetDeviceTemplate:
    params = m.ISgetDeviceTemplateParams(dev_template_id=list(tags))
    return m.ISgetDeviceTemplate(get_device_template=params)


def _extension_template(*tags: int) -> m.ISgetExtensionTemplate:
    params = m.ISgetExtensionTemplateParams(extension_template_id=list(tags))
    return m.ISgetExtensionTemplate(get_extension_template=params)


def _user_profile(*tags: int) -> m.ISgetUserProfile:
    params = m.ISgetUserProfileParams(user_profile_id=list(tags))
    return m.ISgetUserProfile(get_user_profile=params)


DIRECTORY = m.ISgetUtilityDirectory(get_utility_directory=m.NoParams())


def _line(line: int, dn: int, number: str) -> m.ExtMapStatus:
    return m.ExtMapStatus(line_id=line, ext_id=dn, ext_number=number, line_state=m.LineState.IDLE)


SIP_DEVICES = [
    m.ISSipDevice(
        pool_id=1,
        dev_mac="0013.1978.3CA5",
        session_server_id=1,
        dev_addr=m.Address(xipv4_address="192.168.5.20"),
        sip_phone_line_list=m.PhoneLineList(
            ext_map_status=[_line(1, 1, "901"), _line(2, 2, "902")]
        ),
        pool_max_registration=42,
        pool_dtmf_relay="rtp-nte sip-notify",
        dev_codec="g729r8",
    ),
    m.ISSipDevice(  # never registered, no session server: 0 for both, as 12.x prints them
        pool_id=2,
        dev_mac="0013.1978.3CA6",
        session_server_id=0,
        dev_addr=m.Address(xipv4_address=m.UnsetAddress.UNSET),
        sip_phone_line_list=m.PhoneLineList(ext_map_status=[_line(1, 1, "901")]),
    ),
]
SIP_EXTENSIONS = [
    m.ISSipExtension(
        voice_reg_dnid=1,
        ext_number="901",
        session_server_ids=m.SessionServerIDs(session_server_id=[1, 2]),
        allow_watch=True,
        first_name="Henry",
        last_name="Mann",
        sip_dev_list=m.SipDevList(pool_id=[1, 2]),
    ),
    m.ISSipExtension(
        voice_reg_dnid=2,
        ext_number="902",
        allow_watch=False,
        sip_dev_list=m.SipDevList(pool_id=[1]),
    ),
]
HUNT_GROUPS = [
    m.ISVoiceHuntGroup(  # unset values are empty elements, as the guide prints them
        voice_hunt_group_id=1,
        voice_hunt_group_type=m.VoiceHuntGroupType.LONGEST_IDLE,
        voice_hunt_group_pilot_number="200",
        voice_hunt_group_pilot_peer_tag=2147483647,
        voice_hunt_group_pilot_preference=0,
        voice_hunt_group_sec_pilot_number="",
        voice_hunt_group_sec_pilot_peer_tag=-1,
        voice_hunt_group_sec_pilot_preference=0,
        voice_hunt_group_list_size=2,
        voice_hunt_group_list_nums=m.VoiceHuntGroupListNums(
            voice_hunt_group_list_num=["201", "202"]
        ),
        voice_hunt_group_final_num="",
        voice_hunt_group_timeout=180,
        voice_hunt_group_hops=2,
    ),
    m.ISVoiceHuntGroup(  # no hops configured: the whole list
        voice_hunt_group_id=2,
        voice_hunt_group_type=m.VoiceHuntGroupType.SEQUENTIAL,
        voice_hunt_group_pilot_number="300",
        voice_hunt_group_pilot_peer_tag=2147483645,
        voice_hunt_group_pilot_preference=0,
        voice_hunt_group_sec_pilot_number="3001",
        voice_hunt_group_sec_pilot_peer_tag=2147483644,
        voice_hunt_group_sec_pilot_preference=0,
        voice_hunt_group_list_size=3,
        voice_hunt_group_list_nums=m.VoiceHuntGroupListNums(
            voice_hunt_group_list_num=["3010", "3011", "*"]
        ),
        voice_hunt_group_final_num="3999",
        voice_hunt_group_timeout=20,
        voice_hunt_group_hops=3,
    ),
]
DEVICE_TEMPLATES = [
    m.ISDeviceTemplate(
        dev_template_id=1,
        button_layout_list=m.ButtonLayoutList(
            button_layout_item=[
                m.ButtonLayoutItem(button_layout="1,9", button_type=m.KnownButtonType.LINE),
                m.ButtonLayoutItem(button_layout="4-5,7", button_type=m.KnownButtonType.SPEED_DIAL),
            ]
        ),
        adhoc_conference=m.AdhocConference(
            add_mode=m.ConferenceAddMode(creator=True),
            admin=True,
            drop_mode=m.ConferenceDropMode(creator=False, local=True),
        ),
        keep_conference=m.KeepConference(
            hangup=True, drop_last=True, endcall=True, local_only=False
        ),
        privacy_button=True,
        softkeys=m.Softkeys(
            alerting_keys="",
            connected_keys="",
            hold_keys="",
            idle_keys="Newcall Redial",
            remote_in_use_keys="CBarge Newcall",
            ringing_keys="",
            seized_keys="",
        ),
        transfer_park=m.BlockedSetting(blocked=False),
        transfer_pattern=m.BlockedSetting(blocked=True),
    )
]
EXTENSION_TEMPLATES = [
    m.ISExtensionTemplate(
        ext_template_id=1,
        allow=m.AllowWatch(watch=True),
        call_forward=m.CallForward(
            all=m.CallForwardNumber(number="1234"),
            busy=m.CallForwardBusy(number="3456"),
            noan=m.CallForwardNoAnswer(number="9999", timeout=80),
        ),
        description="ephoneDnTemplate",
        hold_alert=m.HoldAlert(timeout=15, mode=m.HoldAlertModeSetting.IDLE, ring_silent_dn=True),
        pickup_group="1",
    ),
    m.ISExtensionTemplate(ext_template_id=2, allow=m.AllowWatch(watch=False)),
]
NOT_LOGGED_IN = m.CurrentPhone(current_phone_type=m.KnownPhoneType.UNKNOWN, current_phone_id=0)
USER_PROFILES = [
    m.ISUserProfile(
        user_profile_id=1,
        user_id="a",
        password=PROFILE_PASSWORD,
        user_pin="1212",
        privacy_button=m.YesNo.YES,
        user_max_idle_time=30,
        speed_dials=m.SpeedDials(
            speed_dial=[
                m.SpeedDial(
                    speed_dial_index=1,
                    speed_dial_number="901",
                    speed_dial_label="",
                    speed_dial_blf=m.YesNo.NO,
                ),
                m.SpeedDial(
                    speed_dial_index=3,
                    speed_dial_number="2002",
                    speed_dial_label="2002Label",
                    speed_dial_blf=m.YesNo.NO,
                ),
                m.SpeedDial(
                    speed_dial_index=5,
                    speed_dial_number="2004",
                    speed_dial_label="2004",
                    speed_dial_blf=m.YesNo.YES,
                ),
            ]
        ),
        user_numbers=m.UserNumbers(
            user_number=[
                m.UserNumber(
                    ext_number="2003",
                    ext_mode=m.KnownExtMode.NORMAL,
                    ext_overlay_group=0,
                    ext_combo=m.YesNo.NO,
                ),
                m.UserNumber(
                    ext_number="201", ext_mode="OVERLAY", ext_overlay_group=1, ext_combo=m.YesNo.NO
                ),
                m.UserNumber(
                    ext_number="202", ext_mode="OVERLAY", ext_overlay_group=1, ext_combo=m.YesNo.NO
                ),
            ]
        ),
        user_current_phone=NOT_LOGGED_IN,
    ),
    m.ISUserProfile(  # nothing configured: empty values, as the router prints them
        user_profile_id=2,
        user_id="",
        password="",
        user_pin="",
        privacy_button=m.YesNo.NO,
        user_max_idle_time=0,
        speed_dials=m.SpeedDials(),
        user_numbers=m.UserNumbers(),
        user_current_phone=NOT_LOGGED_IN,
    ),
]
DIRECTORY_ENTRIES = [
    m.ISDirectoryEntry(
        directory_tag=1, directory_number="12345", first_name="first", last_name="last"
    ),
    m.ISDirectoryEntry(
        directory_tag=2, directory_number="67890", first_name="first2", last_name="last 2"
    ),
    m.ISDirectoryEntry(directory_tag=3, directory_number="555", first_name="Solo", last_name=""),
]

#: Each 12.x method: a request selecting everything, its answer and the 12.x container.
NEW_METHODS: list[tuple[m.ISRequest, m.ISResponse, str]] = [
    (
        _sip_device(keywords=[m.PoolKeyword.ALL]),
        m.ISgetSipDeviceResponse(sip_device=SIP_DEVICES),
        "ISSipDevices",
    ),
    (
        _sip_extension(numbers=[m.PoolKeyword.ALL]),
        m.ISgetSipExtensionResponse(sip_extension=SIP_EXTENSIONS),
        "ISSipExtensions",
    ),
    (
        _hunt_group(),
        m.ISgetVoiceHuntGroupResponse(voice_hunt_group=HUNT_GROUPS),
        "ISVoiceHuntGroups",
    ),
    (
        _device_template(),
        m.ISgetDeviceTemplateResponse(device_template=DEVICE_TEMPLATES),
        "ISDeviceTemplates",
    ),
    (
        _extension_template(),
        m.ISgetExtensionTemplateResponse(extension_template=EXTENSION_TEMPLATES),
        "ISExtensionTemplates",
    ),
    (
        _user_profile(),
        m.ISgetUserProfileResponse(user_profile=USER_PROFILES),
        "ISUserProfiles",
    ),
    (
        DIRECTORY,
        m.ISgetUtilityDirectoryResponse(directory_entry=DIRECTORY_ENTRIES),
        "ISUtilityDirectory",
    ),
]


@pytest.mark.parametrize(
    ("request_model", "expected", "container"),
    NEW_METHODS,
    ids=[type(case[0]).__name__ for case in NEW_METHODS],
)
def test_new_methods_answer_from_the_configured_router(
    dialect_client: httpx.Client,
    entities: CmeRouter,
    release: str,
    request_model: m.ISRequest,
    expected: m.ISResponse,
    container: str,
) -> None:
    response = post(dialect_client, serialize(request_model))
    assert_valid_xml_answer(response)
    answer = parse(response.content, "cme")
    assert answer == expected
    assert answer.release == release
    body = response.content
    name = type(expected).__name__
    if release == "12.x":  # bare <response>, the records in their plural container
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<response><')
        assert f"<response><{container}>".encode() in body
        assert b"Envelope" not in body and b"xsi:type" not in body
    else:  # the 2008 envelope, typed by xsi:type
        assert b"<SOAP-ENV:Envelope" in body and b"<axl>" in body
        assert f'xsi:type="{name}"'.encode() in body
        assert f"<{container}>".encode() not in body


def _keys(answer: object) -> list[int | None]:
    """The tags of an answer's records, in order."""
    match answer:
        case m.ISgetSipDeviceResponse():
            return [d.pool_id for d in answer.sip_device]
        case m.ISgetSipExtensionResponse():
            return [e.voice_reg_dnid for e in answer.sip_extension]
        case m.ISgetVoiceHuntGroupResponse():
            return [g.voice_hunt_group_id for g in answer.voice_hunt_group]
        case m.ISgetDeviceTemplateResponse():
            return [t.dev_template_id for t in answer.device_template]
        case m.ISgetExtensionTemplateResponse():
            return [t.ext_template_id for t in answer.extension_template]
        case m.ISgetUserProfileResponse():
            return [p.user_profile_id for p in answer.user_profile]
        case m.ISgetDeviceResponse():
            return [d.dev_id if d.dev_id is not None else d.pool_id for d in answer.device]
        case m.ISgetExtensionResponse():
            return [
                e.ext_id if e.ext_id is not None else e.voice_reg_dnid for e in answer.extension
            ]
    raise AssertionError(answer)


AVAILABLE = m.PoolKeyword.AVAILABLE
ALL = m.PoolKeyword.ALL
SELECTORS: list[tuple[str, m.ISRequest, list[int | None]]] = [
    ("pools-by-tag-sorted", _sip_device(2, 1), [1, 2]),
    ("pool-unknown", _sip_device(9), []),
    ("pools-all", _sip_device(keywords=[ALL]), [1, 2]),
    ("pool-available", _sip_device(keywords=[AVAILABLE]), [3]),
    ("pool-union", _sip_device(1, keywords=[AVAILABLE]), [1, 3]),
    ("pool-nothing-asked", _sip_device(), []),
    ("sip-dn-by-tag", _sip_extension(2), [2]),
    ("sip-dn-by-number", _sip_extension(numbers=["901"]), [1]),
    ("sip-dn-unknown", _sip_extension(7, numbers=["999"]), []),
    ("sip-dn-all", _sip_extension(numbers=[ALL]), [1, 2]),
    ("sip-dn-available", _sip_extension(numbers=[AVAILABLE]), [3]),
    ("sip-dn-union", _sip_extension(2, numbers=["901"]), [1, 2]),
    ("hunt-by-tag", _hunt_group(2), [2]),
    ("hunt-union-unknown", _hunt_group(9, 2, 1), [1, 2]),
    ("hunt-unknown", _hunt_group(9), []),
    ("hunt-every-one", _hunt_group(), [1, 2]),
    ("device-template", _device_template(1), [1]),
    ("device-template-unknown", _device_template(5), []),
    ("extension-templates", _extension_template(2, 1), [1, 2]),
    ("extension-template-unknown", _extension_template(3), []),
    ("profile", _user_profile(2), [2]),
    ("profile-unknown", _user_profile(9), []),
    ("profiles-every-one", _user_profile(), [1, 2]),
    (
        "device-pools",
        m.ISgetDevice(get_device=m.ISgetDeviceParams(dev_id=[10], pool_name=[ALL])),
        [10, 1, 2],
    ),
    ("device-pool-by-tag", m.ISgetDevice(get_device=m.ISgetDeviceParams(pool_id=[2, 7])), [2]),
    (
        "device-pool-available",
        m.ISgetDevice(get_device=m.ISgetDeviceParams(pool_name=[AVAILABLE])),
        [3],
    ),
    (
        "extension-sip-dns",
        m.ISgetExtension(get_extension=m.ISgetExtensionParams(ext_id=[10], voice_reg_number=[ALL])),
        [10, 1, 2],
    ),
    (
        "extension-sip-by-name-field",
        m.ISgetExtension(get_extension=m.ISgetExtensionParams(voice_reg_dnname=["902"])),
        [2],
    ),
    (
        "extension-sip-by-tag",
        m.ISgetExtension(get_extension=m.ISgetExtensionParams(voice_reg_dnid=[1, 5])),
        [1],
    ),
    (
        "extension-sip-available",
        m.ISgetExtension(get_extension=m.ISgetExtensionParams(voice_reg_dnname=[AVAILABLE])),
        [3],
    ),
]


@pytest.mark.parametrize(
    ("request_model", "tags"),
    [case[1:] for case in SELECTORS],
    ids=[case[0] for case in SELECTORS],
)
def test_selectors_combine_as_a_union(
    dialect_client: httpx.Client,
    entities: CmeRouter,
    request_model: m.ISRequest,
    tags: list[int | None],
) -> None:
    response = post(dialect_client, serialize(request_model))
    assert_valid_xml_answer(response)
    assert _keys(parse(response.content, "cme")) == tags


def test_available_answers_only_the_free_tag(
    dialect_client: httpx.Client, entities: CmeRouter
) -> None:
    answer = call(dialect_client, _sip_device(keywords=[AVAILABLE]), m.ISgetSipDeviceResponse)
    assert answer.sip_device == [m.ISSipDevice(pool_id=3)]
    answer_dn = call(
        dialect_client, _sip_extension(numbers=[AVAILABLE]), m.ISgetSipExtensionResponse
    )
    assert answer_dn.sip_extension == [m.ISSipExtension(voice_reg_dnid=3)]


def test_user_profile_password_is_answered_but_never_in_a_repr(
    dialect_client: httpx.Client, entities: CmeRouter
) -> None:
    response = post(dialect_client, serialize(_user_profile(1)))
    assert_valid_xml_answer(response)
    assert f"<ISpassword>{PROFILE_PASSWORD}</ISpassword>".encode() in response.content
    answer = parse(response.content, "cme")
    assert isinstance(answer, m.ISgetUserProfileResponse)
    assert answer.user_profile[0].password == PROFILE_PASSWORD
    built = CmeService(entities).answer(_user_profile(1))
    assert isinstance(built, m.ISgetUserProfileResponse)
    for shown in (repr(answer), str(answer), repr(built), repr(built.user_profile[0])):
        assert PROFILE_PASSWORD not in shown
        assert "1212" not in shown  # nor the PIN
    assert PROFILE_PASSWORD not in repr(entities.user_profiles())


# --------------------------------------------------------------------------- 12.x records

TWELVE_ONLY_ELEMENTS = (
    b"<ISconfigDevType>",
    b"<ephone-template>",
    b"<keepalive>",
    b"<ISLogoutProfileID>",
    b"<ISUserProfileID>",
    b"<adhoc_conference>",
    b"<keep-conference>",
    b"<phone_type>",
    b"<username>",
    b"<description>",
    b"<ephone-dn-template>",
    b"<call-forward>",
    b"<telephony_number>",
    b"<allow>",
    b"<name>",
    b"<hold-alert>",
    b"<ISSessionServerIDs>",
    b"<label>",
)


def _device_answer(client: httpx.Client, params: m.ISgetDeviceParams) -> httpx.Response:
    response = post(client, serialize(m.ISgetDevice(get_device=params)))
    assert_valid_xml_answer(response)
    return response


def test_12x_devices_carry_what_the_router_knows(
    dialect_client: httpx.Client, entities: CmeRouter, release: str
) -> None:
    params = m.ISgetDeviceParams(dev_id=[10, 11], pool_id=[1, 2])
    response = _device_answer(dialect_client, params)
    answer = parse(response.content, "cme")
    assert isinstance(answer, m.ISgetDeviceResponse)
    templated, plain, pool, unregistered = answer.device
    # What both releases answer.
    assert (templated.dev_id, templated.dev_type, templated.dev_user_name) == (
        10,
        "IP Phone 7965",
        "ann",
    )
    assert (pool.pool_id, pool.dev_session_server, pool.pool_max_registration) == (1, 1, 42)
    assert (pool.pool_dtmf_relay, pool.dev_codec) == ("rtp-nte sip-notify", "g729r8")
    assert pool.phone_line_list == m.PhoneLineList(
        ext_map_status=[_line(1, 1, "901"), _line(2, 2, "902")]
    )
    assert pool.dev_addr == m.Address(xipv4_address="192.168.5.20")
    if release == "2008":
        assert not any(element in response.content for element in TWELVE_ONLY_ELEMENTS)
        assert templated.config_dev_type is None and templated.ephone_template is None
        assert (pool.dev_mac, pool.description) == ("SEP001319783CA5", None)
        assert unregistered.dev_addr == m.Address(xipv4_address="0.0.0.0")
        return
    assert templated.config_dev_type == "7965"
    assert templated.ephone_template == 1
    assert templated.username == "ann" and templated.password is None
    assert templated.phone_type == m.PhoneTypeSetting(name="7965")
    assert templated.keyphone is False
    assert (templated.logout_profile, templated.logout_profile_id) == (0, 0)
    assert templated.user_profile_id == 0
    assert templated.keepalive == m.KeepaliveSetting(timeout=30, aux_timeout=30)
    assert templated.adhoc_conference == DEVICE_TEMPLATES[0].adhoc_conference
    assert templated.keep_conference == DEVICE_TEMPLATES[0].keep_conference
    assert templated.privacy_button is True and templated.mwi_line == 2
    assert templated.transfer_pattern == m.BlockedSetting(blocked=True)
    # Without a template: the defaults, template tag 0.
    assert (plain.config_dev_type, plain.ephone_template, plain.username) == ("CIPC", 0, None)
    assert plain.keep_conference == m.KeepConference(
        hangup=False, drop_last=False, endcall=False, local_only=False
    )
    assert plain.privacy_button is False and plain.mwi_line is None
    assert (pool.dev_mac, pool.description) == ("0013.1978.3CA5", "Lobby SIP")
    assert unregistered.dev_addr == m.Address(xipv4_address=m.UnsetAddress.UNSET)
    assert unregistered.description is None and unregistered.dev_session_server is None


def test_12x_extensions_carry_what_the_router_knows(
    dialect_client: httpx.Client, entities: CmeRouter, release: str
) -> None:
    params = m.ISgetExtensionParams(ext_id=[10, 11], voice_reg_dnid=[1, 2])
    response = post(dialect_client, serialize(m.ISgetExtension(get_extension=params)))
    assert_valid_xml_answer(response)
    answer = parse(response.content, "cme")
    assert isinstance(answer, m.ISgetExtensionResponse)
    plain, templated, henry, lab = answer.extension
    assert (plain.ext_id, plain.call_forward_all, templated.ext_id) == (10, "3999", 11)
    assert (henry.voice_reg_dnid, henry.ext_number, henry.allow_watch) == (1, "901", True)
    assert (henry.first_name, henry.last_name) == ("Henry", "Mann")
    assert henry.dev_list == m.ISDevList(pool_id=[1, 2])
    assert lab.dev_list == m.ISDevList(pool_id=[1])
    if release == "2008":
        assert not any(element in response.content for element in TWELVE_ONLY_ELEMENTS)
        assert templated.allow_watch is False and templated.call_forward_all is None
        assert henry.dev_session_server == 1 and henry.session_server_ids is None
        assert lab.label is None and lab.call_forward_all is None
        return
    # The dn's own settings...
    assert plain.name == "Ann Smith" and plain.ephone_dn_template == 0
    assert plain.call_forward == m.CallForward(all=m.CallForwardNumber(number="3999"))
    assert plain.telephony_number == m.TelephonyNumber(primary="3010", secondary="3099")
    assert plain.allow == m.AllowWatch(watch=False) and plain.description is None
    # ...and those of its ephone-dn-template.
    template = EXTENSION_TEMPLATES[0]
    assert templated.ephone_dn_template == 1 and templated.name is None
    assert templated.call_forward_all == "1234"
    assert templated.call_forward == template.call_forward
    assert templated.hold_alert == template.hold_alert
    assert (templated.description, templated.pickup_group) == ("ephoneDnTemplate", "1")
    assert templated.allow_watch is True and templated.allow == m.AllowWatch(watch=True)
    assert templated.telephony_number == m.TelephonyNumber(primary="3011")
    # SIP dns: every session server, the label and the b2bua call forward.
    assert henry.session_server_ids == m.SessionServerIDs(session_server_id=[1, 2])
    assert henry.dev_session_server is None
    assert (lab.label, lab.call_forward_all) == ("Lab Phone", "3999")
    assert lab.session_server_ids is None


#: What a 12.x ephone record adds to the 2008 one (the 2008 elements keep their values).
DEVICE_12X_FIELDS = (
    "config_dev_type",
    "adhoc_conference",
    "keep_conference",
    "keyphone",
    "privacy_button",
    "transfer_park",
    "transfer_pattern",
    "keepalive",
    "phone_type",
    "ephone_template",
    "logout_profile",
    "mwi_line",
    "username",
    "logout_profile_id",
    "user_profile_id",
)


def test_12x_ephone_records_only_add_to_the_2008_ones(router: CmeRouter) -> None:
    assert router.exec_cli(PROVISION + ENTITIES) == (0, "")
    request = m.ISgetDevice(get_device=m.ISgetDeviceParams(dev_id=[10, 11]))
    old = CmeService(router).answer(request)
    new = CmeService(router, release="12.x").answer(request)
    assert isinstance(old, m.ISgetDeviceResponse) and isinstance(new, m.ISgetDeviceResponse)
    assert len(old.device) == len(new.device) == 2
    for before, after in zip(old.device, new.device, strict=True):
        assert all(getattr(before, name) is None for name in DEVICE_12X_FIELDS)
        assert all(getattr(after, name) is not None for name in ("config_dev_type", "keepalive"))
        stripped = replace(after)
        for name in DEVICE_12X_FIELDS:
            setattr(stripped, name, None)
        assert stripped == before


def test_service_refuses_an_unknown_release(router: CmeRouter) -> None:
    with pytest.raises(ParameterError):
        CmeService(router, release="11")


# --------------------------------------------------------------------------- the 2022 guide


def _guide_requests() -> list[Path]:
    """The 2022 guide's requests, each in its corrected twin where it has one."""
    found = []
    for path in sorted(REALWORLD.glob("adm-*-request.xml")):
        twin = REALWORLD / "corrected" / path.name
        found.append(twin if twin.exists() else path)
    return found


GUIDE_REQUESTS = _guide_requests()


def test_the_two_guides_cover_all_22_request_types() -> None:
    guide_2022 = {path.name.split("-")[1] for path in GUIDE_REQUESTS}
    guide_2008 = {path.name.split("-")[1] for path in REQUEST_EXAMPLES}
    assert len(guide_2022) == 16 and len(guide_2008) == 15
    assert len(guide_2022 | guide_2008) == 22


@pytest.mark.parametrize("path", GUIDE_REQUESTS, ids=lambda p: p.name)
@pytest.mark.parametrize("answering", RELEASES)
def test_guide_2022_requests_get_valid_answers_on_the_demo_router(
    slot: Slot, server: EmulatorServer, path: Path, answering: str
) -> None:
    slot.app = create_app(cme_release=answering)
    with httpx.Client(base_url=server.base_url, auth=(DEMO_USER, DEMO_PASSWORD)) as c:
        response = post(c, path.read_bytes())
    assert_valid_xml_answer(response)
    answer = parse(response.content, "cme")
    assert isinstance(answer, m.ISResponse)
    assert type(answer).__name__ == path.name.split("-")[1] + "Response"
    assert answer.release == answering
