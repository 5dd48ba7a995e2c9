# unasync: """The synchronous retry loop, written from :mod:`ucxml._async_retry`."""
"""The asynchronous retry loop: the one hand-written loop of both twins.

``python -m ucxml.codegen`` writes the synchronous one (``ucxml.generated._sync.retry``)
from this module; :mod:`ucxml.retry` exports both. The bookkeeping is
:mod:`ucxml._retrycore`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias, TypeVar

from ucxml._retrycore import RetryPolicy, _Call
from ucxml.errors import UcxmlError
from ucxml.transport import HttpResponse, send_deadline

__all__ = ["arun"]

T = TypeVar("T")
#: What performs one HTTP exchange (awaited; a plain call in the sync twin).
# unasync: _Send: TypeAlias = Callable[[], HttpResponse]
_Send: TypeAlias = Callable[[], Awaitable[HttpResponse]]


async def arun(
    policy: RetryPolicy | None,
    operation: str,
    idempotent: bool,
    send: _Send,
    read: Callable[[HttpResponse], T],
) -> T:
    """Send and read one operation, retrying an idempotent one as ``policy`` allows.

    ``send`` performs the HTTP exchange, ``read`` turns the answer into the result or
    raises its typed error. See :mod:`ucxml.retry` for what is retried.
    """
    call = _Call(policy, operation, idempotent)
    while True:
        call.sent += 1
        answer: HttpResponse | None = None
        try:
            with send_deadline(call.send_deadline()):
                answer = await send()
            return read(answer)
        except UcxmlError as error:
            delay = call.wait_after(error, answer)
        # unasync: call.policy.sleep(delay)
        await call.policy.async_sleep(delay)
