"""The part every typed client shares: request building, answer checking, lifecycle.

A client is a generated operation-stub class (``CmeOperations``...) plus one of the bases
here. The stubs build the request model and call ``_invoke``; the base serializes it into
the API's envelope, sends it through a :mod:`~ucxml.transport`, turns HTTP problems and
unreadable answers into typed errors, binds the answer to the expected response model, and
finally lets the API's client check the result for server-reported failures.

Every client (CME, EM, EPAS, CC-Gateway, AXL and the generated ones) takes
``transport`` (send through this :class:`~ucxml.transport.Transport` instead of httpx;
the client then does not close it) and the same keyword-only connection options,
:class:`ConnectionOptions`: ``timeout`` (seconds for the connection and each read,
default 30), ``verify`` (TLS verification, on by default), ``ca_bundle`` (a PEM file of
the CA to trust), ``max_answer_bytes`` (past it ``ResponseTooLargeError``) and ``retry``
(how the queries are resent after a transient failure; ``None`` sends once). A name that
is none of these raises ``TypeError``, as Python does for any unknown keyword.

The asynchronous bases are written by hand (:mod:`ucxml._async_client`); the synchronous
ones are their twins, written from them by ``python -m ucxml.codegen``
(:mod:`ucxml.codegen.unasync`).
"""

from __future__ import annotations

from ucxml import _clientcore
from ucxml._async_client import AsyncClientBase, AsyncTransportOwner, aexchange
from ucxml._clientcore import *  # noqa: F403 - the names of its __all__, exported from here
from ucxml._options import ConnectionOptions
from ucxml.generated._sync.client import ClientBase, TransportOwner, exchange

__all__ = [
    *_clientcore.__all__,
    "AsyncClientBase",
    "AsyncTransportOwner",
    "ClientBase",
    "ConnectionOptions",
    "TransportOwner",
    "aexchange",
    "exchange",
]
