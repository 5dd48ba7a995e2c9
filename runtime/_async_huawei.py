# unasync: """The synchronous CC-Gateway client and event stream, written from
# unasync: :mod:`ucxml._async_huawei`."""
"""The asynchronous CC-Gateway client and event stream: the one hand-written shell of both.

``python -m ucxml.codegen`` writes the synchronous twins (``ucxml.generated._sync.huawei``)
from this module; :mod:`ucxml.huawei` exports both. The sans-I/O part is
:mod:`ucxml._huaweicore`.
"""

from __future__ import annotations

# unasync: import threading
import asyncio
import weakref
from typing import Any, Self, Unpack

from ucxml._async_client import AsyncTransportOwner
from ucxml._async_closing import AsyncClosing
from ucxml._huaweicore import (
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RELEASE,
    SHUTDOWN_EVENT,
    GatewayRelease,
    SignInOptions,
    _Call,
    _ClientState,
    _interval,
    _masked_sign_in,
    _sign_in_result,
)
from ucxml._options import ConnectionOptions, connection
from ucxml.generated.huawei.models import (
    AgentEvent,
    AgentEventResponse,
    GatewayResponse,
    SignInResult,
    UpdateGuidResponse,
)
from ucxml.generated.huawei.registry import OPERATIONS
from ucxml.retry import arun
from ucxml.transport import AsyncTransport

__all__ = ["AsyncAgentEventStream", "AsyncAgentGatewayClient"]

#: What ends a stream's iteration from outside: the cancellation of the task iterating it
#: (nothing for the sync stream, whose iteration a close from another thread ends).
# unasync: _CANCELLED: tuple[type[BaseException], ...] = ()
_CANCELLED: tuple[type[BaseException], ...] = (asyncio.CancelledError,)


