"""Fault injection shared by every emulator: slow, failing, broken, truncated or no answers.

Each emulator route passes its requests through :func:`answer_with_faults` with the
emulator's :class:`Faults` (or a subclass adding the API's own faults, which the route
handles in its ``special`` hook). While a fault is set, every request gets it, or only the
next ``fail_times`` requests, after which the emulator answers normally again: that is how
a test proves that a client's retry gets through.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final, TypeVar

from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

__all__ = ["DroppedResponse", "FaultStyle", "Faults", "TruncatedResponse", "answer_with_faults"]

F = TypeVar("F", bound="Faults")
_DRAIN_SECONDS: Final = 1.0
#: Fields that count or limit the faults rather than being one.
_BOOKKEEPING = frozenset({"fail_times", "requests", "status_body", "retry_after"})


@dataclass
class Faults:
    """Faults injected into every answer while set (for client tests); mutable.

    Attributes:
        delay: Seconds to wait before answering (or before the other faults).
        status: Answer this HTTP status (200-599) instead of the real answer.
        status_body: With ``status``: a short text body (True) or none at all (False).
        retry_after: With ``status``: the ``Retry-After`` header, in seconds.
        html: Answer ``200 text/html`` with an error page.
        truncate: Declare a ``Content-Length`` larger than the body actually sent, then
            close the connection, so the client sees a truncated answer.
        garbage: Answer 200 with a body that is not well-formed (truncated XML, or JSON).
        no_xml: Answer 200 with an empty body (the service gave no document at all).
        drop: Close the connection without answering anything (the request was read).
        content_type: Answer the real body under this ``Content-Type``.
        fail_times: Inject the faults only into the next this many requests, then answer
            normally (None: into every request while set).
        requests: How many requests reached the emulator (counted whatever the faults).
    """

    delay: float = 0.0
    status: int | None = None
    status_body: bool = True
    retry_after: float | None = None
    html: bool = False
    truncate: bool = False
    garbage: bool = False
    no_xml: bool = False
    drop: bool = False
    content_type: str | None = None
    fail_times: int | None = None
    requests: int = 0

    def clear(self) -> None:
        """Switch every fault off (and reset ``fail_times`` and the request count)."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, f.default)

    def armed(self) -> bool:
        """Whether any fault is set."""
        return any(
            getattr(self, f.name) != f.default
            for f in dataclasses.fields(self)
            if f.name not in _BOOKKEEPING
        )

    def take(self) -> bool:
        """Count a request; whether the faults apply to it (``fail_times`` left, if set)."""
        self.requests += 1
        if not self.armed():
            return False
        if self.fail_times is None:
            return True
        if self.fail_times <= 0:
            return False
        self.fail_times -= 1
        return True


@dataclass(frozen=True, slots=True)
class FaultStyle:
    """How one emulator words its broken answers."""

    media_type: str
    garbage: bytes
    html_page: str
    #: ``WWW-Authenticate`` value sent with an injected 401 (None: no header).
    challenge: str | None = None


class TruncatedResponse(Response):
    """Sends the first half of the body under the full body's ``Content-Length``.

    The ASGI call ends without completing the response, so the server closes the
    connection and the client reads fewer bytes than announced.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytes(self.body)
        sent = body[: len(body) // 2]
        declared = str(max(len(body), len(sent) + 1)).encode()
        headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        headers.append((b"content-length", declared))
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": sent, "more_body": True})


async def _drain(receive: Receive) -> None:
    message = await receive()
    while message["type"] == "http.request" and message.get("more_body", False):
        message = await receive()


class DroppedResponse(Response):
    """Closes the connection without sending a byte of an answer.

    Under uvicorn the ASGI ``receive`` callable is a method of the connection's request
    cycle, which holds the socket's transport: closing it is what a crashed or overloaded
    server does. Elsewhere (an in-process test client) the answer is an unfinished
    response instead, which the client also sees as a broken connection.
    """

    def __init__(self) -> None:
        super().__init__(b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = getattr(getattr(receive, "__self__", None), "transport", None)
        if transport is not None and hasattr(transport, "abort"):
            # Read the whole request first, so the client is waiting for the answer (bounded:
            # once the body is read, receive() waits for a disconnect).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_drain(receive), _DRAIN_SECONDS)
            transport.abort()
            # Let the server see the disconnect, so it does not answer a 500 in our place.
            await asyncio.sleep(0.01)
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"", "more_body": True})


def _fault_response(faults: Faults, style: FaultStyle) -> Response | None:
    if faults.drop:
        return DroppedResponse()
    if faults.status is not None:
        status = faults.status
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        challenge = style.challenge if status == 401 else None
        headers = {"WWW-Authenticate": challenge} if challenge else {}
        if faults.retry_after is not None:
            headers["Retry-After"] = f"{faults.retry_after:g}"
        bare = status in (204, 304) or not faults.status_body
        text = "" if bare else f"{status} {phrase}\n"
        return PlainTextResponse(text, status_code=status, headers=headers)
    if faults.html:
        return HTMLResponse(style.html_page)
    if faults.garbage:
        return Response(style.garbage, media_type=style.media_type)
    if faults.no_xml:
        return Response(b"", media_type=style.media_type)
    return None


async def answer_with_faults(
    faults: F,
    style: FaultStyle,
    answer: Callable[[], Awaitable[Response]],
    special: Callable[[F], Awaitable[Response | None]] | None = None,
) -> Response:
    """The emulator's ``answer()``, or the fault that replaces, retypes or truncates it.

    ``special`` answers the API's own faults (a subclass's switches) when the faults apply
    to this request; None from it means "answer normally". Both act on the faults as set
    when the request arrived, so a delayed answer keeps its own faults whatever a test
    switches meanwhile.
    """
    if not faults.take():
        return await answer()
    active = copy.copy(faults)
    if active.delay > 0:
        await asyncio.sleep(active.delay)
    response = _fault_response(active, style)
    if response is None and special is not None:
        response = await special(active)
    if response is None:
        response = await answer()
    if active.content_type is not None and not isinstance(response, DroppedResponse):
        response.headers["content-type"] = active.content_type
    if active.truncate:
        truncated = TruncatedResponse(bytes(response.body), response.status_code)
        truncated.raw_headers = response.raw_headers
        return truncated
    return response
