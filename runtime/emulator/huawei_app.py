"""The Huawei CC-Gateway agent interface emulator: ``/agentgateway/resource/onlineagent/...``
and the event polling ``/agentgateway/resource/agentevent/{agentid}``.

Each request goes: fault injection (:class:`GatewayFaults`) -> the URL parameters
(agent ID 101-999999, else ``000-002``; cause code digits, else ``000-002``, outside
1-255 ``100-005``) -> for the sign-in requests, the body, read and checked with the
project's own JSON binding and validator against ``SignInRequest`` (not a JSON object
``000-006``, no phone number ``100-001``, anything else wrong ``100-011``) -> the
:class:`~ucxml.emulator.huawei_state.AgentGateway` (static GUID authentication, agent
state) -> the answer, always ``200 application/json`` with the envelope
``{"message", "retcode", "result"}``; sign-in and GUID renewal add the ``Set-GUID``
header. Answers take the real gateway's shapes: the sign-in details with their numbers
and booleans as strings (``"loginTime": "1471585949806"``, ``"isForceChange": "false"``)
and ``vdnid`` a number, the GUID renewal's ``result`` ``{"guid": ...}``, and the event
poll ``{"message": "", "retcode": "0", "event": {...}}`` (``event`` null when none
waits) with a fresh GUID in ``Set-GUID`` on each (dynamic authentication). Another
method than GET on the event path answers ``000-001``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ucxml._jsondocs import _dump, read_json, validate_json
from ucxml.emulator._standalone import standalone_app
from ucxml.emulator.faults import Faults, FaultStyle, answer_with_faults
from ucxml.emulator.huawei_state import (
    EVENTS_WRONG_METHOD,
    INVALID_SIGN_IN_PARAMETER,
    INVALID_URL_PARAMETER,
    MESSAGE_PARAMETER_ERROR,
    SIGN_IN_PARAMETER_INVALID,
    Agent,
    AgentGateway,
    Event,
    Outcome,
)
from ucxml.errors import BindingError
from ucxml.generated.huawei.models import GatewayResponse, SignInRequest
from ucxml.generated.huawei.registry import PARAMETER_RANGES, ROUTES

__all__ = [
    "EVENT_PATH",
    "HUAWEI_PATH",
    "MAX_BODY_BYTES",
    "GatewayFaults",
    "create_huawei_app",
    "huawei_routes",
]

HUAWEI_PATH: Final = "/agentgateway/resource/onlineagent"
"""Path prefix of the agent interface on a CC-Gateway."""
EVENT_PATH: Final = "/agentgateway/resource/agentevent"
"""Path prefix of the event polling (``GET {EVENT_PATH}/{agentid}``)."""
MAX_BODY_BYTES: Final = 64 * 1024
"""Largest request body accepted; larger ones are answered 413."""

_MEDIA_TYPE: Final = "application/json;charset=UTF-8"
# The OpenAPI file's ranges, as the generated registry carries them (the current release's).
_AGENT_MIN = int(PARAMETER_RANGES["agentid"]["minimum"])
_AGENT_MAX = int(PARAMETER_RANGES["agentid"]["maximum"])
_GARBAGE: Final = b'{"message":"success","retcode":"0","result":{"vdnid":1,"workno":"10'
_HTML_PAGE: Final = (
    "<html><head><title>Error</title></head><body><h1>503 Service Unavailable</h1></body></html>\n"
)


class GatewayFaults(Faults):
    """Faults injected into every gateway answer while set (see :class:`Faults`)."""


_MESSAGE: Final = {
    INVALID_URL_PARAMETER: "invalid URL parameter",
    MESSAGE_PARAMETER_ERROR: "message parameter error: the body is not a JSON object",
    SIGN_IN_PARAMETER_INVALID: "sign-in parameter is empty or invalid: phonenum",
    INVALID_SIGN_IN_PARAMETER: "invalid sign-in parameter",
    EVENTS_WRONG_METHOD: "wrong method for getting agent events: use GET",
}


def _answer(body: Any, guid: str | None = None) -> Response:
    payload = _dump(body)
    payload.setdefault("result", None)
    return _raw(payload, guid)


def _raw(payload: dict[str, Any], guid: str | None = None) -> Response:
    """``payload`` as it is (the real gateway's shapes, not the documented types)."""
    content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Set-GUID": guid} if guid else None
    return Response(content, headers=headers, media_type=_MEDIA_TYPE)


def _wire_flag(value: bool) -> str:
    return "true" if value else "false"


def _wire_event(event: Event) -> dict[str, Any]:
    """An event as the gateway writes it (keys in its order)."""
    content = dict(event.content) if event.content is not None else None
    return {"content": content, "eventType": event.event_type, "workNo": event.work_no}


def _envelope(outcome: Outcome) -> Response:
    return _answer(GatewayResponse(message=outcome.message, retcode=outcome.retcode))


def _failure(retcode: str) -> Response:
    return _envelope(Outcome(retcode, _MESSAGE[retcode]))


def _number(text: str, low: int, high: int) -> int | None:
    """``text`` as an int within ``low``-``high`` (None: not digits or out of range)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 7:
        return None
    value = int(text)
    return value if low <= value <= high else None


class _Rejected(Exception):
    def __init__(self, retcode: str) -> None:
        super().__init__(retcode)
        self.retcode = retcode


class _GatewayEndpoint:
    """The request handlers of one emulated gateway."""

    def __init__(self, gateway: AgentGateway, faults: GatewayFaults, max_body: int) -> None:
        self.gateway = gateway
        self.faults = faults
        self.max_body = max_body

    def handler(
        self, answer: Callable[[Request, int], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """A Starlette endpoint: faults, the agent ID, then ``answer``."""

        async def respond(request: Request) -> Response:
            agent_id = _number(request.path_params["agentid"], _AGENT_MIN, _AGENT_MAX)
            if agent_id is None:
                return _failure(INVALID_URL_PARAMETER)
            try:
                return await answer(request, agent_id)
            except _Rejected as rejected:
                return _failure(rejected.retcode)

        async def endpoint(request: Request) -> Response:
            style = FaultStyle(_MEDIA_TYPE, _GARBAGE, _HTML_PAGE)
            return await answer_with_faults(self.faults, style, lambda: respond(request))

        return endpoint

    async def _body(self, request: Request) -> SignInRequest:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise _Rejected(MESSAGE_PARAMETER_ERROR)
        try:
            data = await request.body()
        except ClientDisconnect:
            raise _Rejected(MESSAGE_PARAMETER_ERROR) from None
        if len(data) > self.max_body:
            raise _Rejected(MESSAGE_PARAMETER_ERROR)
        try:
            raw = json.loads(data)
        except (ValueError, RecursionError):
            raise _Rejected(MESSAGE_PARAMETER_ERROR) from None
        if not isinstance(raw, dict):
            raise _Rejected(MESSAGE_PARAMETER_ERROR)
        if not raw.get("phonenum"):
            raise _Rejected(SIGN_IN_PARAMETER_INVALID)
        if not validate_json(data, "huawei", schema="SignInRequest").valid:
            raise _Rejected(INVALID_SIGN_IN_PARAMETER)
        try:
            # A real client's strings ("status": "4") are read as the gateway reads them.
            body, _ = read_json(data, "huawei", schema="SignInRequest")
        except BindingError:
            raise _Rejected(INVALID_SIGN_IN_PARAMETER) from None
        if not isinstance(body, SignInRequest):
            raise _Rejected(INVALID_SIGN_IN_PARAMETER)
        return body

    def _signed_in(self, outcome: Outcome) -> Response:
        if not outcome.ok or outcome.agent is None:
            return _envelope(outcome)
        agent: Agent = outcome.agent
        # The real gateway's shape (ERRATA D07, D08): vdnid a number, the rest strings.
        result = {
            "vdnid": self.gateway.vdn_id,
            "workno": str(agent.agent_id),
            "mediatype": self.gateway.media_type,
            "loginTime": str(agent.login_time),
            "isForceChange": _wire_flag(False),
            "serverName": self.gateway.server_name,
            "timeRemaining": "-1",
        }
        payload = {"message": outcome.message, "retcode": outcome.retcode, "result": result}
        return _raw(payload, outcome.guid)

    async def login(self, request: Request, agent_id: int) -> Response:
        body = await self._body(request)
        return self._signed_in(self.gateway.sign_in(agent_id, body.phonenum, body.password))

    async def force_login(self, request: Request, agent_id: int) -> Response:
        body = await self._body(request)
        outcome = self.gateway.sign_in(agent_id, body.phonenum, body.password, force=True)
        return self._signed_in(outcome)

    async def logout(self, request: Request, agent_id: int) -> Response:
        return _envelope(self.gateway.sign_out(agent_id, request.headers.get("guid")))

    async def force_logout(self, request: Request, agent_id: int) -> Response:
        outcome = self.gateway.sign_out(agent_id, request.headers.get("guid"), force=True)
        return _envelope(outcome)

    async def force_logout_with_reason(self, request: Request, agent_id: int) -> Response:
        text = request.path_params["reason"]
        if not (text.isascii() and text.isdigit()):
            raise _Rejected(INVALID_URL_PARAMETER)
        reason = int(text) if len(text) <= 4 else 0
        outcome = self.gateway.sign_out(
            agent_id, request.headers.get("guid"), force=True, reason=reason
        )
        return _envelope(outcome)

    async def update_guid(self, request: Request, agent_id: int) -> Response:
        outcome = self.gateway.update_guid(agent_id, request.headers.get("guid"))
        if not outcome.ok:
            return _envelope(outcome)
        payload = {"result": {"guid": outcome.guid}, "message": outcome.message, "retcode": "0"}
        return _raw(payload, outcome.guid)

    async def get_agent_event(self, request: Request, agent_id: int) -> Response:
        outcome = self.gateway.poll_event(agent_id, request.headers.get("guid"))
        if not outcome.ok:
            return _envelope(outcome)
        event = _wire_event(outcome.event) if outcome.event is not None else None
        return _raw({"message": "", "retcode": "0", "event": event}, outcome.guid)

    async def wrong_event_method(self, request: Request, agent_id: int) -> Response:
        return _failure(EVENTS_WRONG_METHOD)


def huawei_routes(
    gateway: AgentGateway,
    *,
    faults: GatewayFaults | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> list[BaseRoute]:
    """The emulator's routes (every ``onlineagent`` operation), for mounting in a bigger app.

    ``faults`` is the :class:`GatewayFaults` the routes obey (a fresh, inactive one if
    None); keep a reference to it to inject faults later.
    """
    endpoint = _GatewayEndpoint(
        gateway, faults if faults is not None else GatewayFaults(), max_body
    )
    answers = {
        "login": endpoint.login,
        "forceLogin": endpoint.force_login,
        "loginEx": endpoint.login,
        "logout": endpoint.logout,
        "forceLogout": endpoint.force_logout,
        "forceLogoutWithReason": endpoint.force_logout_with_reason,
        "updateGuid": endpoint.update_guid,
        "getAgentEvent": endpoint.get_agent_event,
    }
    routes: list[BaseRoute] = []
    for operation, (method, template) in ROUTES.items():
        routes.append(
            Route(
                template,  # {agentid} and {reason} arrive as strings: the handlers check them
                endpoint.handler(answers[operation]),
                methods=[method],
                name=f"huawei.{operation}",
            )
        )
    method, template = ROUTES["getAgentEvent"]
    others = ["POST", "PUT", "DELETE", "PATCH"]
    routes.append(
        Route(
            template,
            endpoint.handler(endpoint.wrong_event_method),
            methods=[m for m in others if m != method],
            name="huawei.getAgentEvent.wrong-method",
        )
    )
    return routes


def create_huawei_app(
    gateway: AgentGateway,
    *,
    faults: GatewayFaults | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> Starlette:
    """A Starlette app serving the agent interface emulator of ``gateway``.

    ``app.state.gateway`` is the gateway and ``app.state.faults`` the app's
    :class:`GatewayFaults` (``faults`` when given).
    """
    faults = faults if faults is not None else GatewayFaults()
    routes = huawei_routes(gateway, faults=faults, max_body=max_body)
    return standalone_app(routes, faults, gateway=gateway)
