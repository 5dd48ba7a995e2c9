"""CmeClient / AsyncCmeClient against the CME emulator over real loopback HTTP."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER, create_app
from ucxml.emulator.cme_app import CmeFaults
from ucxml.emulator.cme_state import CmeRouter
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import (
    AuthenticationError,
    CmeCliError,
    CmeSaveConfigError,
    CmeSetResultError,
    ConnectError,
    HttpStatusError,
    MalformedResponseError,
    RequestTimeoutError,
    UcxmlError,
)
from ucxml.generated.cme import models as m

PROVISION = [
    "ephone-dn 1",
    "number 2001",
    "name Peter Lee",
    "ephone-dn 2",
    "number 2002",
    "ephone 1",
    "mac-address 000D.BC80.EB51",
    "type 7960",
    "button 1:1",
    "username peter password cisco",
    "ephone 2",
    "mac-address 0012.DA8A.C43D",
    "type 7970",
    "button 1:2",
]


@dataclass
class Emulator:
    """A running emulator and handles on its state."""

    url: str
    router: CmeRouter
    faults: CmeFaults
    #: The dialect the emulator answers in, and the client writes in.
    release: str = "2008"


@pytest.fixture(params=["2008", "12.x"])
def emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """The emulator answering in each dialect (every test here runs against both)."""
    router = CmeRouter(xml_users={DEMO_USER: (DEMO_PASSWORD, 15)})
    app = create_app(cme=router, cme_release=request.param)
    with EmulatorServer(app) as server:
        yield Emulator(server.base_url, router, app.state.cme_faults, request.param)


def _client(emulator: Emulator, **kwargs: object) -> CmeClient:
    options: dict[str, object] = {
        "username": DEMO_USER,
        "password": DEMO_PASSWORD,
        "timeout": 5.0,
        "release": emulator.release,
    }
    options.update(kwargs)
    return CmeClient(emulator.url, **options)  # type: ignore[arg-type]


#: The entities of the seven 12.x methods, with the IOS commands the router accepts.
ENTITIES = [
    "voice register dn 1",
    "number 901",
    "name Henry Mann",
    "session-server 1",
    "allow watch",
    "voice register dn 2",
    "number 902",
    "voice register pool 1",
    "id mac 0013.1978.3CA5",
    "number 1 dn 1",
    "number 2 dn 2",
    "dtmf-relay rtp-nte",
    "codec g729r8",
    "max registrations 42",
    "voice hunt-group 1 longest-idle",
    "pilot 200",
    "list 201,202",
    "hops 2",
    "ephone-template 1",
    "softkeys remote-in-use CBarge Newcall",
    "button-layout 1,9 line",
    "ephone-dn-template 1",
    "call-forward busy 3456",
    "pickup-group 1",
    "description ephoneDnTemplate",
    "voice user-profile 1",
    "user a password a",
    "pin 4321",
    "number 2003",
    "speed-dial 1 901",
    "telephony-service",
    "directory entry 1 12345 name first last",
    "directory entry 2 67890 name first2 last 2",
    "ephone 2",
    "ephone-template 1",
    "ephone-dn 2",
    "ephone-dn-template 1",
]
SIP_LINES = m.PhoneLineList(
    ext_map_status=[
        m.ExtMapStatus(line_id=1, ext_id=1, ext_number="901", line_state=m.LineState.IDLE),
        m.ExtMapStatus(line_id=2, ext_id=2, ext_number="902", line_state=m.LineState.IDLE),
    ]
)
SIP_DEVICE = m.ISSipDevice(
    pool_id=1,
    dev_mac="0013.1978.3CA5",
    session_server_id=0,
    dev_addr=m.Address(xipv4_address="10.1.1.31"),
    sip_phone_line_list=SIP_LINES,
    pool_max_registration=42,
    pool_dtmf_relay="rtp-nte",
    dev_codec="g729r8",
)
SIP_EXTENSION = m.ISSipExtension(
    voice_reg_dnid=1,
    ext_number="901",
    session_server_ids=m.SessionServerIDs(session_server_id=[1]),
    allow_watch=True,
    first_name="Henry",
    last_name="Mann",
    sip_dev_list=m.SipDevList(pool_id=[1]),
)
DIRECTORY = [
    m.ISDirectoryEntry(
        directory_tag=1, directory_number="12345", first_name="first", last_name="last"
    ),
    m.ISDirectoryEntry(
        directory_tag=2, directory_number="67890", first_name="first2", last_name="last 2"
    ),
]


def _check_hunt_group(answer: m.ISgetVoiceHuntGroupResponse) -> None:
    [group] = answer.voice_hunt_group
    assert group.voice_hunt_group_id == 1
    assert group.voice_hunt_group_type is m.VoiceHuntGroupType.LONGEST_IDLE
    assert group.voice_hunt_group_pilot_number == "200"
    assert group.voice_hunt_group_sec_pilot_number == ""
    assert group.voice_hunt_group_sec_pilot_peer_tag == -1
    assert group.voice_hunt_group_list_size == 2
    assert group.voice_hunt_group_list_nums == m.VoiceHuntGroupListNums(
        voice_hunt_group_list_num=["201", "202"]
    )
    assert (group.voice_hunt_group_timeout, group.voice_hunt_group_hops) == (180, 2)


def _check_templates(
    devices: m.ISgetDeviceTemplateResponse, extensions: m.ISgetExtensionTemplateResponse
) -> None:
    [device] = devices.device_template
    assert device.dev_template_id == 1
    assert device.softkeys is not None
    assert device.softkeys.remote_in_use_keys == "CBarge Newcall"
    assert device.softkeys.idle_keys == ""
    assert device.button_layout_list == m.ButtonLayoutList(
        button_layout_item=[m.ButtonLayoutItem(button_layout="1,9", button_type="line")]
    )
    [extension] = extensions.extension_template
    assert extension.ext_template_id == 1
    assert extension.call_forward == m.CallForward(busy=m.CallForwardBusy(number="3456"))
    assert (extension.pickup_group, extension.description) == ("1", "ephoneDnTemplate")
    assert extension.allow == m.AllowWatch(watch=False)


def _check_user_profile(answer: m.ISgetUserProfileResponse) -> None:
    [profile] = answer.user_profile
    assert (profile.user_profile_id, profile.user_id, profile.password) == (1, "a", "a")
    assert (profile.user_pin, profile.privacy_button) == ("4321", m.YesNo.NO)
    assert profile.user_max_idle_time == 0
    assert profile.speed_dials == m.SpeedDials(
        speed_dial=[
            m.SpeedDial(
                speed_dial_index=1,
                speed_dial_number="901",
                speed_dial_label="",
                speed_dial_blf=m.YesNo.NO,
            )
        ]
    )
    assert profile.user_numbers == m.UserNumbers(
        user_number=[
            m.UserNumber(
                ext_number="2003",
                ext_mode=m.KnownExtMode.NORMAL,
                ext_overlay_group=0,
                ext_combo=m.YesNo.NO,
            )
        ]
    )
    assert profile.user_current_phone == m.CurrentPhone(
        current_phone_type=m.KnownPhoneType.UNKNOWN, current_phone_id=0
    )
    assert "password='***'" in repr(profile)  # masked


def _check_richer_records(
    release: str, device: m.ISDevice, extension: m.ISExtension, sip: list[m.ISDevice]
) -> None:
    """ISgetDevice / ISgetExtension: the 12.x elements only from a 12.x router."""
    [pool] = sip
    assert (pool.pool_id, pool.pool_max_registration, pool.dev_codec) == (1, 42, "g729r8")
    if release == "2008":
        assert (device.config_dev_type, device.ephone_template, device.keepalive) == (
            None,
            None,
            None,
        )
        assert (extension.ephone_dn_template, extension.pickup_group) == (None, None)
        assert pool.dev_mac == "SEP001319783CA5"
        return
    assert (device.config_dev_type, device.ephone_template) == ("7970", 1)
    assert device.keepalive == m.KeepaliveSetting(timeout=30, aux_timeout=30)
    assert (device.logout_profile_id, device.user_profile_id) == (0, 0)
    assert (extension.ephone_dn_template, extension.pickup_group) == (1, "1")
    assert extension.description == "ephoneDnTemplate"
    assert extension.call_forward == m.CallForward(busy=m.CallForwardBusy(number="3456"))
    assert pool.dev_mac == "0013.1978.3CA5"


def test_all_operations_sync(emulator: Emulator) -> None:
    with _client(emulator) as cme:
        assert cme.exec_cli(PROVISION).result == 0
        assert cme.exec_cli(ENTITIES).result == 0
        emulator.router.register(1, "10.1.1.21")
        emulator.router.register_pool(1, "10.1.1.31")
        assert cme.save_config().save_config_result is m.SaveConfigResult.SUCCESS
        glob = cme.get_global()
        assert glob.configured_device == 2 and glob.configured_extension == 2
        devices = cme.get_device(dev_id=[1], dev_name=["SEP0012DA8AC43D"]).device
        assert [d.dev_id for d in devices] == [1, 2]
        assert devices[0].dev_status is m.DeviceStatus.REGISTERED
        assert devices[0].dev_addr is not None and devices[0].dev_addr.xipv4_address == "10.1.1.21"
        registered = cme.get_device(dev_name=[m.DeviceNameKeyword.ALL_REGISTERED]).device
        assert [d.dev_id for d in registered] == [1]
        ext = cme.get_extension(ext_number=["2001"]).extension
        assert ext[0].ext_id == 1 and ext[0].first_name == "Peter" and ext[0].last_name == "Lee"
        assert ext[0].dev_list is not None and ext[0].dev_list.device_id == [1]
        templated = cme.get_extension(ext_id=[2]).extension[0]
        sip = cme.get_device(pool_id=[1]).device
        _check_richer_records(emulator.release, devices[1], templated, sip)
        sip_dns = cme.get_extension(voice_reg_dnid=[1]).extension
        assert [(e.voice_reg_dnid, e.ext_number) for e in sip_dns] == [(1, "901")]
        assert cme.set_key_phones(["SEP000DBC80EB51"]).set_result == [True]
        assert [d.dev_id for d in cme.get_device(dev_name=["allKeyphone"]).device] == [1]
        assert cme.unset_key_phones(["SEP000DBC80EB51"]).unset_result == [True]
        counts = cme.get_evt_counts()
        assert counts.dev_evt_count >= 1 and counts.ext_evt_count >= 1
        events = cme.get_dev_evts(dev_name=["all"]).dev_event
        assert events and events[-1].dev_status is m.DeviceStatus.REGISTERED
        assert cme.get_ext_evts(ext_number=["all"]).ext_event[0].ext_id == 1
        user = cme.get_user("peter").user
        assert (user.user_id, user.user_type, user.user_tag) == ("peter", m.UserType.EPHONE_USER, 1)
        assert cme.get_user("nobody").user.user_type is m.UserType.INVALID_CME_USER
        profile_user = cme.get_user("a").user
        assert (profile_user.user_type, profile_user.user_tag) == (m.UserType.USER_PROFILE_USER, 1)
        assert cme.update_user(user_id="peter", password="n3w").set_result is True
        assert cme.get_voice_reg_global().mode == "cme"
        servers = cme.get_session_server(session_server_id=[1]).session_server
        assert servers and servers[0].session_server_id == 1
        assert cme.get_presence_global().presence_enable is not None
        # The seven 12.x methods.
        assert cme.get_sip_device(pool_id=[1]).sip_device == [SIP_DEVICE]
        available = cme.get_sip_device(pool_name=[m.PoolKeyword.AVAILABLE]).sip_device
        assert available == [m.ISSipDevice(pool_id=2)]
        assert cme.get_sip_extension(voice_reg_number=["901"]).sip_extension == [SIP_EXTENSION]
        every = cme.get_sip_extension(voice_reg_number=[m.PoolKeyword.ALL]).sip_extension
        assert [e.voice_reg_dnid for e in every] == [1, 2]
        _check_hunt_group(cme.get_voice_hunt_group([1]))
        assert cme.get_voice_hunt_group([9]).voice_hunt_group == []
        _check_templates(cme.get_device_template([1]), cme.get_extension_template([1]))
        assert cme.get_device_template([2]).device_template == []
        _check_user_profile(cme.get_user_profile([1]))
        assert cme.get_utility_directory().directory_entry == DIRECTORY
        streamed = cme.get_utility_directory(stream=True)
        assert list(streamed) == DIRECTORY
        assert list(cme.get_sip_device(pool_name=[m.PoolKeyword.ALL], stream=True)) == [SIP_DEVICE]
        # The 12.x list queries of one argument stream too, the same records as the whole call.
        whole = cme.get_voice_hunt_group([1]).voice_hunt_group
        assert whole and list(cme.get_voice_hunt_group([1], stream=True)) == whole
        whole_templates = cme.get_device_template([1]).device_template
        assert whole_templates
        assert list(cme.get_device_template([1], stream=True)) == whole_templates
        ext_templates = cme.get_extension_template([1]).extension_template
        assert ext_templates
        assert list(cme.get_extension_template([1], stream=True)) == ext_templates
        profiles = cme.get_user_profile([1]).user_profile
        assert profiles and list(cme.get_user_profile([1], stream=True)) == profiles
        assert glob.release == emulator.release  # the dialect that answered


def test_all_operations_async(emulator: Emulator) -> None:
    async def scenario() -> None:
        async with AsyncCmeClient(
            emulator.url,
            username=DEMO_USER,
            password=DEMO_PASSWORD,
            timeout=5.0,
            release=emulator.release,  # type: ignore[arg-type]
        ) as cme:
            assert (await cme.exec_cli(PROVISION)).result == 0
            assert (await cme.exec_cli(ENTITIES)).result == 0
            emulator.router.register_pool(1, "10.1.1.31")
            assert (await cme.save_config()).save_config_result is m.SaveConfigResult.SUCCESS
            assert (await cme.get_global()).configured_device == 2
            devices, extensions = await asyncio.gather(
                cme.get_device(dev_name=["all"]), cme.get_extension(ext_number=["all"])
            )
            assert [d.dev_id for d in devices.device] == [1, 2]
            assert [e.ext_number for e in extensions.extension] == ["2001", "2002"]
            templated = (await cme.get_extension(ext_id=[2])).extension[0]
            sip = (await cme.get_device(pool_name=[m.PoolKeyword.ALL])).device
            _check_richer_records(emulator.release, devices.device[1], templated, sip)
            assert (await cme.set_key_phones(["SEP000DBC80EB51"])).set_result == [True]
            assert (await cme.unset_key_phones(["SEP000DBC80EB51"])).unset_result == [True]
            counts = await cme.get_evt_counts()
            assert (counts.dev_evt_count, counts.ext_evt_count) == (0, 0)  # nothing registered
            assert (await cme.get_dev_evts(dev_id=[1])).dev_event == []
            assert (await cme.get_ext_evts(ext_id=[1])).ext_event == []
            assert (await cme.get_user("peter")).user.user_tag == 1
            assert (await cme.update_user(user_id="peter", password="x")).set_result
            assert (await cme.get_voice_reg_global()).max_pool == 10
            servers = (await cme.get_session_server(session_server_id=[1])).session_server
            assert [s.session_register_id for s in servers] == ["CRS"]
            presence = await cme.get_presence_global()
            assert (presence.presence_enable, presence.max_sub_allow) == (False, 100)
            # The seven 12.x methods, concurrently.
            sip_devices, sip_dns, hunt, dev_t = await asyncio.gather(
                cme.get_sip_device(pool_id=[1, 7]),
                cme.get_sip_extension(voice_reg_dnid=[1]),
                cme.get_voice_hunt_group(),
                cme.get_device_template(),
            )
            ext_t, profiles, directory = await asyncio.gather(
                cme.get_extension_template([1]),
                cme.get_user_profile([1]),
                cme.get_utility_directory(),
            )
            assert sip_devices.sip_device == [SIP_DEVICE]
            assert sip_dns.sip_extension == [SIP_EXTENSION]
            _check_hunt_group(hunt)
            _check_templates(dev_t, ext_t)
            _check_user_profile(profiles)
            assert directory.directory_entry == DIRECTORY
            assert directory.release == emulator.release
            streamed = await cme.get_sip_extension(voice_reg_number=["all"], stream=True)
            assert [e.ext_number for e in streamed] == ["901", "902"]
            assert list(await cme.get_utility_directory(stream=True)) == DIRECTORY
            with pytest.raises(CmeCliError):
                await cme.exec_cli(["ephone 9", "button 1:7"])

    asyncio.run(scenario())


def test_exec_cli_failure_names_the_line(emulator: Emulator) -> None:
    with _client(emulator) as cme, pytest.raises(CmeCliError) as info:
        cme.exec_cli(["ephone 4", "mac-address 000D.BC80.EB51", "type 7960", "button 1:1"])
    assert info.value.line == 4
    assert "invalid input dn parameter for button 1" in info.value.error
    assert [e.tag for e in emulator.router.devices([4], [])] == [4]  # lines 1-3 were applied


def test_set_results_false_raise_with_the_failed_items(emulator: Emulator) -> None:
    with _client(emulator) as cme:
        cme.exec_cli(PROVISION)
        with pytest.raises(CmeSetResultError) as info:
            cme.set_key_phones(["SEP000000000000", "SEP000DBC80EB51"])
        assert info.value.results == (False, True)
        assert "SEP000000000000" in str(info.value)
        with pytest.raises(CmeSetResultError, match="does not exist"):
            cme.update_user(user_id="ghost", password="whatever")


def test_save_config_delay_is_success_and_fail_raises(emulator: Emulator) -> None:
    with _client(emulator) as cme:
        emulator.router.terminal_sessions = 1
        assert cme.save_config().save_config_result is m.SaveConfigResult.DELAY
        emulator.router.nvram_full = True
        with pytest.raises(CmeSaveConfigError):
            cme.save_config()


def test_wrong_credentials(emulator: Emulator) -> None:
    with _client(emulator, password="wrong") as cme, pytest.raises(AuthenticationError) as info:
        cme.get_global()
    assert info.value.status == 401
    assert "wrong" not in str(info.value)
    with CmeClient(emulator.url) as anonymous, pytest.raises(AuthenticationError):
        anonymous.get_global()


def test_timeout(emulator: Emulator) -> None:
    emulator.faults.delay = 1.0
    with _client(emulator, timeout=0.2) as cme, pytest.raises(RequestTimeoutError):
        cme.get_global()


@pytest.mark.parametrize("fault", ["truncate", "html", "garbage"])
def test_unreadable_answers(emulator: Emulator, fault: str) -> None:
    setattr(emulator.faults, fault, True)
    with _client(emulator) as cme, pytest.raises(MalformedResponseError):
        cme.get_global()


def test_http_500(emulator: Emulator) -> None:
    emulator.faults.status = 500
    with _client(emulator) as cme, pytest.raises(HttpStatusError) as info:
        cme.get_global()
    assert info.value.status == 500
    assert not isinstance(info.value, AuthenticationError)


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with CmeClient(f"http://127.0.0.1:{port}", timeout=2.0) as cme, pytest.raises(ConnectError):
        cme.get_global()


def test_every_failure_is_a_ucxml_error(emulator: Emulator) -> None:
    emulator.faults.garbage = True
    with _client(emulator) as cme, pytest.raises(UcxmlError):
        cme.get_device(dev_name=["all"])


def test_tls_verification_is_on_by_default() -> None:
    with CmeClient("https://127.0.0.1:1", timeout=1.0) as cme:
        transport = cme._transport
        client = transport._client  # type: ignore[attr-defined]
        assert client._transport._pool._ssl_context.verify_mode.name == "CERT_REQUIRED"


def test_repr_has_no_password() -> None:
    cme = CmeClient("http://router", username="admin", password="hunter2")
    assert "hunter2" not in repr(cme)
    assert cme.url == "http://router/ios_xml_app/cme"
    cme.close()


def test_bad_base_url() -> None:
    with pytest.raises(ValueError):
        CmeClient("router.example.com")
