"""What the EM clients of :mod:`ucxml.em` share, without I/O: URLs, form posts, results."""

from __future__ import annotations

import dataclasses
import enum
import logging
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import unquote, urlencode

from ucxml._clientcore import ClientCore
from ucxml._documents import serialize
from ucxml._outgoing import check_request
from ucxml._redaction import client_secrets
from ucxml._releases import default_release, get_release, releases
from ucxml.bindings import Operation
from ucxml.errors import EmError, MalformedResponseError, ParameterError
from ucxml.generated.em import models as m
from ucxml.generated.em.registry import ERROR_CODES
from ucxml.generated.em.registry import ReleaseName as EmRelease
from ucxml.retry import RetryPolicy
from ucxml.transport import (
    HttpRequest,
    HttpResponse,
    check_base_url,
)

__all__ = [
    "EM_ERROR_CODES",
    "DeviceLogin",
    "DeviceProfile",
    "DeviceState",
    "EmRelease",
    "EmServiceUrls",
    "EmVersion",
    "LogoutAllResult",
    "UserCheck",
    "UserDevices",
    "UserProfiles",
    "service_urls",
]

T = TypeVar("T")
logger = logging.getLogger("ucxml")

EM_ERROR_CODES: Final[Mapping[int, str]] = ERROR_CODES
"""Documented meaning of each EM error code, as the server words it (the manifest's
``[apis.em.errors]``)."""

EMSERVICE_PATH = "/emservice/EMServiceServlet"
V333_LOGIN_PATH = "/LoginService/login.asp"
V333_QUERY_PATH = "/LoginService/query.asp"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class EmVersion(enum.StrEnum):
    """The Metreos action's ``Version``: decides the service path with a host."""

    OTHER = "other"
    V333 = "v333"
    UNDEFINED = "undefined"


@dataclass(frozen=True, slots=True)
class EmServiceUrls:
    """Where login/logout requests and queries are posted (the same URL since CUCM 4)."""

    login: str
    query: str


def service_urls(
    url: str | None = None,
    call_manager_host: str | None = None,
    version: str | EmVersion = EmVersion.UNDEFINED,
) -> EmServiceUrls:
    """The service URLs, chosen exactly as the Metreos ``LogoutALL`` action chooses them.

    ``call_manager_host`` (``ip:port``), when given, wins over ``url`` and is combined
    with ``version``: ``other`` -> ``http://host/emservice/EMServiceServlet``, ``v333`` ->
    ``http://host/LoginService/login.asp`` and ``query.asp``; ``undefined`` (the action's
    default, "behaviour undefined") is accepted with a warning and treated as ``other``.
    Otherwise ``url`` is the service URL (a bare ``scheme://host[:port]`` gets the
    version's path appended).
    """
    try:
        chosen = EmVersion(str(version).lower())
    except ValueError:
        raise ParameterError(
            f"version must be one of {', '.join(v.value for v in EmVersion)}, got {version!r}"
        ) from None
    if call_manager_host:
        base = f"http://{call_manager_host.strip().strip('/')}"
    elif url:
        parts = check_base_url(url, "EM service URL")
        if parts.path not in ("", "/"):
            return EmServiceUrls(url, url)  # an explicit service URL: the version plays no part
        base = url.rstrip("/")
    else:
        raise ParameterError("give the EM service URL or a call_manager_host")
    if chosen is EmVersion.UNDEFINED:
        message = "EM version 'undefined': behaviour is undefined; using the 'other' service path"
        warnings.warn(message, UserWarning, stacklevel=2)
        logger.warning(message)
    if chosen is EmVersion.V333:
        return EmServiceUrls(base + V333_LOGIN_PATH, base + V333_QUERY_PATH)
    return EmServiceUrls(base + EMSERVICE_PATH, base + EMSERVICE_PATH)


class DeviceState(enum.StrEnum):
    """What a device query says of a device."""

    LOGGED_IN = "logged_in"
    LOGGED_OUT = "logged_out"
    DOES_NOT_EXIST = "does_not_exist"


