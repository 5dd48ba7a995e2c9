"""Typed clients of the Cisco Unified CME / SRST XML API (sync and async).

Each of the 22 operations (the 2008 guide's 15 and the seven queries of CME 12.x and
later) is a method (``exec_cli``, ``get_device``, ``get_sip_device``, ...) generated from
the schema; calls post ``SOAP-ENV:Envelope/Body/axl/request`` (``release="2008"``, the
default) or a bare ``<request>`` named by its child (``release="12.x"``) to
``/ios_xml_app/cme`` with HTTP Basic auth and return the typed response model, whichever
dialect the router answers in (``result.release`` says which; ``release="auto"`` follows
it). Failures the router reports raise: ``ISexecCLI`` stopping at a line ->
:class:`~ucxml.errors.CmeCliError`; ``ISsetResult`` / ``ISunsetResult`` false ->
:class:`~ucxml.errors.CmeSetResultError`; ``ISSaveConfig`` fail ->
:class:`~ucxml.errors.CmeSaveConfigError` (``delay`` is a success: saved later).
The ``ISget*`` queries are retried after transient failures (``retry``, a
:class:`~ucxml.retry.RetryPolicy`); ``exec_cli``, ``save_config``, the set/unset and
``update_user`` calls are sent once, and raise :class:`~ucxml.errors.OutcomeUnknownError`
when their answer is lost.

Example (against ``ucxml emulate --port 8080``; for a router, its ``https://`` URL and
``xml user`` credentials)::

    from ucxml.cme import CmeClient, DeviceNameKeyword

    with CmeClient("http://127.0.0.1:8080", username="admin", password="admin") as cme:
        cme.exec_cli(["ephone-dn 20", "number 2020", "ephone 20", "button 1:20"])
        for phone in cme.get_device(dev_name=[DeviceNameKeyword.ALL]).device:
            print(phone.dev_id, phone.dev_name, phone.dev_status)
        for phone in cme.get_device(dev_name=["all"], stream=True):  # one record at a time
            print(phone.dev_id)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from ucxml._safexml import DEFAULT_MAX_BYTES
from ucxml.bindings import Operation
from ucxml.client import AsyncClientBase, ClientBase, ClientCore
from ucxml.errors import CmeCliError, CmeSaveConfigError, CmeSetResultError
from ucxml.generated.cme.models import (
    AllKeyword,
    DeviceNameKeyword,
    DeviceStatus,
    ExtensionNumberKeyword,
    ExtensionStatus,
    ISexecCLIResponse,
    ISSaveConfigResponse,
    ISsetKeyPhones,
    ISsetKeyPhonesResponse,
    ISunsetKeyPhones,
    ISunsetKeyPhonesResponse,
    ISupdateUserResponse,
    LineState,
    PoolKeyword,
    SaveConfigResult,
    UserType,
)
from ucxml.generated.cme.operations import AsyncCmeOperations, CmeOperations
from ucxml.retry import DEFAULT_RETRY, RetryPolicy
from ucxml.transport import AsyncTransport, Transport

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_RELEASE",
    "AllKeyword",
    "AsyncCmeClient",
    "CmeClient",
    "CmeRelease",
    "DeviceNameKeyword",
    "DeviceStatus",
    "ExtensionNumberKeyword",
    "ExtensionStatus",
    "LineState",
    "PoolKeyword",
    "SaveConfigResult",
    "UserType",
    "check_result",
]

T = TypeVar("T")

#: Path of the XML API on CME 4.0 and later (earlier: /ISApi/AXL/V1/soapisapi.is).
DEFAULT_ENDPOINT = "/ios_xml_app/cme"
#: What ``release=`` accepts.
CmeRelease = Literal["2008", "12.x", "auto"]
#: The release requests are written in by default: the 2008 guide's envelope, which
#: 12.x routers accept too.
DEFAULT_RELEASE: Final = "2008"


def _phones(request: Any) -> list[str]:
    if isinstance(request, ISsetKeyPhones):
        return list(request.set_key_phones.phone_name)
    if isinstance(request, ISunsetKeyPhones):
        return list(request.unset_key_phones.phone_name)
    return []


def _core(base_url: str, endpoint: str, release: str) -> ClientCore:
    # The router expects text/xml (CME admin guide); UTF-8 is what ucxml writes.
    return ClientCore("cme", base_url, endpoint, "text/xml; charset=utf-8", release=release)


def check_result(operation: Operation, request: Any, result: Any) -> None:
    """Raise the typed error for a failure the router reported inside a valid answer."""
    if isinstance(result, ISexecCLIResponse) and result.result != 0:
        raise CmeCliError(result.result, result.error or "")
    if (
        isinstance(result, ISSaveConfigResponse)
        and result.save_config_result is SaveConfigResult.FAIL
    ):
        raise CmeSaveConfigError()
    if isinstance(result, ISupdateUserResponse) and not result.set_result:
        raise CmeSetResultError(operation.name, result.set_error or "", results=[False])
    if isinstance(result, ISsetKeyPhonesResponse) and not all(result.set_result):
        raise CmeSetResultError(operation.name, results=result.set_result, items=_phones(request))
    if isinstance(result, ISunsetKeyPhonesResponse) and not all(result.unset_result):
        raise CmeSetResultError(operation.name, results=result.unset_result, items=_phones(request))


class CmeClient(ClientBase, CmeOperations):
    """Synchronous client of the CME XML API; use as a context manager to close it.

    Every operation of the 2008 developer guide and of CME 12.x is a method with typed
    keyword arguments (``get_device(dev_name=[DeviceNameKeyword.ALL_REGISTERED])``); list
    parameters refuse a bare string, and a request the schema refuses is not sent
    (:class:`ParameterError`).
    ``get_device``, ``get_extension``, ``get_dev_evts``, ``get_ext_evts``,
    ``get_session_server``, ``get_sip_device``, ``get_sip_extension`` and
    ``get_utility_directory`` take ``stream=True`` to yield the records one by one.
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
        transport: Transport | None = None,
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

    def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        result = self._send(operation, request, response_type)
        check_result(operation, request, result)
        return result


class AsyncCmeClient(AsyncClientBase, AsyncCmeOperations):
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


# The twins take the same arguments: one text for both.
AsyncCmeClient.__init__.__doc__ = CmeClient.__init__.__doc__
