"""``timeout=`` bounds the whole exchange, not each read (issue 19, item 2).

A loopback server sends its answer's head at once, then one byte of the body every
0.2 s: each read is quick, so a per-read timeout never fires (a ``timeout=2`` call lasted
60 s). The call must now end near its timeout, sync and async, and a retried query near
its policy's deadline, whatever the per-send timeout.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.errors import OutcomeUnknownError, RequestTimeoutError, UcxmlError
from ucxml.huawei import AgentGatewayClient
from ucxml.retry import NO_RETRY, RetryPolicy

from loopback import loopback, read_request


@pytest.fixture
def dripping() -> Iterator[str]:
    """A server that answers every request with a 10,000-byte body, one byte per 0.2 s
    (its head too, one byte at a time, for a request to a path holding "head-drip")."""
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        if b"head-drip" in read_request(conn):
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n":
                if stop.wait(0.2):
                    return
                conn.sendall(bytes([byte]))
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 10000\r\n\r\n")
        for _ in range(10_000):
            if stop.wait(0.2):
                return
            conn.sendall(b" ")

    with loopback(drip) as url:
        yield url
        stop.set()


def _lasts(call: Callable[[], object]) -> float:
    start = time.monotonic()
    with pytest.raises(UcxmlError) as raised:
        call()
    error = raised.value
    # A write's lost answer is an OutcomeUnknownError: its cause says why it was lost.
    timeout = error.cause if isinstance(error, OutcomeUnknownError) else error
    assert isinstance(timeout, RequestTimeoutError), repr(error)
    assert "whole exchange" in str(timeout) or "retry deadline" in str(timeout)
    return time.monotonic() - start


def test_a_call_ends_near_its_timeout(dripping: str) -> None:
    with CmeClient(dripping, username="u", password="p", timeout=1, retry=NO_RETRY) as cme:
        assert _lasts(cme.get_global) < 3


def test_an_async_call_ends_near_its_timeout(dripping: str) -> None:
    async def run() -> None:
        async with AsyncCmeClient(
            dripping, username="u", password="p", timeout=1, retry=NO_RETRY
        ) as cme:
            await cme.get_global()

    assert _lasts(lambda: asyncio.run(run())) < 3


def test_a_huawei_call_ends_near_its_timeout(dripping: str) -> None:
    with AgentGatewayClient(dripping, timeout=1) as gateway:
        assert _lasts(lambda: gateway.sign_in(1001, "3001")) < 3


def test_the_retry_deadline_bounds_the_send_in_flight(dripping: str) -> None:
    policy = RetryPolicy(attempts=3, deadline=2.0)
    with CmeClient(dripping, username="u", password="p", timeout=30, retry=policy) as cme:
        assert _lasts(cme.get_global) < 4


def test_an_async_call_ends_near_its_timeout_while_the_head_drips(dripping: str) -> None:
    # The status line and headers, one byte per 0.2 s: each read again returns in time.
    async def run() -> None:
        async with AsyncCmeClient(
            dripping + "/head-drip", username="u", password="p", timeout=1, retry=NO_RETRY
        ) as cme:
            await cme.get_global()

    assert _lasts(lambda: asyncio.run(run())) < 3


def test_a_call_ends_near_its_timeout_while_the_head_drips(dripping: str) -> None:
    with CmeClient(
        dripping + "/head-drip", username="u", password="p", timeout=1, retry=NO_RETRY
    ) as cme:
        assert _lasts(cme.get_global) < 3
