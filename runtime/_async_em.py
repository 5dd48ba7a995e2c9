# unasync: """The synchronous Extension Mobility client, written from :mod:`ucxml._async_em`."""
"""The asynchronous Extension Mobility client: the one hand-written shell of both twins.

``python -m ucxml.codegen`` writes the synchronous one (``ucxml.generated._sync.em``) from
this module; :mod:`ucxml.em` exports both. The sans-I/O part is :mod:`ucxml._emcore`.
"""

from __future__ import annotations

from typing import Any, TypeVar, Unpack

from ucxml._async_client import AsyncTransportOwner, aexchange
from ucxml._emcore import (
    DeviceLogin,
    EmRelease,
    EmVersion,
    LogoutAllResult,
    UserCheck,
    UserDevices,
    UserProfiles,
    _action_result,
    _check,
    _devices,
    _duration,
    _EmClientBase,
    _names,
    _profiles,
    _user_devices,
)
from ucxml._options import ConnectionOptions, connection
from ucxml.bindings import Operation
from ucxml.errors import EmError, TransportError
from ucxml.generated.em import models as m
from ucxml.generated.em.operations import AsyncEmOperations
from ucxml.transport import AsyncTransport

__all__ = ["AsyncEmClient", "async_logout_all_action"]

T = TypeVar("T")


class _AsyncOps(AsyncEmOperations):
    __slots__ = ("_client",)

    def __init__(self, client: AsyncEmClient) -> None:
        self._client = client

    async def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        client = self._client
        http = client._core.request(operation, request)
        return await aexchange(
            client._retry, client._transport, client._core, operation, http, response_type
        )


class AsyncEmClient(_EmClientBase, AsyncTransportOwner):
    # unasync: """Synchronous Extension Mobility client; use as a context manager to close it."""
    """Asynchronous Extension Mobility client; use as an async context manager."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        app_id: str,
        app_certificate: str,
        call_manager_host: str | None = None,
        version: str | EmVersion = EmVersion.OTHER,
        release: EmRelease | None = None,
        encrypted_certificate: bool = False,
        profile_query_element: str = "deviceProfileQuery",
        transport: AsyncTransport | None = None,
        **options: Unpack[ConnectionOptions],
    ) -> None:
        """Connect to the Extension Mobility service (nothing is sent before the first call).

        Args:
            base_url: The service URL, or ``http(s)://ucm[:port]`` (the EM path is added).
            app_id: The application user (with the EM proxy rights role).
            app_certificate: Its password; never logged, shown or quoted in an error.
            call_manager_host: ``ip:port`` of the CallManager; wins over ``base_url``.
            version: ``other`` (``/emservice/EMServiceServlet``), ``v333``
                (``/LoginService/login.asp`` and ``query.asp``) or ``undefined``.
            release: The EM release to write for (:func:`ucxml._releases.releases` of
                ``"em"``): ``"3.3"`` posts to the v333 paths, ``"4.0"`` (the default) and
                ``"12.x"`` to EMServiceServlet; answers of every release are read, and
                each result's ``release`` says which one answered. Given, it decides the
                paths, and a contradicting ``version`` is refused.
            encrypted_certificate: Send ``appEncryptedCertificate`` instead.
            profile_query_element: ``deviceProfileQuery`` or Cisco's example spelling
                ``userDeviceProfileQuery``.
            transport, options: The transport and the connection options of every client
                (:mod:`ucxml.client`, :class:`~ucxml.client.ConnectionOptions`).

        Raises:
            ParameterError: a malformed URL, credentials in it, or an unusable ``ca_bundle``.
        """
        settings = connection(self, options)
        super().__init__(
            base_url,
            app_id=app_id,
            app_certificate=app_certificate,
            call_manager_host=call_manager_host,
            version=version,
            release=release,
            encrypted_certificate=encrypted_certificate,
            profile_query_element=profile_query_element,
            retry=settings.retry,
        )
        self._use_transport(transport, settings)
        self.operations = _AsyncOps(self)

    async def login(
        self,
        device: str,
        user: str,
        profile: str | None = None,
        duration: int | str | None = None,
        *,
        remote_ip: str | None = None,
        via_header: bool | None = None,
    ) -> None:
        """Log ``user`` into ``device`` (``duration``: minutes or ``"indefinite"``)."""
        await self.operations.login(
            device_name=device,
            user_id=user,
            device_profile=profile,
            exclusive_duration=_duration(duration),
            remote_ip_addr=remote_ip,
            is_via_header_set=via_header,
        )

    async def logout(self, device: str, *, remote_ip: str | None = None) -> None:
        """Log the current user out of ``device``."""
        await self.operations.logout(device_name=device, remote_ip_addr=remote_ip)

    async def logout_all(self, *, remote_ip: str | None = None) -> None:
        """Log every Extension Mobility user out (the Metreos ``LogoutALL`` call)."""
        await self.operations.logout_all(remote_ip_addr=remote_ip)

    async def device_user_query(
        self, *devices: str, login_type: str | None = None
    ) -> list[DeviceLogin]:
        """Who is logged into each device (logged in / logged out / does not exist)."""
        kind = m.LoginType(login_type) if login_type else None
        answer = await self.operations.device_user_query(
            device_name=_names("device_user_query", "device", devices), login_type=kind
        )
        return _devices(answer)

    async def user_devices_query(self, *users: str) -> list[UserDevices]:
        """The devices each user is logged into."""
        answer = await self.operations.user_devices_query(
            user_id=_names("user_devices_query", "user", users)
        )
        return _user_devices(answer)

    async def check_user(self, user: str) -> UserCheck:
        """Whether ``user`` exists."""
        return _check(await self.operations.check_user(user_id=user))

    async def device_profile_query(self, *users: str) -> list[UserProfiles]:
        """The device profiles of each user, with the default marked."""
        answer = await self.operations.device_profile_query(
            user_id=_names("device_profile_query", "user", users)
        )
        return _profiles(answer, self._core.http)


async def async_logout_all_action(
    app_id: str,
    app_certificate: str,
    url: str | None = None,
    call_manager_host: str | None = None,
    version: str | EmVersion = EmVersion.UNDEFINED,
    *,
    timeout: float = 30.0,
    transport: AsyncTransport | None = None,
) -> LogoutAllResult:
    # unasync: """Run the Metreos ``LogoutALL`` action with its parameters and result contract."""
    """Asynchronous :func:`logout_all_action`."""
    error: Exception | None = None
    try:
        async with AsyncEmClient(
            url,
            app_id=app_id,
            app_certificate=app_certificate,
            call_manager_host=call_manager_host,
            version=version,
            timeout=timeout,
            transport=transport,
        ) as em:
            await em.logout_all()
    except (EmError, TransportError) as exc:
        error = exc
    return _action_result(error)