@dataclass(frozen=True, slots=True)
class DeviceLogin:
    """One device of a ``deviceUserQuery`` answer; ``user`` is URL-decoded, ``user_raw`` not.

    ``last_login`` is the ``lastlogin`` text as sent: real CUCM puts the ID of the user
    last logged in on the device there (not a time); ``last_login_user`` is it decoded.
    """

    device: str
    state: DeviceState
    user: str | None = None
    user_raw: str | None = None
    last_login: str | None = None
    emcc: bool | None = None
    #: The EM release the answer showed (a name of :func:`ucxml._releases.releases`).
    release: str | None = dataclasses.field(default=None, compare=False, repr=False)
    #: The element as read, with what no known release has kept on it (``raw.extra``).
    raw: m.Device | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def last_login_user(self) -> str | None:
        """The user last logged in on the device (``last_login`` URL-decoded)."""
        return unquote(self.last_login) if self.last_login else None


@dataclass(frozen=True, slots=True)
class UserDevices:
    """One user of a ``userDevicesQuery`` answer: the devices the user is logged into."""

    user: str
    user_raw: str
    exists: bool
    devices: tuple[str, ...] = ()
    #: The EM release the answer showed (a name of :func:`ucxml._releases.releases`).
    release: str | None = dataclasses.field(default=None, compare=False, repr=False)
    #: The element as read, with what no known release has kept on it (``raw.extra``).
    raw: m.DevicesUser | None = dataclasses.field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    """One device profile of a user, and whether it is the user's default."""

    name: str
    default: bool


@dataclass(frozen=True, slots=True)
class UserProfiles:
    """One user of a ``deviceProfileQuery`` answer.

    ``failure`` is the error the server answered for this one user (an unknown user among
    known ones, ERRATA D16); its ``profiles`` are then empty.
    """

    user: str
    user_raw: str
    profiles: tuple[DeviceProfile, ...] = ()
    failure: EmError | None = None
    #: The EM release the answer showed (a name of :func:`ucxml._releases.releases`).
    release: str | None = dataclasses.field(default=None, compare=False, repr=False)
    #: The element as read, with what no known release has kept on it (``raw.extra``).
    raw: m.ProfilesUser | None = dataclasses.field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class UserCheck:
    """The answer of ``checkUser``.

    ``exists`` is False only for a negative ``exists`` text (``false``, ``f``, ``no``,
    ``0``, empty); CUCM 12 answers the user ID there for a user that exists (ERRATA D09),
    and ``exists_raw`` keeps the text as sent.
    """

    user: str
    user_raw: str
    exists: bool
    exists_raw: str = ""
    #: The EM release the answer showed (a name of :func:`ucxml._releases.releases`).
    release: str | None = dataclasses.field(default=None, compare=False, repr=False)
    #: The element as read, with what no known release has kept on it (``raw.extra``).
    raw: m.CheckedUser | None = dataclasses.field(default=None, compare=False, repr=False)


def _duration(value: int | str | None) -> m.ExclusiveDuration | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value.lower() != "indefinite":
            raise ParameterError(f"duration must be minutes or 'indefinite', got {value!r}")
        return m.ExclusiveDuration(indefinite=m.Empty())
    if isinstance(value, bool) or value <= 0:
        raise ParameterError(f"duration must be a positive number of minutes, got {value!r}")
    return m.ExclusiveDuration(time=value)


def _failure(failure: m.Failure | None, http: ClientCore) -> EmError | None:
    """The error of a ``<failure>``, the server's text masked of the client's secrets."""
    if failure is None:
        return None
    if failure.error is not None:
        code = failure.error.code
        return EmError(code, http.scrub(failure.error.value or ""), EM_ERROR_CODES.get(code))
    text = http.scrub(failure.error_message or "")
    return EmError(0, text, EM_ERROR_CODES[0])


