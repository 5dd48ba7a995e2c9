"""RetryPolicy and the run helpers, with an injected clock, random and sleep (no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from ucxml import transport as transport_module
from ucxml.errors import (
    AuthenticationError,
    AxlError,
    ConnectError,
    EmError,
    HttpStatusError,
    MalformedResponseError,
    OutcomeUnknownError,
    ParameterError,
    RequestTimeoutError,
    SoapFault,
    TlsVerificationError,
    TransportError,
    UcxmlError,
)
from ucxml.retry import DEFAULT_RETRY, NO_RETRY, RetryPolicy, arun, run
from ucxml.transport import HttpResponse


class FakeTime:
    """A monotonic clock that only moves when slept on (or told to)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[tuple[float, float]] = []  # (started at, seconds)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append((self.now, seconds))
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def policy(fake: FakeTime, **changes: Any) -> RetryPolicy:
    settings: dict[str, Any] = {
        "attempts": 5,
        "backoff": 0.1,
        "max_backoff": 1.0,
        "deadline": 10.0,
        "random": lambda: 1.0,
        "sleep": fake.sleep,
        "async_sleep": fake.async_sleep,
        "clock": fake.clock,
    }
    settings.update(changes)
    return RetryPolicy(**settings)


def status(code: int, **headers: str) -> HttpResponse:
    return HttpResponse(code, b"", {k.replace("_", "-"): v for k, v in headers.items()})


def read_ok(answer: HttpResponse) -> str:
    if answer.status != 200:
        raise HttpStatusError(answer.status)
    return "ok"


def script(items: list[HttpResponse | UcxmlError], fake: FakeTime | None = None, cost: float = 0):
    """A send function answering or raising ``items`` in turn; ``calls`` counts the sends."""

    def send() -> HttpResponse:
        send.calls += 1  # type: ignore[attr-defined]
        if fake is not None:
            fake.now += cost  # each send takes this long (a timeout, say)
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, UcxmlError):
            raise item
        return item

    send.calls = 0  # type: ignore[attr-defined]
    return send


# --------------------------------------------------------------------------- the policy


@pytest.mark.parametrize(
    "changes",
    [
        {"attempts": 0},
        {"attempts": 1.5},
        {"attempts": True},
        {"backoff": -1.0},
        {"backoff": float("nan")},
        {"backoff": 2.0, "max_backoff": 1.0},
        {"max_backoff": float("inf")},
        {"deadline": 0.0},
        {"deadline": -5.0},
        {"jitter": "none"},
    ],
)
def test_policy_rejects_nonsense(changes: dict[str, Any]) -> None:
    with pytest.raises(ParameterError):
        RetryPolicy(**changes)


def test_defaults_are_bounded() -> None:
    assert NO_RETRY.attempts == 1
    assert DEFAULT_RETRY.attempts == 3
    assert DEFAULT_RETRY.deadline is not None and DEFAULT_RETRY.deadline <= 60
    assert 500 not in DEFAULT_RETRY.statuses
    assert {502, 503, 504, 599} <= DEFAULT_RETRY.statuses
    assert DEFAULT_RETRY.em_codes == frozenset({26})


