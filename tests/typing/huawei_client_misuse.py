"""CC-Gateway calls mypy must reject: the test fails if any of these type-checks."""

from __future__ import annotations

from ucxml.generated.huawei.models import AgentEvent
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient


def misuse(gateway: AgentGatewayClient) -> None:
    gateway.sign_in(1001, 88880001)  # a phone number is a string
    gateway.sign_in(1001, "88880001", "Agent@1001")  # the password is keyword-only
    gateway.login_ex(1001, "88880001", autoanwser=True)  # no such option
    gateway.force_login(1001, "88880001", status="3")  # a status is an int code
    gateway.force_logout_with_reason(1001)  # the reason is required
    gateway.logout(agent_id=1001.0)  # an agent ID is an int or a string of digits
    gateway.events(1001, 0.5)  # the interval is keyword-only
    event: AgentEvent = gateway.get_agent_event(1001)  # None when no event waits


async def async_misuse(gateway: AsyncAgentGatewayClient) -> None:
    with gateway:  # the async client is an async context manager only
        pass
    for _event in gateway.events(1001):  # its stream is iterated with `async for`
        pass
