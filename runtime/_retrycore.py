"""The bookkeeping of :mod:`ucxml.retry` (policies, waits, final errors), without I/O."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random as _random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal, TypeVar

from ucxml.errors import (
    AuthenticationError,
    ConnectError,
    EmError,
    HttpStatusError,
    OutcomeUnknownError,
    ParameterError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    TlsError,
    TransportError,
    UcxmlError,
)
from ucxml.transport import HttpResponse

__all__ = [
    "DEFAULT_RETRY",
    "NO_RETRY",
    "UNKNOWN_OUTCOME_STATUSES",
    "RetryPolicy",
]

T = TypeVar("T")
logger = logging.getLogger("ucxml.retry")

UNKNOWN_OUTCOME_STATUSES: Final = frozenset({502, 504})
"""Statuses that leave a sent write's outcome unknown: a gateway in front of the server lost
its answer. 503 and 599 say the request was refused; a 500 is the server's own answer."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently an idempotent query is sent again.

    Attributes:
        attempts: Most sends of one query, the first included (1: never retry).
        backoff: Base wait in seconds after the first failure.
        max_backoff: Longest single wait (a longer ``Retry-After`` is honoured, within
            the deadline).
        deadline: Seconds, from the first send, after which no new wait starts (None: no
            limit); each send is also bounded by the client's ``timeout``.
        jitter: ``"full"`` (a random wait up to ``backoff * 2**(n-1)``) or
            ``"decorrelated"`` (a random wait between ``backoff`` and three times the
            previous one).
        statuses: HTTP statuses that are retried (599: AXL throttling).
        em_codes: Extension Mobility error codes that are retried (26: Busy).
        random: Returns a float in [0, 1) (injectable for tests).
        sleep: Waits that many seconds (sync clients).
        async_sleep: Waits that many seconds (async clients).
        clock: Monotonic seconds, for the deadline.
    """

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    deadline: float | None = 60.0
    jitter: Literal["full", "decorrelated"] = "full"
    statuses: frozenset[int] = frozenset({502, 503, 504, 599})
    em_codes: frozenset[int] = frozenset({26})
    random: Callable[[], float] = field(default=_random.random, repr=False, compare=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(
        default=asyncio.sleep, repr=False, compare=False
    )
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise ParameterError(f"attempts must be an int >= 1, got {self.attempts!r}")
        if self.attempts < 1:
            raise ParameterError(f"attempts must be >= 1, got {self.attempts}")
        if not (math.isfinite(self.backoff) and self.backoff >= 0):
            raise ParameterError(f"backoff must be >= 0 seconds, got {self.backoff!r}")
        if not (math.isfinite(self.max_backoff) and self.max_backoff >= self.backoff):
            raise ParameterError(
                f"max_backoff must be >= backoff ({self.backoff}), got {self.max_backoff!r}"
            )
        if self.deadline is not None and not self.deadline > 0:
            raise ParameterError(f"deadline must be > 0 seconds or None, got {self.deadline!r}")
        if self.jitter not in ("full", "decorrelated"):
            raise ParameterError(f"jitter must be 'full' or 'decorrelated', got {self.jitter!r}")

    def backoff_delay(self, failures: int, previous: float) -> float:
        """The wait after the ``failures``-th failure (``previous``: the last wait)."""
        if self.jitter == "full":
            ceiling = min(self.max_backoff, self.backoff * 2.0 ** min(failures - 1, 64))
            return self.random() * ceiling
        upper = max(self.backoff, previous * 3)
        return min(self.max_backoff, self.backoff + self.random() * (upper - self.backoff))

    def retryable(self, error: UcxmlError, answer: HttpResponse | None) -> bool:
        """Whether ``error`` (with the ``answer`` it came from, if any) may pass if resent."""
        if isinstance(error, TlsError | AuthenticationError | ResponseTooLargeError):
            # A certificate, a password or the port's protocol does not fix itself, and an
            # answer over the size limit would come back as large.
            return False
        if isinstance(error, EmError):
            return error.number in self.em_codes
        if answer is not None:
            return answer.status in self.statuses
        if isinstance(error, HttpStatusError):
            return error.status in self.statuses
        if isinstance(error, TransportError):
            # Unreachable, timed out, or the connection broke: not a verdict on the query.
            return error.sent or isinstance(error, ConnectError | RequestTimeoutError)
        return False


NO_RETRY: Final = RetryPolicy(attempts=1)
"""Send every operation once."""
DEFAULT_RETRY: Final = RetryPolicy()
"""The clients' default: up to 3 sends of a query, waits from 0.5 s, 60 s in all."""


def _outcome_lost(error: UcxmlError, answer: HttpResponse | None) -> bool:
    """Whether a sent request's answer was lost on the way (its effect is unknown)."""
    if isinstance(error, HttpStatusError):
        return error.status in UNKNOWN_OUTCOME_STATUSES
    return answer is None and isinstance(error, TransportError) and error.sent


def _retry_after(answer: HttpResponse | None) -> float | None:
    """Seconds the server asked to wait (``Retry-After``: seconds or an HTTP date)."""
    if answer is None:
        return None
    value = next((v for k, v in answer.headers.items() if k.lower() == "retry-after"), "")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _final(error: UcxmlError, attempts: int, why: str = "") -> UcxmlError:
    """``error`` with the number of sends recorded and, after retries, said."""
    if attempts > 1 and isinstance(error, TransportError | ServerError):
        error.attempts = attempts
        error.args = (f"{error} (after {attempts} attempts{why})",)
    return error


class _Call:
    """The bookkeeping of one operation: sends made, the deadline, the last wait."""

    def __init__(self, policy: RetryPolicy | None, operation: str, idempotent: bool) -> None:
        self.policy = policy if policy is not None and idempotent else NO_RETRY
        self.operation = operation
        self.idempotent = idempotent
        self.started = self.policy.clock()
        self.sent = 0
        self.previous = self.policy.backoff

    def send_deadline(self) -> float | None:
        """When a send in flight must end (``time.monotonic()``): the retry deadline
        bounds it too, when the call may be retried at all."""
        policy = self.policy
        if policy.deadline is None or policy.attempts < 2:
            return None
        left = policy.deadline - (policy.clock() - self.started)
        return time.monotonic() + max(left, 0.0)

    def wait_after(self, error: UcxmlError, answer: HttpResponse | None) -> float:
        """Seconds to wait before sending again; raise the final error when giving up."""
        if not self.idempotent:
            if _outcome_lost(error, answer):
                assert isinstance(error, TransportError)
                raise OutcomeUnknownError(self.operation, error) from error
            raise error
        policy = self.policy
        if self.sent >= policy.attempts or not policy.retryable(error, answer):
            raise _final(error, self.sent)
        delay = policy.backoff_delay(self.sent, self.previous)
        self.previous = delay
        asked = _retry_after(answer)
        if asked is not None:
            delay = max(delay, asked)
        if policy.deadline is not None:
            left = policy.deadline - (policy.clock() - self.started)
            if delay > left:
                why = f"; another would pass the {policy.deadline:g} s retry deadline"
                raise _final(error, self.sent, why)
        logger.info(
            "%s: %s; sending again in %.2f s (attempt %d of %d)",
            self.operation,
            type(error).__name__,
            delay,
            self.sent + 1,
            policy.attempts,
        )
        return delay
