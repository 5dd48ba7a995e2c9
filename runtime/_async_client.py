# unasync: """The synchronous client bases, written from :mod:`ucxml._async_client`."""
"""The asynchronous client bases: transport ownership, context management, sending.

The one hand-written shell of both twins: ``python -m ucxml.codegen`` writes the
synchronous one (``ucxml.generated._sync.client``) from this module, and
:mod:`ucxml.client` exports both. The sans-I/O part is :mod:`ucxml._clientcore`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from ucxml._async_closing import AsyncClosing
from ucxml._clientcore import AnswerReader, ClientCore, _ClientState, _reading
from ucxml._options import Connection, ConnectionOptions, connection
from ucxml._redaction import client_secrets
from ucxml.bindings import Operation
from ucxml.retry import RetryPolicy, arun
from ucxml.transport import AsyncHttpxTransport, AsyncTransport, HttpRequest

__all__ = ["AsyncClientBase", "AsyncTransportOwner", "aexchange"]

T = TypeVar("T")


async def aexchange(
    retry: RetryPolicy | None,
    transport: AsyncTransport,
    reader: AnswerReader,
    operation: Operation,
    http: HttpRequest,
    response_type: type[T],
) -> T:
    """Send ``http`` for ``operation`` and read its answer, retrying as ``retry`` allows.

    An error made from the answer masks the secrets of the request itself too (a new
    password the request sets), since a server may echo the request.
    """
    return await arun(
        retry,
        operation.name,
        operation.idempotent,
        lambda: transport.send(http),
        _reading(reader, operation, response_type, http),
    )


class AsyncTransportOwner(AsyncClosing):
    # unasync: """Closing and context management of a synchronous client that may own its
    # unasync: transport."""
    """Closing and async context management of a client that may own its transport."""

    _transport: AsyncTransport
    _owns_transport: bool

    def _use_transport(
        self,
        transport: AsyncTransport | None,
        settings: Connection,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        """Send through ``transport``, or through a new httpx transport made from the
        connection ``settings`` (HTTP Basic auth if credentials are given), owned and
        closed by this client."""
        self._owns_transport = transport is None
        self._transport = transport or AsyncHttpxTransport(
            username=username,
            password=password,
            timeout=settings.timeout,
            verify=settings.verify,
            ca_bundle=settings.ca_bundle,
            max_bytes=settings.max_answer_bytes,
        )

    async def aclose(self) -> None:
        """Close the transport if this client created it."""
        if self._owns_transport:
            await self._transport.aclose()


class AsyncClientBase(_ClientState, AsyncTransportOwner):
    # unasync: """Transport ownership and context management of a synchronous client."""
    """Transport ownership and context management of an asynchronous client."""

    def __init__(
        self,
        core: ClientCore,
        *,
        username: str | None,
        password: str | None,
        transport: AsyncTransport | None,
        options: ConnectionOptions,
    ) -> None:
        super().__init__(core, username)
        core.secrets |= client_secrets(username=username, password=password)
        settings = connection(self, options)
        self._retry = settings.retry
        self._use_transport(transport, settings, username, password)

    async def _send(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        http = self._core.request(operation, request)
        return await aexchange(
            self._retry, self._transport, self._core, operation, http, response_type
        )

    async def _invoke_records(
        self, operation: Operation, request: Any, record_type: type[T]
    ) -> Iterator[T]:
        http = self._core.request(operation, request)
        content = await arun(
            self._retry,
            operation.name,
            operation.idempotent,
            lambda: self._transport.send(http),
            lambda answer: self._core.content(operation, answer),
        )
        return self._core.records(operation, content, record_type)
