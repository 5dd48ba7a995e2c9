"""The CME clients' sans-I/O part (for :mod:`ucxml.cme`): the request core, result checks."""

from __future__ import annotations

from typing import Any, Final, Literal, TypeVar

from ucxml._clientcore import ClientCore
from ucxml.bindings import Operation
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

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_RELEASE",
    "AllKeyword",
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
