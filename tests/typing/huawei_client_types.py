"""Pinned types of the CC-Gateway clients and event streams; checked by mypy in
tests/test_typing.py."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import assert_type

from ucxml.generated.huawei.models import (
    AgentEvent,
    GatewayResponse,
    SignInResult,
    UpdateGuidResponse,
    UpdateGuidResult,
)
from ucxml.huawei import (
    AGENT_EVENT_TYPES,
    GATEWAY_ERROR_CODES,
    AgentEventStream,
    AgentGatewayClient,
    AsyncAgentEventStream,
    AsyncAgentGatewayClient,
)
from ucxml.retry import RetryPolicy
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport


def _answer(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, b'{"retcode": "0", "message": ""}', {})


def constructors() -> None:
    assert_type(AgentGatewayClient("http://127.0.0.1:8080"), AgentGatewayClient)
    gateway = AgentGatewayClient(
        "https://cc-gateway:8043",
        guid="guid",
        release="current",
        timeout=5.0,
        verify=False,
        ca_bundle=Path("gateway-ca.pem"),
        max_answer_bytes=1 << 20,
        transport=MockTransport(_answer),
        retry=RetryPolicy(attempts=1),
    )
    assert_type(gateway, AgentGatewayClient)
    assert_type(AgentGatewayClient("http://gw", ca_bundle="ca.pem", retry=None), AgentGatewayClient)
    assert_type(AsyncAgentGatewayClient("http://127.0.0.1:8080"), AsyncAgentGatewayClient)
    agateway = AsyncAgentGatewayClient(
        "https://cc-gateway:8043",
        guid=None,
        release="documented",
        timeout=5.0,
        verify=True,
        ca_bundle="gateway-ca.pem",
        max_answer_bytes=1 << 20,
        transport=AsyncMockTransport(_answer),
        retry=None,
    )
    assert_type(agateway, AsyncAgentGatewayClient)


def constants() -> None:
    assert_type(AGENT_EVENT_TYPES, Mapping[str, str])
    assert_type(GATEWAY_ERROR_CODES, Mapping[str, str])


def sync_types(gateway: AgentGatewayClient) -> None:
    details = gateway.sign_in(
        1001,
        "88880001",
        password="Agent@1001",
        autoanswer=True,
        autoenteridle=False,
        releasephone=None,
        agenttype=4,
        status=3,
    )
    assert_type(details, SignInResult)
    assert_type(details.vdnid, str | None)
    assert_type(details.login_time, int | None)
    assert_type(gateway.sign_in("1001", "88880001"), SignInResult)
    assert_type(gateway.force_login(1001, "88880001", password="Agent@1001"), SignInResult)
    assert_type(gateway.login_ex("1001", "88880001", autoanswer=True, status=3), SignInResult)
    assert_type(gateway.logout(1001), GatewayResponse)
    assert_type(gateway.logout("1001"), GatewayResponse)
    assert_type(gateway.force_logout(1001), GatewayResponse)
    answer = gateway.force_logout_with_reason(agent_id=1001, reason=5)
    assert_type(answer, GatewayResponse)
    assert_type(answer.retcode, str)
    assert_type(gateway.force_logout_with_reason("1001", 5), GatewayResponse)
    renewed = gateway.update_guid(1001)
    assert_type(renewed, UpdateGuidResponse)
    assert_type(renewed.result, UpdateGuidResult | None)
    event = gateway.get_agent_event("1001")
    assert_type(event, AgentEvent | None)
    if event is not None:
        assert_type(event.event_type, str)
    assert_type(gateway.events(1001), AgentEventStream)
    assert_type(gateway.events("1001", interval=0.5), AgentEventStream)
    assert_type(gateway.release, str)
    assert_type(gateway.base_url, str)
    assert_type(gateway.guid, str | None)
    gateway.guid = "guid"
    gateway.guid = None
    assert_type(gateway.close(), None)


def sync_context(base_url: str) -> None:
    with AgentGatewayClient(base_url) as gateway:
        assert_type(gateway, AgentGatewayClient)
        with gateway.events(1001, interval=2) as stream:
            assert_type(stream, AgentEventStream)
            for event in stream:
                assert_type(event, AgentEvent)
            assert_type(next(stream), AgentEvent)
            assert_type(iter(stream), AgentEventStream)
            assert_type(stream.agent_id, int)
            assert_type(stream.interval, float)
            assert_type(stream.closed, bool)
            assert_type(stream.close(), None)


async def async_types(gateway: AsyncAgentGatewayClient) -> None:
    details = await gateway.sign_in(
        1001,
        "88880001",
        password="Agent@1001",
        autoanswer=True,
        autoenteridle=False,
        releasephone=None,
        agenttype=4,
        status=3,
    )
    assert_type(details, SignInResult)
    assert_type(await gateway.force_login("1001", "88880001"), SignInResult)
    assert_type(await gateway.login_ex(1001, "88880001", password="x"), SignInResult)
    assert_type(await gateway.logout(1001), GatewayResponse)
    assert_type(await gateway.force_logout("1001"), GatewayResponse)
    assert_type(await gateway.force_logout_with_reason(agent_id=1001, reason=5), GatewayResponse)
    assert_type(await gateway.update_guid(1001), UpdateGuidResponse)
    assert_type(await gateway.get_agent_event(1001), AgentEvent | None)
    # events() itself is not a coroutine: it makes the stream at once.
    assert_type(gateway.events(1001), AsyncAgentEventStream)
    assert_type(gateway.events("1001", interval=0.5), AsyncAgentEventStream)
    assert_type(gateway.release, str)
    assert_type(gateway.base_url, str)
    assert_type(gateway.guid, str | None)
    gateway.guid = "guid"
    assert_type(await gateway.aclose(), None)


async def async_context(base_url: str) -> None:
    async with AsyncAgentGatewayClient(base_url) as gateway:
        assert_type(gateway, AsyncAgentGatewayClient)
        async with gateway.events(1001, interval=2) as stream:
            assert_type(stream, AsyncAgentEventStream)
            async for event in stream:
                assert_type(event, AgentEvent)
            assert_type(await anext(stream), AgentEvent)
            assert_type(aiter(stream), AsyncAgentEventStream)
            assert_type(stream.agent_id, int)
            assert_type(stream.interval, float)
            assert_type(stream.closed, bool)
            assert_type(stream.close(), None)
            assert_type(await stream.aclose(), None)
