"""Fault injection shared by every emulator: slow, failing, broken and truncated answers."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus

from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

__all__ = ["FaultStyle", "Faults", "TruncatedResponse", "answer_with_faults"]


@dataclass
class Faults:
    """Faults injected into every answer while set (for client tests); mutable.

    Attributes:
        delay: Seconds to wait before answering.
        status: Answer this HTTP status (200-599) with a short text body instead of the
            real answer.
        html: Answer ``200 text/html`` with an error page.
        truncate: Declare a ``Content-Length`` larger than the body actually sent, then
            close the connection, so the client sees a truncated answer.
        garbage: Answer 200 with a body that is not well-formed (XML or JSON).
        no_xml: Answer 200 with an empty body (the service gave no document at all).
    """

    delay: float = 0.0
    status: int | None = None
    html: bool = False
    truncate: bool = False
    garbage: bool = False
    no_xml: bool = False

    def clear(self) -> None:
        """Switch every fault off."""
        for f in dataclasses.fields(self):
            setattr(self, f.name, f.default)


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


def _fault_response(faults: Faults, style: FaultStyle) -> Response | None:
    if faults.status is not None:
        status = faults.status
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        challenge = style.challenge if status == 401 else None
        headers = {"WWW-Authenticate": challenge} if challenge else None
        text = "" if status in (204, 304) else f"{status} {phrase}\n"
        return PlainTextResponse(text, status_code=status, headers=headers)
    if faults.html:
        return HTMLResponse(style.html_page)
    if faults.garbage:
        return Response(style.garbage, media_type=style.media_type)
    if faults.no_xml:
        return Response(b"", media_type=style.media_type)
    return None


async def answer_with_faults(
    faults: Faults, style: FaultStyle, answer: Callable[[], Awaitable[Response]]
) -> Response:
    """The emulator's ``answer()``, or the fault that replaces or truncates it."""
    if faults.delay > 0:
        await asyncio.sleep(faults.delay)
    response = _fault_response(faults, style)
    if response is None:
        response = await answer()
    if faults.truncate:
        truncated = TruncatedResponse(bytes(response.body), response.status_code)
        truncated.raw_headers = response.raw_headers
        return truncated
    return response
