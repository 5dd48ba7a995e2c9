"""AXL (Administrative XML Layer) requests with schema versioning, sync and async.

Cisco's AXL schema files are confidential and are not shipped: a request is built from a
mapping (``{"userid": "tttt"}``) rather than from generated models, and an answer is read
as plain elements (:meth:`AxlResponse.to_dict`, :attr:`AxlResponse.return_value`).

Example (the emulator has no AXL service: this one answers from a
:class:`~ucxml.transport.MockTransport`; for a server, drop ``transport=`` and give its
``https://`` URL and an AXL user)::

    from ucxml.axl import AxlClient
    from ucxml.transport import HttpResponse, MockTransport

    answer = HttpResponse(200, (
        b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        b'<soapenv:Body><axl:getUserResponse xmlns:axl="http://www.cisco.com/AXL/API/6.0">'
        b"<return><user><firstname>Tina</firstname><userid>tttt</userid></user></return>"
        b"</axl:getUserResponse></soapenv:Body></soapenv:Envelope>"
    ), {"content-type": "text/xml"})
    with AxlClient(
        "https://cup.example.com:8443", username="admin", password="axl-password",
        version="6.0", transport=MockTransport(lambda request: answer),
    ) as axl:
        user = axl.call("getUser", {"userid": "tttt"}, sequence=1234)
        print(user.return_value)          # {'user': {'firstname': 'Tina', 'userid': 'tttt'}}

Versioning: the client asks for a schema version with the HTTP header
``SOAPAction: "CUCM:DB ver=6.0"`` (:func:`soap_action`) and writes the request in that
version's namespace (:func:`axl_namespace`). ``version=None`` sends no header, so the
server applies its oldest schema; later releases may refuse such requests, and the client
logs a warning once. Both error styles of AXL servers (the old ``<axl:Error>`` body and a
SOAP fault with ``detail/axlError``) raise :class:`~ucxml.errors.AxlError`; HTTP 599 (the
server throttles AXL) raises it with ``status=599``, after the retries a query gets
(``get*``, ``list*``, ``executeSQLQuery``: :func:`is_query`); other requests are sent once
and raise :class:`~ucxml.errors.OutcomeUnknownError` when their answer is lost. Request
bodies, which may hold passwords, are never logged, and the password never appears in a
repr.

The asynchronous client is written by hand (:mod:`ucxml._async_axl`); the synchronous one
is its twin, written from it by ``python -m ucxml.codegen`` (:mod:`ucxml.codegen.unasync`).
"""

from __future__ import annotations

from ucxml import _axlcore
from ucxml._async_axl import AsyncAxlClient
from ucxml._axlcore import *  # noqa: F403 - the names of its __all__, exported from here
from ucxml.generated._sync.axl import AxlClient

__all__ = [*_axlcore.__all__, "AsyncAxlClient", "AxlClient"]
