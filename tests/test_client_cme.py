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


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    router = CmeRouter(xml_users={DEMO_USER: (DEMO_PASSWORD, 15)})
    app = create_app(cme=router)
    with EmulatorServer(app) as server:
        yield Emulator(server.base_url, router, app.state.cme_faults)


def _client(emulator: Emulator, **kwargs: object) -> CmeClient:
    options: dict[str, object] = {"username": DEMO_USER, "password": DEMO_PASSWORD, "timeout": 5.0}
    options.update(kwargs)
    return CmeClient(emulator.url, **options)  # type: ignore[arg-type]


def test_all_fifteen_operations_sync(emulator: Emulator) -> None:
    with _client(emulator) as cme:
        assert cme.exec_cli(PROVISION).result == 0
        emulator.router.register(1, "10.1.1.21")
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
        assert cme.update_user(user_id="peter", password="n3w").set_result is True
        assert cme.get_voice_reg_global().mode == "cme"
        servers = cme.get_session_server(session_server_id=[1]).session_server
        assert servers and servers[0].session_server_id == 1
        assert cme.get_presence_global().presence_enable is not None


def test_all_fifteen_operations_async(emulator: Emulator) -> None:
    async def scenario() -> None:
        async with AsyncCmeClient(
            emulator.url, username=DEMO_USER, password=DEMO_PASSWORD, timeout=5.0
        ) as cme:
            assert (await cme.exec_cli(PROVISION)).result == 0
            assert (await cme.save_config()).save_config_result is m.SaveConfigResult.SUCCESS
            assert (await cme.get_global()).configured_device == 2
            devices, extensions = await asyncio.gather(
                cme.get_device(dev_name=["all"]), cme.get_extension(ext_number=["all"])
            )
            assert [d.dev_id for d in devices.device] == [1, 2]
            assert [e.ext_number for e in extensions.extension] == ["2001", "2002"]
            assert (await cme.set_key_phones(["SEP000DBC80EB51"])).set_result == [True]
            assert (await cme.unset_key_phones(["SEP000DBC80EB51"])).unset_result == [True]
            assert isinstance(await cme.get_evt_counts(), m.ISgetEvtCountsResponse)
            assert isinstance(await cme.get_dev_evts(dev_id=[1]), m.ISgetDevEvtsResponse)
            assert isinstance(await cme.get_ext_evts(ext_id=[1]), m.ISgetExtEvtsResponse)
            assert (await cme.get_user("peter")).user.user_tag == 1
            assert (await cme.update_user(user_id="peter", password="x")).set_result
            assert (await cme.get_voice_reg_global()).max_pool is not None
            assert isinstance(await cme.get_session_server(), m.ISgetSessionServerResponse)
            assert isinstance(await cme.get_presence_global(), m.ISgetPresenceGlobalResponse)
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
