"""A capture of many messages is split in linear time and memory (issue 19, item 8).

Splitting used to copy all the rest of the capture for every message (to h11, to the SIP
reader) and to count line breaks from byte 0 for each: 10,000 HTTP exchanges took 159 s.
Measured here without a clock: the memory a split holds at its peak must stay far below
the capture's size (each copy of the rest was about that size), and every line number
must still be the one a count from byte 0 gives. ``make bench`` times 1,000 vs 10,000.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest

from benchmarks.payloads import http_capture, sip_capture
from ucxml._payloads import split_capture

BUILDERS: dict[str, tuple[Callable[[int], bytes], int]] = {
    "http": (http_capture, 2),  # each exchange: a request and an answer
    "sip": (sip_capture, 1),
}


@pytest.mark.parametrize("kind", BUILDERS)
def test_a_split_holds_little_memory_whatever_follows(kind: str) -> None:
    build, per_message = BUILDERS[kind]
    data = build(2_000)
    tracemalloc.start()
    try:
        count = 0
        for _ in split_capture(data):
            count += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 2_000 * per_message
    assert peak < len(data) // 8, (peak, len(data))


@pytest.mark.parametrize("kind", BUILDERS)
def test_line_numbers_are_those_counted_from_the_start(kind: str) -> None:
    build, _ = BUILDERS[kind]
    data = build(300)
    lines = data.split(b"\n")
    seen = 0
    for payload in split_capture(data):
        assert payload.error is None, payload.error
        assert payload.line == data.count(b"\n", 0, payload.offset) + 1
        assert payload.body_line is not None
        # The body's first line is the one its line number names.
        assert lines[payload.body_line - 1].startswith(payload.data.split(b"\n", 1)[0])
        seen += 1
    assert seen >= 300
