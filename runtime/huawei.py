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
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, Final, Self, TypeVar
from urllib.parse import quote

from ucxml.bindings import Release
from ucxml.client import AsyncTransportOwner, TransportOwner
from ucxml.errors import (
    AuthenticationError,
    BindingError,
    EventPollingError,
    GatewayError,
    HttpStatusError,
    MalformedResponseError,
    ParameterError,
)
from ucxml.generated.huawei.models import (
    AgentEvent,
    AgentEventResponse,
    AgentRequest,
    ForceLogoutWithReasonRequest,
    GatewayResponse,
    SignInRequest,
    SignInResponse,
    SignInResult,
    UpdateGuidResponse,
)
from ucxml.generated.huawei.registry import API, OPERATIONS, ROUTES
from ucxml.jsondocs import _dump, _read, _SyntaxProblem, dump_json, looks_like_json, read_json
from ucxml.redaction import client_secrets, excerpt, masked, scrub
from ucxml.releases import get_release
from ucxml.report import Issue
from ucxml.retry import DEFAULT_RETRY, RetryPolicy, arun, run
from ucxml.safexml import DEFAULT_MAX_BYTES
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
    "AGENT_EVENT_TYPES",
    "AGENT_ID_DOCUMENTED_MAX",
    "AGENT_ID_MAX",
    "AGENT_ID_MIN",
    "CONTENT_TYPE",
    "DEFAULT_ENDPOINT",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_RELEASE",
    "EVENT_ENDPOINT",
    "GATEWAY_ERROR_CODES",
    "PHONENUM_MAX_LENGTH",
    "REASON_MAX",
    "REASON_MIN",
    "SHUTDOWN_EVENT",
    "AgentEventStream",
    "AgentGatewayClient",
    "AsyncAgentEventStream",
    "AsyncAgentGatewayClient",
]

T = TypeVar("T")
logger = logging.getLogger("ucxml.huawei")

AGENT_ID_MIN: Final = 101
"""Smallest agent ID."""


def _agent_id_max(release: Release) -> int:
    return int(release.params["agent_id_max"])


DEFAULT_RELEASE: Final[str] = next(r.name for r in API.releases if r.default)
"""The release a client is for when none is given: the one the interface pages describe."""
AGENT_ID_MAX: Final = max(_agent_id_max(r) for r in API.releases)
"""Largest agent ID of any known CC-Gateway release (current ones)."""
AGENT_ID_DOCUMENTED_MAX: Final = _agent_id_max(get_release("huawei", DEFAULT_RELEASE))
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
EVENT_ENDPOINT: Final = "/agentgateway/resource/agentevent"
"""Path prefix of the event polling (``GET .../agentevent/{agentid}``)."""
DEFAULT_POLL_INTERVAL: Final = 1.0
"""Seconds :meth:`AgentGatewayClient.events` waits after an answer without an event (the
development guide's sample polls about once a second)."""

AGENT_EVENT_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "AgentOther_InService": "the agent signed in",
        "AgentOther_ShutdownService": "the agent signed out (also a forced sign-out)",
        "AgentState_Ready": "the agent is idle, ready for calls",
        "AgentState_Busy": "the agent is busy",
        "AgentEvent_Talking": "the agent is talking (content: the call)",
    }
)
"""Event types ucxml knows and their meaning; an event of another type is kept as sent."""

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
#: The answers whose Set-GUID replaces the GUID: static (sign-in, renewal) and dynamic
#: (event polling) authentication.
_GUID_ISSUERS: Final = _SIGN_IN | {"updateGuid", "getAgentEvent"}
#: Previous GUIDs still masked in error texts (a server may echo one it just replaced).
_OLD_GUIDS_KEPT: Final = 16
#: The last event of a session: its event stream ends after yielding it.
SHUTDOWN_EVENT: Final = "AgentOther_ShutdownService"
_SIGN_OUT: Final = frozenset({"logout", "forceLogout", "forceLogoutWithReason"})
_SECRET_HEADERS: Final = frozenset({"guid"})


# --------------------------------------------------------------------------- arguments


