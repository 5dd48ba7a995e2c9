"""Typed clients of the Huawei CC-Gateway agent interface (``onlineagent``), sync and async.

Example (against ``ucxml emulate --port 8080``; for a gateway,
``AgentGatewayClient("https://cc-gateway:8043", ca_bundle="gateway-ca.pem")``)::

    from ucxml.huawei import AgentGatewayClient

    with AgentGatewayClient("http://127.0.0.1:8080") as gateway:
        details = gateway.sign_in(1001, "88880001", password="Agent@1001")  # keeps Set-GUID
        print(details.vdnid, details.login_time)
        gateway.force_logout_with_reason(agent_id=1001, reason=5)

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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, TypeVar
from urllib.parse import quote

from ucxml.client import AsyncTransportOwner, TransportOwner
from ucxml.errors import (
    AuthenticationError,
    BindingError,
    GatewayError,
    HttpStatusError,
    MalformedResponseError,
    ParameterError,
)
from ucxml.generated.huawei.models import (
    AgentRequest,
    ForceLogoutWithReasonRequest,
    GatewayResponse,
    SignInRequest,
    SignInResponse,
    SignInResult,
)
from ucxml.generated.huawei.registry import OPERATIONS, ROUTES
from ucxml.jsondocs import _dump, _read, _SyntaxProblem, dump_json, looks_like_json, parse_json
from ucxml.redaction import client_secrets, excerpt, scrub
from ucxml.retry import DEFAULT_RETRY, RetryPolicy, arun, run
from ucxml.transport import (
    AsyncHttpxTransport,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    HttpxTransport,
    Transport,
    check_base_url,
)

__all__ = [
    "AGENT_ID_DOCUMENTED_MAX",
    "AGENT_ID_MAX",
    "AGENT_ID_MIN",
    "CONTENT_TYPE",
    "DEFAULT_ENDPOINT",
    "GATEWAY_ERROR_CODES",
    "PHONENUM_MAX_LENGTH",
    "REASON_MAX",
    "REASON_MIN",
    "AgentGatewayClient",
    "AsyncAgentGatewayClient",
]

T = TypeVar("T")
logger = logging.getLogger("ucxml.huawei")

AGENT_ID_MIN: Final = 101
"""Smallest agent ID."""
AGENT_ID_MAX: Final = 999999
"""Largest agent ID of current CC-Gateway releases."""
AGENT_ID_DOCUMENTED_MAX: Final = 59999
"""Largest agent ID of the release the interface pages describe (above it: a warning)."""
REASON_MIN: Final = 1
"""Smallest sign-out cause code."""
REASON_MAX: Final = 255
"""Largest sign-out cause code."""
PHONENUM_MAX_LENGTH: Final = 24
"""Longest phone number a sign-in accepts."""
CONTENT_TYPE: Final = "application/json; charset=UTF-8"
"""``Content-Type`` of every request (the interface requires it even without a body)."""
DEFAULT_ENDPOINT: Final = "/agentgateway/resource/onlineagent"
"""Path prefix of the agent interface; the operations' paths start with it."""

GATEWAY_ERROR_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "000-001": "wrong method for getting agent events",
        "000-002": "invalid URL parameter",
        "000-003": "no permission (authentication expired or GUID wrong)",
        "000-004": "the gateway is switching over",
        "000-006": "message parameter error",
        "000-007": "repeated call",
        "100-001": "sign-in parameter empty or invalid",
        "100-002": "the agent is already signed in",
        "100-003": "resource or provider unavailable",
        "100-004": "wrong user name or password",
        "100-005": "sign-out parameter invalid",
        "100-006": "the agent is not signed in",
        "100-007": "operation exception",
        "100-008": "the agent is already signed out",
        "100-009": "status-set error",
        "100-010": "state error at sign-out",
        "100-011": "invalid parameter at sign-in",
        "100-012": "wrong agent type",
    }
)
"""Documented ``retcode`` values and their meaning (``"0"`` is success)."""

_SIGN_IN: Final = frozenset({"login", "forceLogin", "loginEx"})
_SIGN_OUT: Final = frozenset({"logout", "forceLogout", "forceLogoutWithReason"})
_SECRET_HEADERS: Final = frozenset({"guid"})


# --------------------------------------------------------------------------- arguments


