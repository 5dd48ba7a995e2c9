"""Typed clients of the Cisco Unified CME / SRST XML API (sync and async).

Each of the 15 operations is a method (``exec_cli``, ``get_device``, ...) generated from
the schema; calls post ``SOAP-ENV:Envelope/Body/axl/request`` to ``/ios_xml_app/cme`` with
HTTP Basic auth and return the typed response model. Failures the router reports raise:
``ISexecCLI`` stopping at a line -> :class:`~ucxml.errors.CmeCliError`; ``ISsetResult`` /
``ISunsetResult`` false -> :class:`~ucxml.errors.CmeSetResultError`; ``ISSaveConfig`` fail
-> :class:`~ucxml.errors.CmeSaveConfigError` (``delay`` is a success: saved later).
The ``ISget*`` queries are retried after transient failures (``retry``, a
:class:`~ucxml.retry.RetryPolicy`); ``exec_cli``, ``save_config``, the set/unset and
``update_user`` calls are sent once, and raise :class:`~ucxml.errors.OutcomeUnknownError`
when their answer is lost.

Example::

    with CmeClient("https://router", username="admin", password=secret) as cme:
        cme.exec_cli(["ephone-dn 1", "number 2001", "ephone 1", "button 1:1"])
        for phone in cme.get_device(dev_name=["all"]).device:
            print(phone.dev_id, phone.dev_name, phone.dev_status)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from ucxml.bindings import Operation
from ucxml.client import AsyncClientBase, ClientBase, ClientCore
from ucxml.errors import CmeCliError, CmeSaveConfigError, CmeSetResultError
from ucxml.generated.cme.models import (
    ISexecCLIResponse,
    ISSaveConfigResponse,
    ISsetKeyPhones,
    ISsetKeyPhonesResponse,
    ISunsetKeyPhones,
    ISunsetKeyPhonesResponse,
    ISupdateUserResponse,
    SaveConfigResult,
)
from ucxml.generated.cme.operations import AsyncCmeOperations, CmeOperations
from ucxml.retry import DEFAULT_RETRY, RetryPolicy
from ucxml.transport import AsyncTransport, Transport

__all__ = ["DEFAULT_ENDPOINT", "AsyncCmeClient", "CmeClient", "check_result"]

T = TypeVar("T")

#: Path of the XML API on CME 4.0 and later (earlier: /ISApi/AXL/V1/soapisapi.is).
DEFAULT_ENDPOINT = "/ios_xml_app/cme"


def _phones(request: Any) -> list[str]:
    if isinstance(request, ISsetKeyPhones):
        return list(request.set_key_phones.phone_name)
    if isinstance(request, ISunsetKeyPhones):
        return list(request.unset_key_phones.phone_name)
    return []


def _core(base_url: str, endpoint: str) -> ClientCore:
    # The router expects text/xml (CME admin guide); UTF-8 is what ucxml writes.
    return ClientCore("cme", base_url, endpoint, "text/xml; charset=utf-8")


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
    """Synchronous client of the CME XML API; use as a context manager to close it."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        endpoint: str = DEFAULT_ENDPOINT,
        transport: Transport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        super().__init__(
            _core(base_url, endpoint),
            username=username,
            password=password,
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            transport=transport,
            retry=retry,
        )

    def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        result = self._send(operation, request, response_type)
        check_result(operation, request, result)
        return result


class AsyncCmeClient(AsyncClientBase, AsyncCmeOperations):
    """Asynchronous client of the CME XML API; use as an async context manager."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        endpoint: str = DEFAULT_ENDPOINT,
        transport: AsyncTransport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        super().__init__(
            _core(base_url, endpoint),
            username=username,
            password=password,
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            transport=transport,
            retry=retry,
        )

    async def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        result = await self._send(operation, request, response_type)
        check_result(operation, request, result)
        return result