def test_full_jitter_grows_exponentially_up_to_the_cap() -> None:
    top = RetryPolicy(backoff=0.5, max_backoff=4.0, random=lambda: 1.0)
    assert [top.backoff_delay(n, 0.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    half = RetryPolicy(backoff=0.5, max_backoff=4.0, random=lambda: 0.5)
    assert [half.backoff_delay(n, 0.0) for n in range(1, 4)] == [0.25, 0.5, 1.0]
    assert RetryPolicy(random=lambda: 0.0).backoff_delay(3, 0.0) == 0.0
    assert RetryPolicy(max_backoff=8.0, random=lambda: 1.0).backoff_delay(10_000, 0.0) == 8.0


def test_decorrelated_jitter_stays_between_base_and_cap() -> None:
    top = RetryPolicy(backoff=0.5, max_backoff=4.0, jitter="decorrelated", random=lambda: 1.0)
    assert top.backoff_delay(1, 0.5) == 1.5
    assert top.backoff_delay(2, 1.5) == 4.0  # 4.5 capped
    low = RetryPolicy(backoff=0.5, max_backoff=4.0, jitter="decorrelated", random=lambda: 0.0)
    assert low.backoff_delay(5, 3.0) == 0.5


def test_the_run_feeds_decorrelated_waits_from_the_previous_one() -> None:
    fake = FakeTime()
    send = script([status(503)])
    chosen = policy(fake, attempts=4, backoff=0.1, max_backoff=10.0, jitter="decorrelated")
    with pytest.raises(HttpStatusError):
        run(chosen, "q", True, send, read_ok)
    assert [round(s, 6) for _, s in fake.sleeps] == [0.3, 0.9, 2.7]


# --------------------------------------------------------------------------- retries


def test_a_query_is_retried_until_it_passes() -> None:
    fake = FakeTime()
    send = script([status(503), status(502), status(200)])
    assert run(policy(fake), "getThing", True, send, read_ok) == "ok"
    assert send.calls == 3
    assert [s for _, s in fake.sleeps] == [0.1, 0.2]


def test_the_final_error_counts_and_says_the_attempts() -> None:
    fake = FakeTime()
    send = script([status(503)])
    with pytest.raises(HttpStatusError) as info:
        run(policy(fake, attempts=4), "getThing", True, send, read_ok)
    assert send.calls == 4 and info.value.attempts == 4
    assert "after 4 attempts" in str(info.value)
    assert info.value.status == 503


def test_server_errors_count_attempts_too() -> None:
    fake = FakeTime()
    busy = EmError(26, "Busy, please try again", "Busy, please try again")
    send = script([busy])
    with pytest.raises(EmError) as info:
        run(policy(fake, attempts=3), "deviceUserQuery", True, send, read_ok)
    assert (info.value.code, info.value.attempts) == ("26", 3)
    assert "after 3 attempts" in str(info.value)


def test_a_failure_that_cannot_pass_is_not_retried() -> None:
    fake = FakeTime()
    send = script([status(500)])
    with pytest.raises(HttpStatusError) as info:
        run(policy(fake), "getThing", True, send, read_ok)
    assert send.calls == 1 and info.value.attempts == 1
    assert "attempts" not in str(info.value)
    assert fake.sleeps == []


def test_a_retry_that_meets_a_lasting_failure_stops_there() -> None:
    fake = FakeTime()
    send = script([status(503), status(401)])

    def read(answer: HttpResponse) -> str:
        if answer.status == 401:
            raise AuthenticationError(401)
        return read_ok(answer)

    with pytest.raises(AuthenticationError) as info:
        run(policy(fake), "getThing", True, send, read)
    assert send.calls == 2 and info.value.attempts == 2


@pytest.mark.parametrize(("deadline", "cost"), [(0.35, 0.0), (1.0, 0.0), (2.5, 0.2), (3.0, 1.0)])
def test_no_wait_ends_after_the_deadline(deadline: float, cost: float) -> None:
    fake = FakeTime()
    start = fake.now
    send = script([RequestTimeoutError("slow")], fake, cost)
    chosen = policy(fake, attempts=100, backoff=0.1, max_backoff=0.4, deadline=deadline)
    with pytest.raises(RequestTimeoutError) as info:
        run(chosen, "getThing", True, send, read_ok)
    assert fake.sleeps, "at least one retry fits every deadline of the table"
    assert all(began + seconds <= start + deadline for began, seconds in fake.sleeps)
    assert info.value.attempts == send.calls == len(fake.sleeps) + 1
    assert "deadline" in str(info.value)


def test_retry_after_is_honoured() -> None:
    fake = FakeTime()
    send = script([status(503, retry_after="3"), status(200)])
    assert run(policy(fake), "getThing", True, send, read_ok) == "ok"
    assert [s for _, s in fake.sleeps] == [3.0]


def test_retry_after_as_a_date_is_honoured() -> None:
    fake = FakeTime()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=4), usegmt=True)
    send = script([status(503, retry_after=when), status(200)])
    assert run(policy(fake), "getThing", True, send, read_ok) == "ok"
    [(_, waited)] = fake.sleeps
    assert 2.0 < waited <= 4.0


def test_retry_after_beyond_the_deadline_ends_the_retries() -> None:
    fake = FakeTime()
    send = script([status(503, retry_after="30"), status(200)])
    with pytest.raises(HttpStatusError) as info:
        run(policy(fake, deadline=5.0), "getThing", True, send, read_ok)
    assert send.calls == 1 and fake.sleeps == []
    assert info.value.status == 503


def test_unreadable_retry_after_falls_back_to_the_backoff() -> None:
    fake = FakeTime()
    send = script([status(503, retry_after="soon"), status(200)])
    assert run(policy(fake), "getThing", True, send, read_ok) == "ok"
    assert [s for _, s in fake.sleeps] == [0.1]


@pytest.mark.parametrize("chosen", [None, NO_RETRY])
def test_no_policy_sends_once(chosen: RetryPolicy | None) -> None:
    send = script([status(503), status(200)])
    with pytest.raises(HttpStatusError):
        run(chosen, "getThing", True, send, read_ok)
    assert send.calls == 1


# --------------------------------------------------------------------------- writes


def timeout_after_sending() -> RequestTimeoutError:
    return RequestTimeoutError("no answer within the timeout (ReadTimeout)")


def timeout_before_sending() -> RequestTimeoutError:
    error = RequestTimeoutError("no answer within the timeout (ConnectTimeout)")
    error.sent = False
    return error


