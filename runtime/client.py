"""The part every typed client shares: request building, answer checking, lifecycle.

A client is a generated operation-stub class (``CmeOperations``...) plus one of the bases
here. The stubs build the request model and call ``_invoke``; the base serializes it into
the API's envelope, sends it through a :mod:`~ucxml.transport`, turns HTTP problems and
unreadable answers into typed errors, binds the answer to the expected response model, and
finally lets the API's client check the result for server-reported failures.

Every client (CME, EM, EPAS, CC-Gateway, AXL and the generated ones) takes the same
keyword-only connection options:

- ``timeout``: seconds to wait for the connection and for each read.
- ``verify``: verify the server's TLS certificate (on by default); ``False`` turns it off
  and logs a warning naming the host.
- ``ca_bundle``: a PEM file of the CA (or the server's own certificate) to trust.
- ``max_answer_bytes``: the most bytes an answer may have, received or decompressed
  (default: the reader's 256 MiB limit); past it ``ResponseTooLargeError``.
- ``transport``: send through this :class:`~ucxml.transport.Transport` instead of httpx
  (tests, offline work); the client then does not close it.
- ``retry``: how the queries (the idempotent calls) are resent after a transient failure
  (:class:`~ucxml.retry.RetryPolicy`; ``None`` sends once); writes never are.

The asynchronous bases are written by hand (:mod:`ucxml._async_client`); the synchronous
ones are their twins, written from them by ``python -m ucxml.codegen``
(:mod:`ucxml.codegen.unasync`).
"""

from __future__ import annotations

from ucxml import _clientcore
from ucxml._async_client import AsyncClientBase, AsyncTransportOwner, aexchange
from ucxml._clientcore import *  # noqa: F403 - the names of its __all__, exported from here
from ucxml.generated._sync.client import ClientBase, TransportOwner, exchange

__all__ = [
    *_clientcore.__all__,
    "AsyncClientBase",
    "AsyncTransportOwner",
    "ClientBase",
    "TransportOwner",
    "aexchange",
    "exchange",
]
