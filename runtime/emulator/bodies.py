"""Reading a request body with a size cap, as every emulator does."""

from __future__ import annotations

from typing import Final

from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response

__all__ = ["DRAIN_LIMIT", "read_body"]

DRAIN_LIMIT: Final = 16 * 1024 * 1024
"""An oversize body is still read (and dropped) up to this many bytes."""


async def read_body(
    request: Request, max_body: int, *, bad_length: Response | None = None
) -> bytes | Response:
    """The request body, or the 413 / 400 answer that replaces it.

    A body over ``max_body`` bytes is still read (and dropped) up to :data:`DRAIN_LIMIT`,
    so the client, still sending, reads the 413 instead of a connection reset.
    ``bad_length`` is the answer to a Content-Length that is not a number (a plain 400 when
    None); a client that disconnects mid-body gets a bare 400.
    """
    too_large = PlainTextResponse(
        f"413 request body larger than {max_body} bytes\n", status_code=413
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            return bad_length or PlainTextResponse("400 invalid Content-Length\n", status_code=400)
        if int(declared) > max(max_body, DRAIN_LIMIT):
            return too_large
    data = bytearray()
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max(max_body, DRAIN_LIMIT):
                break
            if size <= max_body:
                data += chunk
    except ClientDisconnect:
        return Response(status_code=400)
    return too_large if size > max_body else bytes(data)
