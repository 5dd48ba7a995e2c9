"""The Extension Mobility emulator: the EM service URLs over an :class:`EmService`.

Served paths (``POST`` with the form field ``xml`` in an
``application/x-www-form-urlencoded`` body, as the real service takes them, or ``GET``
with the same field in the query string, URL-encoded or not, as clients in the field
send it):

- ``/emservice/EMServiceServlet`` (:data:`EM_SERVLET_PATH`): requests and queries;
- ``/LoginService/login.asp`` (:data:`EM_LOGIN_PATH`): requests only (CallManager 3.3);
- ``/LoginService/query.asp`` (:data:`EM_QUERY_PATH`): queries only (CallManager 3.3).

A post goes: fault injection (:class:`EmFaults`) -> body read with a size cap (413) ->
the ``xml`` field -> the project's hardened reader, the corrected EM schema
(:func:`ucxml._validation.validate_bytes`) and the binding -> the service -> the answer
model, serialized by :func:`ucxml._documents.serialize`.  Like the real service, every
post whose body could be read answers ``200 text/xml``, errors included: a missing
field, malformed or invalid XML, a DOCTYPE with an internal subset (one naming only an
external DTD, as CUCM traces show, is read and never fetched) or a document that is not
a request or query answers
``<response><failure><error code="1">Error on Parsing</error></failure></response>``;
a query posted to ``login.asp`` or a request to ``query.asp`` answers code 8 ("Query type
undetermined").  Answers take the real servers' shapes (user IDs URL-encoded, a logged-in
device with ``userID`` + ``lastlogin`` + ``emccDevice``, a logged-out one with two
``none`` + ``emccDevice``, ``lastlogin`` holding the user ID, query results wrapped in
``<response>``), and every answer is valid against the corrected schema.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, TypeAlias
from urllib.parse import quote, unquote_to_bytes

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ucxml._documents import decode, read_message, serialize
from ucxml._validation import validate_bytes
from ucxml.em import EM_ERROR_CODES
from ucxml.emulator._standalone import standalone_app
from ucxml.emulator.bodies import read_body
from ucxml.emulator.em_state import (
    BUSY,
    INDEFINITE,
    USER_NOT_FOUND,
    AppCredentials,
    DeviceStatus,
    Duration,
    EmFailure,
    EmService,
    UserDevicesStatus,
    UserProfilesStatus,
)
from ucxml.emulator.faults import Faults, FaultStyle, answer_with_faults
from ucxml.errors import UcxmlError
from ucxml.generated.em import models as m

__all__ = [
    "EM_LOGIN_PATH",
    "EM_PATHS",
    "EM_QUERY_PATH",
    "EM_SERVLET_PATH",
    "MAX_BODY_BYTES",
    "PARSE_ERROR",
    "QUERY_TYPE_UNDETERMINED",
    "EmAnswer",
    "EmFaults",
    "busy_answer",
    "create_em_app",
    "em_answer",
    "em_failure",
    "em_routes",
    "lastlogin_text",
]

EM_SERVLET_PATH: Final = "/emservice/EMServiceServlet"
"""The EM service of CUCM 4 and later: requests and queries."""
EM_LOGIN_PATH: Final = "/LoginService/login.asp"
"""The CallManager 3.3 login service: requests (login, logout, logoutAll) only."""
EM_QUERY_PATH: Final = "/LoginService/query.asp"
"""The CallManager 3.3 query service: queries only."""
EM_PATHS: Final = (EM_SERVLET_PATH, EM_LOGIN_PATH, EM_QUERY_PATH)
"""Every path the EM emulator serves."""
MAX_BODY_BYTES: Final = 1024 * 1024
"""Largest request body accepted; larger ones are answered 413."""
PARSE_ERROR: Final = 1
"""EM error code of a post that is not a readable, valid request or query."""
QUERY_TYPE_UNDETERMINED: Final = 8
"""EM error code of a query posted to ``login.asp`` or a request to ``query.asp``."""

EmAnswer: TypeAlias = (
    m.Response
    | m.DeviceUserResults
    | m.UserDevicesResults
    | m.CheckUserResults
    | m.DeviceProfileResults
)
"""Any answer model of the EM service."""

_XML_MEDIA_TYPE: Final = "text/xml"
_FIELD: Final = b"xml"
_REQUEST: Final = "request"
_QUERY: Final = "query"
_GARBAGE: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<response><failure><error code="18">Another user logg'
)
_HTML_PAGE: Final = (
    "<html><head><title>Apache Tomcat - Error report</title></head><body>"
    "<h1>HTTP Status 500 - Internal Server Error</h1></body></html>\n"
)


# --------------------------------------------------------------------------- configuration


@dataclass
class EmFaults(Faults):
    """Faults injected into every EM answer while set (see :class:`Faults`).

    Attributes:
        busy: Answer error 26 "Busy, please try again" in the EM wire format (a
            ``response`` to a request, the query's results element to a query), as a
            loaded server does; with ``fail_times``, only the next that many posts.
    """

    busy: bool = False


# --------------------------------------------------------------------------- answers


def em_failure(code: int) -> m.Failure:
    """The ``failure`` element of EM error ``code``, worded as the server words it."""
    text = EM_ERROR_CODES.get(code, EM_ERROR_CODES[0])
    return m.Failure(error=m.Error(code=code, value=text))


def _response_failure(code: int) -> m.Response:
    return m.Response(failure=em_failure(code))


def lastlogin_text(user: str) -> str:
    """The ``lastlogin`` text of a device: the ID of the user last logged in on it, as
    real CUCM answers it (not a time), URL-encoded like every user ID."""
    return _user_text(user)


def _user_text(user: str) -> str:
    """A user ID as real servers answer it: URL-encoded (``em%40cisco.com``)."""
    return quote(user, safe="")


def _credentials(info: m.AppInfo) -> AppCredentials:
    if info.app_encrypted_certificate is not None:
        return AppCredentials(info.app_id, info.app_encrypted_certificate, encrypted=True)
    return AppCredentials(info.app_id, info.app_certificate or "")


def _duration(value: m.ExclusiveDuration | None) -> Duration:
    if value is None:
        return None
    if value.time is not None:
        return value.time
    return INDEFINITE if value.indefinite is not None else None


def _device(status: DeviceStatus) -> m.Device:
    if not status.exists:
        return m.Device(name=status.name, does_not_exist=m.Empty())
    login = status.login
    if login is None:
        return m.Device(name=status.name, none=[m.Empty(), m.Empty()], emcc_device=m.YesNo.NO)
    return m.Device(
        name=status.name,
        user_id=_user_text(login.user),
        lastlogin=lastlogin_text(login.user),
        emcc_device=m.YesNo.NO,
    )


def _devices_user(status: UserDevicesStatus) -> m.DevicesUser:
    user = _user_text(status.user)
    if not status.exists:
        return m.DevicesUser(id=user, does_not_exist=m.Empty())
    if not status.devices:
        return m.DevicesUser(id=user, none=m.Empty())
    return m.DevicesUser(id=user, device_name=list(status.devices))


def _profiles_user(status: UserProfilesStatus) -> m.ProfilesUser:
    if not status.exists:
        return m.ProfilesUser(id=_user_text(status.user), failure=em_failure(USER_NOT_FOUND))
    return m.ProfilesUser(
        id=_user_text(status.user),
        device_profile=[
            m.DeviceProfile(
                device_profile_name=p.name,
                is_default_device_profile=m.DefaultFlag.T if p.default else m.DefaultFlag.F,
            )
            for p in status.profiles
        ],
    )


def _answer_request(service: EmService, request: m.Request) -> m.Response:
    app = _credentials(request.app_info)
    if request.login is not None:
        login = request.login
        outcome: object = service.login(
            app,
            login.device_name,
            login.user_id,
            login.device_profile,
            _duration(login.exclusive_duration),
        )
    elif request.logout is not None:
        outcome = service.logout(app, request.logout.device_name)
    elif request.logout_all is not None:
        outcome = service.logout_all(app)
    else:  # the schema requires one of the three
        return _response_failure(PARSE_ERROR)
    if isinstance(outcome, EmFailure):
        return _response_failure(outcome.code)
    return m.Response(success=m.Empty())


def _answer_query(service: EmService, query: m.Query) -> EmAnswer:
    app = _credentials(query.app_info)
    if query.device_user_query is not None:
        devices = service.device_users(app, query.device_user_query.device_name)
        if isinstance(devices, EmFailure):
            return m.DeviceUserResults(failure=em_failure(devices.code))
        return m.DeviceUserResults(device=[_device(d) for d in devices])
    if query.user_devices_query is not None:
        users = service.user_devices(app, query.user_devices_query.user_id)
        if isinstance(users, EmFailure):
            return m.UserDevicesResults(failure=em_failure(users.code))
        return m.UserDevicesResults(user=[_devices_user(u) for u in users])
    if query.check_user is not None:
        user = query.check_user.user_id
        exists = service.check_user(app, user)
        if isinstance(exists, EmFailure):
            return m.CheckUserResults(failure=em_failure(exists.code))
        checked = m.CheckedUser(id=_user_text(user), exists="true" if exists else "false")
        return m.CheckUserResults(user=[checked])
    profile_query = query.device_profile_query or query.user_device_profile_query
    if profile_query is not None:
        profiles = service.device_profiles(app, profile_query.user_id)
        if isinstance(profiles, EmFailure):
            return m.DeviceProfileResults(failure=em_failure(profiles.code))
        return m.DeviceProfileResults(user=[_profiles_user(p) for p in profiles])
    return _response_failure(QUERY_TYPE_UNDETERMINED)  # the schema requires one


_QueryResults: TypeAlias = (
    m.DeviceUserResults | m.UserDevicesResults | m.CheckUserResults | m.DeviceProfileResults
)


_QUERY_RESULTS: Final[dict[str, type[_QueryResults]]] = {
    "device_user_query": m.DeviceUserResults,
    "user_devices_query": m.UserDevicesResults,
    "check_user": m.CheckUserResults,
    "device_profile_query": m.DeviceProfileResults,
    "user_device_profile_query": m.DeviceProfileResults,
}


def busy_answer(message: m.Request | m.Query) -> EmAnswer:
    """The answer of a busy server to ``message``: error 26 where its answer carries it."""
    if isinstance(message, m.Query):
        for name, results in _QUERY_RESULTS.items():
            if getattr(message, name) is not None:
                return results(failure=em_failure(BUSY))
    return _response_failure(BUSY)


def em_answer(service: EmService, message: m.Request | m.Query) -> EmAnswer:
    """The answer model of a decoded request or query (no HTTP involved).

    A request answers :class:`~ucxml.generated.em.models.Response`; a query its results
    element, holding a ``failure`` when the service refused it.

    Raises:
        TypeError: ``message`` is neither a request nor a query.
    """
    if isinstance(message, m.Request):
        return _answer_request(service, message)
    if isinstance(message, m.Query):
        return _answer_query(service, message)
    raise TypeError(f"not an EM request or query: {type(message).__qualname__}")


# --------------------------------------------------------------------------- HTTP layer


def _xml(model: EmAnswer) -> Response:
    # Query results wrapped in <response>, as every real CUCM answers them.
    return Response(serialize(model, wrapped=True), media_type=_XML_MEDIA_TYPE)


def _form_field(body: bytes, name: bytes) -> bytes | None:
    """The first value of field ``name`` in a URL-encoded form body, as raw bytes."""
    for pair in body.split(b"&"):
        key, _, value = pair.partition(b"=")
        if unquote_to_bytes(key.replace(b"+", b" ")) == name:
            return unquote_to_bytes(value.replace(b"+", b" "))
    return None


class _Rejected(Exception):
    """A post the service answers with an EM error ``code`` in a ``response``."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _EmEndpoint:
    """The HTTP side of the emulator: faults, body, form field, parse, answer."""

    def __init__(self, service: EmService, *, faults: EmFaults, max_body: int) -> None:
        self.service = service
        self.faults = faults
        self.max_body = max_body

    def handler(self, accepts: frozenset[str]) -> Callable[[Request], Awaitable[Response]]:
        """The endpoint of a path that takes the document roots in ``accepts``."""

        async def handle(request: Request) -> Response:
            style = FaultStyle(_XML_MEDIA_TYPE, _GARBAGE, _HTML_PAGE)
            return await answer_with_faults(
                self.faults,
                style,
                lambda: self._answer(request, accepts),
                lambda faults: self._special(faults, request, accepts),
            )

        return handle

    async def _special(
        self, faults: EmFaults, request: Request, accepts: frozenset[str]
    ) -> Response | None:
        """The EM faults: the busy answer, or None to answer normally."""
        if faults.busy:
            return await self._answer(request, accepts, busy=True)
        return None

    async def _answer(
        self, request: Request, accepts: frozenset[str], *, busy: bool = False
    ) -> Response:
        # Clients in the field also send the form as a query string (GET ...?xml=<query>…),
        # often not URL-encoded; the service reads both.
        if request.method == "GET":
            body: bytes | Response = request.scope.get("query_string", b"")
        else:
            body = await self._read_body(request)
        if isinstance(body, Response):
            return body
        try:
            message = self._decode(body, accepts)
        except _Rejected as rejected:
            return _xml(_response_failure(rejected.code))
        return _xml(busy_answer(message) if busy else em_answer(self.service, message))

    async def _read_body(self, request: Request) -> bytes | Response:
        """The request body, or the 413/400 answer (see :func:`read_body`)."""
        return await read_body(request, self.max_body)

    def _decode(self, body: bytes, accepts: frozenset[str]) -> m.Request | m.Query:
        """Read, check and bind the ``xml`` field; raise :class:`_Rejected` with a code."""
        document = _form_field(body, _FIELD)
        if document is None or not document.strip():
            raise _Rejected(PARSE_ERROR)
        try:
            message = read_message(document, "em", max_bytes=self.max_body)
        except UcxmlError:  # malformed, DOCTYPE, too large, unknown root
            raise _Rejected(PARSE_ERROR) from None
        if message.type_name not in (_REQUEST, _QUERY):
            raise _Rejected(PARSE_ERROR)
        report = validate_bytes(document, "em")
        # The service validates against its DTDs: content they lack is a parse error there
        # (ucxml's readers keep it; a server is the strict side).
        if not report.valid or any(i.code == "T-UNKNOWN" for i in report.warnings):
            raise _Rejected(PARSE_ERROR)
        if message.type_name not in accepts:
            raise _Rejected(QUERY_TYPE_UNDETERMINED)
        try:
            model = decode(message)
        except UcxmlError:
            raise _Rejected(PARSE_ERROR) from None
        if not isinstance(model, m.Request | m.Query):
            raise _Rejected(PARSE_ERROR)
        return model


# --------------------------------------------------------------------------- factories


def em_routes(
    service: EmService,
    *,
    faults: EmFaults | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> list[BaseRoute]:
    """The emulator's routes (the three EM paths), for mounting in a bigger app.

    ``faults`` is the :class:`EmFaults` the routes obey (a fresh, inactive one if None);
    keep a reference to it to inject faults later.
    """
    endpoint = _EmEndpoint(
        service, faults=faults if faults is not None else EmFaults(), max_body=max_body
    )
    both = frozenset((_REQUEST, _QUERY))
    return [
        Route(EM_SERVLET_PATH, endpoint.handler(both), methods=["POST", "GET"], name="em"),
        Route(
            EM_LOGIN_PATH,
            endpoint.handler(frozenset((_REQUEST,))),
            methods=["POST", "GET"],
            name="em-login",
        ),
        Route(
            EM_QUERY_PATH,
            endpoint.handler(frozenset((_QUERY,))),
            methods=["POST", "GET"],
            name="em-query",
        ),
    ]


def create_em_app(
    service: EmService,
    *,
    faults: EmFaults | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> Starlette:
    """A Starlette app serving the Extension Mobility emulator of ``service``.

    ``app.state.faults`` is the app's :class:`EmFaults` (``faults`` when given) and
    ``app.state.em_service`` the service.
    """
    faults = faults if faults is not None else EmFaults()
    routes = em_routes(service, faults=faults, max_body=max_body)
    return standalone_app(routes, faults, em_service=service)
