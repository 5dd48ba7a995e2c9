"""In-memory model of the Cisco Unified CM Extension Mobility (EM) service.

The model keeps what the EM API reads and writes: devices (phones, with or without EM
enabled), end users, device profiles (each owned by one user, one of them the user's
default), application users (``appID`` + certificate, with or without the "Standard EM
Authentication Proxy Rights" role) and who is logged in where.  Every operation checks
the application user first and answers either a result or an :class:`EmFailure` carrying
the service's numeric error code (the texts live with the HTTP layer, which maps codes to
the wording of :data:`ucxml.em.EM_ERROR_CODES`; this module imports nothing of ucxml).

One :class:`EmService` may be shared by the worker threads of an HTTP server: every public
method takes the service's lock, and results are immutable snapshots.  Times are seconds
since the epoch, read from an injectable clock.  A login with an exclusive duration of N
minutes ends N minutes after it was made; expired logins are dropped lazily, at the start
of every operation.  ``indefinite`` and no duration never expire.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias, TypeVar

__all__ = [
    "ANOTHER_USER_LOGGED_IN",
    "BUSY",
    "DEMO_EM_APP_CERTIFICATE",
    "DEMO_EM_APP_ID",
    "DEMO_EM_DEVICES",
    "DEMO_EM_NOPROXY_APP_ID",
    "DEMO_EM_NOPROXY_CERTIFICATE",
    "DEMO_EM_PROFILES",
    "DEMO_EM_USERS",
    "DEVICE_LOGON_DISABLED",
    "DEVICE_NOT_FOUND",
    "INDEFINITE",
    "INVALID_APP_USER",
    "NO_PROXY_RIGHTS",
    "NO_USER_LOGGED_IN",
    "PROFILE_NOT_FOUND",
    "USER_LOGGED_IN_ELSEWHERE",
    "USER_NOT_FOUND",
    "AppCredentials",
    "AppUser",
    "DeviceStatus",
    "Duration",
    "EmDevice",
    "EmFailure",
    "EmLogin",
    "EmProfile",
    "EmService",
    "UserDevicesStatus",
    "UserProfilesStatus",
]

_R = TypeVar("_R")

# --------------------------------------------------------------------------- error codes

INVALID_APP_USER: Final = 3
"""Unknown ``appID`` or wrong certificate."""
NO_PROXY_RIGHTS: Final = 10
"""The application user lacks "Standard EM Authentication Proxy Rights"."""
DEVICE_NOT_FOUND: Final = 11
"""No device of that name."""
PROFILE_NOT_FOUND: Final = 12
"""The device profile does not exist, is not the user's, or the user has none."""
ANOTHER_USER_LOGGED_IN: Final = 18
"""Another user is logged in on the device."""
NO_USER_LOGGED_IN: Final = 19
"""Logout of a device nobody is logged in on."""
DEVICE_LOGON_DISABLED: Final = 22
"""The device does not have Extension Mobility enabled."""
USER_NOT_FOUND: Final = 23
"""No end user of that ID."""
USER_LOGGED_IN_ELSEWHERE: Final = 25
"""The user is logged in on another device and multiple logins are not allowed."""
BUSY: Final = 26
"""The service is busy (:attr:`EmService.busy`)."""

INDEFINITE: Final = "indefinite"
"""The exclusive duration that never ends (``<exclusiveDuration><indefinite/>``)."""

# --------------------------------------------------------------------------- demo data

