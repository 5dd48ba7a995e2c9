"""In-memory model of the Cisco Unified Presence EPAS SOAP service.

The model keeps what the EPAS interface reads and writes: users with passwords, each with
user-config properties (name, value, is-public), contact groups (name, index) holding
contacts (persona-id = the contact's user name, index, nickname, display-on-phone),
presence rules (name, visibility, reachability, filter), the access control list (the
watchers) of every presence rule, recent-communication history records, the calendaring
switch, licensing features and a published long-term presence status; plus the system
configuration properties and dialing rules shared by every user.  Every user has the
default contact group, whose name is empty (``""``, Example 27 of the guide).

Sessions: :meth:`EpasService.login` answers a session key (a uuid4 string) or a
:class:`CupFailure` with the guide's reason; every other operation takes the session key
and raises :class:`InvalidSession` when the key is unknown, logged out or expired (the HTTP
layer answers a SOAP fault).  A session expires ``session_timeout`` seconds after its last
use; expired sessions are dropped lazily.

Operations answer per item as the guide's responses do, with the guide's texts
(:data:`SUCCEEDED`, :data:`FAILED`, :data:`CONTACT_DOES_NOT_EXIST`,
:data:`GROUP_DOES_NOT_EXIST`, :data:`INVALID_POLICY_NAME`) or status codes
(:data:`STATUS_OK`).  Presence-rule conditions, recent-communication data and published
presence documents are kept as opaque plain data that the HTTP layer converts both ways;
this module imports nothing of ucxml but its exception base.

One :class:`EpasService` may be shared by the worker threads of an HTTP server: every
public method takes the service's lock, and results are immutable snapshots.  Times are
seconds since the epoch, read from an injectable clock.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Generic, Literal, TypeAlias, TypeVar, get_args

from ucxml.errors import UcxmlError

__all__ = [
    "ALL_CONFIG_PARTS",
    "CONTACT_DOES_NOT_EXIST",
    "DEFAULT_DOMAIN",
    "DEFAULT_GROUP",
    "DEFAULT_SESSION_TIMEOUT",
    "DEMO_CUP_DIALING_RULES",
    "DEMO_CUP_GUIDE_PASSWORD",
    "DEMO_CUP_GUIDE_USER",
    "DEMO_CUP_PASSWORD",
    "DEMO_CUP_RULE",
    "DEMO_CUP_SYSTEM_CONFIG",
    "DEMO_CUP_USER",
    "DEMO_CUP_USERS",
    "FAILED",
    "GROUP_DOES_NOT_EXIST",
    "INVALID_POLICY_NAME",
    "MAX_RECENT_COMM",
    "SESSION_ALREADY_ESTABLISHED",
    "STATUS_INVALID_PROPERTY",
    "STATUS_OK",
    "SUCCEEDED",
    "WRONG_CREDENTIALS",
    "AclResult",
    "AllConfig",
    "ConfigPart",
    "Contact",
    "ContactGroup",
    "ContactSpec",
    "CupFailure",
    "CupSession",
    "DialingRule",
    "EpasService",
    "GroupChange",
    "GroupSpec",
    "InvalidSession",
    "ItemStatus",
    "Licensing",
    "PresenceRule",
    "Property",
    "PropertyStatus",
    "PublishedStatus",
    "RecentComm",
    "SystemProperty",
    "UserSnapshot",
]

# --------------------------------------------------------------------------- texts and codes

SUCCEEDED: Final = "succeeded"
"""Status of an item the operation carried out (groups, contacts, rules, ACLs, calendaring)."""
FAILED: Final = "failed"
"""Status of a group or ACL item the operation refused (Examples 29, 31, 62, 64)."""
CONTACT_DOES_NOT_EXIST: Final = "Contact does not exist in."
"""Contact status: the persona is not a user (add) or not in the group (modify, delete)."""
GROUP_DOES_NOT_EXIST: Final = "The Contact Group does not exist."
"""Contact status: the named contact group does not exist."""
INVALID_POLICY_NAME: Final = "Invalid Policy name"
"""Presence-rule status (set, delete, get-acl): no presence rule of that name (or no name)."""
WRONG_CREDENTIALS: Final = "Wrong username/password"
"""Login failure reason: unknown user or wrong password (Example 13)."""
SESSION_ALREADY_ESTABLISHED: Final = "A SOAP session has already been established."
"""Login failure reason: the user has a live session and the login is not forced (Example 14)."""
STATUS_OK: Final = 0
"""``status-code`` of a stored user-config property, recent-comm record or presence status."""
STATUS_INVALID_PROPERTY: Final = 1
"""``status-code`` of a set-user-config property refused because its name is empty.

