# unasync: """The synchronous CME client, written from :mod:`ucxml._async_cme`."""
"""The asynchronous CME client: the one hand-written shell of both twins.

``python -m ucxml.codegen`` writes the synchronous one (``ucxml.generated._sync.cme``) from
this module; :mod:`ucxml.cme` exports both. The sans-I/O part is :mod:`ucxml._cmecore`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from ucxml._async_client import AsyncClientBase
from ucxml._cmecore import DEFAULT_ENDPOINT, DEFAULT_RELEASE, CmeRelease, _core, check_result
from ucxml.bindings import Operation
from ucxml.generated.cme.operations import AsyncCmeOperations
from ucxml.retry import DEFAULT_RETRY, RetryPolicy
from ucxml.safexml import DEFAULT_MAX_BYTES
from ucxml.transport import AsyncTransport

__all__ = ["AsyncCmeClient"]

T = TypeVar("T")


class AsyncCmeClient(AsyncClientBase, AsyncCmeOperations):
    # unasync: """Synchronous client of the CME XML API; use as a context manager to close it.
    # unasync:
    # unasync: Every operation of the 2008 developer guide and of CME 12.x is a method with typed
    # unasync: keyword arguments (``get_device(dev_name=[DeviceNameKeyword.ALL_REGISTERED])``); list
    # unasync: parameters refuse a bare string, and a request the schema refuses is not sent
    # unasync: (:class:`ParameterError`).
    # unasync: ``get_device``, ``get_extension``, ``get_dev_evts``, ``get_ext_evts``,
    # unasync: ``get_session_server``, ``get_sip_device``, ``get_sip_extension`` and
    # unasync: ``get_utility_directory`` take ``stream=True`` to yield the records one by one.
    # unasync: """
    """Asynchronous client of the CME XML API; use as an async context manager.

    The ``async`` twin of :class:`CmeClient`: same methods, same arguments, awaited.
    """

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        max_answer_bytes: int = DEFAULT_MAX_BYTES,
        endpoint: str = DEFAULT_ENDPOINT,
        transport: AsyncTransport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        release: CmeRelease = DEFAULT_RELEASE,
    ) -> None:
        """Connect to the CME XML API of a router (nothing is sent before the first call).

        Args:
            base_url: ``http(s)://router[:port]``; the API's path (``/ios_xml_app/cme``) is
                added unless the URL has a path of its own. Credentials in the URL are refused.
            username: The ``xml user`` of ``telephony-service`` (HTTP Basic auth).
            password: Its password; never logged, shown in a repr or quoted in an error.
            timeout: Seconds to wait for the connection and for each read.
            verify: Verify the router's TLS certificate (on by default); ``False`` turns it
                off and logs a warning naming the host.
            ca_bundle: A PEM file of the CA (or the router's own self-signed certificate) to
                trust instead of the system's CAs.
            max_answer_bytes: The most bytes an answer may have, received or decompressed
                (default: the reader's 256 MiB limit); past it ``ResponseTooLargeError``.
            endpoint: The API's path (before CME 4.0: ``/ISApi/AXL/V1/soapisapi.is``).
            transport: Send through this :class:`~ucxml.transport.Transport` instead of
                httpx (tests, offline work); the client then does not close it.
            retry: How the ``get_*`` queries are resent after a transient failure
                (:class:`~ucxml.retry.RetryPolicy`; ``None`` sends once). Writes are never
                resent.
            release: The dialect requests are written in: ``"2008"`` (the default: the
                guide's ``SOAP-ENV`` envelope, ``axl`` and ``xsi:type``, which 12.x routers
                accept too), ``"12.x"`` (a bare ``<request>`` named by its child, as the
                2022 guide shows), or ``"auto"`` (the 2008 form until the first answer,
                then the release that answer showed). Answers of every release are read;
                each result's ``release`` says which one answered.

        Raises:
            ParameterError: a malformed base URL, credentials in it, or an unusable
                ``ca_bundle``.
        """
        super().__init__(
            _core(base_url, endpoint, release),
            username=username,
            password=password,
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            max_answer_bytes=max_answer_bytes,
            transport=transport,
            retry=retry,
        )

    async def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        result = await self._send(operation, request, response_type)
        check_result(operation, request, result)
        return result
