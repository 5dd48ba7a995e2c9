"""A server cannot exhaust a client's memory (issue 19, item 1).

A loopback server of the test's own answers a CME query with a bomb: a Content-Length
over the cap, a gzip bomb, a double gzip of a few KB, an endless chunked body, more
layers of Content-Encoding than are read. Each ends in ``ResponseTooLargeError`` with
bounded memory (tracemalloc's peak while the call runs); an honest gzip answer still
reads to its typed result.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import socket
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

import pytest

from benchmarks.payloads import get_device_response
from ucxml.cme import CmeClient
from ucxml.errors import MalformedResponseError, ResponseTooLargeError
from ucxml.retry import NO_RETRY

from loopback import close_gently, loopback, read_request

CAP = 8 * 1024 * 1024
#: What a call may hold at its peak: the cap, plus room for the decoder and the parse.
PEAK = 3 * CAP

Answer = Callable[[socket.socket], None]


def _headers(*lines: str) -> bytes:
    return (
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
        + "".join(f"{x}\r\n" for x in lines)
        + "\r\n"
    ).encode()


def _fixed(head: bytes, body: bytes) -> Answer:
    return lambda conn: conn.sendall(head + body)


def _endless(conn: socket.socket) -> None:
    conn.sendall(_headers("Transfer-Encoding: chunked"))
    chunk = b"<x>" + b"y" * 65_530 + b"</x>"
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    for _ in range(4 * CAP // len(chunk)):  # four times the cap, then the test gives up
        conn.sendall(frame)


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    out = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join(out) + packer.flush()


def _incompressible(size: int) -> bytes:
    # Text that compresses about 4 to 1: under the ratio limit, over the cap once decoded.
    word = b"<ISDevName>SEP%012X</ISDevName>"
    return b"".join(word % (i * 2654435761 % (1 << 48)) for i in range(size // len(word % 0)))


ANSWERS: dict[str, tuple[Answer, str]] = {
    "Content-Length of 1 GB": (
        _fixed(_headers(f"Content-Length: {1 << 30}"), b"<"),
        r"\(Content-Length\), over the",
    ),
    # Received in one read, it passes the cap before the ratio can be judged: either stops it.
    "gzip bomb (64 MB of zeros in 64 KB)": (
        _fixed(_headers("Content-Encoding: gzip"), _gzip_of_zeros(64 << 20)),
        "decompresses more than|limit \\(decoded\\)",
    ),
    "double gzip of a few KB": (
        _fixed(_headers("Content-Encoding: gzip, gzip"), gzip.compress(_gzip_of_zeros(256 << 20))),
        "decompresses more than",
    ),
    "gzip under the ratio, over the cap": (
        _fixed(_headers("Content-Encoding: gzip"), gzip.compress(_incompressible(2 * CAP))),
        r"over the 8,388,608-byte limit \(decoded\)",
    ),
    "endless chunked body": (_endless, r"over the 8,388,608-byte limit \(received\)"),
    "three layers of gzip": (
        _fixed(_headers("Content-Encoding: gzip, gzip, gzip"), b""),
        "3 layers of Content-Encoding",
    ),
}


@pytest.fixture
def serve() -> Iterator[Callable[[Answer], str]]:
    with contextlib.ExitStack() as servers:

        def start(answer: Answer) -> str:
            def handle(conn: socket.socket) -> None:
                read_request(conn)
                answer(conn)
                close_gently(conn)

            return servers.enter_context(loopback(handle))

        yield start


def _client(url: str) -> CmeClient:
    return CmeClient(
        url, username="u", password="p", timeout=10, max_answer_bytes=CAP, retry=NO_RETRY
    )


@pytest.mark.parametrize("name", ANSWERS)
def test_a_bomb_is_refused_with_bounded_memory(serve: Callable[[Answer], str], name: str) -> None:
    answer, words = ANSWERS[name]
    url = serve(answer)
    tracemalloc.start()
    try:
        with _client(url) as cme, pytest.raises(ResponseTooLargeError) as raised:
            cme.get_global()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.search(words, str(raised.value)), str(raised.value)
    assert peak < PEAK, f"{peak:,} bytes at the peak"


def test_an_honest_gzip_answer_reads_to_its_typed_result(serve: Callable[[Answer], str]) -> None:
    body = gzip.compress(get_device_response(3))
    url = serve(_fixed(_headers("Content-Encoding: gzip", f"Content-Length: {len(body)}"), body))
    with _client(url) as cme:
        devices = cme.get_device()
    assert len(devices.device) == 3


def test_a_coding_not_asked_for_is_a_malformed_answer(serve: Callable[[Answer], str]) -> None:
    url = serve(_fixed(_headers("Content-Encoding: br", "Content-Length: 3"), b"abc"))
    with _client(url) as cme, pytest.raises(MalformedResponseError, match="did not ask for: br"):
        cme.get_global()
