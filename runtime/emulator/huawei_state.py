"""In-memory model of a Huawei CC-Gateway's agents, as the ``onlineagent`` interface sees them.

The model keeps, per agent: its ID, password and default phone, whether it is signed in
(with which phone, since when, whether it is on a call), the GUID of its session and the
last sign-out cause code, and the queue of its events. Each successful sign-in, forced
sign-in or GUID renewal issues a fresh GUID (``JSESSIONID=<hex>.<server>``) that every
later request of that agent must present (static authentication, ``AUTHMODE=1``); every
event poll issues a fresh one too (dynamic authentication, ``AUTHMODE=2``), and the
previous GUID stops working. Signing out ends the session: only the event poll still
accepts its last GUID, until the queue (ending with ``AgentOther_ShutdownService``) is
empty.

Events are queued as the agent's state changes: sign-in ``AgentOther_InService`` then
``AgentState_Ready``; :meth:`AgentGateway.set_state` ``AgentState_<state>``;
:meth:`AgentGateway.set_talking` ``AgentEvent_Talking`` (with the call in ``content``)
and, when the call ends, ``AgentState_Ready``; sign-out ``AgentOther_ShutdownService``;
:meth:`AgentGateway.push_event` any other.

Every operation answers an :class:`Outcome` carrying the gateway's ``retcode`` (``"0"``
or one of the documented codes below) and message. One :class:`AgentGateway` may be
shared by an HTTP server's threads and a test: each public method takes the lock and
returns copies.
"""

from __future__ import annotations

import collections
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

from ucxml.generated.huawei.registry import PARAMETER_RANGES

__all__ = [
    "ALREADY_SIGNED_IN",
    "DEMO_AGENT_ID",
    "DEMO_AGENT_PASSWORD",
    "DEMO_PHONE",
    "DEMO_SECOND_AGENT_ID",
    "DEMO_SECOND_PHONE",
    "EVENTS_WRONG_METHOD",
    "EVENT_QUEUE_MAX",
    "INVALID_SIGN_IN_PARAMETER",
    "INVALID_URL_PARAMETER",
    "MESSAGE_PARAMETER_ERROR",
    "NOT_SIGNED_IN",
    "NO_PERMISSION",
    "SIGN_IN_PARAMETER_INVALID",
    "SIGN_OUT_PARAMETER_INVALID",
    "SIGN_OUT_STATE_ERROR",
    "SUCCESS",
    "WRONG_PASSWORD",
    "Agent",
    "AgentGateway",
    "Event",
    "Outcome",
    "demo_agent_gateway",
]

SUCCESS: Final = "0"
"""``retcode`` of a successful operation."""
EVENTS_WRONG_METHOD: Final = "000-001"
"""The events were fetched the wrong way (another method than GET)."""
INVALID_URL_PARAMETER: Final = "000-002"
"""The agent ID (or another URL part) is not valid."""
NO_PERMISSION: Final = "000-003"
"""Missing, wrong or expired GUID."""
MESSAGE_PARAMETER_ERROR: Final = "000-006"
"""The body is not a JSON object."""
SIGN_IN_PARAMETER_INVALID: Final = "100-001"
"""A sign-in parameter (the phone number) is empty or invalid."""
ALREADY_SIGNED_IN: Final = "100-002"
"""Sign-in of an agent that is signed in (use the forced sign-in)."""
WRONG_PASSWORD: Final = "100-004"
"""Unknown agent or wrong password."""
SIGN_OUT_PARAMETER_INVALID: Final = "100-005"
"""The sign-out cause code is outside 1-255."""
NOT_SIGNED_IN: Final = "100-006"
"""The agent is not signed in."""

# The sign-out cause codes the OpenAPI file allows (the generated registry carries them).
_REASON_MIN = int(PARAMETER_RANGES["reason"]["minimum"])
_REASON_MAX = int(PARAMETER_RANGES["reason"]["maximum"])
SIGN_OUT_STATE_ERROR: Final = "100-010"
"""A plain sign-out while the agent is on a call (the forced ones still work)."""
INVALID_SIGN_IN_PARAMETER: Final = "100-011"
"""A sign-in body field has the wrong type, an unknown name or is out of range."""