class AsyncAgentGatewayClient(_ClientState, AsyncTransportOwner):
    # unasync: """Synchronous client of the CC-Gateway agent interface; use as a context manager.
    # unasync:
    # unasync: The agent interface has no idempotent operation (every call signs in or out or
    # unasync: renews the GUID): whatever ``retry`` allows, every call is sent once and a lost
    # unasync: answer raises :class:`~ucxml.errors.OutcomeUnknownError`.
    # unasync: """
    """Asynchronous client of the CC-Gateway agent interface; use as an async context manager.

    The agent interface has no idempotent operation (every call signs in or out or
    renews the GUID): whatever ``retry`` allows, every call is sent once and a lost
    answer raises :class:`~ucxml.errors.OutcomeUnknownError`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        guid: str | None = None,
        release: GatewayRelease = DEFAULT_RELEASE,
        transport: AsyncTransport | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> None:
        """Connect to the CC-Gateway's agent interface (nothing is sent before a call).

        Args:
            base_url: ``http(s)://gateway[:port]`` (the ``onlineagent`` path is added).
            guid: The GUID of dynamic authentication; the sign-in calls keep the one the
                gateway returns in ``Set-GUID``. Never logged, shown or quoted.
            release: The gateway's release (the manifest's ``huawei`` releases):
                ``"documented"`` (the default; agent IDs above 59999 are sent with a logged
                warning) or ``"current"`` (up to 999999). Answers of both are read.
            transport, options: The transport and the connection options of every client
                (:mod:`ucxml.client`, :class:`~ucxml.client.ConnectionOptions`).

        Raises:
            ParameterError: a malformed URL, credentials in it, or an unusable ``ca_bundle``.
        """
        settings = connection(self, options)
        super().__init__(base_url, guid, release)
        self._retry = settings.retry
        self._use_transport(transport, settings)
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
        self, agent_id: int | str, phonenum: str, **options: Unpack[SignInOptions]
    ) -> SignInResult:
        """Sign the agent in (``PUT .../onlineagent/{agentid}``); keep the ``Set-GUID``.

        ``options``: what :class:`SignInOptions` lists (``password``, ``autoanswer``...).
        """
        options = _masked_sign_in(options)  # a frame's locals show the mask
        call = self._sign_in_call("login", agent_id, phonenum, options)
        return _sign_in_result(await self._send(call))

    async def force_login(
        self, agent_id: int | str, phonenum: str, **options: Unpack[SignInOptions]
    ) -> SignInResult:
        """Sign the agent in even when signed in elsewhere (``PUT .../forcelogin``).

        ``options``: what :class:`SignInOptions` lists (``password``, ``autoanswer``...).
        """
        options = _masked_sign_in(options)  # a frame's locals show the mask
        call = self._sign_in_call("forceLogin", agent_id, phonenum, options)
        return _sign_in_result(await self._send(call))

    async def login_ex(
        self, agent_id: int | str, phonenum: str, **options: Unpack[SignInOptions]
    ) -> SignInResult:
        """Sign the agent in, extended variant (``PUT .../loginex``).

        ``options``: what :class:`SignInOptions` lists (``password``, ``autoanswer``...).
        """
        options = _masked_sign_in(options)  # a frame's locals show the mask
        call = self._sign_in_call("loginEx", agent_id, phonenum, options)
        return _sign_in_result(await self._send(call))

    async def logout(self, agent_id: int | str) -> GatewayResponse:
        """Sign the agent out (``DELETE .../logout``); its GUID is forgotten."""
        response: GatewayResponse = await self._send(self._call("logout", agent_id))
        return response

    async def force_logout(self, agent_id: int | str) -> GatewayResponse:
        """Forcibly sign the agent out, whatever its state (``DELETE .../forcelogout``)."""
        response: GatewayResponse = await self._send(self._call("forceLogout", agent_id))
        return response

    async def force_logout_with_reason(self, agent_id: int | str, reason: int) -> GatewayResponse:
        """Forcibly sign the agent out with a cause code 1-255.

        ``DELETE .../onlineagent/{agentid}/forcelogoutwithreason/{reason}``; the gateway
        logs it as ``forceLogoutWithReason``. A reason it refuses answers ``100-005``.
        """
        call = self._call("forceLogoutWithReason", agent_id, reason)
        response: GatewayResponse = await self._send(call)
        return response

    async def update_guid(self, agent_id: int | str) -> UpdateGuidResponse:
        """Renew the GUID (``PUT .../updateGuid``); the new one replaces :attr:`guid`."""
        response: UpdateGuidResponse = await self._send(self._call("updateGuid", agent_id))
        return response

    async def get_agent_event(self, agent_id: int | str) -> AgentEvent | None:
        """Fetch the agent's oldest waiting event (``GET .../agentevent/{agentid}``).

        None when no event waits. Under dynamic authentication the answer's ``Set-GUID``
        replaces :attr:`guid`, which the next request sends. ``000-001`` (the events were
        fetched the wrong way) raises :class:`~ucxml.errors.EventPollingError`.
        """
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
        """The agent's events as they come: an iterator polling :meth:`get_agent_event`.

        After an answer without an event it waits ``interval`` seconds; after an event it
        polls again at once. It stops when the stream's ``close`` or this client's is
        called (for the sync client also from another thread: the wait ends at once), when
        its ``with`` block is left, or (async) when the task iterating it is cancelled; an
        error of a poll is raised from the iteration.
        """
        stream = AsyncAgentEventStream(self, self._agent(agent_id), _interval(interval))
        self._streams.add(stream)
        return stream

    async def aclose(self) -> None:
        """Stop the event streams of this client, and close the transport if it owns it."""
        for stream in list(self._streams):
            stream.close()
        await super().aclose()


# unasync: drop
class _Wake:
    """The event loop's ``threading.Event`` (``is_set``, ``set``, ``wait(timeout)``): a
    wait in progress ends at once when the flag is set (from the loop)."""

    def __init__(self) -> None:
        self._set = False
        self._event: asyncio.Event | None = None  # made in the loop, on the first wait

    def is_set(self) -> bool:
        """True once :meth:`set` was called."""
        return self._set

    def set(self) -> None:
        """Set the flag; a wait in progress ends at once."""
        self._set = True
        if self._event is not None:
            self._event.set()

    async def wait(self, timeout: float) -> bool:
        """Wait until the flag is set, at most ``timeout`` seconds; True when it is set."""
        if self._set:
            return True
        self._event = self._event or asyncio.Event()
        try:
            async with asyncio.timeout(timeout):
                await self._event.wait()
        except TimeoutError:
            pass
        return self._set


class AsyncAgentEventStream(AsyncClosing):
    # unasync: """The events of one agent, polled by an :class:`AgentGatewayClient`; made by
    # unasync: :meth:`AgentGatewayClient.events`. Iterate over it; use it as a context manager.
    # unasync:
    # unasync: Each answer's ``Set-GUID`` is taken by the client (dynamic authentication). An event
    # unasync: answered while the stream is being closed is still yielded, never dropped; after it
    # unasync: the iteration ends. So it does after :data:`SHUTDOWN_EVENT` (the agent signed out:
    # unasync: after the client's own sign-out the stream still fetches the session's last events
    # unasync: with its last GUID).
    # unasync: """
    """The events of one agent, polled by an :class:`AsyncAgentGatewayClient`; made by
    :meth:`AsyncAgentGatewayClient.events`. Iterate with ``async for``; use it as an async
    context manager. Cancelling the task that iterates it closes it.

    Each answer's ``Set-GUID`` is taken by the client (dynamic authentication). An event
    answered while the stream is being closed is still yielded, never dropped; after it
    the iteration ends. So it does after :data:`SHUTDOWN_EVENT` (the agent signed out:
    after the client's own sign-out the stream still fetches the session's last events
    with its last GUID).
    """

    def __init__(self, client: AsyncAgentGatewayClient, agent: int, interval: float) -> None:
        self._client = client
        self._agent = agent
        self._interval = interval
        # unasync: self._closed = threading.Event()
        self._closed = _Wake()

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
        # unasync: """Stop polling (safe from another thread: a wait in progress ends at once)."""
        """Stop polling; a wait in progress ends at once (call it from the event loop)."""
        self._closed.set()

    # unasync: drop
    async def aclose(self) -> None:
        """:meth:`close`, awaitable (the async iterator protocol's name)."""
        self.close()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> AgentEvent:
        try:
            while not self._closed.is_set():
                event = await self._client._poll(self._agent)
                if event is not None:
                    if event.event_type == SHUTDOWN_EVENT:
                        self.close()  # the session ended: this is its last event
                    return event
                if await self._closed.wait(self._interval):
                    break
        except _CANCELLED:
            self.close()
            raise
        raise StopAsyncIteration

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"{type(self).__name__}(agent_id={self._agent}, interval={self._interval}, {state})"
