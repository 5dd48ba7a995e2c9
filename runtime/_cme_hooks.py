"""CME behaviour beyond its schema: the failures a router reports inside a valid answer.

The manifest names :func:`check_result` (``result_check``); the generated clients
(:mod:`ucxml.generated.cme.client`) call it on every answer.
"""

from __future__ import annotations

from typing import Any

from ucxml.bindings import Operation
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

__all__ = ["check_result"]


def _phones(request: Any) -> list[str]:
    if isinstance(request, ISsetKeyPhones):
        return list(request.set_key_phones.phone_name)
    if isinstance(request, ISunsetKeyPhones):
        return list(request.unset_key_phones.phone_name)
    return []


def check_result(operation: Operation, request: Any, result: Any) -> None:
    """Raise the typed error for a failure the router reported inside a valid answer.

    Args:
        operation: The operation that was called.
        request: The request model that was sent (it names the phones of a set/unset).
        result: The answer, bound to the operation's response model.

    Raises:
        CmeCliError: ``ISexecCLI`` stopped at a line (its number and the router's text).
        CmeSaveConfigError: ``ISSaveConfig`` answered ``fail`` (``delay`` is a success).
        CmeSetResultError: an ``ISupdateUser``, ``ISsetKeyPhones`` or ``ISunsetKeyPhones``
            result was false.
    """
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
