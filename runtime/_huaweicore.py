"""The CC-Gateway clients' common ground (:mod:`ucxml.huawei`), no I/O in it."""

from __future__ import annotations

import collections
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, TypedDict, TypeVar
from urllib.parse import quote

from ucxml._answers import check_answer
from ucxml._jsondocs import _dump, _read, _SyntaxProblem, dump_json, read_json
from ucxml._redaction import client_secrets, masked, scrub
from ucxml._releases import get_release
from ucxml._report import Issue
from ucxml.bindings import Release
from ucxml.errors import (
    BindingError,
    EventPollingError,
    GatewayError,
    MalformedResponseError,
    ParameterError,
)
from ucxml.generated.huawei.models import (
    AgentEvent,
    AgentRequest,
    ForceLogoutWithReasonRequest,
    SignInRequest,
    SignInResponse,
    SignInResult,
    UpdateGuidResponse,
)
from ucxml.generated.huawei.registry import (
    API,
    DEFAULT_RELEASE,
    ERROR_CODES,
    OPERATIONS,
    PARAMETER_RANGES,
    ROUTES,
)
from ucxml.generated.huawei.registry import ReleaseName as GatewayRelease
from ucxml.transport import (
    HttpRequest,
    HttpResponse,
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
    "GatewayRelease",
    "SignInOptions",
]

T = TypeVar("T")
logger = logging.getLogger("ucxml.huawei")

AGENT_ID_MIN: Final = int(PARAMETER_RANGES["agentid"]["minimum"])
"""Smallest agent ID (the OpenAPI document's ``AgentId``)."""


def _agent_id_max(release: Release) -> int:
    return int(release.params["agent_id_max"])


AGENT_ID_MAX: Final = max(_agent_id_max(r) for r in API.releases)
"""Largest agent ID of any known CC-Gateway release (current ones)."""
AGENT_ID_DOCUMENTED_MAX: Final = _agent_id_max(get_release("huawei", DEFAULT_RELEASE))
"""Largest agent ID of the release the interface pages describe (above it: a warning)."""
REASON_MIN: Final = int(PARAMETER_RANGES["reason"]["minimum"])
"""Smallest sign-out cause code (the OpenAPI document's ``SignOutReason``)."""
REASON_MAX: Final = int(PARAMETER_RANGES["reason"]["maximum"])
"""Largest sign-out cause code (the OpenAPI document's ``SignOutReason``)."""
PHONENUM_MAX_LENGTH: Final = int(PARAMETER_RANGES["phonenum"]["maxLength"])
"""Longest phone number a sign-in accepts (the OpenAPI document's ``phonenum``)."""
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

GATEWAY_ERROR_CODES: Final[Mapping[str, str]] = ERROR_CODES
"""Documented ``retcode`` values and their meaning (``"0"`` is success), from the manifest's
``[apis.huawei.errors]``."""

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
    """An agent ID as an int, checked against :data:`AGENT_ID_MIN` to the largest of any release.

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
    """A sign-out cause code, checked against the document's range."""
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
    least = PARAMETER_RANGES[name]["minimum"]
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ParameterError(f"{name} must be an int >= {least}, got {type(value).__name__}")
    return value


def _interval(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ParameterError(f"interval must be a number of seconds > 0, got {value!r}")
    return float(value)


class SignInOptions(TypedDict, total=False):
    """What a sign-in (``sign_in``, ``force_login``, ``login_ex``) may send beside the
    agent ID and the phone number; each is optional, and one left out (or None) is not sent.

    Attributes:
        password: The agent's password; never logged, shown or quoted in an error.
        autoanswer: Answer calls automatically.
        autoenteridle: Enter the idle state after each call (no after-call work).
        releasephone: Release the phone when the agent signs out.
        agenttype: The agent type code the gateway documents.
        status: The status code to sign in with.
    """

    password: str | None
    autoanswer: bool | None
    autoenteridle: bool | None
    releasephone: bool | None
    agenttype: int | None
    status: int | None


_SIGN_IN_NAMES: Final = frozenset(SignInOptions.__annotations__)


def _masked_sign_in(options: SignInOptions) -> SignInOptions:
    """``options`` with the password as :class:`~ucxml._redaction.Masked`: a client method
    rebinds its argument to this at once, so a frame's locals show the mask."""
    shown = options.copy()
    if "password" in shown:
        shown["password"] = masked(shown["password"])
    return shown


def _sign_in_body(phonenum: object, options: SignInOptions) -> SignInRequest:
    unknown = sorted(set(options) - _SIGN_IN_NAMES)
    if unknown:
        raise TypeError(
            f"unexpected keyword argument {unknown[0]!r} of a sign-in (its options are "
            f"{', '.join(sorted(_SIGN_IN_NAMES))})"
        )
    if not isinstance(phonenum, str) or not phonenum:
        raise ParameterError("phonenum must be a non-empty string")
    if len(phonenum) > PHONENUM_MAX_LENGTH:
        raise ParameterError(f"phonenum is longer than {PHONENUM_MAX_LENGTH} characters")
    password = options.get("password")
    if password is not None and not isinstance(password, str):
        raise ParameterError(f"password must be a string, not {type(password).__name__}")
    return SignInRequest(
        phonenum=phonenum,
        password=password,
        autoanswer=_flag("autoanswer", options.get("autoanswer")),
        autoenteridle=_flag("autoenteridle", options.get("autoenteridle")),
        releasephone=_flag("releasephone", options.get("releasephone")),
        agenttype=_code("agenttype", options.get("agenttype")),
        status=_code("status", options.get("status")),
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

    def finish(self, call: _Call, answer: HttpResponse) -> Any:
        """The bound answer of ``call``; raise the typed error of a failure."""
        name = call.operation
        content = check_answer(
            answer, name, expect="JSON", secrets=self.secrets, source="the gateway"
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
    def __init__(self, base_url: str, guid: str | None, release: GatewayRelease) -> None:
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
        self, operation: str, agent_id: object, phonenum: object, options: SignInOptions
    ) -> _Call:
        agent = self._agent(agent_id)
        body = _sign_in_body(phonenum, options)
        return self._core.prepare(operation, AgentRequest(agentid=agent), body)
