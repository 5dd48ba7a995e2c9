"""The CC-Gateway emulator over real loopback HTTP, driven by the typed clients and raw httpx."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from ucxml._jsondocs import validate_json
from ucxml.emulator.app import create_app
from ucxml.emulator.huawei_app import HUAWEI_PATH, GatewayFaults, create_huawei_app
from ucxml.emulator.huawei_state import (
    DEMO_AGENT_ID,
    DEMO_AGENT_PASSWORD,
    DEMO_PHONE,
    DEMO_SECOND_AGENT_ID,
    DEMO_SECOND_PHONE,
    Agent,
    AgentGateway,
    demo_agent_gateway,
)
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import (
    GatewayError,
    HttpStatusError,
    MalformedResponseError,
    OutcomeUnknownError,
    RequestTimeoutError,
)
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient

GUID_FORM = re.compile(r"^JSESSIONID=[0-9A-F]{32}\.AgentGateway0$")


@dataclass
class Emulator:
    url: str
    gateway: AgentGateway
    faults: GatewayFaults


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, AgentGateway, GatewayFaults]]:
    gateway = AgentGateway()
    app = create_app(huawei=gateway)
    assert app.state.huawei_gateway is gateway
    with EmulatorServer(app) as running:
        yield running.base_url, gateway, app.state.huawei_faults


@pytest.fixture
def emulator(server: tuple[str, AgentGateway, GatewayFaults]) -> Iterator[Emulator]:
    url, gateway, faults = server
    for agent in demo_agent_gateway().agents():
        gateway.add_agent(agent.agent_id, password=agent.password, phone=agent.phone)
    gateway.add_agent(60000, phone="88886000")
    yield Emulator(url, gateway, faults)
    faults.clear()


def client(emulator: Emulator, **options: object) -> AgentGatewayClient:
    settings: dict[str, object] = {"timeout": 5.0, **options}
    return AgentGatewayClient(emulator.url, **settings)  # type: ignore[arg-type]


def code_of(info: pytest.ExceptionInfo[GatewayError]) -> str:
    return info.value.code


def test_sign_in_then_force_logout_with_reason(emulator: Emulator) -> None:
    with client(emulator) as gw:
        details = gw.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
        assert details.workno == str(DEMO_AGENT_ID)
        assert details.server_name == "AgentGateway0" and details.login_time
        assert gw.guid is not None and GUID_FORM.match(gw.guid)
        agent = emulator.gateway.agent(DEMO_AGENT_ID)
        assert agent is not None and agent.signed_in and agent.phonenum == DEMO_PHONE
        assert agent.guid == gw.guid
        answer = gw.force_logout_with_reason(agent_id=DEMO_AGENT_ID, reason=42)
        assert answer.retcode == "0"
        agent = emulator.gateway.agent(DEMO_AGENT_ID)
        assert agent is not None and not agent.signed_in and agent.sign_out_reason == 42
        assert gw.guid is None
        with pytest.raises(GatewayError) as info:
            gw.force_logout_with_reason(agent_id=DEMO_AGENT_ID, reason=42)
        assert code_of(info) == "100-006"


def test_every_operation_and_the_documented_codes(emulator: Emulator) -> None:
    with client(emulator) as gw:
        with pytest.raises(GatewayError) as info:
            gw.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password="wrong")
        assert code_of(info) == "100-004"
        with pytest.raises(GatewayError) as info:
            gw.logout(DEMO_AGENT_ID)
        assert code_of(info) == "100-006"
        gw.login_ex(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
        first = gw.guid
        with pytest.raises(GatewayError) as info:
            gw.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
        assert code_of(info) == "100-002"
        # A forced sign-in from elsewhere ends this session: the old GUID is refused.
        with client(emulator) as other:
            other.force_login(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
            assert other.guid not in (None, first)
        with pytest.raises(GatewayError) as info:
            gw.update_guid(DEMO_AGENT_ID)
        assert code_of(info) == "000-003"
        gw.force_login(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
        before = gw.guid
        gw.update_guid(DEMO_AGENT_ID)
        assert gw.guid not in (None, before)
        emulator.gateway.set_talking(DEMO_AGENT_ID)
        with pytest.raises(GatewayError) as info:
            gw.logout(DEMO_AGENT_ID)
        assert code_of(info) == "100-010"
        assert gw.force_logout(DEMO_AGENT_ID).retcode == "0"
        gw.sign_in(DEMO_SECOND_AGENT_ID, DEMO_SECOND_PHONE)  # no password configured
        assert gw.logout(DEMO_SECOND_AGENT_ID).message == "success"
        agent = emulator.gateway.agent(DEMO_AGENT_ID)
        assert agent is not None and agent.guids_issued == 4


def test_an_agent_id_above_59999_works_with_a_warning(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="ucxml"), client(emulator) as gw:
        gw.sign_in("60000", "88886000")
        gw.force_logout_with_reason(agent_id=60000, reason=1)
    assert "60000" in caplog.text


def test_raw_requests_get_the_documented_codes(emulator: Emulator) -> None:
    base = emulator.url + HUAWEI_PATH

    def retcode(response: httpx.Response) -> str:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        body = response.content
        assert validate_json(body).valid, body
        code: str = json.loads(body)["retcode"]
        return code

    with httpx.Client(timeout=5.0) as http:
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        for agent in ("100", "1000000", "abc", "0101x"):
            assert retcode(http.delete(f"{base}/{agent}/logout", headers=headers)) == "000-002"
        assert retcode(http.delete(f"{base}/1001/forcelogoutwithreason/x")) == "000-002"
        for reason in ("0", "256", "99999999"):
            answer = http.delete(f"{base}/1001/forcelogoutwithreason/{reason}")
            assert retcode(answer) == "100-005"
        assert retcode(http.put(f"{base}/1001", content=b"not json")) == "000-006"
        assert retcode(http.put(f"{base}/1001", content=b'{"phonenum": ""}')) == "100-001"
        assert retcode(http.put(f"{base}/1001", content=b"{}")) == "100-001"
        bad = b'{"phonenum": "8888", "password": "Agent@1001", "autoanswer": "yes"}'
        assert retcode(http.put(f"{base}/1001", content=bad)) == "100-011"
        unknown = b'{"phonenum": "8888", "password": "Agent@1001", "color": "red"}'
        assert retcode(http.put(f"{base}/1001", content=unknown)) == "100-011"
        body = json.dumps({"phonenum": DEMO_PHONE, "password": DEMO_AGENT_PASSWORD})
        signed = http.put(f"{base}/1001", content=body, headers=headers)
        assert retcode(signed) == "0"
        guid = signed.headers["set-guid"]
        assert GUID_FORM.match(guid)
        assert json.loads(signed.content)["result"]["workno"] == "1001"
        assert retcode(http.delete(f"{base}/1001/logout")) == "000-003"  # no Guid header
        assert retcode(http.delete(f"{base}/1001/logout", headers={"Guid": "x"})) == "000-003"
        renewed = http.put(f"{base}/1001/updateGuid", headers={"Guid": guid})
        assert retcode(renewed) == "0" and renewed.headers["set-guid"] != guid
        assert retcode(http.delete(f"{base}/1001/logout", headers={"Guid": guid})) == "000-003"
        fresh = {"Guid": renewed.headers["set-guid"]}
        answer = http.delete(f"{base}/1001/forcelogoutwithreason/255", headers=fresh)
        assert retcode(answer) == "0"
        assert http.put(f"{base}/1001/forcelogoutwithreason/5").status_code == 405
        assert http.get(f"{base}/1001/nothing").status_code == 404


def test_async_clients_side_by_side(emulator: Emulator) -> None:
    async def scenario() -> None:
        async with (
            AsyncAgentGatewayClient(emulator.url, timeout=5.0) as first,
            AsyncAgentGatewayClient(emulator.url, timeout=5.0) as second,
        ):
            one, two = await asyncio.gather(
                first.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD),
                second.sign_in(DEMO_SECOND_AGENT_ID, DEMO_SECOND_PHONE, autoanswer=True),
            )
            assert (one.workno, two.workno) == ("1001", "1002")
            assert first.guid != second.guid
            with pytest.raises(GatewayError) as info:
                await second.force_logout_with_reason(agent_id=DEMO_AGENT_ID, reason=3)
            assert info.value.code == "000-003"  # the second client holds 1002's GUID
            done = await asyncio.gather(
                first.force_logout_with_reason(agent_id=DEMO_AGENT_ID, reason=3),
                second.update_guid(DEMO_SECOND_AGENT_ID),
            )
            assert [d.retcode for d in done] == ["0", "0"]
            await second.force_logout(DEMO_SECOND_AGENT_ID)
            assert second.guid is None

    asyncio.run(scenario())
    assert [a.signed_in for a in emulator.gateway.agents()] == [False, False, False]


def test_faults_map_to_typed_errors(emulator: Emulator) -> None:
    with client(emulator, timeout=0.3) as gw:
        emulator.faults.garbage = True
        with pytest.raises(MalformedResponseError, match="unreadable JSON"):
            gw.logout(DEMO_AGENT_ID)
        emulator.faults.clear()
        emulator.faults.html = True
        with pytest.raises(MalformedResponseError, match="text/html"):
            gw.logout(DEMO_AGENT_ID)
        emulator.faults.clear()
        emulator.faults.status = 503
        with pytest.raises(HttpStatusError) as info:
            gw.logout(DEMO_AGENT_ID)
        assert info.value.status == 503
        emulator.faults.clear()
        emulator.faults.delay = 1.0
        # A sign-out whose answer never came may have happened: never a plain timeout.
        with pytest.raises(OutcomeUnknownError) as lost:
            gw.logout(DEMO_AGENT_ID)
        assert isinstance(lost.value.cause, RequestTimeoutError)


def test_standalone_app_and_state() -> None:
    gateway = AgentGateway([Agent(4711, password="pw", phone="7000")], server_name="GW9")
    assert "pw" not in repr(gateway.agent(4711)) and "pw" not in repr(gateway)
    app = create_huawei_app(gateway)
    assert app.state.gateway is gateway
    with (
        EmulatorServer(app) as running,
        client(Emulator(running.base_url, gateway, app.state.faults)) as gw,
    ):
        details = gw.sign_in(4711, "7000", password="pw")
        assert details.server_name == "GW9"
        assert gw.guid is not None and gw.guid.endswith(".GW9")
        outcome = gateway.authenticate(4711, gw.guid)
        assert outcome.ok and gw.guid not in repr(outcome)
        assert not gateway.authenticate(4711, "nope").ok