def _agent_id(value: object) -> int:
    """An agent ID as an int, checked against 101-999999."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ParameterError(
            f"agent_id must be an int or a string of digits, not {type(value).__name__}"
        )
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            raise ParameterError(f"agent_id must be a string of digits, got {value!r}")
        value = int(value)
    if not AGENT_ID_MIN <= value <= AGENT_ID_MAX:
        raise ParameterError(f"agent_id must be {AGENT_ID_MIN}-{AGENT_ID_MAX}, got {value}")
    if value > AGENT_ID_DOCUMENTED_MAX:
        logger.warning(
            "agent ID %d is above %d, the largest of the documented release; "
            "older gateways answer 000-002",
            value,
            AGENT_ID_DOCUMENTED_MAX,
        )
    return value


def _reason(value: object) -> int:
    """A sign-out cause code, checked against 1-255."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"reason must be an int, not {type(value).__name__}")
    if not REASON_MIN <= value <= REASON_MAX:
        raise ParameterError(f"reason must be {REASON_MIN}-{REASON_MAX}, got {value}")
    return value


def _flag(name: str, value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ParameterError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def _code(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(f"{name} must be an int >= 0, got {type(value).__name__}")
    return value


def _sign_in_body(
    phonenum: object,
    password: object,
    autoanswer: object,
    autoenteridle: object,
    releasephone: object,
    agenttype: object,
    status: object,
) -> SignInRequest:
    if not isinstance(phonenum, str) or not phonenum:
        raise ParameterError("phonenum must be a non-empty string")
    if len(phonenum) > PHONENUM_MAX_LENGTH:
        raise ParameterError(f"phonenum is longer than {PHONENUM_MAX_LENGTH} characters")
    if password is not None and not isinstance(password, str):
        raise ParameterError(f"password must be a string, not {type(password).__name__}")
    return SignInRequest(
        phonenum=phonenum,
        password=password,
        autoanswer=_flag("autoanswer", autoanswer),
        autoenteridle=_flag("autoenteridle", autoenteridle),
        releasephone=_flag("releasephone", releasephone),
        agenttype=_code("agenttype", agenttype),
        status=_code("status", status),
    )


# --------------------------------------------------------------------------- the core


class _Headers(dict[str, str]):
    """Request headers whose repr masks the GUID (requests are shown in logs and tests)."""

    def __repr__(self) -> str:
        shown = {k: "***" if k.lower() in _SECRET_HEADERS else v for k, v in self.items()}
        return repr(shown)


@dataclass(frozen=True, slots=True)
class _Call:
    """One prepared exchange: the operation, the request and what the answer binds to."""

    operation: str
    agent_id: int
    request: HttpRequest
    response_type: type[Any]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


class _GatewayCore:
    """Builds the requests and interprets the answers of the agent interface (no I/O)."""

    def __init__(self, base_url: str, guid: str | None) -> None:
        check_base_url(base_url)
        base = base_url.rstrip("/")
        self.base_url = base.removesuffix(DEFAULT_ENDPOINT)
        self.guid = guid
        self.guid_agent: int | None = None
        self._passwords: set[str] = set()  # of the sign-ins sent, for the masking

    @property
    def secrets(self) -> frozenset[str]:
        """The GUID and the sign-in passwords, masked in every error made from an answer."""
        return client_secrets(self.guid, *self._passwords)

    def _scrub(self, text: str) -> str:
        return scrub(text, self.secrets)

    def prepare(self, operation: str, params: Any, body: SignInRequest | None = None) -> _Call:
        op = OPERATIONS[operation]
        method, template = ROUTES[operation]
        values = {k: quote(str(v), safe="") for k, v in _dump(params).items()}
        if body is not None and body.password:
            self._passwords.add(body.password)
        headers = _Headers({"Content-Type": CONTENT_TYPE, "Accept": "application/json"})
        if self.guid is not None and operation not in _SIGN_IN:
            headers["Guid"] = self.guid
        request = HttpRequest(
            method=method,
            url=self.base_url + template.format(**values),
            content=dump_json(body) if body is not None else b"",
            headers=headers,
        )
        logger.debug("%s: %s %s", operation, method, request.url)
        return _Call(operation, int(params.agentid), request, op.response)

    def _excerpt(self, content: bytes) -> str:
        return excerpt(content, self.secrets)

    def finish(self, call: _Call, answer: HttpResponse) -> Any:
        """The bound answer of ``call``; raise the typed error of a failure."""
        name = call.operation
        reason = self._scrub(answer.reason)
        if answer.status in (401, 403):
            raise AuthenticationError(answer.status, reason or "credentials refused")
        if not 200 <= answer.status < 300:
            raise HttpStatusError(answer.status, reason, excerpt=self._excerpt(answer.content))
        content = answer.content
        if not content.strip():
            raise MalformedResponseError(f"{name}: empty answer from the gateway")
        if "html" in answer.content_type or not looks_like_json(content):
            raise MalformedResponseError(
                f"{name}: expected JSON, got {answer.content_type or 'no content type'}: "
                f"{self._excerpt(content)}"
            )
        raw, layout = self._strict(name, content)
        if layout.duplicates:
            pointer, _ = layout.duplicates[0]
            raise MalformedResponseError(
                self._scrub(f"{name}: repeated key {pointer!r} in the answer")
            )
        if not isinstance(raw, dict) or "retcode" not in raw:
            raise MalformedResponseError(f"{name}: the answer is not the gateway's envelope")
        code = str(raw["retcode"])
        if code != "0":
            message = raw.get("message")
            text = self._scrub(message) if isinstance(message, str) else ""
            # The code is the server's too: an echoing one could put anything there.
            raise GatewayError(self._scrub(code), text, GATEWAY_ERROR_CODES.get(code))
        # Success: the gateway holds the new session even if the body surprises us below.
        self._keep_guid(call, answer)
        problem = ""
        try:
            return parse_json(content, "huawei", schema=call.response_type.__name__)
        except BindingError as exc:
            problem = str(exc)
        # Raised out of the except block: the reader's exceptions quote the answer (json's
        # keeps all of it) and would ride along as the context, unmasked.
        raise MalformedResponseError(self._scrub(f"{name}: unexpected answer: {problem}"))

    def _strict(self, name: str, content: bytes) -> tuple[Any, Any]:
        """The answer read strictly: no NaN/Infinity, bounded nesting, repeated keys seen.

        A second "retcode" must not decide between success and failure.
        """
        problem = ""
        try:
            return _read(content)
        except _SyntaxProblem as exc:
            problem = str(exc)
        # Out of the except block, as in finish(): no unmasked context.
        raise MalformedResponseError(self._scrub(f"{name}: unreadable JSON answer ({problem})"))

    def _keep_guid(self, call: _Call, answer: HttpResponse) -> None:
        if call.operation in _SIGN_IN or call.operation == "updateGuid":
            guid = _header(answer.headers, "Set-GUID")
            if guid:
                self.guid, self.guid_agent = guid.strip(), call.agent_id
            else:
                logger.info("%s: no Set-GUID header (dynamic authentication?)", call.operation)
        elif call.operation in _SIGN_OUT and call.agent_id == self.guid_agent:
            self.guid, self.guid_agent = None, None


def _sign_in_result(response: SignInResponse) -> SignInResult:
    return response.result if response.result is not None else SignInResult()


# --------------------------------------------------------------------------- the clients


class _ClientState:
    def __init__(self, base_url: str, guid: str | None) -> None:
        self._core = _GatewayCore(base_url, guid)

    @property
    def base_url(self) -> str:
        """``scheme://host:port`` (and path prefix) the operation paths are appended to."""
        return self._core.base_url

    @property
    def guid(self) -> str | None:
        """The GUID sent in the ``Guid`` header (from ``Set-GUID`` or set by the caller)."""
        return self._core.guid

    @guid.setter
    def guid(self, value: str | None) -> None:
        self._core.guid, self._core.guid_agent = value, None

    def __repr__(self) -> str:
        guid = "'***'" if self._core.guid else "None"
        return f"{type(self).__name__}({self._core.base_url!r}, guid={guid})"

    def _call(self, operation: str, agent_id: object, reason: object = None) -> _Call:
        agent = _agent_id(agent_id)
        if operation == "forceLogoutWithReason":
            params: Any = ForceLogoutWithReasonRequest(agentid=agent, reason=_reason(reason))
        else:
            params = AgentRequest(agentid=agent)
        return self._core.prepare(operation, params)

    def _sign_in_call(
        self, operation: str, agent_id: object, phonenum: object, *options: object
    ) -> _Call:
        agent = _agent_id(agent_id)
        body = _sign_in_body(phonenum, *options)
        return self._core.prepare(operation, AgentRequest(agentid=agent), body)


class AgentGatewayClient(_ClientState, TransportOwner):
    """Synchronous client of the CC-Gateway agent interface; use as a context manager.

    Args:
        base_url: ``https://host:port`` of the gateway (8043 in Huawei's examples); a
            path prefix is kept, a trailing ``/agentgateway/resource/onlineagent`` dropped.
        guid: A GUID to start with (dynamic authentication, or a session of another
            process); the sign-in calls replace it with the gateway's ``Set-GUID``.
        timeout: Seconds to wait for each answer.
        verify: Verify the gateway's TLS certificate (on by default).
        ca_bundle: CA certificates (PEM file) to verify the gateway with.
        transport: Send through this transport instead of a new httpx one (not closed
            by :meth:`close`).
        retry: Retries of idempotent operations (:class:`~ucxml.retry.RetryPolicy`); the
            agent interface has none (every call signs in or out or renews the GUID), so
            every call is sent once and a lost answer raises
            :class:`~ucxml.errors.OutcomeUnknownError`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        guid: str | None = None,
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        transport: Transport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        """Connect to the CC-Gateway's agent interface (nothing is sent before a call).

        Args:
            base_url: ``http(s)://gateway[:port]`` (the ``onlineagent`` path is added).
            guid: The GUID of dynamic authentication; the sign-in calls keep the one the
                gateway returns in ``Set-GUID``. Never logged, shown or quoted.
            timeout: Seconds to wait for the connection and for each read.
            verify: Verify the server's TLS certificate (on by default); ``False`` turns it
                off and logs a warning naming the host.
            ca_bundle: A PEM file of the CA (or the server's own certificate) to trust.
            transport: Send through this :class:`~ucxml.transport.Transport` instead of
                httpx (tests, offline work); the client then does not close it.
            retry: How read-only queries are resent after a transient failure
                (:class:`~ucxml.retry.RetryPolicy`; ``None`` sends once); writes never are.

        Raises:
            ParameterError: a malformed URL, credentials in it, or an unusable ``ca_bundle``.
        """
        super().__init__(base_url, guid)
        self._retry = retry
        self._owns_transport = transport is None
        self._transport = transport or HttpxTransport(
            timeout=timeout, verify=verify, ca_bundle=ca_bundle
        )

    def _send(self, call: _Call) -> Any:
        return run(
            self._retry,
            call.operation,
            OPERATIONS[call.operation].idempotent,
            lambda: self._transport.send(call.request),
            lambda answer: self._core.finish(call, answer),
        )

    def sign_in(
        self,
        agent_id: int | str,
        phonenum: str,
        *,
        password: str | None = None,
        autoanswer: bool | None = None,
        autoenteridle: bool | None = None,
        releasephone: bool | None = None,
        agenttype: int | None = None,
        status: int | None = None,
    ) -> SignInResult:
        """Sign the agent in (``PUT .../onlineagent/{agentid}``); keep the ``Set-GUID``."""
        options = (password, autoanswer, autoenteridle, releasephone, agenttype, status)
        response = self._send(self._sign_in_call("login", agent_id, phonenum, *options))
        return _sign_in_result(response)

    def force_login(
        self,
        agent_id: int | str,
        phonenum: str,
        *,
        password: str | None = None,
        autoanswer: bool | None = None,
        autoenteridle: bool | None = None,
        releasephone: bool | None = None,
        agenttype: int | None = None,
        status: int | None = None,
    ) -> SignInResult:
        """Sign the agent in even when signed in elsewhere (``PUT .../forcelogin``)."""
        options = (password, autoanswer, autoenteridle, releasephone, agenttype, status)
        response = self._send(self._sign_in_call("forceLogin", agent_id, phonenum, *options))
        return _sign_in_result(response)

    def login_ex(
        self,
        agent_id: int | str,
        phonenum: str,
        *,
        password: str | None = None,
        autoanswer: bool | None = None,
        autoenteridle: bool | None = None,
        releasephone: bool | None = None,
        agenttype: int | None = None,
        status: int | None = None,
    ) -> SignInResult:
        """Sign the agent in, extended variant (``PUT .../loginex``)."""
        options = (password, autoanswer, autoenteridle, releasephone, agenttype, status)
        response = self._send(self._sign_in_call("loginEx", agent_id, phonenum, *options))
        return _sign_in_result(response)

    def logout(self, agent_id: int | str) -> GatewayResponse:
        """Sign the agent out (``DELETE .../logout``); its GUID is forgotten."""
        response: GatewayResponse = self._send(self._call("logout", agent_id))
        return response

    def force_logout(self, agent_id: int | str) -> GatewayResponse:
        """Forcibly sign the agent out, whatever its state (``DELETE .../forcelogout``)."""
        response: GatewayResponse = self._send(self._call("forceLogout", agent_id))
        return response

    def force_logout_with_reason(self, agent_id: int | str, reason: int) -> GatewayResponse:
        """Forcibly sign the agent out with a cause code 1-255.

        ``DELETE .../onlineagent/{agentid}/forcelogoutwithreason/{reason}``; the gateway
        logs it as ``forceLogoutWithReason``. A reason it refuses answers ``100-005``.
        """
        call = self._call("forceLogoutWithReason", agent_id, reason)
        response: GatewayResponse = self._send(call)
        return response

    def update_guid(self, agent_id: int | str) -> GatewayResponse:
        """Renew the GUID (``PUT .../updateGuid``); the new one replaces :attr:`guid`."""
        response: GatewayResponse = self._send(self._call("updateGuid", agent_id))
        return response


class AsyncAgentGatewayClient(_ClientState, AsyncTransportOwner):
    """Asynchronous twin of :class:`AgentGatewayClient`; use as an async context manager."""

    def __init__(
        self,
        base_url: str,
        *,
        guid: str | None = None,
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        transport: AsyncTransport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        super().__init__(base_url, guid)
        self._retry = retry
        self._owns_transport = transport is None
        self._transport = transport or AsyncHttpxTransport(
            timeout=timeout, verify=verify, ca_bundle=ca_bundle
        )

    async def _send(self, call: _Call) -> Any:
        return await arun(
            self._retry,
            call.operation,
            OPERATIONS[call.operation].idempotent,
            lambda: self._transport.send(call.request),
            lambda answer: self._core.finish(call, answer),
        )

    async def sign_in(
        self,
        agent_id: int | str,
        phonenum: str,
        *,
        password: str | None = None,
        autoanswer: bool | None = None,
        autoenteridle: bool | None = None,
        releasephone: bool | None = None,
        agenttype: int | None = None,
        status: int | None = None,
    ) -> SignInResult:
        """Sign the agent in (``PUT .../onlineagent/{agentid}``); keep the ``Set-GUID``."""
        options = (password, autoanswer, autoenteridle, releasephone, agenttype, status)
        response = await self._send(self._sign_in_call("login", agent_id, phonenum, *options))
        return _sign_in_result(response)

    async def force_login(
        self,
        agent_id: int | str,
        phonenum: str,
        *,
        password: str | None = None,
        autoanswer: bool | None = None,
        autoenteridle: bool | None = None,
        releasephone: bool | None = None,
        agenttype: int | None = None,
        status: int | None = None,
    ) -> SignInResult:
        """Sign the agent in even when signed in elsewhere (``PUT .../forcelogin``)."""
        options = (password, autoanswer, autoenteridle, releasephone, agenttype, status)
        response = await self._send(self._sign_in_call("forceLogin", agent_id, phonenum, *options))
        return _sign_in_result(response)

    async def login_ex(
        self,
        agent_id: int | str,
        phonenum: str,
        *,
        password: str | None = None,
        autoanswer: bool | None = None,
        autoenteridle: bool | None = None,
        releasephone: bool | None = None,
        agenttype: int | None = None,
        status: int | None = None,
    ) -> SignInResult:
        """Sign the agent in, extended variant (``PUT .../loginex``)."""
        options = (password, autoanswer, autoenteridle, releasephone, agenttype, status)
        response = await self._send(self._sign_in_call("loginEx", agent_id, phonenum, *options))
        return _sign_in_result(response)

    async def logout(self, agent_id: int | str) -> GatewayResponse:
        """Sign the agent out (``DELETE .../logout``); its GUID is forgotten."""
        response: GatewayResponse = await self._send(self._call("logout", agent_id))
        return response

    async def force_logout(self, agent_id: int | str) -> GatewayResponse:
        """Forcibly sign the agent out, whatever its state (``DELETE .../forcelogout``)."""
        response: GatewayResponse = await self._send(self._call("forceLogout", agent_id))
        return response

    async def force_logout_with_reason(self, agent_id: int | str, reason: int) -> GatewayResponse:
        """Forcibly sign the agent out with a cause code 1-255 (``forceLogoutWithReason``)."""
        call = self._call("forceLogoutWithReason", agent_id, reason)
        response: GatewayResponse = await self._send(call)
        return response

    async def update_guid(self, agent_id: int | str) -> GatewayResponse:
        """Renew the GUID (``PUT .../updateGuid``); the new one replaces :attr:`guid`."""
        response: GatewayResponse = await self._send(self._call("updateGuid", agent_id))
        return response


# The twins take the same arguments: one text for both.
AsyncAgentGatewayClient.__init__.__doc__ = AgentGatewayClient.__init__.__doc__
