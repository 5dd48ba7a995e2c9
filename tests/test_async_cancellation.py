"""Cancelling async calls leaks no connection (issue 19, item 3).

The probe's method: calls cancelled one after another just as their answer arrives, then
a normal call. Cancelled inside httpcore, an exchange kept its pool slot for good
(httpcore#1093): once the pool was used up, every call failed with a pool timeout against
a healthy server. The transport now runs each exchange shielded, so it ends and gives its
connection back whatever its caller does.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ucxml.cme import AsyncCmeClient
from ucxml.retry import NO_RETRY
from ucxml.transport import AsyncHttpxTransport

from loopback import loopback, read_request

ANSWER = (
    Path(__file__).resolve().parents[1]
    / "schemas/cme/examples/corrected/09-ISgetGlobal-response.xml"
).read_bytes()
DELAY = 0.02  # the server's think time: the calls are cancelled around it


def _answer_late(conn: socket.socket) -> None:
    while request := read_request(conn):
        assert request.startswith(b"POST ")
        time.sleep(DELAY)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
            + f"Content-Length: {len(ANSWER)}\r\n\r\n".encode()
            + ANSWER
        )


@pytest.fixture
def server() -> Iterator[str]:
    with loopback(_answer_late) as url:
        yield url


def test_calls_cancelled_as_their_answer_arrives_leave_the_pool_usable(server: str) -> None:
    chance = random.Random(19)

    async def run() -> None:
        pool = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=5), timeout=httpx.Timeout(5, pool=2)
        )
        transport = AsyncHttpxTransport(client=pool)
        async with AsyncCmeClient(
            server, username="u", password="p", retry=NO_RETRY, transport=transport
        ) as cme:
            for _ in range(200):
                call = asyncio.ensure_future(cme.get_global())
                await asyncio.sleep(DELAY + chance.uniform(-0.003, 0.003))
                call.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await call
            await asyncio.sleep(0.3)  # the abandoned exchanges end
            answer = await asyncio.wait_for(cme.get_global(), 10)
            assert answer is not None
        await transport.aclose()
        await pool.aclose()

    asyncio.run(run())