DEMO_AGENT_ID: Final = 1001
"""Agent seeded on the demo gateway, with a password."""
DEMO_AGENT_PASSWORD: Final = "Agent@1001"
"""Password of :data:`DEMO_AGENT_ID`."""
DEMO_PHONE: Final = "88880001"
"""Phone number :data:`DEMO_AGENT_ID` signs in with."""
DEMO_SECOND_AGENT_ID: Final = 1002
"""A second demo agent, without a password."""
DEMO_SECOND_PHONE: Final = "88880002"
"""Phone number of :data:`DEMO_SECOND_AGENT_ID`."""

EVENT_QUEUE_MAX: Final = 1000
"""Events kept per agent; the oldest is dropped beyond (no client is polling)."""

_MESSAGES: Final = {
    SUCCESS: "success",
    EVENTS_WRONG_METHOD: "wrong method for getting agent events",
    INVALID_URL_PARAMETER: "invalid URL parameter",
    NO_PERMISSION: "no permission: the GUID is missing, wrong or expired",
    MESSAGE_PARAMETER_ERROR: "message parameter error",
    SIGN_IN_PARAMETER_INVALID: "sign-in parameter is empty or invalid",
    ALREADY_SIGNED_IN: "the agent has already signed in",
    WRONG_PASSWORD: "wrong agent ID or password",
    SIGN_OUT_PARAMETER_INVALID: "sign-out parameter is invalid",
    NOT_SIGNED_IN: "the agent has not signed in",
    SIGN_OUT_STATE_ERROR: "the agent is busy and cannot sign out",
    INVALID_SIGN_IN_PARAMETER: "invalid sign-in parameter",
}


@dataclass
class Agent:
    """One agent of the gateway (copies are handed out; the gateway keeps the original)."""

    agent_id: int
    password: str | None = field(default=None, repr=False)
    phone: str = ""
    signed_in: bool = False
    phonenum: str | None = None
    talking: bool = False
    guid: str | None = field(default=None, repr=False)
    login_time: int | None = None
    sign_out_reason: int | None = None
    guids_issued: int = 0


@dataclass(frozen=True)
class Event:
    """One agent event: its type, the agent's work number and the details (or None)."""

    event_type: str
    work_no: str
    content: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Outcome:
    """The answer of one operation: ``retcode``, message, the new GUID if one was issued,
    and the event of an event poll (None when none waits)."""

    retcode: str
    message: str
    agent: Agent | None = None
    guid: str | None = field(default=None, repr=False)
    event: Event | None = None

    @property
    def ok(self) -> bool:
        """True when ``retcode`` is ``"0"``."""
        return self.retcode == SUCCESS


def _outcome(
    retcode: str, agent: Agent | None = None, guid: str | None = None, event: Event | None = None
) -> Outcome:
    return Outcome(retcode, _MESSAGES[retcode], replace(agent) if agent else None, guid, event)


