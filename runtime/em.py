"""Typed clients of the Cisco Unified CM Extension Mobility API: :class:`EmClient`, async twin.

The EM service takes one form field, ``xml=<document>``, by HTTP POST; every well-formed
request answers HTTP 200 and reports failures inside the XML, which the clients raise as
:class:`~ucxml.errors.EmError` (numeric code, the server's text, the documented meaning).
The queries are retried after transient failures and error 26 "Busy, please try again"
(``retry``, a :class:`~ucxml.retry.RetryPolicy`); ``login``, ``logout`` and ``logout_all``
are sent once, and raise :class:`~ucxml.errors.OutcomeUnknownError` when their answer is
lost.

Example (against ``ucxml emulate --port 8080``; for CUCM, ``https://ucm:8443`` and an
application user with the EM proxy rights role)::

    from ucxml.em import EmClient

    with EmClient("http://127.0.0.1:8080", app_id="emapp", app_certificate="emapp-secret") as em:
        em.login("SEP0011223344AA", "jdoe", profile="jdoe-UDP-7975", duration=120)
        for device in em.device_user_query("SEP0011223344AA"):
            print(device.device, device.state, device.user)
        em.logout("SEP0011223344AA")

Service URL selection follows the Metreos ``LogoutALL`` action: an explicit URL, or a
``call_manager_host`` (``ip:port``, which wins over the URL) plus a version: ``other``
-> ``/emservice/EMServiceServlet``; ``v333`` -> ``/LoginService/login.asp`` and
``/LoginService/query.asp``; ``undefined`` is accepted with a warning.

The asynchronous client is written by hand (:mod:`ucxml._async_em`); the synchronous one
is its twin, written from it by ``python -m ucxml.codegen`` (:mod:`ucxml.codegen.unasync`).
"""

from __future__ import annotations

from ucxml import _emcore
from ucxml._async_em import AsyncEmClient, async_logout_all_action
from ucxml._emcore import *  # noqa: F403 - the names of its __all__, exported from here
from ucxml.generated._sync.em import EmClient, logout_all_action

__all__ = [
    *_emcore.__all__,
    "AsyncEmClient",
    "EmClient",
    "async_logout_all_action",
    "logout_all_action",
]