def _devices(results: m.DeviceUserResults) -> list[DeviceLogin]:
    out = []
    for device in results.device:
        emcc = None if device.emcc_device is None else device.emcc_device.value == "yes"
        if device.user_id:
            state = DeviceState.LOGGED_IN
        elif device.does_not_exist is not None:
            state = DeviceState.DOES_NOT_EXIST
        else:
            state = DeviceState.LOGGED_OUT
        user = unquote(device.user_id) if device.user_id else None
        out.append(
            DeviceLogin(
                device.name,
                state,
                user,
                device.user_id,
                device.lastlogin,
                emcc,
                release=results.release,
                raw=device,
            )
        )
    return out


def _user_devices(results: m.UserDevicesResults) -> list[UserDevices]:
    return [
        UserDevices(
            unquote(u.id),
            u.id,
            u.does_not_exist is None,
            tuple(u.device_name),
            release=results.release,
            raw=u,
        )
        for u in results.user
    ]


def _profiles(results: m.DeviceProfileResults, http: ClientCore) -> list[UserProfiles]:
    return [
        UserProfiles(
            unquote(u.id),
            u.id,
            tuple(
                DeviceProfile(p.device_profile_name, p.is_default_device_profile.value == "t")
                for p in u.device_profile
            ),
            _failure(u.failure, http),
            release=results.release,
            raw=u,
        )
        for u in results.user
    ]


def _check(results: m.CheckUserResults) -> UserCheck:
    if not results.user:
        raise MalformedResponseError("checkUser answer names no user")
    user = results.user[0]
    text = str(user.exists)
    exists = text.strip().lower() not in ("false", "f", "no", "0", "")
    return UserCheck(unquote(user.id), user.id, exists, text, release=results.release, raw=user)


def _names(method: str, what: str, values: tuple[object, ...]) -> list[str]:
    """The ``*names`` of a query, each a str (a list passed as one argument is refused)."""
    names = []
    for value in values:
        if not isinstance(value, str):
            raise ParameterError(
                f"{method}: each {what} is a separate argument, not a {type(value).__name__}; "
                f'nothing was sent. Write {method}("{what} 1", "{what} 2") or '
                f"{method}(*{what}s)"
            )
        names.append(value)
    return names


class _EmCore:
    """Builds EM form posts and reads the answers (no I/O); shared by both clients."""

    def __init__(
        self,
        urls: EmServiceUrls,
        app_id: str,
        app_certificate: str,
        *,
        encrypted: bool,
        profile_query_element: str,
    ) -> None:
        self.urls = urls
        self._app_info = (
            m.AppInfo(app_id=app_id, app_encrypted_certificate=app_certificate)
            if encrypted
            else m.AppInfo(app_id=app_id, app_certificate=app_certificate)
        )
        if profile_query_element not in ("deviceProfileQuery", "userDeviceProfileQuery"):
            raise ParameterError(f"unknown profile query element {profile_query_element!r}")
        self._profile_element = profile_query_element
        self._http = ClientCore(
            "em", urls.login, "", FORM_CONTENT_TYPE, secrets=client_secrets(app_certificate)
        )

    @property
    def http(self) -> ClientCore:
        """The answer checks and secret masking shared with the results' readers."""
        return self._http

    def request(self, operation: Operation, params: Any) -> HttpRequest:
        root_type = operation.request
        fields = {f.metadata.get("name", f.name): f.name for f in dataclasses.fields(root_type)}
        root = root_type(app_info=self._app_info, **{fields[str(operation.params)]: params})
        content = serialize(root)
        check_request(operation, root, content)
        document = content.decode("utf-8")
        spelling = self._profile_element
        if operation.params == "deviceProfileQuery" and spelling != "deviceProfileQuery":
            document = document.replace("deviceProfileQuery>", f"{self._profile_element}>")
        url = self.urls.query if root_type is m.Query else self.urls.login
        return HttpRequest(
            "POST",
            url,
            urlencode({"xml": document}).encode("ascii"),
            {"Content-Type": FORM_CONTENT_TYPE, "Accept": "text/xml"},
        )

    def response(self, operation: Operation, response_type: type[T], answer: HttpResponse) -> T:
        result, type_name = self._http.answer(operation, answer)
        if isinstance(result, m.Response):
            error = _failure(result.failure, self._http)
            if error is not None:
                raise error
        elif isinstance(result, response_type):
            error = _failure(getattr(result, "failure", None), self._http)
            if error is not None:
                raise error
        if not isinstance(result, response_type):
            raise MalformedResponseError(
                f"{operation.name}: expected {response_type.__name__}, got {type_name}"
            )
        return result