class AgentGateway:
    """The agents of an emulated CC-Gateway and their sessions (static authentication).

    Args:
        agents: The configured agents.
        server_name: The gateway node's name (``serverName``, the GUID's suffix).
        vdn_id: ID of the virtual call center the agents belong to (``vdnid``).
        media_type: Per-media sign-in flags reported at sign-in (``mediatype``: CTI
            server, WebM, MailM).
        clock: Seconds since the epoch (``loginTime`` is reported in milliseconds).
    """

    def __init__(
        self,
        agents: Iterable[Agent] = (),
        *,
        server_name: str = "AgentGateway0",
        vdn_id: int = 1,
        media_type: str = "TTF",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.server_name = server_name
        self.vdn_id = vdn_id
        self.media_type = media_type
        self._clock = clock
        self._lock = threading.Lock()
        self._agents: dict[int, Agent] = {}
        self._events: dict[int, collections.deque[Event]] = {}
        #: GUIDs of signed-out sessions, accepted by the event poll until the queue is empty.
        self._closing: dict[int, str] = {}
        self._calls = 0
        for agent in agents:
            self._agents[agent.agent_id] = replace(agent)

    def __repr__(self) -> str:
        return f"AgentGateway({self.server_name!r}, agents={sorted(self._agents)})"

    # ------------------------------------------------------------------ configuration

    def add_agent(self, agent_id: int, *, password: str | None = None, phone: str = "") -> Agent:
        """Configure (or reconfigure, signed out) agent ``agent_id``; return a copy."""
        with self._lock:
            agent = Agent(agent_id, password=password, phone=phone)
            self._agents[agent_id] = agent
            self._events.pop(agent_id, None)
            self._closing.pop(agent_id, None)
            return replace(agent)

    def agent(self, agent_id: int) -> Agent | None:
        """A copy of agent ``agent_id`` (None if not configured)."""
        with self._lock:
            agent = self._agents.get(agent_id)
            return replace(agent) if agent else None

    def agents(self) -> list[Agent]:
        """Copies of every agent, by ID."""
        with self._lock:
            return [replace(self._agents[i]) for i in sorted(self._agents)]

    def set_talking(self, agent_id: int, talking: bool = True) -> None:
        """Put a signed-in agent on (or off) a call: a plain sign-out then answers 100-010.

        Queues ``AgentEvent_Talking`` (the call in ``content``), or ``AgentState_Ready``
        when the call ends.
        """
        with self._lock:
            agent = self._agents[agent_id]
            was, agent.talking = agent.talking, talking and agent.signed_in
            if agent.talking and not was:
                self._calls += 1
                call = {
                    "callid": f"{int(self._clock())}-{self._calls}",
                    "caller": "88889999",
                    "called": agent.phonenum or "",
                }
                self._queue(agent, "AgentEvent_Talking", call)
            elif was and not agent.talking:
                self._queue(agent, "AgentState_Ready")

    def set_state(self, agent_id: int, state: str) -> None:
        """Put a signed-in agent into ``state`` (``Ready``, ``Busy``, ``Rest``, ``Work``...):
        queues ``AgentState_<state>``."""
        with self._lock:
            agent = self._agents[agent_id]
            if agent.signed_in:
                self._queue(agent, f"AgentState_{state}")

    def push_event(
        self, agent_id: int, event_type: str, content: Mapping[str, Any] | None = None
    ) -> None:
        """Queue any event for agent ``agent_id`` (an event type a real gateway may add)."""
        with self._lock:
            self._queue(self._agents[agent_id], event_type, content)

    def pending_events(self, agent_id: int) -> list[Event]:
        """The events queued for agent ``agent_id``, oldest first."""
        with self._lock:
            return list(self._events.get(agent_id, ()))

    def _queue(
        self, agent: Agent, event_type: str, content: Mapping[str, Any] | None = None
    ) -> None:
        queue = self._events.setdefault(agent.agent_id, collections.deque(maxlen=EVENT_QUEUE_MAX))
        frozen = MappingProxyType(dict(content)) if content is not None else None
        queue.append(Event(event_type, str(agent.agent_id), frozen))

    # ------------------------------------------------------------------ operations

    def _new_guid(self, agent: Agent) -> str:
        agent.guid = f"JSESSIONID={secrets.token_hex(16).upper()}.{self.server_name}"
        agent.guids_issued += 1
        return agent.guid

    def sign_in(
        self, agent_id: int, phonenum: str, password: str | None = None, *, force: bool = False
    ) -> Outcome:
        """Sign the agent in with ``phonenum`` (``force``: even when signed in)."""
        with self._lock:
            agent = self._agents.get(agent_id)
            if agent is None or (
                agent.password is not None
                and not hmac.compare_digest((password or "").encode(), agent.password.encode())
            ):
                return _outcome(WRONG_PASSWORD)
            if not phonenum:
                return _outcome(SIGN_IN_PARAMETER_INVALID)
            if not (phonenum.isascii() and phonenum.isdigit()):
                return _outcome(INVALID_SIGN_IN_PARAMETER)
            if agent.signed_in and not force:
                return _outcome(ALREADY_SIGNED_IN)
            agent.signed_in, agent.phonenum, agent.talking = True, phonenum, False
            agent.login_time = int(self._clock() * 1000)
            agent.sign_out_reason = None
            guid = self._new_guid(agent)
            self._events.pop(agent_id, None)  # a new session: the old one's events are gone
            self._closing.pop(agent_id, None)
            self._queue(agent, "AgentOther_InService")
            self._queue(agent, "AgentState_Ready")
            return _outcome(SUCCESS, agent, guid)

    def _session(self, agent_id: int, guid: str | None) -> Agent | Outcome:
        """The signed-in agent whose GUID is ``guid``, or the failure outcome."""
        agent = self._agents.get(agent_id)
        if agent is None or not agent.signed_in or agent.guid is None:
            return _outcome(NOT_SIGNED_IN)
        if guid is None or not hmac.compare_digest(guid.encode(), agent.guid.encode()):
            return _outcome(NO_PERMISSION)
        return agent

    def authenticate(self, agent_id: int, guid: str | None) -> Outcome:
        """Check ``guid`` against the agent's session (SUCCESS, 100-006 or 000-003)."""
        with self._lock:
            found = self._session(agent_id, guid)
            return found if isinstance(found, Outcome) else _outcome(SUCCESS, found)

    def sign_out(
        self, agent_id: int, guid: str | None, *, force: bool = False, reason: int | None = None
    ) -> Outcome:
        """Sign the agent out (``force`` even on a call; ``reason`` a cause code 1-255)."""
        with self._lock:
            if reason is not None and not _REASON_MIN <= reason <= _REASON_MAX:
                return _outcome(SIGN_OUT_PARAMETER_INVALID)
            found = self._session(agent_id, guid)
            if isinstance(found, Outcome):
                return found
            if found.talking and not force:
                return _outcome(SIGN_OUT_STATE_ERROR)
            assert found.guid is not None  # _session checked it
            self._closing[agent_id] = found.guid
            found.signed_in, found.phonenum, found.talking, found.guid = False, None, False, None
            found.sign_out_reason = reason
            self._queue(found, "AgentOther_ShutdownService")
            return _outcome(SUCCESS, found)

    def update_guid(self, agent_id: int, guid: str | None) -> Outcome:
        """Issue a new GUID to the signed-in agent; the old one stops working."""
        with self._lock:
            found = self._session(agent_id, guid)
            if isinstance(found, Outcome):
                return found
            new = self._new_guid(found)
            return _outcome(SUCCESS, found, new)

    def poll_event(self, agent_id: int, guid: str | None) -> Outcome:
        """Take the agent's oldest event (``event`` None when none waits) and, for a
        signed-in agent, issue a new GUID (dynamic authentication: the old one stops
        working). A signed-out agent's last GUID still fetches the queued events."""
        with self._lock:
            closing = self._closing.get(agent_id)
            if (
                closing is not None
                and guid is not None
                and hmac.compare_digest(guid.encode(), closing.encode())
            ):
                queue = self._events.get(agent_id)
                event = queue.popleft() if queue else None
                if not queue:
                    del self._closing[agent_id]  # the session's last event is taken
                return _outcome(SUCCESS, self._agents.get(agent_id), None, event)
            found = self._session(agent_id, guid)
            if isinstance(found, Outcome):
                return found
            queue = self._events.get(agent_id)
            event = queue.popleft() if queue else None
            return _outcome(SUCCESS, found, self._new_guid(found), event)


def demo_agent_gateway() -> AgentGateway:
    """A gateway with the two demo agents (:data:`DEMO_AGENT_ID`, :data:`DEMO_SECOND_AGENT_ID`)."""
    return AgentGateway(
        [
            Agent(DEMO_AGENT_ID, password=DEMO_AGENT_PASSWORD, phone=DEMO_PHONE),
            Agent(DEMO_SECOND_AGENT_ID, phone=DEMO_SECOND_PHONE),
        ]
    )
