"""Typed clients of the Huawei CC-Gateway agent interface (``onlineagent``), sync and async.

Example (against ``ucxml emulate --port 8080``; for a gateway,
``AgentGatewayClient("https://cc-gateway:8043", ca_bundle="gateway-ca.pem")``)::

    from ucxml.huawei import AgentGatewayClient

    with AgentGatewayClient("http://127.0.0.1:8080") as gateway:
        details = gateway.sign_in(1001, "88880001", password="Agent@1001")  # keeps Set-GUID
        print(details.vdnid, details.login_time)
        gateway.force_logout_with_reason(agent_id=1001, reason=5)

Events (dynamic authentication, ``AUTHMODE=2``, the gateway's default) are polled from
``GET /agentgateway/resource/agentevent/{agentid}``: :meth:`~AgentGatewayClient.get_agent_event`
fetches one (None when none waits), :meth:`~AgentGatewayClient.events` iterates over them,
polling every ``interval`` seconds while none waits, until the stream or the client is
closed. Each answer's ``Set-GUID`` replaces the client's GUID, which the next request
sends. Event types ucxml does not list in :data:`AGENT_EVENT_TYPES` are kept as sent.

Every call checks its arguments before anything is sent (agent IDs 101-999999, with a
logged warning above the 59999 of the documented release; sign-out reasons 1-255):
out of range raises :class:`~ucxml.errors.ParameterError`, a ``ValueError``. Requests
carry ``Content-Type: application/json; charset=UTF-8`` and, once known, the GUID in the
``Guid`` header; the sign-in requests and :meth:`~AgentGatewayClient.update_guid` keep the
GUID the gateway returns in ``Set-GUID`` (static authentication); pass ``guid=`` (or set
:attr:`~AgentGatewayClient.guid`) under dynamic authentication. An answer whose
``retcode`` is not ``"0"`` raises :class:`~ucxml.errors.GatewayError` with the code, the
server's message and the documented meaning (:data:`GATEWAY_ERROR_CODES`); HTTP failures,
timeouts and answers that are not the JSON envelope raise the transport errors of
:mod:`ucxml.errors`. The GUID and the password never appear in a repr, a log line or an
error message.

The asynchronous client and stream are written by hand (:mod:`ucxml._async_huawei`); the
synchronous ones are their twins, written from them by ``python -m ucxml.codegen``
(:mod:`ucxml.codegen.unasync`).
"""

from __future__ import annotations

from ucxml import _huaweicore
from ucxml._async_huawei import AsyncAgentEventStream, AsyncAgentGatewayClient
from ucxml._huaweicore import *  # noqa: F403 - the names of its __all__, exported from here
from ucxml.generated._sync.huawei import AgentEventStream, AgentGatewayClient

__all__ = [
    *_huaweicore.__all__,
    "AgentEventStream",
    "AgentGatewayClient",
    "AsyncAgentEventStream",
    "AsyncAgentGatewayClient",
]