def _release_and_version(release: str | None, version: str | EmVersion) -> tuple[str, str]:
    """The client's release and the Metreos version that picks its service paths.

    ``release`` (a manifest release of ``em``) decides when given: one whose endpoints are
    the v333 paths is ``v333``, any other ``other``. Without it the version decides, and
    the release is the one whose paths the version uses.
    """
    v333 = (V333_LOGIN_PATH, V333_QUERY_PATH)
    if release is None:
        default = default_release("em")
        name = default.name if default is not None else ""
        if str(version).lower() == EmVersion.V333:
            name = next((r.name for r in releases("em") if r.endpoints == v333), name)
        return name, str(version)
    chosen_release = get_release("em", release)
    implied = EmVersion.V333 if chosen_release.endpoints == v333 else EmVersion.OTHER
    given = str(version).lower()
    if given not in (EmVersion.OTHER, EmVersion.UNDEFINED, implied):
        raise ParameterError(
            f"release {release!r} posts to {', '.join(chosen_release.endpoints)}; "
            f"version {given!r} contradicts it (give one of the two)"
        )
    return chosen_release.name, implied.value


class _EmClientBase:
    """Settings shared by :class:`EmClient` and :class:`AsyncEmClient`."""

    def __init__(
        self,
        base_url: str | None,
        *,
        app_id: str,
        app_certificate: str,
        call_manager_host: str | None,
        version: str | EmVersion,
        release: EmRelease | None,
        encrypted_certificate: bool,
        profile_query_element: str,
        retry: RetryPolicy | None,
    ) -> None:
        self._retry = retry
        self._release, version = _release_and_version(release, version)
        self._core = _EmCore(
            service_urls(base_url, call_manager_host, version),
            app_id,
            app_certificate,
            encrypted=encrypted_certificate,
            profile_query_element=profile_query_element,
        )
        self._app_id = app_id

    @property
    def urls(self) -> EmServiceUrls:
        """The service URLs in use."""
        return self._core.urls

    @property
    def release(self) -> str:
        """The EM release the client writes for (a name of the manifest's ``em`` releases)."""
        return self._release

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.urls.login!r}, app_id={self._app_id!r})"


@dataclass(frozen=True, slots=True)
class LogoutAllResult:
    """The Metreos ``LogoutALL`` result: error code and message, and the branch taken.

    Unpacks as ``(error_code, error_message)``. The service answering ``<success/>`` gives
    ``(0, None)`` on the ``Success`` branch; an EM failure gives its code and text on the
    ``Failure`` branch; no XML answer or an unreachable service gives ``(0, None)`` on the
    ``Failure`` branch, as the action defines.
    """

    error_code: int
    error_message: str | None
    branch: str

    @property
    def success(self) -> bool:
        """True on the ``Success`` branch."""
        return self.branch == "Success"

    def __iter__(self) -> Iterator[Any]:
        return iter((self.error_code, self.error_message))


def _action_result(error: Exception | None) -> LogoutAllResult:
    if error is None:
        return LogoutAllResult(0, None, "Success")
    if isinstance(error, EmError):
        return LogoutAllResult(error.number or 0, error.text or error.meaning, "Failure")
    return LogoutAllResult(0, None, "Failure")