DEMO_EM_APP_ID: Final = "emapp"
"""Application user of the demo service, with the EM proxy rights role."""
DEMO_EM_APP_CERTIFICATE: Final = "emapp-secret"
"""Certificate (password) of :data:`DEMO_EM_APP_ID`."""
DEMO_EM_NOPROXY_APP_ID: Final = "noproxy"
"""Application user of the demo service without the EM proxy rights role."""
DEMO_EM_NOPROXY_CERTIFICATE: Final = "noproxy-secret"
"""Certificate (password) of :data:`DEMO_EM_NOPROXY_APP_ID`."""
DEMO_EM_USERS: Final = ("jdoe", "asmith", "em@cisco.com")
"""End users of the demo service."""
DEMO_EM_DEVICES: Final = ("SEP0011223344AA", "SEP0011223344BB", "SEP0011223344CC")
"""Devices of the demo service, all EM-enabled."""
DEMO_EM_PROFILES: Final = (
    ("jdoe-UDP-8845", "jdoe", True),
    ("jdoe-UDP-7975", "jdoe", False),
    ("asmith-UDP", "asmith", True),
    ("em-UDP", "em@cisco.com", True),
)
"""Device profiles of the demo service: ``(name, owner, default)``."""

Duration: TypeAlias = int | Literal["indefinite"] | None
"""An exclusive login duration: minutes, :data:`INDEFINITE` or None (no limit)."""


# --------------------------------------------------------------------------- state types


@dataclass(frozen=True, slots=True)
class EmFailure:
    """An operation refused with an EM error ``code`` (see the module's constants)."""

    code: int


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """What a request's ``appInfo`` carries: the ``appID`` and its certificate.

    ``encrypted`` is True for an ``appEncryptedCertificate`` (CUCM calling itself).
    """

    app_id: str
    certificate: str = field(repr=False)
    encrypted: bool = False


@dataclass(frozen=True, slots=True)
class AppUser:
    """An application user allowed to call the service.

    ``encrypted_certificate`` is the ``appEncryptedCertificate`` accepted for it (None:
    encrypted certificates are refused).
    """

    app_id: str
    certificate: str = field(repr=False)
    proxy_rights: bool = True
    encrypted_certificate: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class EmDevice:
    """A device (phone) and whether Extension Mobility is enabled on it."""

    name: str
    em_enabled: bool = True


@dataclass(frozen=True, slots=True)
class EmProfile:
    """A device profile, owned by one user; ``default`` marks the user's default profile."""

    name: str
    owner: str
    default: bool = False


@dataclass(frozen=True, slots=True)
class EmLogin:
    """A user logged in on a device.

    ``login_time`` is the clock's time of the (last) login; ``expires`` the time the
    exclusive duration ends, None when it never does.
    """

    device: str
    user: str
    profile: str
    login_time: float
    expires: float | None = None


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """One device of a device-users query: unknown, logged out (``login`` None) or in."""

    name: str
    exists: bool
    login: EmLogin | None = None


@dataclass(frozen=True, slots=True)
class UserDevicesStatus:
    """One user of a user-devices query: unknown, or the devices it is logged in on."""

    user: str
    exists: bool
    devices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UserProfilesStatus:
    """One user of a device-profiles query and its profiles (default first); an unknown
    user (``exists`` False) is answered with its own failure (error 23)."""

    user: str
    profiles: tuple[EmProfile, ...] = ()
    exists: bool = True


# --------------------------------------------------------------------------- the service