The guide shows only code 0; any non-empty property name is accepted (Example 24 sets
names that Example 23 does not list), so an empty name is the one refusal.
"""

DEFAULT_GROUP: Final = ""
"""Name of every user's default contact group (Example 27); it can be neither renamed
nor deleted."""
DEFAULT_SESSION_TIMEOUT: Final = 1800.0
"""Seconds of inactivity after which a session expires, unless configured otherwise."""
DEFAULT_DOMAIN: Final = "cisco.com"
"""Presence domain of watcher URIs when the ``Presence.Domain`` system property is empty."""
MAX_RECENT_COMM: Final = 100
"""Most recent-communication records kept per user; the oldest are dropped beyond it."""

ConfigPart: TypeAlias = Literal[
    "system-config",
    "user-config",
    "licensing-features",
    "contact-list",
    "presence-rules",
    "dialing-rules",
]
"""A part of a get-all-config request (the request's child element names)."""
ALL_CONFIG_PARTS: Final[tuple[ConfigPart, ...]] = get_args(ConfigPart)
"""Every get-all-config part, in the guide's order (Example 18)."""

# --------------------------------------------------------------------------- demo data

DEMO_CUP_USER: Final = "soapuser1"
"""The demo user who owns the guide's contact list, presence rules and ACL."""
DEMO_CUP_PASSWORD: Final = "soapuser1-secret"
"""Password of :data:`DEMO_CUP_USER`."""
DEMO_CUP_USERS: Final = (
    ("soapuser1", "soapuser1-secret"),
    ("soapuser2", "soapuser2-secret"),
    ("soapuser3", "soapuser3-secret"),
    ("soapuser4", "soapuser4-secret"),
    ("soapuser5", "soapuser5-secret"),
    ("xmzhou", "12345"),
)
"""Users of the demo service: ``(name, password)``; the soapusers of the guide's contact
lists and ACLs, and the guide's login user ``xmzhou`` (Examples 11 and 15)."""
DEMO_CUP_GUIDE_USER: Final = "xmzhou"
"""The user the guide's login requests name (Examples 11 and 15): an empty account."""
DEMO_CUP_GUIDE_PASSWORD: Final = "12345"
"""Password of :data:`DEMO_CUP_GUIDE_USER`, as the guide's login requests send it."""
DEMO_CUP_RULE: Final = "test rules!"
"""The demo user's presence rule whose ACL holds soapuser2..soapuser5 (Example 60)."""
DEMO_CUP_SYSTEM_CONFIG: Final[tuple[tuple[str, str], ...]] = (
    ("Directory.Map.userid", "uid"),
    ("Directory.Map.givenName", "givenname"),
    ("Directory.Map.surName", "sn"),
    ("Directory.Map.middleName", "middleinitial"),
    ("Directory.Map.displayName", "cn"),
    ("Directory.Map.nickName", ""),
    ("Directory.Map.jpegPhoto", ""),
    ("Directory.Map.internalSnailMailAddress", "postofficebox"),
    ("Directory.Map.site", "site"),
    ("Directory.Map.building", "building"),
    ("Directory.Map.floor", "floor"),
    ("Directory.Map.physicalLocation", ""),
    ("Directory.Map.orgPersonNumber", "employeenumber"),
    ("Directory.Map.orgPersonType", "employeetype"),
    ("Directory.Map.title", "title"),
    ("Directory.Map.orgainzationName", ""),
    ("Directory.Map.organizationUnitName", ""),
    ("Directory.Map.departmentNumber", "departmentnumber"),
    ("Directory.Map.managerID", "manageruid"),
    ("Directory.Map.preferredLanguage", ""),
    ("Directory.Map.status", "status"),
    ("Security", ""),
    ("VoiceMail.Primary.Address", ""),
    ("VoiceMail.Primary.Port", ""),
    ("VoiceMail.Primary.Protocol", ""),
    ("VoiceMail.Backup1.Address", ""),
    ("VoiceMail.Backup1.Port", ""),
    ("VoiceMail.Backup1.Protocol", ""),
    ("VoiceMail.Backup2.Address", ""),
    ("VoiceMail.Backup2.Port", ""),
    ("VoiceMail.Backup2.Protocol", ""),
    ("VoiceMail.PilotNumber", ""),
    ("MeetingPlace.Primary.Address", ""),
    ("MeetingPlace.Primary.Port", ""),
    ("MeetingPlace.Primary.Protocol", ""),
    ("MeetingPlace.Backup1.Address", ""),
    ("MeetingPlace.Backup1.Port", ""),
    ("MeetingPlace.Backup1.Protocol", ""),
    ("MeetingPlace.Backup2.Address", ""),
    ("MeetingPlace.Backup2.Port", ""),
    ("MeetingPlace.Backup2.Protocol", ""),
    ("CallControl.Primary.Address", ""),
    ("CallControl.Primary.Port", ""),
    ("CallControl.Primary.Protocol", ""),
    ("CallControl.Backup1.Address", ""),
    ("CallControl.Backup1.Port", ""),
    ("CallControl.Backup1.Protocol", ""),
    ("CallControl.Backup2.Address", ""),
    ("CallControl.Backup2.Port", ""),
    ("CallControl.Backup2.Protocol", ""),
    ("Directory.DN", ""),
    ("Directory.Password", ""),
    ("Directory.AnonymousBind", "FALSE"),
    ("Directory.ConfigurationName", ""),
    ("Directory.SearchContext1", ""),
    ("Directory.SearchRecursive1", "FALSE"),
    ("Directory.SearchContext2", ""),
    ("Directory.SearchRecursive2", "FALSE"),
    ("Directory.SearchContext3", ""),
    ("Directory.SearchRecursive3", "FALSE"),
    ("Directory.Primary.Address", ""),
    ("Directory.Primary.Port", ""),
    ("Directory.Primary.Protocol", ""),
    ("Directory.Backup1.Address", ""),
    ("Directory.Backup1.Port", ""),
    ("Directory.Backup1.Protocol", ""),
    ("Directory.Backup2.Address", ""),
    ("Directory.Backup2.Port", ""),
    ("Directory.Backup2.Protocol", ""),
    ("Presence.Primary.Address", ""),
    ("Presence.Primary.Port", ""),
    ("Presence.Primary.Protocol", ""),
    ("Presence.Backup.Address", ""),
    ("Presence.Backup.Port", ""),
    ("Presence.Backup.Protocol", ""),
    ("Presence.Domain", "cisco.com"),
    ("TFTP.Primary", ""),
    ("TFTP.Backup1", ""),
    ("TFTP.Backup2", ""),
)
"""System configuration properties of the demo service, as Example 21 lists them."""


# --------------------------------------------------------------------------- state types

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class DialingRule:
    """An application or directory dialing rule of the associated CUCM (Example 48)."""

    type: int
    name: str
    description: str
    priority: int
    number_begins_with: str
    number_of_digits: int
    digits_to_be_removed: int
    prefix: str


DEMO_CUP_DIALING_RULES: Final = (
    DialingRule(1, "App dialing rule", "App dialing rule", 1, "89", 1, 0, "7"),
    DialingRule(2, "Directory dialing rule", "Directory dialing rule", 1, "97876", 2, 2, "98"),
)
"""Dialing rules of the demo service, as Example 48 shows them."""


@dataclass(frozen=True, slots=True)
class CupFailure:
    """A refused login: ``reason`` is :data:`WRONG_CREDENTIALS` or
    :data:`SESSION_ALREADY_ESTABLISHED`."""

    reason: str


@dataclass(frozen=True, slots=True)
class CupSession:
    """A SOAP session: its key, its user, when it began and when it was last used."""

    key: str
    user: str
    created: float
    last_used: float


class InvalidSession(UcxmlError):
    """The session key of a request is unknown, logged out or expired.

    Attributes:
        key: The key the request carried.
        expired: True when the key named a session that had expired (or was expired by
            :meth:`EpasService.expire_all`), False when the service does not know it.
    """

    def __init__(self, key: str, *, expired: bool) -> None:
        super().__init__("session expired" if expired else "unknown session key")
        self.key = key
        self.expired = expired


@dataclass(frozen=True, slots=True)
class ItemStatus(Generic[T]):
    """The answer to one item of a multi-item request: the item asked and its status text."""

    item: T
    status: str


@dataclass(frozen=True, slots=True)
class Property:
    """A user-configuration property (``<property name is-public>value</property>``)."""

    name: str
    value: str = ""
    is_public: bool = False


@dataclass(frozen=True, slots=True)
class PropertyStatus:
    """The answer to one set-user-config property: its name and ``status-code``."""

    name: str
    status_code: int


@dataclass(frozen=True, slots=True)
class SystemProperty:
    """A system-configuration property (name and value; the value may be empty)."""

    name: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class Licensing:
    """The licensing features assigned to a user (Example 54)."""

    base: bool = False
    im: bool = False
    audio: bool = False
    video: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact of a group: the contact's user name (``persona-id``) and its attributes."""

    persona_id: str
    index: Decimal
    nickname: str = ""
    display_on_phone: bool = False


@dataclass(frozen=True, slots=True)
class ContactGroup:
    """A contact group and its contacts (by index, then persona-id)."""

    name: str
    index: Decimal
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A group of an add-group or delete-group request (``index`` None: not given)."""

    name: str
    index: Decimal | None = None


@dataclass(frozen=True, slots=True)
class GroupChange:
    """A group of a modify-group request: None leaves the name or index as it is."""

    old_name: str
    new_name: str | None = None
    index: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ContactSpec:
    """A contact of an add-, modify- or delete-contact request.

    None leaves an attribute as it is (modify) or gives it its default (add: the next
    free index, an empty nickname, not displayed on the phone).
    """

    group: str
    persona_id: str
    index: Decimal | None = None
    nickname: str | None = None
    display_on_phone: bool | None = None


@dataclass(frozen=True, slots=True)
class PresenceRule:
    """A presence rule: its name, visibility and the reachability and filter rules.

    ``reachability`` and ``filter`` are opaque plain data that the HTTP layer makes from
    the request's ``pr:`` elements and turns back into them; the service only stores them.
    """

    name: str
    visibility: str | None = None
    reachability: object = None
    filter: object = None


@dataclass(frozen=True, slots=True)
class AclResult:
    """The ACL of one presence rule asked by get-acl.

    ``status`` is :data:`SUCCEEDED` with the watchers (user names, in the order added) and
    their SIP URIs, or :data:`INVALID_POLICY_NAME` with none.
    """

    rule: str
    status: str
    watchers: tuple[str, ...] = ()
    watcher_uris: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecentComm:
    """A recent-communication record; ``data`` is opaque plain data (the HTTP layer's)."""

    timestamp: str
    type: int
    data: object = None


@dataclass(frozen=True, slots=True)
class PublishedStatus:
    """A published long-term presence status: the document (opaque) and when it came."""

    document: object
    published_at: float


@dataclass(frozen=True, slots=True)
class AllConfig:
    """The answer to get-all-config: each part asked, None for the parts not asked.

    ``acls`` comes with ``presence_rules`` (the ACL of every rule, in rule order).
    """

    system_config: tuple[SystemProperty, ...] | None = None
    user_config: tuple[Property, ...] | None = None
    licensing: Licensing | None = None
    contact_list: tuple[ContactGroup, ...] | None = None
    presence_rules: tuple[PresenceRule, ...] | None = None
    acls: tuple[AclResult, ...] | None = None
    dialing_rules: tuple[DialingRule, ...] | None = None


@dataclass(frozen=True, slots=True)
class UserSnapshot:
    """Everything the service keeps for one user (for inspection and tests)."""

    name: str
    user_config: tuple[Property, ...]
    contact_list: tuple[ContactGroup, ...]
    presence_rules: tuple[PresenceRule, ...]
    acls: tuple[AclResult, ...]
    recent_comm: tuple[RecentComm, ...]
    calendaring: bool
    licensing: Licensing
    published: PublishedStatus | None


@dataclass(slots=True)
class _Group:
    index: Decimal
    contacts: dict[str, Contact] = field(default_factory=dict)


@dataclass(slots=True)
class _Account:
    password: str
    properties: dict[str, Property] = field(default_factory=dict)
    groups: dict[str, _Group] = field(default_factory=dict)
    rules: dict[str, PresenceRule] = field(default_factory=dict)
    acls: dict[str, list[str]] = field(default_factory=dict)
    history: list[tuple[int, RecentComm]] = field(default_factory=list)
    calendaring: bool = False
    licensing: Licensing = field(default_factory=Licensing)
    published: PublishedStatus | None = None
    #: The latest one-time password issued (a secret: kept out of the repr).
    onetime_password: str | None = field(default=None, repr=False)


# --------------------------------------------------------------------------- the service


class EpasService:
    """A simulated Cisco Unified Presence EPAS service shared by the emulator's handlers.

    Args:
        clock: Wall clock in seconds since the epoch (default :func:`time.time`); session
            use and publication times are read from it.
        session_timeout: Seconds of inactivity after which a session expires (> 0).
        key_factory: Makes session keys (default: a uuid4 string).

    Attributes:
        session_timeout: See above; may be changed at any time.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        session_timeout: float = DEFAULT_SESSION_TIMEOUT,
        key_factory: Callable[[], str] | None = None,
    ) -> None:
        if not session_timeout > 0:
            raise ValueError(f"session_timeout must be positive, got {session_timeout!r}")
        self._lock = threading.Lock()
        self._clock: Callable[[], float] = clock if clock is not None else time.time
        self._new_key: Callable[[], str] = (
            key_factory if key_factory is not None else lambda: str(uuid.uuid4())
        )
        self._accounts: dict[str, _Account] = {}
        self._sessions: dict[str, CupSession] = {}
        self._system: dict[str, str] = {}
        self._dialing: tuple[DialingRule, ...] = ()
        self._seq = 0
        self.session_timeout: float = session_timeout

    def __repr__(self) -> str:
        with self._lock:
            return (
                f"EpasService(users={len(self._accounts)}, sessions={len(self._sessions)}, "
                f"session_timeout={self.session_timeout})"
            )

    # ------------------------------------------------------------------ configuration

    def add_user(
        self,
        name: str,
        password: str,
        *,
        properties: Iterable[Property] = (),
        licensing: Licensing | None = None,
        calendaring: bool = False,
    ) -> None:
        """Add a user with an empty default contact group and no rules.

        Raises:
            ValueError: The name is empty or already taken.
        """
        if not name:
            raise ValueError("a user name cannot be empty")
        account = _Account(password, calendaring=calendaring)
        account.properties = {p.name: p for p in properties}
        account.groups[DEFAULT_GROUP] = _Group(Decimal(0))
        if licensing is not None:
            account.licensing = licensing
        with self._lock:
            if name in self._accounts:
                raise ValueError(f"user {name!r} already exists")
            self._accounts[name] = account

    def remove_user(self, name: str) -> None:
        """Remove a user, its sessions, and it from every contact list and ACL."""
        with self._lock:
            self._accounts.pop(name, None)
            for key in [k for k, s in self._sessions.items() if s.user == name]:
                del self._sessions[key]
            for account in self._accounts.values():
                for group in account.groups.values():
                    group.contacts.pop(name, None)
                for watchers in account.acls.values():
                    if name in watchers:
                        watchers.remove(name)

    def set_password(self, name: str, password: str) -> None:
        """Change a user's password (live sessions stay).

        Raises:
            KeyError: No such user.
        """
        with self._lock:
            self._account(name).password = password

    def set_licensing(self, name: str, licensing: Licensing) -> None:
        """Assign licensing features to a user.

        Raises:
            KeyError: No such user.
        """
        with self._lock:
            self._account(name).licensing = licensing

    def set_system_property(self, name: str, value: str = "") -> None:
        """Add or change a system-configuration property (kept in the order first set)."""
        if not name:
            raise ValueError("a property name cannot be empty")
        with self._lock:
            self._system[name] = value

    def set_dialing_rules(self, rules: Iterable[DialingRule]) -> None:
        """Replace the dialing rules of the service."""
        chosen = tuple(rules)
        with self._lock:
            self._dialing = chosen

    def seed_demo(self) -> None:
        """Configure the demo service as the guide's examples show it.

        Users :data:`DEMO_CUP_USERS` (soapuser1..soapuser5 and xmzhou), each with the
        user-config property ``CallControl.Lineid`` (Example 23); the system configuration
        of Example 21 and the dialing rules of Example 48.  :data:`DEMO_CUP_USER` has the
        contact list of Example 27, the presence rules ``noACL_rule`` (Example 42) and
        :data:`DEMO_CUP_RULE` with soapuser2..soapuser5 as watchers (Example 60), the
        three recent-communication records of Example 52 (their data a mapping
        ``{"what": text}``), calendaring on (Example 66) and the base and IM licences
        (Example 54).  Nobody is logged in.

        Raises:
            ValueError: A demo user already exists.
        """
        for name, password in DEMO_CUP_USERS:
            self.add_user(name, password, properties=[Property("CallControl.Lineid")])
        for prop, value in DEMO_CUP_SYSTEM_CONFIG:
            self.set_system_property(prop, value)
        self.set_dialing_rules(DEMO_CUP_DIALING_RULES)
        with self._lock:
            owner = self._accounts[DEMO_CUP_USER]
            owner.calendaring = True
            owner.licensing = Licensing(base=True, im=True)
            d = Decimal
            owner.groups = {
                DEFAULT_GROUP: _Group(d("-200")),
                "work": _Group(d("1000.9")),
                "new customers": _Group(d("2000.9")),
            }
            contacts = (
                ("", "soapuser1", "-33.3", "", True),
                ("", "soapuser4", "1", "what", False),
                ("", "soapuser5", "32", "dave", False),
                ("", "soapuser3", "33", "", False),
                ("work", "soapuser5", "-1", "", False),
                ("work", "soapuser2", "200", "user2 nickname", False),
                ("work", "soapuser3", "201", "user3's nickname", False),
                ("work", "soapuser4", "202", "", True),
                ("new customers", "soapuser2", "202", "another user2's nickname", True),
                ("new customers", "soapuser3", "203", "", False),
            )
            for group, persona, index, nickname, shown in contacts:
                owner.groups[group].contacts[persona] = Contact(persona, d(index), nickname, shown)
            owner.rules = {
                "noACL_rule": PresenceRule("noACL_rule", "all"),
                DEMO_CUP_RULE: PresenceRule(DEMO_CUP_RULE, "all"),
            }
            owner.acls = {
                "noACL_rule": [],
                DEMO_CUP_RULE: ["soapuser2", "soapuser3", "soapuser4", "soapuser5"],
            }
            for timestamp, kind, what in (
                ("2005-03-22", 1, "this is a record"),
                ("2006-03-24", 2, "xmltag-other"),
                ("2007-03-24", 3, "this is another record"),
            ):
                self._seq += 1
                owner.history.append((self._seq, RecentComm(timestamp, kind, {"what": what})))

    # ------------------------------------------------------------------ inspection

    def users(self) -> list[str]:
        """Every user name, sorted."""
        with self._lock:
            return sorted(self._accounts)

    def user(self, name: str) -> UserSnapshot:
        """A snapshot of everything kept for ``name``.

        Raises:
            KeyError: No such user.
        """
        with self._lock:
            account = self._account(name)
            return UserSnapshot(
                name=name,
                user_config=tuple(account.properties.values()),
                contact_list=_contact_list(account),
                presence_rules=tuple(account.rules.values()),
                acls=tuple(self._acl_of(account, rule) for rule in account.rules),
                recent_comm=_history(account),
                calendaring=account.calendaring,
                licensing=account.licensing,
                published=account.published,
            )

    def system_config(self) -> list[SystemProperty]:
        """The system-configuration properties, in the order first set."""
        with self._lock:
            return [SystemProperty(n, v) for n, v in self._system.items()]

    def dialing_rules(self) -> list[DialingRule]:
        """The dialing rules of the service."""
        with self._lock:
            return list(self._dialing)

    def sessions(self) -> list[CupSession]:
        """Every live (unexpired) session, by user name."""
        with self._lock:
            self._purge()
            return sorted(self._sessions.values(), key=lambda s: (s.user, s.created))

    def expire_all(self) -> None:
        """Make every session expire now (for tests): the next use of a key fails with
        :class:`InvalidSession` whose ``expired`` is True."""
        with self._lock:
            for key, session in self._sessions.items():
                self._sessions[key] = CupSession(key, session.user, session.created, -math.inf)

    # ------------------------------------------------------------------ helpers

    def _account(self, name: str) -> _Account:
        account = self._accounts.get(name)
        if account is None:
            raise KeyError(name)
        return account

    def _stale(self, session: CupSession, now: float) -> bool:
        return now - session.last_used >= self.session_timeout

    def _purge(self) -> None:
        """Drop the expired sessions."""
        now = self._clock()
        for key in [k for k, s in self._sessions.items() if self._stale(s, now)]:
            del self._sessions[key]

    def _session(self, key: str) -> tuple[str, _Account]:
        """The user and account of a live session, which counts as used now.

        Keys are compared without surrounding whitespace (the guide prints them with a
        leading space, Example 16).
        """
        key = key.strip()
        session = self._sessions.get(key)
        if session is None:
            raise InvalidSession(key, expired=False)
        now = self._clock()
        account = self._accounts.get(session.user)
        if self._stale(session, now) or account is None:
            del self._sessions[key]
            raise InvalidSession(key, expired=account is not None)
        self._sessions[key] = CupSession(key, session.user, session.created, now)
        return session.user, account

    def _each(self, key: str, items: Iterable[T], answer: Callable[[_Account, T], R]) -> list[R]:
        """``answer`` to each of ``items`` for the session user of ``key``, in order."""
        asked = list(items)  # read before the lock: ``items`` may be a slow generator
        with self._lock:
            _, account = self._session(key)
            return [answer(account, item) for item in asked]

    def _statuses(
        self, key: str, items: Iterable[T], decide: Callable[[_Account, T], str]
    ) -> list[ItemStatus[T]]:
        """Each of ``items`` with the status text ``decide`` gives it (see :meth:`_each`)."""
        return self._each(key, items, lambda account, item: ItemStatus(item, decide(account, item)))

    def _domain(self) -> str:
        return self._system.get("Presence.Domain") or DEFAULT_DOMAIN

    def _acl_of(self, account: _Account, rule: str) -> AclResult:
        if rule not in account.rules:
            return AclResult(rule, INVALID_POLICY_NAME)
        watchers = tuple(account.acls.get(rule, ()))
        domain = self._domain()
        return AclResult(rule, SUCCEEDED, watchers, tuple(f"sip:{w}@{domain}" for w in watchers))

    def _user_of(self, watcher: str) -> str:
        """A watcher's user name: ``sip:user@domain`` of this domain names ``user``."""
        name = watcher.strip()
        if name.startswith("sip:"):
            name = name[4:]
            local, at, domain = name.partition("@")
            if at and domain.lower() == self._domain().lower():
                name = local
        return name

    # ------------------------------------------------------------------ sessions

    def login(self, username: str, password: str, force: bool = False) -> CupSession | CupFailure:
        """Open a session for ``username``; answer it (its ``key`` goes in every request).

        Failures: :data:`WRONG_CREDENTIALS` (unknown user or wrong password, compared in
        constant time), :data:`SESSION_ALREADY_ESTABLISHED` (the user has a live session
        and ``force`` is False; a forced login ends the old session).
        """
        with self._lock:
            self._purge()
            account = self._accounts.get(username)
            expected = account.password if account is not None else "\0"
            # Always compare, so an unknown user costs the same as a wrong password.
            same = hmac.compare_digest(password.encode(), expected.encode())
            if account is None or not same:
                return CupFailure(WRONG_CREDENTIALS)
            live = [k for k, s in self._sessions.items() if s.user == username]
            if live and not force:
                return CupFailure(SESSION_ALREADY_ESTABLISHED)
            for key in live:
                del self._sessions[key]
            now = self._clock()
            key = self._new_key()
            session = CupSession(key, username, now, now)
            self._sessions[key] = session
            return session

    def logout(self, key: str, tuple_id: str | None = None) -> CupSession:
        """End a session; answer it.

        ``tuple_id`` (the presence tuple the client owned, ``cupc-override`` in
        Example 16) is accepted and has no further effect.

        Raises:
            InvalidSession: The key is unknown or expired.
        """
        with self._lock:
            self._session(key)
            return self._sessions.pop(key.strip())

    # ------------------------------------------------------------------ configuration reads

    def get_system_config(self, key: str) -> tuple[SystemProperty, ...]:
        """The system-configuration properties (Example 21)."""
        with self._lock:
            self._session(key)
            return tuple(SystemProperty(n, v) for n, v in self._system.items())

    def get_user_config(self, key: str) -> tuple[Property, ...]:
        """The session user's properties, in the order first set (Example 23)."""
        with self._lock:
            _, account = self._session(key)
            return tuple(account.properties.values())

    def set_user_config(self, key: str, properties: Iterable[Property]) -> list[PropertyStatus]:
        """Set the session user's properties; answer a ``status-code`` for each (Example 25).

        :data:`STATUS_OK` for a property stored (added or replaced),
        :data:`STATUS_INVALID_PROPERTY` for an empty name.
        """
        return self._each(key, properties, _set_property)

    def get_licensing_features(self, key: str) -> Licensing:
        """The session user's licensing features (Example 54)."""
        with self._lock:
            _, account = self._session(key)
            return account.licensing

    def get_dialing_rules(self, key: str) -> tuple[DialingRule, ...]:
        """The dialing rules of the service (Example 48)."""
        with self._lock:
            self._session(key)
            return self._dialing

    def get_all_config(self, key: str, parts: Iterable[ConfigPart] = ALL_CONFIG_PARTS) -> AllConfig:
        """The configuration parts asked (Example 18); the others are None.

        Raises:
            InvalidSession: The key is unknown or expired.
            ValueError: A part is not one of :data:`ALL_CONFIG_PARTS`.
        """
        asked = set(parts)
        unknown = asked - set(ALL_CONFIG_PARTS)
        if unknown:
            raise ValueError(f"unknown get-all-config parts: {sorted(unknown)}")
        with self._lock:
            _, account = self._session(key)
            rules = "presence-rules" in asked
            return AllConfig(
                system_config=(
                    tuple(SystemProperty(n, v) for n, v in self._system.items())
                    if "system-config" in asked
                    else None
                ),
                user_config=(
                    tuple(account.properties.values()) if "user-config" in asked else None
                ),
                licensing=account.licensing if "licensing-features" in asked else None,
                contact_list=_contact_list(account) if "contact-list" in asked else None,
                presence_rules=tuple(account.rules.values()) if rules else None,
                acls=tuple(self._acl_of(account, r) for r in account.rules) if rules else None,
                dialing_rules=self._dialing if "dialing-rules" in asked else None,
            )

    # ------------------------------------------------------------------ contact groups

    def get_contact_list(self, key: str) -> tuple[ContactGroup, ...]:
        """The session user's groups (by index, then name) and contacts (Example 27)."""
        with self._lock:
            _, account = self._session(key)
            return _contact_list(account)

    def add_group(self, key: str, groups: Iterable[GroupSpec]) -> list[ItemStatus[GroupSpec]]:
        """Add contact groups (Example 29).

        :data:`SUCCEEDED`, or :data:`FAILED` when a group of that name exists (the default
        group ``""`` always does).  A group without index gets the next whole number above
        the largest index (at least 1).
        """
        return self._statuses(key, groups, _add_group)

    def modify_group(
        self, key: str, changes: Iterable[GroupChange]
    ) -> list[ItemStatus[GroupChange]]:
        """Rename contact groups and change their index (Example 31).

        :data:`FAILED` when ``old_name`` does not exist or ``new_name`` is another existing
        group; else :data:`SUCCEEDED`.  The default group keeps its empty name: a rename of
        it succeeds and changes only its index, as the guide's Examples 30, 31 and 27 show.
        """
        return self._statuses(key, changes, _modify_group)

    def delete_group(self, key: str, groups: Iterable[GroupSpec]) -> list[ItemStatus[GroupSpec]]:
        """Delete contact groups and their contacts (Example 33).

        :data:`SUCCEEDED`, also for a group that does not exist (the guide answers so);
        :data:`FAILED` for the default group ``""``, which cannot be deleted.
        """
        return self._statuses(key, groups, _delete_group)

    # ------------------------------------------------------------------ contacts

    def add_contact(
        self, key: str, contacts: Iterable[ContactSpec]
    ) -> list[ItemStatus[ContactSpec]]:
        """Add contacts to groups (Example 35).

        In the order checked: :data:`CONTACT_DOES_NOT_EXIST` (the persona-id is not a user
        of the service), :data:`GROUP_DOES_NOT_EXIST`, :data:`FAILED` (already in that
        group), else :data:`SUCCEEDED`.  A contact without index gets the next whole number
        above the group's largest index (at least 1).
        """
        return self._statuses(key, contacts, self._add_contact)

    def _add_contact(self, account: _Account, spec: ContactSpec) -> str:
        group = account.groups.get(spec.group)
        if spec.persona_id not in self._accounts:
            return CONTACT_DOES_NOT_EXIST
        if group is None:
            return GROUP_DOES_NOT_EXIST
        if spec.persona_id in group.contacts:
            return FAILED
        index = spec.index
        if index is None:
            index = _next_index(c.index for c in group.contacts.values())
        group.contacts[spec.persona_id] = Contact(
            spec.persona_id, index, spec.nickname or "", bool(spec.display_on_phone)
        )
        return SUCCEEDED

    def modify_contact(
        self, key: str, contacts: Iterable[ContactSpec]
    ) -> list[ItemStatus[ContactSpec]]:
        """Change the index, nickname or display-on-phone of contacts (Example 37).

        In the order checked: :data:`GROUP_DOES_NOT_EXIST`, :data:`CONTACT_DOES_NOT_EXIST`
        (not in that group), else :data:`SUCCEEDED`; attributes left None stay.
        """
        return self._statuses(key, contacts, _modify_contact)

    def delete_contact(
        self, key: str, contacts: Iterable[ContactSpec]
    ) -> list[ItemStatus[ContactSpec]]:
        """Remove contacts from groups (Example 39).

        In the order checked: :data:`GROUP_DOES_NOT_EXIST`, :data:`CONTACT_DOES_NOT_EXIST`
        (not in that group), else :data:`SUCCEEDED`.
        """
        return self._statuses(key, contacts, _delete_contact)

    # ------------------------------------------------------------------ presence rules

    def get_presence_rules(self, key: str) -> tuple[PresenceRule, ...]:
        """The session user's presence rules, in the order first set (Example 42)."""
        with self._lock:
            _, account = self._session(key)
            return tuple(account.rules.values())

    def set_presence_rules(self, key: str, rules: Iterable[PresenceRule]) -> list[ItemStatus[str]]:
        """Add or replace presence rules (by name); a replaced rule keeps its ACL (Example 44).

        :data:`SUCCEEDED`, or :data:`INVALID_POLICY_NAME` for a rule without a name.
        """
        return self._each(key, rules, _set_presence_rule)

    def delete_presence_rules(self, key: str, names: Iterable[str]) -> list[ItemStatus[str]]:
        """Delete presence rules and their ACLs (Example 46).

        :data:`SUCCEEDED`, or :data:`INVALID_POLICY_NAME` for a rule that does not exist.
        """
        return self._statuses(key, names, _delete_presence_rule)

    # ------------------------------------------------------------------ ACLs

    def get_acl(self, key: str, rules: Iterable[str]) -> list[AclResult]:
        """The watchers of each presence rule asked (Example 60); an unknown rule answers
        :data:`INVALID_POLICY_NAME`."""
        return self._each(key, rules, self._acl_of)

    def add_acl(self, key: str, rule: str, watchers: Iterable[str]) -> list[ItemStatus[str]]:
        """Grant ``watchers`` the right to watch the session user under ``rule`` (Example 62).

        Watchers are user names (``sip:user@domain`` of the presence domain is accepted).
        :data:`SUCCEEDED` (also for a watcher already in the ACL), or :data:`FAILED` when
        the watcher is not a user or the rule does not exist.
        """

        def grant(account: _Account, watcher: str) -> str:
            acl = account.acls.setdefault(rule, []) if rule in account.rules else None
            name = self._user_of(watcher)
            if acl is None or name not in self._accounts:
                return FAILED
            if name not in acl:
                acl.append(name)
            return SUCCEEDED

        return self._statuses(key, watchers, grant)

    def delete_acl(self, key: str, rule: str, watchers: Iterable[str]) -> list[ItemStatus[str]]:
        """Withdraw ``watchers`` from the ACL of ``rule`` (Example 64).

        :data:`SUCCEEDED`, or :data:`FAILED` when the watcher is not in the ACL or the
        rule does not exist.
        """

        def withdraw(account: _Account, watcher: str) -> str:
            acl = account.acls.get(rule) if rule in account.rules else None
            name = self._user_of(watcher)
            if acl is None or name not in acl:
                return FAILED
            acl.remove(name)
            return SUCCEEDED

        return self._statuses(key, watchers, withdraw)

    # ------------------------------------------------------------------ recent communication

    def add_recent_comm(self, key: str, timestamp: str, type: int, data: object = None) -> int:
        """Add a recent-communication record; answer its ``status-code`` (Example 50).

        Always :data:`STATUS_OK`; beyond :data:`MAX_RECENT_COMM` records the oldest goes.
        """
        record = RecentComm(timestamp, type, data)
        with self._lock:
            _, account = self._session(key)
            self._seq += 1
            account.history.append((self._seq, record))
            if len(account.history) > MAX_RECENT_COMM:
                oldest = min(account.history, key=lambda e: (e[1].timestamp, e[0]))
                account.history.remove(oldest)
            return STATUS_OK

    def get_recent_comm(self, key: str) -> tuple[RecentComm, ...]:
        """The session user's records, newest first (by timestamp, then the later added;
        Example 52)."""
        with self._lock:
            _, account = self._session(key)
            return _history(account)

    # ------------------------------------------------------------------ presence status

    def publish_pres_status(self, key: str, document: object) -> int:
        """Publish the session user's long-term presence status (Example 56): STATUS_OK."""
        with self._lock:
            _, account = self._session(key)
            account.published = PublishedStatus(document, self._clock())
            return STATUS_OK

    def unpublish_pres_status(self, key: str) -> int:
        """Withdraw the long-term presence status (Example 58): STATUS_OK, also when none
        was published."""
        with self._lock:
            _, account = self._session(key)
            account.published = None
            return STATUS_OK

    # ------------------------------------------------------------------ calendaring

    def get_calendaring(self, key: str) -> bool:
        """Whether calendaring is on for the session user (Example 66)."""
        with self._lock:
            _, account = self._session(key)
            return account.calendaring

    def set_calendaring(self, key: str, on: bool) -> str:
        """Switch calendaring on or off (Example 68): :data:`SUCCEEDED`."""
        with self._lock:
            _, account = self._session(key)
            account.calendaring = on
            return SUCCEEDED

    # ------------------------------------------------------------------ one-time password

    def get_onetime_password(self, key: str) -> str:
        """A new one-time password for the session user (later releases' XMPP token).

        Each call issues a fresh random token (``secrets.token_urlsafe``); the service keeps
        only the latest one per user, never in a repr.
        """
        with self._lock:
            _, account = self._session(key)
            account.onetime_password = secrets.token_urlsafe(24)
            return account.onetime_password


# --------------------------------------------------------------------------- one item each


def _set_property(account: _Account, prop: Property) -> PropertyStatus:
    if not prop.name.strip():
        return PropertyStatus(prop.name, STATUS_INVALID_PROPERTY)
    account.properties[prop.name] = prop
    return PropertyStatus(prop.name, STATUS_OK)


def _add_group(account: _Account, spec: GroupSpec) -> str:
    if spec.name in account.groups:
        return FAILED
    index = spec.index
    if index is None:
        index = _next_index(g.index for g in account.groups.values())
    account.groups[spec.name] = _Group(index)
    return SUCCEEDED


def _modify_group(account: _Account, change: GroupChange) -> str:
    group = account.groups.get(change.old_name)
    new_name = change.new_name
    if change.old_name == DEFAULT_GROUP or new_name is None:
        new_name = change.old_name
    if group is None or (new_name != change.old_name and new_name in account.groups):
        return FAILED
    if change.index is not None:
        group.index = change.index
    if new_name != change.old_name:
        account.groups = {
            (new_name if name == change.old_name else name): g for name, g in account.groups.items()
        }
    return SUCCEEDED


def _delete_group(account: _Account, spec: GroupSpec) -> str:
    if spec.name == DEFAULT_GROUP:
        return FAILED
    account.groups.pop(spec.name, None)
    return SUCCEEDED


def _modify_contact(account: _Account, spec: ContactSpec) -> str:
    group = account.groups.get(spec.group)
    current = None if group is None else group.contacts.get(spec.persona_id)
    if group is None:
        return GROUP_DOES_NOT_EXIST
    if current is None:
        return CONTACT_DOES_NOT_EXIST
    group.contacts[spec.persona_id] = Contact(
        spec.persona_id,
        current.index if spec.index is None else spec.index,
        current.nickname if spec.nickname is None else spec.nickname,
        current.display_on_phone if spec.display_on_phone is None else spec.display_on_phone,
    )
    return SUCCEEDED


def _delete_contact(account: _Account, spec: ContactSpec) -> str:
    group = account.groups.get(spec.group)
    if group is None:
        return GROUP_DOES_NOT_EXIST
    if group.contacts.pop(spec.persona_id, None) is None:
        return CONTACT_DOES_NOT_EXIST
    return SUCCEEDED


def _set_presence_rule(account: _Account, rule: PresenceRule) -> ItemStatus[str]:
    if not rule.name.strip():
        return ItemStatus(rule.name, INVALID_POLICY_NAME)
    account.rules[rule.name] = rule
    account.acls.setdefault(rule.name, [])  # a replaced rule keeps its ACL
    return ItemStatus(rule.name, SUCCEEDED)


def _delete_presence_rule(account: _Account, name: str) -> str:
    if account.rules.pop(name, None) is None:
        return INVALID_POLICY_NAME
    account.acls.pop(name, None)
    return SUCCEEDED


def _next_index(indexes: Iterable[Decimal]) -> Decimal:
    """The next whole number above the largest index, at least 1 (Examples 34 and 27)."""
    top = max(indexes, default=Decimal(0))
    return Decimal(max(math.floor(top), 0) + 1)


def _contact_list(account: _Account) -> tuple[ContactGroup, ...]:
    groups = sorted(account.groups.items(), key=lambda item: (item[1].index, item[0]))
    return tuple(
        ContactGroup(
            name,
            group.index,
            tuple(sorted(group.contacts.values(), key=lambda c: (c.index, c.persona_id))),
        )
        for name, group in groups
    )


def _history(account: _Account) -> tuple[RecentComm, ...]:
    ordered = sorted(account.history, key=lambda e: (e[1].timestamp, e[0]), reverse=True)
    return tuple(record for _, record in ordered)
