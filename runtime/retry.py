"""Bounded retries of idempotent queries, and "outcome unknown" errors for lost writes.

Every client sends an operation through :func:`run` (or :func:`arun`) with the
operation's ``idempotent`` flag (``idempotent = true`` in ``schemas/manifest.toml``, carried
to :class:`~ucxml.bindings.Operation`) and its :class:`RetryPolicy`:

* An idempotent query (``get_device``, ``device_user_query``, ``get_contact_list``...) is
  sent again after a transient failure: the server unreachable, no answer in time, the
  connection dropped or the answer cut short, HTTP 502/503/504, AXL's HTTP 599 throttling,
  Extension Mobility error 26 "Busy, please try again". The waits grow exponentially with
  jitter, never pass ``max_backoff``, honour a ``Retry-After`` header, and no wait is
  started that would end after the policy's total ``deadline``. The error that ends the
  retries carries ``attempts`` and says "after N attempts".
* Any other operation is sent once, whatever the policy. When the request was sent and
  its answer never fully arrived (read timeout, connection dropped, answer cut short) or a
  gateway says it lost it (HTTP 502, 504), the server may have applied it:
  :class:`~ucxml.errors.OutcomeUnknownError` says so, with the failure as ``cause``. A
  failure known to come before sending (:class:`~ucxml.errors.ConnectError`, a connect
  timeout) is raised as it is: repeating the call is safe. An answer that arrived whole
  is the server's: its status or its unreadable body raises the usual typed error.

TLS failures (an untrusted certificate, ``https://`` against a plain-HTTP port) and refused
credentials are never retried. HTTP 500 is not retried by default: EM, EPAS and AXL
servers answer their own errors with an XML body (typed as such), so a bare 500 means the
request made the server fail, and the same query fails the same way again; 502/503/504
come from an overloaded server or a proxy in front of it and do pass. Add 500 to
``statuses`` to retry it anyway.
"""

from __future__ import annotations

from ucxml import _retrycore
from ucxml._async_retry import arun
from ucxml._retrycore import *  # noqa: F403 - the names of its __all__, exported from here
from ucxml.generated._sync.retry import run

__all__ = [*_retrycore.__all__, "arun", "run"]
