# unasync: """The synchronous AXL client, written from :mod:`ucxml._async_axl`."""
"""The asynchronous AXL client: the one hand-written shell of both twins.

``python -m ucxml.codegen`` writes the synchronous one (``ucxml.generated._sync.axl``) from
this module; :mod:`ucxml.axl` exports both. The sans-I/O part is :mod:`ucxml._axlcore`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

from ucxml._async_client import AsyncTransportOwner
from ucxml._axlcore import DEFAULT_VERSION, AxlResponse, _AxlState, is_query
from ucxml._options import ConnectionOptions, connection
from ucxml.retry import arun
from ucxml.transport import AsyncTransport

__all__ = ["AsyncAxlClient"]


class AsyncAxlClient(_AxlState, AsyncTransportOwner):
    # unasync: """Synchronous AXL client; use as a context manager."""
    """Asynchronous AXL client; use as an async context manager."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str,
        password: str,
        version: str | None = DEFAULT_VERSION,
        namespace: str | None = None,
        transport: AsyncTransport | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> None:
        """Connect to the AXL service (nothing is sent before the first call).

        Args:
            base_url: ``https://host:8443`` of the server; ``/axl/`` is appended when the
                URL has no path.
            username: AXL user (HTTP Basic auth).
            password: Its password (never logged or shown).
            version: Schema version to ask for (``SOAPAction: "CUCM:DB ver=<version>"``);
                None sends unversioned requests (a warning is logged once).
            namespace: Namespace of the request elements instead of :func:`axl_namespace`.
            transport, options: The transport and the connection options of every client
                (:mod:`ucxml.client`, :class:`~ucxml.client.ConnectionOptions`).
        """
        settings = connection(self, options)
        super().__init__(base_url, username, password, version, namespace)
        self._retry = settings.retry
        self._use_transport(transport, settings, username, password)

    async def call(
        self,
        operation: str,
        params: Mapping[str, object] | None = None,
        *,
        sequence: int | None = None,
        idempotent: bool | None = None,
    ) -> AxlResponse:
        """Send the AXL request ``operation`` with ``params`` (see :func:`build_request`).

        A query (``idempotent``; by default :func:`is_query`) is retried after transient
        failures, HTTP 599 included; any other request is sent once.
        """
        request = self._request(operation, params, sequence)
        del params  # the request holds them: no frame of a failure shows a password plain
        return await arun(
            self._retry,
            operation,
            is_query(operation) if idempotent is None else idempotent,
            lambda: self._transport.send(request),
            lambda answer: self._read(operation, answer),
        )