@pytest.mark.parametrize(
    ("failure", "expected", "cause"),
    [
        (timeout_after_sending, OutcomeUnknownError, RequestTimeoutError),
        (lambda: MalformedResponseError("peer closed connection"), OutcomeUnknownError, None),
        (lambda: TransportError("ReadError"), OutcomeUnknownError, TransportError),
        (lambda: status(502), OutcomeUnknownError, HttpStatusError),
        (lambda: status(504), OutcomeUnknownError, HttpStatusError),
        (timeout_before_sending, RequestTimeoutError, None),
        (lambda: ConnectError("refused"), ConnectError, None),
        (lambda: TlsVerificationError("bad certificate"), TlsVerificationError, None),
        (lambda: status(503), HttpStatusError, None),
        (lambda: status(500), HttpStatusError, None),
        (lambda: EmError(26, "Busy"), EmError, None),
    ],
)
def test_a_write_is_sent_once_and_a_lost_answer_is_an_unknown_outcome(
    failure: Callable[[], HttpResponse | UcxmlError],
    expected: type[UcxmlError],
    cause: type[UcxmlError] | None,
) -> None:
    fake = FakeTime()
    item = failure()
    send = script([item])
    with pytest.raises(UcxmlError) as info:
        run(policy(fake), "ISexecCLI", False, send, read_ok)
    assert type(info.value) is expected
    assert send.calls == 1 and fake.sleeps == []
    if expected is OutcomeUnknownError:
        lost = info.value
        assert isinstance(lost, OutcomeUnknownError)
        assert lost.operation == "ISexecCLI"
        assert "outcome is unknown" in str(lost)
        assert lost.__cause__ is lost.cause
        assert isinstance(lost.cause, cause or type(item))
        assert lost.attempts == 1


# --------------------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("error", "answer", "retryable"),
    [
        (ConnectError("refused"), None, True),
        (TlsVerificationError("bad certificate"), None, False),
        (timeout_after_sending(), None, True),
        (timeout_before_sending(), None, True),
        (MalformedResponseError("peer closed connection"), None, True),
        (HttpStatusError(503), status(503), True),
        (HttpStatusError(502), status(502), True),
        (HttpStatusError(504), status(504), True),
        (HttpStatusError(500), status(500), False),
        (AuthenticationError(401), status(401), False),
        (AxlError(None, "throttled", status=599, style="http"), status(599), True),
        (SoapFault("Receiver", "Could not connect to database."), status(500), False),
        (SoapFault("Receiver", "overloaded"), status(503), True),
        (EmError(26, "Busy"), status(200), True),
        (EmError(6, "Database Error"), status(200), False),
        (MalformedResponseError("expected XML, got text/html"), status(200), False),
        (HttpStatusError(503), None, True),
    ],
)
def test_what_is_retryable(error: UcxmlError, answer: HttpResponse | None, retryable: bool) -> None:
    assert DEFAULT_RETRY.retryable(error, answer) is retryable


def _request() -> httpx.Request:
    return httpx.Request("POST", "http://router/ios_xml_app/cme")


@pytest.mark.parametrize(
    ("exc", "kind", "sent"),
    [
        (httpx.ConnectTimeout("t"), RequestTimeoutError, False),
        (httpx.PoolTimeout("t"), RequestTimeoutError, False),
        (httpx.WriteTimeout("t"), RequestTimeoutError, True),
        (httpx.ReadTimeout("t"), RequestTimeoutError, True),
        (httpx.ConnectError("refused"), ConnectError, False),
        (httpx.ReadError("reset"), TransportError, True),
        (httpx.WriteError("broken pipe"), TransportError, True),
        (httpx.RemoteProtocolError("Server disconnected"), MalformedResponseError, True),
        (httpx.UnsupportedProtocol("ftp"), TransportError, False),
        (httpx.LocalProtocolError("bad header"), TransportError, False),
    ],
)
def test_the_transport_says_whether_the_request_left(
    exc: httpx.HTTPError, kind: type[TransportError], sent: bool
) -> None:
    exc.request = _request()
    error = transport_module._error(exc, "http://router/ios_xml_app/cme")
    assert type(error) is kind
    assert error.sent is sent


# --------------------------------------------------------------------------- async


def test_async_run_retries_and_waits_like_the_sync_one() -> None:
    fake = FakeTime()
    plain = script([status(503), status(503), status(200)])

    async def send() -> HttpResponse:
        return plain()

    result = asyncio.run(arun(policy(fake), "getThing", True, send, read_ok))
    assert result == "ok" and plain.calls == 3
    assert [s for _, s in fake.sleeps] == [0.1, 0.2]


def test_async_run_never_resends_a_write() -> None:
    fake = FakeTime()
    plain = script([timeout_after_sending()])

    async def send() -> HttpResponse:
        return plain()

    with pytest.raises(OutcomeUnknownError):
        asyncio.run(arun(policy(fake), "login", False, send, read_ok))
    assert plain.calls == 1 and fake.sleeps == []
