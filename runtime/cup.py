"""Typed clients of the Cisco Unified Presence SOAP interface (EPAS), sync and async.

Example (against ``ucxml emulate --port 8080``; for a server, ``https://cup:8443`` and
the Presence user's credentials)::

    from ucxml import pidf
    from ucxml.cup import CupClient, failed_items
    from ucxml.generated.cup.models import Contact, Group

    with CupClient(
        "http://127.0.0.1:8080", username="soapuser1", password="soapuser1-secret"
    ) as cup:  # logs in
        contacts = cup.get_contact_list()                       # GetContactListResp
        answer = cup.add_contact([Group(name="work", persona_id=[Contact(value="asmith")])])
        for item in failed_items(answer):                       # typed ContactStatus items
            print(item.persona_id, item.group, item.value)      # "Contact does not exist in."
        cup.publish_pres_status(pidf.build_presence("sip:jdoe@example.com", activities=["away"]))
    # leaving the block logs out

Every operation of the guide is a method named after it (``get-contact-list`` ->
``get_contact_list``); the hyphenated element names stay on the wire. Requests are SOAP
1.2 (``application/soap+xml; action="urn:cisco:epas:soap/<operation>"``) and every
request but ``login`` carries the session key in the ``session-key`` header block.

``release=`` picks the endpoint path (:data:`RELEASES`): ``"6.0"`` (the default, the
documented ``/EPASSoap/service``), ``"7.0"`` (``/v70``), ``"8.0"`` (``/v80``) or ``"latest"``;
``get_onetime_password()`` (later releases) answers an XMPP token, masked like a password.
``header_blocks=`` adds SOAP header blocks of other specifications (WS-Addressing...) to
every request; unknown header blocks in an answer are logged (``T-HEADER``) and ignored.

Failures are typed: a refused login raises :class:`~ucxml.errors.CupLoginError`; a
session already established elsewhere, expired or missing raises
:class:`~ucxml.errors.CupSessionError` (``state`` says which), unless the client was made
with ``relogin=True``: then an established session is taken over with a forced login,
and an expired one triggers one forced re-login and one resend of the rejected request
(the server refused it, so nothing was applied); at most one per call. Other SOAP faults
raise :class:`~ucxml.errors.SoapFault`. The ``get-*`` queries are retried after transient
failures (``retry``, a :class:`~ucxml.retry.RetryPolicy`); ``login``, ``logout`` and every
write are sent once, and raise :class:`~ucxml.errors.OutcomeUnknownError` when their
answer is lost. Per-item answers (contact, group, ACL statuses, status
codes) come back as typed lists in the response models; :func:`failed_items` picks out
the items that did not succeed. The password and the session key never appear in a repr,
a log line or an error message.

The asynchronous client is written by hand (:mod:`ucxml._async_cup`); the synchronous one
is its twin, written from it by ``python -m ucxml.codegen`` (:mod:`ucxml.codegen.unasync`).
"""

from __future__ import annotations

from ucxml import _cupcore
from ucxml._async_cup import AsyncCupClient
from ucxml._cupcore import *  # noqa: F403 - the names of its __all__, exported from here
from ucxml.generated._sync.cup import CupClient

__all__ = [*_cupcore.__all__, "AsyncCupClient", "CupClient"]