def _agent_id(value: object, release: Release | None = None) -> int:
    """An agent ID as an int, checked against 101 to the largest of any release.

    Above the largest of ``release`` (the client's; default: the documented one) it is
    sent with a logged warning: a gateway of that release answers ``000-002``.
    """
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
    release = release or get_release("huawei", DEFAULT_RELEASE)
    if value > _agent_id_max(release):
        logger.warning(
            "agent ID %d is above %d, the largest of release %r; such gateways answer 000-002",
            value,
            _agent_id_max(release),
            release.name,
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


def _interval(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ParameterError(f"interval must be a number of seconds > 0, got {value!r}")
    return float(value)


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
    #: An event poll sent with the GUID of a session this client signed out.
    closing: bool = False


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
        self._old_guids: collections.deque[str] = collections.deque(maxlen=_OLD_GUIDS_KEPT)
        #: (operation, tolerance code) pairs already logged as warnings (see ``_warn``).
        self._tolerated: set[tuple[str, str | None]] = set()
        #: (agent, GUID) of the session this client signed out: its event poll may still
        #: fetch the last events (``AgentOther_ShutdownService``) with it.
        self._closing: tuple[int, str] | None = None

    @property
    def secrets(self) -> frozenset[str]:
        """The GUID (and the last ones it replaced) and the sign-in passwords, masked in
        every error made from an answer."""
        return client_secrets(self.guid, *self._old_guids, *self._passwords)

    def set_guid(self, guid: str | None, agent: int | None) -> None:
        """Replace the GUID; the old one stays masked in error texts."""
        if self.guid and self.guid != guid:
            self._old_guids.append(self.guid)
        self.guid, self.guid_agent = guid, agent

    def _scrub(self, text: str) -> str:
        return scrub(text, self.secrets)

    def prepare(self, operation: str, params: Any, body: SignInRequest | None = None) -> _Call:
        op = OPERATIONS[operation]
        method, template = ROUTES[operation]
        values = {k: quote(str(v), safe="") for k, v in _dump(params).items()}
        if body is not None and body.password:
            self._passwords.add(body.password)
        headers = _Headers({"Content-Type": CONTENT_TYPE, "Accept": "application/json"})
        guid, closing = self.guid, False
        agent = int(params.agentid)
        if guid is None and operation == "getAgentEvent" and self._closing is not None:
            closing = self._closing[0] == agent
            guid = self._closing[1] if closing else None
        if guid is not None and operation not in _SIGN_IN:
            headers["Guid"] = guid
        request = HttpRequest(
            method=method,
            url=self.base_url + template.format(**values),
            content=dump_json(body) if body is not None else b"",
            headers=headers,
        )
        logger.debug("%s: %s %s", operation, method, request.url)
        return _Call(operation, agent, request, op.response, closing)

    def polled(self, call: _Call, event: AgentEvent | None, failed: bool = False) -> None:
        """After an event poll: a signed-out session's GUID is dropped with its last event."""
        if call.closing and (failed or event is None or event.event_type == SHUTDOWN_EVENT):
            self._closing = None

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
            kind = EventPollingError if code == "000-001" else GatewayError
            # The code is the server's too: an echoing one could put anything there.
            raise kind(self._scrub(code), text, GATEWAY_ERROR_CODES.get(code))
        # Success: the gateway holds the new session even if the body surprises us below.
        self._keep_guid(call, answer)
        problem = ""
        try:
            bound, tolerated = read_json(content, "huawei", schema=call.response_type.__name__)
        except BindingError as exc:
            problem = str(exc)
        else:
            self._warn(name, tolerated)
            if isinstance(bound, UpdateGuidResponse):
                self._keep_result_guid(call, answer, bound)
            return bound
        # Raised out of the except block: the reader's exceptions quote the answer (json's
        # keeps all of it) and would ride along as the context, unmasked.
        raise MalformedResponseError(self._scrub(f"{name}: unexpected answer: {problem}"))

    def _warn(self, operation: str, issues: Iterable[Issue]) -> None:
        """Log what the reader tolerated in an answer: a warning the first time an
        operation's answer shows a tolerance, then at DEBUG level (a real gateway always
        answers that way, and the events are polled every second)."""
        for issue in issues:
            key = (operation, issue.code)
            level = logging.DEBUG if key in self._tolerated else logging.WARNING
            self._tolerated.add(key)
            logger.log(
                level,
                "%s answer, line %s: %s [%s]",
                operation,
                issue.line,
                self._scrub(issue.message),
                issue.code,
            )

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
        if call.operation in _GUID_ISSUERS:
            guid = (_header(answer.headers, "Set-GUID") or "").strip()
            if guid:
                self.set_guid(guid, call.agent_id)
                if call.operation in _SIGN_IN:
                    self._closing = None
            elif call.operation in _SIGN_IN:
                logger.info("%s: no Set-GUID header (dynamic authentication?)", call.operation)
            # An event answer without Set-GUID (static authentication) keeps the GUID.
        elif call.operation in _SIGN_OUT and call.agent_id == self.guid_agent:
            if self.guid is not None:
                self._closing = (call.agent_id, self.guid)
            self.set_guid(None, None)

    def _keep_result_guid(
        self, call: _Call, answer: HttpResponse, response: UpdateGuidResponse
    ) -> None:
        """A renewal answered without Set-GUID: take the GUID its ``result`` carries."""
        guid = (response.result.guid or "").strip() if response.result is not None else ""
        if guid and not (_header(answer.headers, "Set-GUID") or "").strip():
            self.set_guid(guid, call.agent_id)


def _sign_in_result(response: SignInResponse) -> SignInResult:
    return response.result if response.result is not None else SignInResult()


# --------------------------------------------------------------------------- the clients


class _ClientState:
    def __init__(self, base_url: str, guid: str | None, release: str) -> None:
        self._release = get_release("huawei", release)
        self._core = _GatewayCore(base_url, guid)

    @property
    def release(self) -> str:
        """The gateway release the client is for (its largest agent ID)."""
        return self._release.name

    def _agent(self, agent_id: object) -> int:
        return _agent_id(agent_id, self._release)

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
        self._core.set_guid(value, None)

    def __repr__(self) -> str:
        guid = "'***'" if self._core.guid else "None"
        return f"{type(self).__name__}({self._core.base_url!r}, guid={guid})"

    def _call(self, operation: str, agent_id: object, reason: object = None) -> _Call:
        agent = self._agent(agent_id)
        if operation == "forceLogoutWithReason":
            params: Any = ForceLogoutWithReasonRequest(agentid=agent, reason=_reason(reason))
        else:
            params = AgentRequest(agentid=agent)
        return self._core.prepare(operation, params)

    def _event_call(self, agent: int) -> _Call:
        """The poll of an agent ID already checked (a stream checks it once)."""
        return self._core.prepare("getAgentEvent", AgentRequest(agentid=agent))

    def _sign_in_call(
        self, operation: str, agent_id: object, phonenum: object, *options: object
    ) -> _Call:
        agent = self._agent(agent_id)
        body = _sign_in_body(phonenum, *options)
        return self._core.prepare(operation, AgentRequest(agentid=agent), body)


class AgentGatewayClient(_ClientState, TransportOwner):
    """Synchronous client of the CC-Gateway agent interface; use as a context manager.

    Args:
        base_url: ``https://host:port`` of the gateway (8043 in Huawei's examples); a
            path prefix is kept, a trailing ``/agentgateway/resource/onlineagent`` dropped.
        guid: A GUID to start with (dynamic authentication, or a session of another
            process); the sign-in calls replace it with the gateway's ``Set-GUID``.
        release: The gateway's release: ``"documented"`` (default) or ``"current"``; it
            sets the largest agent ID sent without a warning.
        timeout: Seconds to wait for each answer.
        verify: Verify the gateway's TLS certificate (on by default).
        ca_bundle: CA certificates (PEM file) to verify the gateway with.
        max_answer_bytes: The most bytes an answer may have, received or decompressed
            (default: the reader's 256 MiB limit); past it ``ResponseTooLargeError``.
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
        release: str = DEFAULT_RELEASE,
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        max_answer_bytes: int = DEFAULT_MAX_BYTES,
        transport: Transport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        """Connect to the CC-Gateway's agent interface (nothing is sent before a call).

        Args:
            base_url: ``http(s)://gateway[:port]`` (the ``onlineagent`` path is added).
            guid: The GUID of dynamic authentication; the sign-in calls keep the one the
                gateway returns in ``Set-GUID``. Never logged, shown or quoted.
            release: The gateway's release (the manifest's ``huawei`` releases):
                ``"documented"`` (the default; agent IDs above 59999 are sent with a logged
                warning) or ``"current"`` (up to 999999). Answers of both are read.
            timeout: Seconds to wait for the connection and for each read.
            verify: Verify the server's TLS certificate (on by default); ``False`` turns it
                off and logs a warning naming the host.
            ca_bundle: A PEM file of the CA (or the server's own certificate) to trust.
            max_answer_bytes: The most bytes an answer may have, received or decompressed
                (default: the reader's 256 MiB limit); past it ``ResponseTooLargeError``.
            transport: Send through this :class:`~ucxml.transport.Transport` instead of
                httpx (tests, offline work); the client then does not close it.
            retry: How read-only queries are resent after a transient failure
                (:class:`~ucxml.retry.RetryPolicy`; ``None`` sends once); writes never are.

        Raises:
            ParameterError: a malformed URL, credentials in it, or an unusable ``ca_bundle``.
        """
        super().__init__(base_url, guid, release)
        self._retry = retry
        self._owns_transport = transport is None
        self._transport = transport or HttpxTransport(
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            max_bytes=max_answer_bytes,
        )
        self._streams: weakref.WeakSet[AgentEventStream] = weakref.WeakSet()

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
        password = masked(password)  # a frame's locals show the mask
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
        password = masked(password)  # a frame's locals show the mask
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
        password = masked(password)  # a frame's locals show the mask
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

    def update_guid(self, agent_id: int | str) -> UpdateGuidResponse:
        """Renew the GUID (``PUT .../updateGuid``); the new one replaces :attr:`guid`."""
        response: UpdateGuidResponse = self._send(self._call("updateGuid", agent_id))
        return response

    def get_agent_event(self, agent_id: int | str) -> AgentEvent | None:
        """Fetch the agent's oldest waiting event (``GET .../agentevent/{agentid}``).

        None when no event waits. Under dynamic authentication the answer's ``Set-GUID``
        replaces :attr:`guid`, which the next request sends. ``000-001`` (the events were
        fetched the wrong way) raises :class:`~ucxml.errors.EventPollingError`.
        """
        return self._poll(self._agent(agent_id))

    def _poll(self, agent: int) -> AgentEvent | None:
        call = self._event_call(agent)
        try:
            response: AgentEventResponse = self._send(call)
        except BaseException:
            self._core.polled(call, None, failed=True)
            raise
        self._core.polled(call, response.event)
        return response.event

    def events(
        self, agent_id: int | str, *, interval: float = DEFAULT_POLL_INTERVAL
    ) -> AgentEventStream:
        """The agent's events as they come: an iterator polling :meth:`get_agent_event`.

        After an answer without an event it waits ``interval`` seconds; after an event it
        polls again at once. It stops when :meth:`AgentEventStream.close` or this client's
        :meth:`close` is called (also from another thread: the wait ends at once) or its
        ``with`` block is left; an error of a poll is raised from the iteration.
        """
        stream = AgentEventStream(self, self._agent(agent_id), _interval(interval))
        self._streams.add(stream)
        return stream

    def close(self) -> None:
        """Stop the event streams of this client, and close the transport if it owns it."""
        for stream in list(self._streams):
            stream.close()
        super().close()


class AsyncAgentGatewayClient(_ClientState, AsyncTransportOwner):
    """Asynchronous twin of :class:`AgentGatewayClient`; use as an async context manager."""

    def __init__(
        self,
        base_url: str,
        *,
        guid: str | None = None,
        release: str = DEFAULT_RELEASE,
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        max_answer_bytes: int = DEFAULT_MAX_BYTES,
        transport: AsyncTransport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        super().__init__(base_url, guid, release)
        self._retry = retry
        self._owns_transport = transport is None
        self._transport = transport or AsyncHttpxTransport(
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            max_bytes=max_answer_bytes,
        )
        self._streams: weakref.WeakSet[AsyncAgentEventStream] = weakref.WeakSet()

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
        password = masked(password)  # a frame's locals show the mask
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
        password = masked(password)  # a frame's locals show the mask
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
        password = masked(password)  # a frame's locals show the mask
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

    async def update_guid(self, agent_id: int | str) -> UpdateGuidResponse:
        """Renew the GUID (``PUT .../updateGuid``); the new one replaces :attr:`guid`."""
        response: UpdateGuidResponse = await self._send(self._call("updateGuid", agent_id))
        return response

    async def get_agent_event(self, agent_id: int | str) -> AgentEvent | None:
        """Fetch the agent's oldest waiting event (see
        :meth:`AgentGatewayClient.get_agent_event`); ``Set-GUID`` replaces :attr:`guid`."""
        return await self._poll(self._agent(agent_id))

    async def _poll(self, agent: int) -> AgentEvent | None:
        call = self._event_call(agent)
        try:
            response: AgentEventResponse = await self._send(call)
        except BaseException:
            self._core.polled(call, None, failed=True)
            raise
        self._core.polled(call, response.event)
        return response.event

    def events(
        self, agent_id: int | str, *, interval: float = DEFAULT_POLL_INTERVAL
    ) -> AsyncAgentEventStream:
        """The agent's events as they come: an async iterator polling
        :meth:`get_agent_event` (see :meth:`AgentGatewayClient.events`); it also stops
        when the task iterating it is cancelled."""
        stream = AsyncAgentEventStream(self, self._agent(agent_id), _interval(interval))
        self._streams.add(stream)
        return stream

    async def aclose(self) -> None:
        """Stop the event streams of this client, and close the transport if it owns it."""
        for stream in list(self._streams):
            stream.close()
        await super().aclose()


# --------------------------------------------------------------------------- event streams


class AgentEventStream:
    """The events of one agent, polled by an :class:`AgentGatewayClient`; made by
    :meth:`AgentGatewayClient.events`. Iterate over it; use it as a context manager.

    Each answer's ``Set-GUID`` is taken by the client (dynamic authentication). An event
    answered while the stream is being closed is still yielded, never dropped; after it
    the iteration ends. So it does after :data:`SHUTDOWN_EVENT` (the agent signed out:
    after the client's own sign-out the stream still fetches the session's last events
    with its last GUID).
    """

    def __init__(self, client: AgentGatewayClient, agent: int, interval: float) -> None:
        self._client = client
        self._agent = agent
        self._interval = interval
        self._closed = threading.Event()

    @property
    def agent_id(self) -> int:
        """The agent whose events are polled."""
        return self._agent

    @property
    def interval(self) -> float:
        """Seconds waited after an answer without an event."""
        return self._interval

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called: the iteration has ended or ends next."""
        return self._closed.is_set()

    def close(self) -> None:
        """Stop polling (safe from another thread: a wait in progress ends at once)."""
        self._closed.set()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> AgentEvent:
        while not self._closed.is_set():
            event = self._client._poll(self._agent)
            if event is not None:
                if event.event_type == SHUTDOWN_EVENT:
                    self.close()  # the session ended: this is its last event
                return event
            if self._closed.wait(self._interval):
                break
        raise StopIteration

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"AgentEventStream(agent_id={self._agent}, interval={self._interval}, {state})"


class AsyncAgentEventStream:
    """The events of one agent, polled by an :class:`AsyncAgentGatewayClient`; made by
    :meth:`AsyncAgentGatewayClient.events`. Iterate with ``async for``; use it as an async
    context manager. Cancelling the task that iterates it closes it."""

    def __init__(self, client: AsyncAgentGatewayClient, agent: int, interval: float) -> None:
        self._client = client
        self._agent = agent
        self._interval = interval
        self._closed = False
        self._wake: asyncio.Event | None = None

    @property
    def agent_id(self) -> int:
        """The agent whose events are polled."""
        return self._agent

    @property
    def interval(self) -> float:
        """Seconds waited after an answer without an event."""
        return self._interval

    @property
    def closed(self) -> bool:
        """True once closed (by :meth:`close`, :meth:`aclose` or a cancellation)."""
        return self._closed

    def close(self) -> None:
        """Stop polling; a wait in progress ends at once (call it from the event loop)."""
        self._closed = True
        if self._wake is not None:
            self._wake.set()

    async def aclose(self) -> None:
        """:meth:`close`, awaitable (the async iterator protocol's name)."""
        self.close()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> AgentEvent:
        try:
            while not self._closed:
                event = await self._client._poll(self._agent)
                if event is not None:
                    if event.event_type == SHUTDOWN_EVENT:
                        self.close()  # the session ended: this is its last event
                    return event
                if await self._wait():
                    break
        except asyncio.CancelledError:
            self.close()
            raise
        raise StopAsyncIteration

    async def _wait(self) -> bool:
        """Wait ``interval`` seconds; True when closed meanwhile."""
        if self._closed:
            return True
        self._wake = self._wake or asyncio.Event()
        try:
            async with asyncio.timeout(self._interval):
                await self._wake.wait()
        except TimeoutError:
            pass
        return self._closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"AsyncAgentEventStream(agent_id={self._agent}, interval={self._interval}, {state})"


# The twins take the same arguments: one text for both.
AsyncAgentGatewayClient.__init__.__doc__ = AgentGatewayClient.__init__.__doc__
