"""Hostile JSON (the Huawei CC-Gateway payloads): refused, typed, bounded.

``ucxml.parse`` / ``validate`` / ``validate_capture`` take JSON as well as XML; what the
XML corpus checks for nesting, encoding and size holds for JSON too.
"""

from __future__ import annotations

import json
import time

import pytest
from hostile_harness import call_entry, is_refusal

from ucxml.errors import BindingError

SMALL = {
    "deep-nesting-100000": b"[" * 100_000 + b"]" * 100_000,
    "invalid-utf8": b'{"retcode": "0", "message": "\xff\xfe"}',
    "nan-constant": b'{"retcode": NaN}',
    "repeated-key": b'{"retcode": "0", "retcode": "1"}',
    "nul-byte": b'{"retcode": "0\x00"}',
}


@pytest.mark.parametrize("entry", ["parse", "validate", "validate_capture"])
@pytest.mark.parametrize("name", sorted(SMALL))
def test_small_hostile_json_is_refused(name: str, entry: str) -> None:
    outcome = call_entry(entry, SMALL[name], seconds=5.0)
    refused, why = is_refusal(outcome)
    assert refused, f"{why}; got {outcome.describe()}"
    assert outcome.seconds < 5.0
    if entry == "parse":
        assert isinstance(outcome.error, BindingError), outcome.describe()


def test_twenty_megabytes_of_json_whitespace_stay_within_budget() -> None:
    data = b"[" + b"\n" * 20_000_000 + b"1]"
    outcome = call_entry("validate", data, seconds=5.0, memory_budget_mb=600)
    refused, why = is_refusal(outcome)
    assert refused, f"{why}; got {outcome.describe()}"
    assert outcome.growth_mb < 600


def test_a_million_numbers_in_an_array_stay_within_budget() -> None:
    """Positions are found on demand, not kept for every value (was ~200 MB for 2 MB)."""
    data = b"[" + b",".join(b"1" for _ in range(1_000_000)) + b"]"
    outcome = call_entry("validate", data, seconds=5.0, memory_budget_mb=150)
    refused, why = is_refusal(outcome)
    assert refused, f"{why}; got {outcome.describe()}"
    assert outcome.growth_mb < 150


# --------------------------------------------------------------------------- the gateway


def _answered(data: bytes) -> tuple[BaseException | None, int, float]:
    """``AgentGatewayClient.logout`` answered ``200 application/json`` with ``data``."""
    from ucxml.huawei import AgentGatewayClient
    from ucxml.transport import HttpResponse, MockTransport

    transport = MockTransport(
        lambda _r: HttpResponse(200, data, {"content-type": "application/json"})
    )
    started = time.perf_counter()
    error: BaseException | None = None
    with AgentGatewayClient("https://gateway:8043", transport=transport) as client:
        try:
            client.logout(1001)
        except Exception as exc:
            error = exc
    return error, len(transport.requests), time.perf_counter() - started


@pytest.mark.parametrize("name", sorted(SMALL))
def test_the_gateway_client_refuses_hostile_answers(name: str) -> None:
    """The client's answer path: a typed error after one request, within the deadline."""
    from ucxml.errors import MalformedResponseError

    error, requests, seconds = _answered(SMALL[name])
    assert isinstance(error, MalformedResponseError), repr(error)
    assert requests == 1  # an unreadable answer is never retried (logout is a write anyway)
    assert seconds < 5.0


@pytest.mark.parametrize("name", sorted(SMALL))
def test_the_gateway_emulator_refuses_hostile_requests(name: str) -> None:
    """The emulator's request path: the gateway's own parameter error, never a 500."""
    from starlette.testclient import TestClient

    from ucxml.emulator import create_app
    from ucxml.emulator.huawei_app import HUAWEI_PATH

    with TestClient(create_app()) as http:
        started = time.perf_counter()
        answer = http.put(
            f"{HUAWEI_PATH}/1001",
            content=SMALL[name],
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
        seconds = time.perf_counter() - started
    assert answer.status_code == 200, answer.text[:200]
    assert json.loads(answer.content)["retcode"] != "0", answer.text[:200]
    assert seconds < 5.0
