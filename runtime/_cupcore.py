"""The sans-I/O core of :mod:`ucxml.cup`: SOAP requests, faults, the session state."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, TypeAlias, TypeVar, overload

from lxml import etree

from ucxml import _records as record_reader
from ucxml._clientcore import ClientCore
from ucxml._documents import decode, read_message, serialize
from ucxml._envelopes import add_header_blocks
from ucxml._outgoing import check_request
from ucxml._redaction import client_secrets, scrub
from ucxml._safexml import parse_xml
from ucxml.bindings import Operation
from ucxml.errors import (
    BindingError,
    CupError,
    CupLoginError,
    CupSessionError,
    MalformedResponseError,
    ParameterError,
    SoapFault,
    UcxmlError,
    XmlError,
)
from ucxml.generated.cup import models as m
from ucxml.generated.cup.registry import API, DEFAULT_RELEASE, OPERATIONS
from ucxml.generated.cup.registry import ReleaseName as CupRelease
from ucxml.retry import RetryPolicy
from ucxml.transport import (
    HttpRequest,
    HttpResponse,
)

__all__ = [
    "ACTION_PREFIX",
    "ALREADY_ESTABLISHED",
    "DEFAULT_RELEASE",
    "RELEASES",
    "WRONG_CREDENTIALS",
    "CupRelease",
    "FailedItem",
    "action_operation",
    "failed_items",
    "fault_error",
    "release_path",
]

T = TypeVar("T")
logger = logging.getLogger("ucxml.cup")

#: The ``action`` parameter of every request's media type is this plus the operation.
ACTION_PREFIX: Final = "urn:cisco:epas:soap/"
#: The login failure reason of a user who has a session already (Example 14).
ALREADY_ESTABLISHED: Final = "A SOAP session has already been established."
#: The login failure reason of wrong credentials (Example 13).
WRONG_CREDENTIALS: Final = "Wrong username/password"
_SESSION_FAULT = re.compile(r"session", re.IGNORECASE)
_REMEMBERED = 8  # the latest passwords, session keys and one-time passwords masked in errors

#: The endpoint path of each EPAS release (``release=`` of the clients and the emulator),
#: from the manifest's releases: 6.0(1) documents ``/EPASSoap/service``; later releases
#: serve versioned paths beside it.
RELEASES: Final[Mapping[str, str]] = MappingProxyType(
    {r.name: r.endpoints[0] for r in API.releases}
)
# "urn:cisco:epas:soap/login" (Content-Type action) or, from real clients, a SOAPAction
# "urn:cisco:epas:soap/EpasSoapServiceInterface/get_all_config": the operation is the last
# segment, with "_" for "-" in the second form.
_ACTION_PARAM = re.compile(r';\s*action\s*=\s*"?([^";]*)"?', re.IGNORECASE)
_OPERATIONS = frozenset(op.name for op in OPERATIONS.values())


def release_path(release: str) -> str:
    """The endpoint path of ``release`` (a key of :data:`RELEASES`).

    Raises:
        ParameterError: ``release`` is not one of :data:`RELEASES`.
    """
    path = RELEASES.get(release) if isinstance(release, str) else None
    if path is None:
        known = ", ".join(repr(r) for r in RELEASES)
        raise ParameterError(f"release must be one of {known}, not {release!r}")
    return path


def action_operation(content_type: str | None, soap_action: str | None = None) -> str | None:
    """The EPAS operation a request's HTTP headers name, or None when they name none.

    Reads the ``action`` parameter of the SOAP 1.2 ``Content-Type`` first, then a
    ``SOAPAction`` header (``urn:cisco:epas:soap/EpasSoapServiceInterface/<op>``, as real
    clients send it). The last segment of the action is the operation; ``get_all_config``
    is read as ``get-all-config``. An action outside ``urn:cisco:epas:soap`` or naming no
    EPAS operation gives its last segment unchanged.
    """
    action = None
    if content_type:
        found = _ACTION_PARAM.search(content_type)
        action = found.group(1).strip() if found else None
    if not action and soap_action:
        action = soap_action.strip().strip('"').strip()
    if not action:
        return None
    name = action.rstrip("/").rpartition("/")[2]
    hyphenated = name.replace("_", "-")
    if action.startswith(ACTION_PREFIX) and hyphenated in _OPERATIONS:
        return hyphenated
    return name


def _checked_blocks(blocks: Sequence[str | bytes]) -> tuple[bytes, ...]:
    """Extra header blocks, each one namespace-qualified element, re-serialized."""
    checked = []
    for block in blocks:
        data = block.encode() if isinstance(block, str) else bytes(block)
        try:
            root = parse_xml(data).root
        except UcxmlError as exc:
            raise ParameterError(f"header block is not a well-formed element: {exc}") from None
        if etree.QName(root).namespace is None:
            raise ParameterError(
                f"header block <{etree.QName(root).localname}> must be namespace-qualified"
            )
        checked.append(etree.tostring(root))
    return tuple(checked)


def fault_error(
    operation: str, fault: m.Fault, *, secrets: Collection[str] = ()
) -> SoapFault | CupSessionError:
    """The typed error of a SOAP fault (a session fault is a :class:`CupSessionError`).

    ``secrets`` (the client's own) are masked in the fault's texts, which the server wrote.
    """
    code = fault.code.value.value.text.rsplit("}", 1)[-1]
    subcodes = []
    sub = fault.code.subcode
    while sub is not None:
        subcodes.append(scrub(sub.value.text.rsplit("}", 1)[-1], secrets))
        sub = sub.subcode
    reason = fault.reason.text[0].value if fault.reason.text else ""
    if code == "Sender" and _SESSION_FAULT.search(reason):
        return CupSessionError(operation, scrub(reason, secrets), state="expired")
    return SoapFault(scrub(code, secrets), scrub(reason, secrets), subcodes=subcodes)


def _outcome_failed(value: object) -> bool:
    return value is not m.OutcomeCode.SUCCEEDED


#: What :func:`failed_items` may return for an answer it has no overload for.
FailedItem: TypeAlias = (
    m.ContactStatus
    | m.GroupStatus
    | m.GroupChangeStatus
    | m.RuleStatus
    | m.PropertyStatus
    | m.RecordStatus
    | m.WatcherStatus
    | m.PublishPresStatusResp
    | m.UnpublishPresStatusResp
)


@overload
def failed_items(
    response: m.AddContactResp | m.ModifyContactResp | m.DeleteContactResp,
) -> list[m.ContactStatus]: ...
@overload
def failed_items(response: m.AddGroupResp | m.DeleteGroupResp) -> list[m.GroupStatus]: ...
@overload
def failed_items(response: m.ModifyGroupResp) -> list[m.GroupChangeStatus]: ...
@overload
def failed_items(
    response: m.SetPresenceRulesResp | m.DeletePresenceRulesResp,
) -> list[m.RuleStatus]: ...
@overload
def failed_items(response: m.SetUserConfigResp) -> list[m.PropertyStatus]: ...
@overload
def failed_items(response: m.AddRecentCommResp) -> list[m.RecordStatus]: ...
@overload
def failed_items(response: m.AddAclResp | m.DeleteAclResp) -> list[m.WatcherStatus]: ...
@overload
def failed_items(response: m.PublishPresStatusResp) -> list[m.PublishPresStatusResp]: ...
@overload
def failed_items(response: m.UnpublishPresStatusResp) -> list[m.UnpublishPresStatusResp]: ...
@overload
def failed_items(response: object) -> list[FailedItem]: ...
def failed_items(response: object) -> Sequence[object]:
    """The per-item results of ``response`` that did not succeed, in answer order.

    Statuses whose text is not ``succeeded`` (``failed`` or the server's reason) and
    results whose ``status_code`` is not 0; ACL answers are searched rule by rule (their
    failed watchers are returned); a publish answer whose status code is not 0 is returned
    itself. The item type follows the answer: ``list[ContactStatus]`` for ``add_contact``.

    Args:
        response: An answer of a :class:`CupClient` write (``add_contact``, ``add_acl``...).
    """
    failed: list[object] = []
    for name in ("status", "properties", "rule", "record"):
        for item in getattr(response, name, None) or []:
            if isinstance(item, m.AclRuleStatus):
                failed += [w for w in item.status if _outcome_failed(w.value)]
            elif hasattr(item, "status_code"):
                if item.status_code != 0:
                    failed.append(item)
            elif hasattr(item, "value") and _outcome_failed(item.value):
                failed.append(item)
    code = getattr(response, "status_code", None)
    if isinstance(code, int) and code != 0:
        failed.append(response)
    return failed


class _CupCore(ClientCore):
    """SOAP 1.2 requests with the session header; faults read whatever the HTTP status."""

    def __init__(
        self,
        base_url: str,
        release: CupRelease = DEFAULT_RELEASE,
        header_blocks: Sequence[str | bytes] = (),
    ) -> None:
        endpoint = release_path(release)
        super().__init__("cup", base_url, endpoint, "application/soap+xml; charset=utf-8")
        self.header_blocks = _checked_blocks(header_blocks)

    def soap_request(self, operation: Operation, body: Any, session_key: str | None) -> HttpRequest:
        header = [m.SessionKey(value=session_key)] if session_key is not None else []
        content = serialize(body, header=header)
        check_request(operation, body, content)
        if self.header_blocks:
            content = add_header_blocks(content, self.header_blocks)
        return self.post(operation, content, accept="application/soap+xml, text/xml")

    def _fault_of(self, operation: Operation, answer: HttpResponse) -> None:
        """Raise the fault carried by a non-2xx answer, if it carries one."""
        if 200 <= answer.status < 300 or answer.status in (401, 403):
            return
        if answer.content.lstrip()[:1] != b"<" or "html" in answer.content_type:
            return
        try:
            message = read_message(answer.content, "cup")
        except (XmlError, BindingError):
            return  # not a SOAP answer: the HTTP status error says more
        if message.type_name == "Fault":
            fault = decode(message)
            if isinstance(fault, m.Fault):
                raise fault_error(operation.name, fault, secrets=self.secrets)

    def record_content(self, operation: Operation) -> Callable[[HttpResponse], bytes]:
        """The reader of a streamed answer's body: a fault, in a non-2xx answer or a 2xx
        one, is raised as :meth:`response` raises it (a session fault included, so that
        the client can log in again and resend)."""

        def content(answer: HttpResponse) -> bytes:
            self._fault_of(operation, answer)
            body = self.content(operation, answer)
            if record_reader.message_name("cup", body) == "Fault":
                fault = decode(read_message(body, "cup"))  # a fault is small: read whole
                if isinstance(fault, m.Fault):
                    raise fault_error(operation.name, fault, secrets=self.secrets)
            return body

        return content

    def response(self, operation: Operation, response_type: type[T], answer: HttpResponse) -> T:
        self._fault_of(operation, answer)
        result, type_name = self.answer(operation, answer)
        if isinstance(result, m.Fault):
            raise fault_error(operation.name, result, secrets=self.secrets)
        if not isinstance(result, response_type):
            raise MalformedResponseError(
                f"{operation.name}: expected {response_type.__name__}, got {type_name}"
            )
        return result


def _login_error(reason: str, secrets: Collection[str]) -> CupError:
    text = reason.strip()
    shown = scrub(text, secrets)  # the server's words decide; the error shows them masked
    if text == ALREADY_ESTABLISHED or "already been established" in text:
        return CupSessionError("login", shown, state="established")
    if text == WRONG_CREDENTIALS or "username" in text.lower() or "password" in text.lower():
        return CupLoginError("login", shown)
    return CupError("login", shown)


class _CupState:
    """Credentials, options and the session key shared by both clients."""

    def __init__(
        self,
        base_url: str,
        username: str | None,
        password: str | None,
        relogin: bool,
        client_type: str | None,
        client_version: str | None,
        retry: RetryPolicy | None,
        release: CupRelease = DEFAULT_RELEASE,
        header_blocks: Sequence[str | bytes] = (),
    ) -> None:
        self._core = _CupCore(base_url, release, header_blocks)
        self._release = release
        self._retry = retry
        self._username = username
        self._password = password
        self._relogin = relogin
        self._client_type = client_type
        self._client_version = client_version
        self._session_key: str | None = None
        self._sent: dict[str, None] = {}  # passwords and session keys sent, newest last
        self._remember(None)

    def _remember(self, secret: str | None) -> None:
        """Mask ``secret`` (a password or session key sent) in every error from now on."""
        if secret:
            self._sent.pop(secret, None)
            self._sent[secret] = None
            while len(self._sent) > _REMEMBERED:  # a long-lived client logs in again and again
                del self._sent[next(iter(self._sent))]
        self._core.secrets = client_secrets(self._password, *self._sent)

    @property
    def url(self) -> str:
        """The EPAS service URL requests are posted to."""
        return self._core.url

    @property
    def release(self) -> str:
        """The EPAS release whose endpoint path the client uses (a key of :data:`RELEASES`)."""
        return self._release

    @property
    def logged_in(self) -> bool:
        """Whether the client holds a session key."""
        return self._session_key is not None

    def __repr__(self) -> str:
        state = "logged in" if self.logged_in else "logged out"
        return f"{type(self).__name__}({self.url!r}, username={self._username!r}, {state})"

    def _login_request(self, request: m.Login) -> m.Login:
        """The login request with the client's credentials filled in where not given."""
        username = request.username or self._username
        password = request.password or self._password
        if not username or password is None:
            raise CupLoginError("login", "no username/password: pass them to the client")
        self._remember(password)
        return m.Login(
            username=username,
            password=password,
            force=request.force,
            client_type=request.client_type or self._client_type,
            client_version=request.client_version or self._client_version,
        )

    def _accept_login(self, response: m.LoginResp) -> None:
        if response.success is not None:
            self._session_key = response.success.session_key.strip()
            self._remember(self._session_key)
            return
        reason = response.failure.reason if response.failure is not None else ""
        raise _login_error(reason, self._core.secrets)

    def _accept_onetime_password(
        self, response: m.GetOnetimePasswordResp
    ) -> m.GetOnetimePasswordResp:
        """A get-onetime-password answer; its password is masked in errors from now on."""
        if response.success is not None:
            self._remember(response.success.password)
            return response
        reason = response.failure.reason if response.failure is not None else ""
        raise CupError("get-onetime-password", self._core.scrub(reason) or "refused")

    def _check_logout(self, response: m.LogoutResp) -> None:
        self._session_key = None
        if response.failure is not None:
            raise CupError("logout", self._core.scrub(response.failure.reason))

    def _key_for(self, operation: Operation) -> str:
        if self._session_key is None:
            raise CupSessionError(operation.name, "no session: call login() first", state="missing")
        return self._session_key
