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
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, TypeAlias, TypeVar, overload

from lxml import etree

from ucxml.bindings import Operation
from ucxml.client import (
    AsyncTransportOwner,
    ClientCore,
    TransportOwner,
    aexchange,
    exchange,
)
from ucxml.documents import decode, read_message, serialize
from ucxml.envelopes import add_header_blocks
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
from ucxml.generated.cup.operations import AsyncCupOperations, CupOperations
from ucxml.generated.cup.registry import API, OPERATIONS
from ucxml.generated.pidf.models import Presence
from ucxml.outgoing import check_request
from ucxml.redaction import Masked, client_secrets, masked, scrub
from ucxml.retry import DEFAULT_RETRY, RetryPolicy
from ucxml.safexml import DEFAULT_MAX_BYTES, parse_xml
from ucxml.transport import (
    AsyncHttpxTransport,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    HttpxTransport,
    Transport,
)

__all__ = [
    "ACTION_PREFIX",
    "ALREADY_ESTABLISHED",
    "DEFAULT_RELEASE",
    "RELEASES",
    "WRONG_CREDENTIALS",
    "AsyncCupClient",
    "CupClient",
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
#: The release whose path a client uses when none is given: the documented 6.0(1) path.
DEFAULT_RELEASE: Final[str] = next(r.name for r in API.releases if r.default)
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
        release: str = DEFAULT_RELEASE,
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
        return HttpRequest(
            method="POST",
            url=self.url,
            content=content,
            headers={
                "Content-Type": f'{self.content_type}; action="{ACTION_PREFIX}{operation.name}"',
                "Accept": "application/soap+xml, text/xml",
            },
        )

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
        release: str = DEFAULT_RELEASE,
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


class CupClient(_CupState, CupOperations, TransportOwner):
    """Synchronous EPAS client; as a context manager it logs in on entry, out on exit."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        relogin: bool = False,
        client_type: str | None = None,
        client_version: str | None = None,
        release: str = DEFAULT_RELEASE,
        header_blocks: Sequence[str | bytes] = (),
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        max_answer_bytes: int = DEFAULT_MAX_BYTES,
        transport: Transport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        """Connect to the EPAS SOAP service; as a context manager it logs in and out.

        Args:
            base_url: ``http(s)://cup[:port]`` (the release's endpoint path is added; a URL
                with a path is used as given).
            username: The Presence user logged in by ``login()``.
            password: Its password; never logged, shown or quoted in an error.
            relogin: Take over an established session and log in again, once, when the
                session expired (a forced login).
            client_type: The client's kind, sent with the login (7.x and later).
            client_version: The client's version, sent with the login.
            release: The EPAS release, which picks the endpoint path (:data:`RELEASES`):
                ``"6.0"`` (default, the documented ``/EPASSoap/service``), ``"7.0"``
                (``/EPASSoap/service/v70``), ``"8.0"`` (``/v80``) or ``"latest"``
                (``/latest``).
            header_blocks: Extra SOAP header blocks sent with every request, each one
                namespace-qualified XML element (WS-Addressing ``wsa:Action``...), beside the
                ``session-key``.
            timeout: Seconds to wait for the connection and for each read.
            verify: Verify the server's TLS certificate (on by default); ``False`` turns it
                off and logs a warning naming the host.
            ca_bundle: A PEM file of the CA (or the server's own certificate) to trust.
            max_answer_bytes: The most bytes an answer may have, received or decompressed
                (default: the reader's 256 MiB limit); past it ``ResponseTooLargeError``.
            transport: Send through this :class:`~ucxml.transport.Transport` instead of
                httpx (tests, offline work); the client then does not close it.
            retry: How read-only queries are resent after a transient failure
                (:class:`~ucxml.retry.RetryPolicy`; ``None`` sends once); writes never are.

        Raises:
            ParameterError: a malformed URL, credentials in it, an unusable ``ca_bundle``, an
                unknown ``release`` or a header block that is not one qualified element.
        """
        _CupState.__init__(
            self,
            base_url,
            username,
            password,
            relogin,
            client_type,
            client_version,
            retry,
            release,
            header_blocks,
        )
        self._owns_transport = transport is None
        # One re-login per expired session, however many threads find it expired.
        self._renewing = threading.Lock()
        # EPAS authenticates in the login body: no HTTP Basic credentials.
        self._transport = transport or HttpxTransport(
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            max_bytes=max_answer_bytes,
        )

    def __enter__(self) -> CupClient:
        if not self.logged_in and self._username:
            try:
                self.login()
            except BaseException:
                self.close()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.logged_in:
                try:
                    self.logout()
                except Exception as error:  # the session ends on the server anyway
                    logger.warning("logout on exit failed: %s", error)
        finally:
            self.close()

    def login(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        force: bool | None = None,
        client_type: str | None = None,
        client_version: str | None = None,
    ) -> m.LoginResp:
        """Log in (credentials default to the client's); keeps the session key.

        ``force=True`` clears a previous session of the user, as the guide describes.
        """
        password = masked(password)  # a frame's locals show the mask
        return super().login(
            username=username or "",
            password=password if password is not None else Masked(self._password or ""),
            force=force,
            client_type=client_type,
            client_version=client_version,
        )

    # The schema leaves the body open (any element); the client takes the PIDF document.
    def publish_pres_status(  # type: ignore[override]
        self, other_element: Presence | None = None
    ) -> m.PublishPresStatusResp:
        """Publish a long-term presence status: a typed PIDF document (``ucxml.pidf``)."""
        if other_element is not None and not isinstance(other_element, Presence):
            raise TypeError("publish_pres_status takes a ucxml.pidf presence document")
        return super().publish_pres_status(other_element)

    def get_onetime_password(self) -> m.GetOnetimePasswordResp:
        """A one-time password of the logged-in user (later releases; an XMPP token).

        The answer's ``success.password`` is a secret: masked in its repr, in every later
        error text of the client, and never logged.

        Raises:
            CupError: the server answered ``failure`` (its reason, masked).
        """
        return self._accept_onetime_password(super().get_onetime_password())

    def _exchange(
        self, operation: Operation, request: Any, key: str | None, response_type: type[T]
    ) -> T:
        http = self._core.soap_request(operation, request, key)
        return exchange(self._retry, self._transport, self._core, operation, http, response_type)

    def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        if isinstance(request, m.Login):
            return self._do_login(operation, request, response_type)
        if self._session_key is None and self._relogin:
            self._renew(operation, None)  # a missing session is one more to log in to
        key = self._key_for(operation)
        try:
            result = self._exchange(operation, request, key, response_type)
        except CupSessionError as error:
            if not (self._relogin and error.state in ("expired", "missing")):
                raise
            # The server refused the request unread, so sending it again is safe; one
            # resend per call, so a session that keeps expiring ends in the error.
            self._renew(operation, key)
            result = self._exchange(operation, request, self._key_for(operation), response_type)
        if isinstance(result, m.LogoutResp):
            self._check_logout(result)
        return result

    def _renew(self, operation: Operation, stale: str | None) -> None:
        """Log in again (forced) in place of the session ``stale``, unless another thread
        already did: callers that met the same expiry wait, then use the new key. The old
        key stays until a new one arrives (a failed login leaves the client as it was)."""
        with self._renewing:
            if self._session_key is not None and self._session_key != stale:
                return
            logger.warning("%s: session expired, logging in again (forced)", operation.name)
            self.login(force=True)

    def _do_login(self, operation: Operation, request: m.Login, response_type: type[T]) -> T:
        request = self._login_request(request)
        result = self._exchange(operation, request, None, response_type)
        assert isinstance(result, m.LoginResp)
        try:
            self._accept_login(result)
        except CupSessionError:
            if not self._relogin or request.force:
                raise
            logger.warning("login: a session exists, taking it over (forced login)")
            request.force = True
            result = self._exchange(operation, request, None, response_type)
            assert isinstance(result, m.LoginResp)
            self._accept_login(result)
        return result


class AsyncCupClient(_CupState, AsyncCupOperations, AsyncTransportOwner):
    """Asynchronous EPAS client; ``async with`` logs in on entry and out on exit."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        relogin: bool = False,
        client_type: str | None = None,
        client_version: str | None = None,
        release: str = DEFAULT_RELEASE,
        header_blocks: Sequence[str | bytes] = (),
        timeout: float = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        max_answer_bytes: int = DEFAULT_MAX_BYTES,
        transport: AsyncTransport | None = None,
        retry: RetryPolicy | None = DEFAULT_RETRY,
    ) -> None:
        _CupState.__init__(
            self,
            base_url,
            username,
            password,
            relogin,
            client_type,
            client_version,
            retry,
            release,
            header_blocks,
        )
        self._owns_transport = transport is None
        self._renewing = asyncio.Lock()  # one re-login per expired session (see the sync one)
        self._transport = transport or AsyncHttpxTransport(
            timeout=timeout,
            verify=verify,
            ca_bundle=ca_bundle,
            max_bytes=max_answer_bytes,
        )

    async def __aenter__(self) -> AsyncCupClient:
        if not self.logged_in and self._username:
            try:
                await self.login()
            except BaseException:
                await self.aclose()
                raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self.logged_in:
                try:
                    await self.logout()
                except Exception as error:
                    logger.warning("logout on exit failed: %s", error)
        finally:
            await self.aclose()

    async def login(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        force: bool | None = None,
        client_type: str | None = None,
        client_version: str | None = None,
    ) -> m.LoginResp:
        """Log in (credentials default to the client's); keeps the session key."""
        password = masked(password)  # a frame's locals show the mask
        return await super().login(
            username=username or "",
            password=password if password is not None else Masked(self._password or ""),
            force=force,
            client_type=client_type,
            client_version=client_version,
        )

    async def publish_pres_status(  # type: ignore[override]
        self, other_element: Presence | None = None
    ) -> m.PublishPresStatusResp:
        """Publish a long-term presence status: a typed PIDF document (``ucxml.pidf``)."""
        if other_element is not None and not isinstance(other_element, Presence):
            raise TypeError("publish_pres_status takes a ucxml.pidf presence document")
        return await super().publish_pres_status(other_element)

    async def get_onetime_password(self) -> m.GetOnetimePasswordResp:
        """A one-time password of the logged-in user (see the sync client's method)."""
        return self._accept_onetime_password(await super().get_onetime_password())

    async def _exchange(
        self, operation: Operation, request: Any, key: str | None, response_type: type[T]
    ) -> T:
        http = self._core.soap_request(operation, request, key)
        return await aexchange(
            self._retry, self._transport, self._core, operation, http, response_type
        )

    async def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        if isinstance(request, m.Login):
            return await self._do_login(operation, request, response_type)
        if self._session_key is None and self._relogin:
            await self._renew(operation, None)
        key = self._key_for(operation)
        try:
            result = await self._exchange(operation, request, key, response_type)
        except CupSessionError as error:
            if not (self._relogin and error.state in ("expired", "missing")):
                raise
            # Refused unread: safe to send again, once, after one re-login (see sync).
            await self._renew(operation, key)
            key = self._key_for(operation)
            result = await self._exchange(operation, request, key, response_type)
        if isinstance(result, m.LogoutResp):
            self._check_logout(result)
        return result

    async def _renew(self, operation: Operation, stale: str | None) -> None:
        """The sync client's ``_renew``: one forced login per expiry, the others waiting;
        a cancelled or failed one leaves the old key."""
        async with self._renewing:
            if self._session_key is not None and self._session_key != stale:
                return
            logger.warning("%s: session expired, logging in again (forced)", operation.name)
            await self.login(force=True)

    async def _do_login(self, operation: Operation, request: m.Login, response_type: type[T]) -> T:
        request = self._login_request(request)
        result = await self._exchange(operation, request, None, response_type)
        assert isinstance(result, m.LoginResp)
        try:
            self._accept_login(result)
        except CupSessionError:
            if not self._relogin or request.force:
                raise
            logger.warning("login: a session exists, taking it over (forced login)")
            request.force = True
            result = await self._exchange(operation, request, None, response_type)
            assert isinstance(result, m.LoginResp)
            self._accept_login(result)
        return result


# The twins take the same arguments: one text for both.
AsyncCupClient.__init__.__doc__ = CupClient.__init__.__doc__
