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

The clients are generated from the schema and the manifest entry
(:mod:`ucxml.generated.cme.client`); what the router reports inside a valid answer is
checked by :func:`check_result`.
"""

from __future__ import annotations

from ucxml._cme_hooks import check_result
from ucxml.generated.cme.client import (
    DEFAULT_ENDPOINT,
    DEFAULT_RELEASE,
    AsyncCmeClient,
    CmeClient,
    CmeRelease,
)
from ucxml.generated.cme.models import (
    AllKeyword,
    DeviceNameKeyword,
    DeviceStatus,
    ExtensionNumberKeyword,
    ExtensionStatus,
    LineState,
    PoolKeyword,
    SaveConfigResult,
    UserType,
)

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
