# unasync: """The synchronous EPAS client, written from :mod:`ucxml._async_cup`."""
"""The asynchronous EPAS client: the one hand-written shell of both twins.

``python -m ucxml.codegen`` writes the synchronous one (``ucxml.generated._sync.cup``) from
this module; :mod:`ucxml.cup` exports both. The sans-I/O part is :mod:`ucxml._cupcore`.
"""

from __future__ import annotations

# unasync: import threading
import asyncio
import logging
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, Unpack

from ucxml._async_client import AsyncTransportOwner, aexchange
from ucxml._cupcore import DEFAULT_RELEASE, CupRelease, _CupState
from ucxml._options import ConnectionOptions, connection
from ucxml._redaction import Masked, masked
from ucxml.bindings import Operation
from ucxml.errors import CupSessionError
from ucxml.generated.cup import models as m
from ucxml.generated.cup.operations import AsyncCupOperations
from ucxml.generated.pidf.models import Presence
from ucxml.retry import arun
from ucxml.transport import AsyncTransport

__all__ = ["AsyncCupClient"]

T = TypeVar("T")
logger = logging.getLogger("ucxml.cup")


class AsyncCupClient(_CupState, AsyncCupOperations, AsyncTransportOwner):
    # unasync: """Synchronous EPAS client; as a context manager it logs in on entry, out on exit."""
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
        release: CupRelease = DEFAULT_RELEASE,
        header_blocks: Sequence[str | bytes] = (),
        transport: AsyncTransport | None = None,
        **options: Unpack[ConnectionOptions],
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
            transport, options: The transport and the connection options of every client
                (:mod:`ucxml.client`, :class:`~ucxml.client.ConnectionOptions`).

        Raises:
            ParameterError: a malformed URL, credentials in it, an unusable ``ca_bundle``, an
                unknown ``release`` or a header block that is not one qualified element.
        """
        settings = connection(self, options)
        _CupState.__init__(
            self,
            base_url,
            username,
            password,
            relogin,
            client_type,
            client_version,
            settings.retry,
            release,
            header_blocks,
        )
        # EPAS authenticates in the login body: no HTTP Basic credentials.
        self._use_transport(transport, settings)
        # One re-login per expired session, however many callers find it expired.
        # unasync: self._renewing = threading.Lock()
        self._renewing = asyncio.Lock()

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
                except Exception as error:  # the session ends on the server anyway
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
        """Log in (credentials default to the client's); keeps the session key.

        ``force=True`` clears a previous session of the user, as the guide describes.
        """
        password = masked(password)  # a frame's locals show the mask
        return await super().login(
            username=username or "",
            password=password if password is not None else Masked(self._password or ""),
            force=force,
            client_type=client_type,
            client_version=client_version,
        )

    # The schema leaves the body open (any element); the client takes the PIDF document.
    async def publish_pres_status(  # type: ignore[override]
        self, other_element: Presence | None = None
    ) -> m.PublishPresStatusResp:
        """Publish a long-term presence status: a typed PIDF document (``ucxml.pidf``)."""
        if other_element is not None and not isinstance(other_element, Presence):
            raise TypeError("publish_pres_status takes a ucxml.pidf presence document")
        return await super().publish_pres_status(other_element)

    async def get_onetime_password(self) -> m.GetOnetimePasswordResp:
        """A one-time password of the logged-in user (later releases; an XMPP token).

        The answer's ``success.password`` is a secret: masked in its repr, in every later
        error text of the client, and never logged.

        Raises:
            CupError: the server answered ``failure`` (its reason, masked).
        """
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
            await self._renew(operation, None)  # a missing session is one more to log in to
        key = self._key_for(operation)
        try:
            result = await self._exchange(operation, request, key, response_type)
        except CupSessionError as error:
            if not (self._relogin and error.state in ("expired", "missing")):
                raise
            # The server refused the request unread, so sending it again is safe; one
            # resend per call, so a session that keeps expiring ends in the error.
            await self._renew(operation, key)
            key = self._key_for(operation)
            result = await self._exchange(operation, request, key, response_type)
        if isinstance(result, m.LogoutResp):
            self._check_logout(result)
        return result

    async def _invoke_records(
        self, operation: Operation, request: Any, record_type: type[T]
    ) -> Iterator[T]:
        # The session as _invoke keeps it: a fault is read before any record is handed out.
        if self._session_key is None and self._relogin:
            await self._renew(operation, None)
        key = self._key_for(operation)
        try:
            content = await self._fetch(operation, request, key)
        except CupSessionError as error:
            if not (self._relogin and error.state in ("expired", "missing")):
                raise
            await self._renew(operation, key)
            key = self._key_for(operation)
            content = await self._fetch(operation, request, key)
        return self._core.records(operation, content, record_type)

    async def _fetch(self, operation: Operation, request: Any, key: str) -> bytes:
        """The body of the answer to ``request``, to be read record by record."""
        http = self._core.soap_request(operation, request, key)
        return await arun(
            self._retry,
            operation.name,
            operation.idempotent,
            lambda: self._transport.send(http),
            self._core.record_content(operation),
        )

    async def _renew(self, operation: Operation, stale: str | None) -> None:
        """Log in again (forced) in place of the session ``stale``, unless another caller
        already did: callers that met the same expiry wait, then use the new key. The old
        key stays until a new one arrives (a failed or cancelled login leaves the client
        as it was)."""
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