class EmService:
    """A simulated Extension Mobility service shared by the emulator's request handlers.

    Args:
        clock: Wall clock in seconds since the epoch (default :func:`time.time`); login
            times and exclusive-duration expiries are read from it.
        allow_multiple_logins: Whether a user may be logged in on several devices at once
            (the "Multiple Login Behavior" enterprise parameter); when False, a login of
            a user logged in elsewhere fails with :data:`USER_LOGGED_IN_ELSEWHERE`.

    Attributes:
        busy: While True every operation fails with :data:`BUSY` (simulated load).
        allow_multiple_logins: See above; may be changed at any time.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        allow_multiple_logins: bool = False,
    ) -> None:
        self._lock = threading.Lock()
        self._clock: Callable[[], float] = clock if clock is not None else time.time
        self._apps: dict[str, AppUser] = {}
        self._users: set[str] = set()
        self._devices: dict[str, EmDevice] = {}
        self._profiles: dict[str, EmProfile] = {}
        self._logins: dict[str, EmLogin] = {}
        self.busy: bool = False
        self.allow_multiple_logins: bool = allow_multiple_logins

    def __repr__(self) -> str:
        with self._lock:
            return (
                f"EmService(apps={len(self._apps)}, users={len(self._users)}, "
                f"devices={len(self._devices)}, profiles={len(self._profiles)}, "
                f"logins={len(self._logins)}, busy={self.busy})"
            )

    # ------------------------------------------------------------------ configuration

    def add_app_user(
        self,
        app_id: str,
        certificate: str,
        *,
        proxy_rights: bool = True,
        encrypted_certificate: str | None = None,
    ) -> AppUser:
        """Add (or replace) an application user."""
        app = AppUser(app_id, certificate, proxy_rights, encrypted_certificate)
        with self._lock:
            self._apps[app_id] = app
        return app

    def add_user(self, user: str) -> None:
        """Add an end user (IDs are kept as given; ``@`` and other characters allowed)."""
        if not user:
            raise ValueError("a user ID cannot be empty")
        with self._lock:
            self._users.add(user)

    def add_device(self, name: str, *, em_enabled: bool = True) -> EmDevice:
        """Add (or replace) a device; a replaced device keeps its login if still enabled."""
        if not name:
            raise ValueError("a device name cannot be empty")
        device = EmDevice(name, em_enabled)
        with self._lock:
            self._devices[name] = device
            if not em_enabled:
                self._logins.pop(name, None)
        return device

    def add_profile(self, name: str, owner: str, *, default: bool = False) -> EmProfile:
        """Add a device profile of the existing user ``owner``.

        ``default`` makes it the owner's default profile (the previous default, if any,
        stops being it).

        Raises:
            ValueError: ``owner`` is not a user, or the name is empty or already taken.
        """
        profile = EmProfile(name, owner, default)
        with self._lock:
            if not name:
                raise ValueError("a device profile name cannot be empty")
            if owner not in self._users:
                raise ValueError(f"user {owner!r} does not exist")
            if name in self._profiles:
                raise ValueError(f"device profile {name!r} already exists")
            if default:
                for other in self._owned(owner):
                    if other.default:
                        self._profiles[other.name] = EmProfile(other.name, owner, False)
            self._profiles[name] = profile
        return profile

    def remove_user(self, user: str) -> None:
        """Remove an end user, its device profiles and its logins (no error if unknown)."""
        with self._lock:
            self._users.discard(user)
            for profile in self._owned(user):
                del self._profiles[profile.name]
            for device in [d for d, login in self._logins.items() if login.user == user]:
                del self._logins[device]

    def remove_device(self, name: str) -> None:
        """Remove a device and its login (no error if unknown)."""
        with self._lock:
            self._devices.pop(name, None)
            self._logins.pop(name, None)

    def seed_demo(self) -> None:
        """Configure the demo service: two app users, three users, three devices, 4 profiles.

        ``emapp`` / ``emapp-secret`` has the proxy rights role, ``noproxy`` /
        ``noproxy-secret`` does not; users ``jdoe``, ``asmith``, ``em@cisco.com``;
        devices ``SEP0011223344AA``/``BB``/``CC`` (EM enabled); profiles
        ``jdoe-UDP-8845`` (jdoe's default), ``jdoe-UDP-7975``, ``asmith-UDP`` and
        ``em-UDP`` (their owners' defaults).  Nobody is logged in.

        Raises:
            ValueError: A demo profile already exists.
        """
        self.add_app_user(DEMO_EM_APP_ID, DEMO_EM_APP_CERTIFICATE, proxy_rights=True)
        self.add_app_user(DEMO_EM_NOPROXY_APP_ID, DEMO_EM_NOPROXY_CERTIFICATE, proxy_rights=False)
        for user in DEMO_EM_USERS:
            self.add_user(user)
        for device in DEMO_EM_DEVICES:
            self.add_device(device)
        for name, owner, default in DEMO_EM_PROFILES:
            self.add_profile(name, owner, default=default)

    # ------------------------------------------------------------------ inspection

    def devices(self) -> list[EmDevice]:
        """Every device, by name."""
        with self._lock:
            return [self._devices[name] for name in sorted(self._devices)]

    def users(self) -> list[str]:
        """Every end user ID, sorted."""
        with self._lock:
            return sorted(self._users)

    def profiles(self, user: str | None = None) -> list[EmProfile]:
        """Every device profile (of ``user`` when given), by name."""
        with self._lock:
            chosen = self._profiles.values() if user is None else self._owned(user)
            return sorted(chosen, key=lambda p: p.name)

    def logins(self) -> list[EmLogin]:
        """Every current (unexpired) login, by device name."""
        with self._lock:
            self._expire()
            return [self._logins[name] for name in sorted(self._logins)]

    def login_of(self, device: str) -> EmLogin | None:
        """The current login on ``device``, None when nobody is logged in there."""
        with self._lock:
            self._expire()
            return self._logins.get(device)

    # ------------------------------------------------------------------ helpers

    def _owned(self, user: str) -> list[EmProfile]:
        return [p for p in self._profiles.values() if p.owner == user]

    def _expire(self) -> None:
        """Drop the logins whose exclusive duration has ended."""
        now = self._clock()
        ended = [d for d, login in self._logins.items() if login.expires is not None]
        for device in ended:
            expires = self._logins[device].expires
            if expires is not None and expires <= now:
                del self._logins[device]

    def _authorize(self, app: AppCredentials) -> EmFailure | None:
        """Busy, then the app user's identity, then its role; None when allowed."""
        self._expire()
        if self.busy:
            return EmFailure(BUSY)
        known = self._apps.get(app.app_id)
        if known is None:
            expected = None
        elif app.encrypted:
            expected = known.encrypted_certificate
        else:
            expected = known.certificate
        # Always compare, so an unknown app ID costs the same as a wrong certificate.
        same = hmac.compare_digest(app.certificate.encode(), (expected or "\0").encode())
        if known is None or expected is None or not same:
            return EmFailure(INVALID_APP_USER)
        if not known.proxy_rights:
            return EmFailure(NO_PROXY_RIGHTS)
        return None

    def _as_app(self, app: AppCredentials, request: Callable[[], _R]) -> _R | EmFailure:
        """``request``'s answer, under the lock, unless :meth:`_authorize` refuses ``app``."""
        with self._lock:
            refused = self._authorize(app)
            return refused if refused is not None else request()

    def _profile_for(self, user: str, profile: str | None) -> EmProfile | None:
        owned = self._owned(user)
        if profile is None:
            defaults = [p for p in owned if p.default]
            return defaults[0] if defaults else None
        return next((p for p in owned if p.name == profile), None)

    # ------------------------------------------------------------------ requests

    def login(
        self,
        app: AppCredentials,
        device: str,
        user: str,
        profile: str | None = None,
        duration: Duration = None,
    ) -> EmLogin | EmFailure:
        """Log ``user`` in on ``device`` with ``profile`` (the user's default when None).

        ``duration`` is the exclusive duration in minutes, :data:`INDEFINITE` or None.
        The same user logging in again on the same device refreshes the login (profile,
        time, expiry).  Failures, in the order checked: :data:`BUSY`,
        :data:`INVALID_APP_USER`, :data:`NO_PROXY_RIGHTS`, :data:`DEVICE_NOT_FOUND`,
        :data:`DEVICE_LOGON_DISABLED`, :data:`USER_NOT_FOUND`, :data:`PROFILE_NOT_FOUND`,
        :data:`ANOTHER_USER_LOGGED_IN`, :data:`USER_LOGGED_IN_ELSEWHERE`.

        Raises:
            ValueError: ``duration`` is not a positive number of minutes, INDEFINITE or None.
        """
        minutes = _minutes(duration)
        return self._as_app(app, lambda: self._login(device, user, profile, minutes))

    def _login(
        self, device: str, user: str, profile: str | None, minutes: int | None
    ) -> EmLogin | EmFailure:
        known = self._devices.get(device)
        if known is None:
            return EmFailure(DEVICE_NOT_FOUND)
        if not known.em_enabled:
            return EmFailure(DEVICE_LOGON_DISABLED)
        if user not in self._users:
            return EmFailure(USER_NOT_FOUND)
        chosen = self._profile_for(user, profile)
        if chosen is None:
            return EmFailure(PROFILE_NOT_FOUND)
        current = self._logins.get(device)
        if current is not None and current.user != user:
            return EmFailure(ANOTHER_USER_LOGGED_IN)
        elsewhere = any(login.user == user for login in self._logins.values())
        if current is None and elsewhere and not self.allow_multiple_logins:
            return EmFailure(USER_LOGGED_IN_ELSEWHERE)
        now = self._clock()
        expires = None if minutes is None else now + minutes * 60.0
        login = EmLogin(device, user, chosen.name, now, expires)
        self._logins[device] = login
        return login

    def logout(self, app: AppCredentials, device: str) -> EmLogin | EmFailure:
        """Log the current user out of ``device``; answer the login that ended.

        Failures: :data:`BUSY`, :data:`INVALID_APP_USER`, :data:`NO_PROXY_RIGHTS`,
        :data:`DEVICE_NOT_FOUND`, :data:`NO_USER_LOGGED_IN`.
        """
        return self._as_app(app, lambda: self._logout(device))

    def _logout(self, device: str) -> EmLogin | EmFailure:
        if device not in self._devices:
            return EmFailure(DEVICE_NOT_FOUND)
        ended = self._logins.pop(device, None)
        return ended if ended is not None else EmFailure(NO_USER_LOGGED_IN)

    def logout_all(self, app: AppCredentials) -> list[EmLogin] | EmFailure:
        """Log every user out; answer the logins that ended (by device name).

        Failures: :data:`BUSY`, :data:`INVALID_APP_USER`, :data:`NO_PROXY_RIGHTS`.
        """
        return self._as_app(app, self._logout_all)

    def _logout_all(self) -> list[EmLogin]:
        ended = [self._logins[name] for name in sorted(self._logins)]
        self._logins.clear()
        return ended

    # ------------------------------------------------------------------ queries

    def device_users(
        self, app: AppCredentials, devices: Iterable[str]
    ) -> list[DeviceStatus] | EmFailure:
        """Who is logged in on each of ``devices`` (in the order asked)."""
        return self._as_app(
            app,
            lambda: [
                DeviceStatus(name, name in self._devices, self._logins.get(name))
                for name in devices
            ],
        )

    def user_devices(
        self, app: AppCredentials, users: Iterable[str]
    ) -> list[UserDevicesStatus] | EmFailure:
        """The devices each of ``users`` is logged in on (sorted), in the order asked."""
        return self._as_app(app, lambda: [self._devices_of(user) for user in users])

    def _devices_of(self, user: str) -> UserDevicesStatus:
        devices = sorted(d for d, login in self._logins.items() if login.user == user)
        return UserDevicesStatus(user, user in self._users, tuple(devices))

    def check_user(self, app: AppCredentials, user: str) -> bool | EmFailure:
        """Whether ``user`` exists."""
        return self._as_app(app, lambda: user in self._users)

    def device_profiles(
        self, app: AppCredentials, users: Iterable[str]
    ) -> list[UserProfilesStatus] | EmFailure:
        """The device profiles of each of ``users`` (default first, then by name).

        A user that does not exist is answered with ``exists`` False: the answer then holds
        that user's own failure (:data:`USER_NOT_FOUND`), as real servers answer it.
        """
        return self._as_app(app, lambda: [self._profiles_of(user) for user in users])

    def _profiles_of(self, user: str) -> UserProfilesStatus:
        if user not in self._users:
            return UserProfilesStatus(user, exists=False)
        return UserProfilesStatus(
            user, tuple(sorted(self._owned(user), key=lambda p: (not p.default, p.name)))
        )


def _minutes(duration: Duration) -> int | None:
    """Minutes of an exclusive duration, None for no limit; refuse nonsense."""
    if duration is None or duration == INDEFINITE:
        return None
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        raise ValueError(
            f"duration must be a positive number of minutes or {INDEFINITE!r}, got {duration!r}"
        )
    return duration
