"""In-memory model of a Cisco Unified CME router, as seen through the CME XML API.

The model keeps what the XML API methods read and write: ephones (phones), ephone-dns
(extensions), CME users, the device and extension event tables and the few
``telephony-service`` settings reported by ``ISgetGlobal``, and the entities the 12.x
methods read: SIP phones (``voice register pool`` / ``dn``), voice hunt groups, ephone and
ephone-dn templates, Extension Mobility user profiles and ``directory entry`` lines.
:meth:`CmeRouter.exec_cli` applies IOS telephony configuration lines the way the router
does for ``ISexecCLI``: in order, stopping at the first line it cannot apply and answering
that line's 1-based number and the router's error text.  Phone registration is simulated with
:meth:`CmeRouter.register` / :meth:`CmeRouter.unregister`, which log events like the router.

One :class:`CmeRouter` may be shared by the worker threads of an HTTP server: every public
method takes the router's lock, and queries return copies.  Times are whole seconds since
"boot" (the router's creation), read from an injectable monotonic clock.  Like the router,
each event table keeps at most ``log table max-size`` entries (default 150, oldest dropped)
and drops entries older than ``log table retain-timer`` minutes (default 15).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "DEFAULT_HUNT_TIMEOUT",
    "DEFAULT_LOG_MAX_SIZE",
    "DEFAULT_RETAIN_TIMER",
    "DN_DOWN",
    "DN_UP",
    "DUAL_LINE",
    "INCOMPLETE_COMMAND",
    "INVALID_INPUT",
    "OCTO_LINE",
    "PHONE_TYPES",
    "PLATFORM_MAX_DN",
    "PLATFORM_MAX_EPHONES",
    "REGISTERED",
    "SINGLE_LINE",
    "UNREGISTERED",
    "URL_DIRECTORIES",
    "URL_INFORMATION",
    "URL_MESSAGES",
    "URL_SERVICES",
    "ButtonLayout",
    "ButtonMapping",
    "CmeRouter",
    "CmeUser",
    "DeviceEvent",
    "DirectoryEntry",
    "Ephone",
    "EphoneDn",
    "EphoneDnTemplate",
    "EphoneTemplate",
    "ExtensionEvent",
    "GlobalInfo",
    "HoldAlert",
    "PoolLine",
    "ProfileNumber",
    "SpeedDial",
    "UserProfile",
    "UserType",
    "VoiceHuntGroup",
    "VoiceRegisterDn",
    "VoiceRegisterPool",
]

REGISTERED: Final = "registered"
"""Ephone status of a registered phone."""
UNREGISTERED: Final = "unregistered"
"""Ephone status of a phone that is not registered."""
DN_UP: Final = "up"
"""Ephone-dn status when the dn is on a button of at least one registered phone."""
DN_DOWN: Final = "down"
"""Ephone-dn status otherwise."""

SINGLE_LINE: Final = "SINGLE_LINE"
"""Line mode of a plain ``ephone-dn N``."""
DUAL_LINE: Final = "DUAL_LINE"
"""Line mode of ``ephone-dn N dual-line``."""
OCTO_LINE: Final = "OCTO_LINE"
"""Line mode of ``ephone-dn N octo-line``."""

URL_DIRECTORIES: Final = "EPHONE_URL_DIRECTOREIES"
"""URL type of ``url directories`` (spelled as the router and the 2008 guide print it)."""
URL_SERVICES: Final = "EPHONE_URL_SERVICES"
"""URL type of ``url services``."""
URL_INFORMATION: Final = "EPHONE_URL_INFORMATION"
"""URL type of ``url information``."""
URL_MESSAGES: Final = "EPHONE_URL_MESSAGES"
"""URL type of ``url messages``."""

INVALID_INPUT: Final = "% Invalid input detected at '^' marker."
"""Error text of a line the IOS parser does not accept."""
INCOMPLETE_COMMAND: Final = "% Incomplete command."
"""Error text of a known command given without its required arguments."""

PLATFORM_MAX_EPHONES: Final = 240
"""Highest value ``max-ephones`` accepts on the emulated platform."""
PLATFORM_MAX_DN: Final = 720
"""Highest value ``max-dn`` accepts on the emulated platform."""
DEFAULT_LOG_MAX_SIZE: Final = 150
"""Default ``log table max-size`` (entries kept per event table)."""
DEFAULT_RETAIN_TIMER: Final = 15
"""Default ``log table retain-timer`` in minutes."""

_DEFAULT_PORT: Final = 2000
_DEFAULT_KEEPALIVE: Final = 30
_DEFAULT_MAX_CONFERENCES: Final = 8
_DEFAULT_MAX_REDIRECT: Final = 5
_MAX_BUTTONS: Final = 48
_NO_ADDRESS: Final = "0.0.0.0"


class UserType(IntEnum):
    """CME user types reported by ``ISgetUser``."""

    INVALID_CME_USER = 0
    EPHONE_USER = 1
    LOGOUT_PROFILE_USER = 2
    USER_PROFILE_USER = 3


# fmt: off
_PHONE_TYPE_NAMES: Final = (
    "6901", "6911", "6921", "6941", "6945", "6961", "7821", "7841", "7861", "7902", "7905", "7906",
    "7910", "7911", "7912", "7915", "7916", "7920", "7921", "7925", "7926", "7931", "7935", "7936",
    "7937", "7940", "7941", "7941GE", "7942", "7945", "7960", "7961", "7961GE", "7962", "7965",
    "7970", "7971", "7975", "7985", "8811", "8831", "8841", "8845", "8851", "8861", "8865", "8941",
    "8945", "8961", "9951", "9971", "anl", "ata", "bri", "CIPC",
)
# fmt: on
PHONE_TYPES: Final[frozenset[str]] = frozenset(_PHONE_TYPE_NAMES)
"""Phone models accepted by the ephone ``type`` command (canonical spelling)."""
_PHONE_TYPE_BY_KEY: Final = {name.lower(): name for name in _PHONE_TYPE_NAMES}

_BUTTON_MODES: Final = {
    ":": "Normal",
    "s": "Silent",
    "b": "Beep",
    "f": "FeatureRing",
    "m": "Monitor",
    "o": "Overlay",
    "c": "CallWaitingOverlay",
    "x": "Rollover",
    "w": "Watch",
}
_BUTTON_SEPARATORS: Final = {mode: sep for sep, mode in _BUTTON_MODES.items()}
_BUTTON_RE: Final = re.compile(r"^(\d{1,3})([:sbfmocxw])(\d{1,4})$", re.IGNORECASE)
_MAC_DOTTED_RE: Final = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$", re.IGNORECASE)
_MAC_PLAIN_RE: Final = re.compile(r"^[0-9a-f]{12}$", re.IGNORECASE)
_NUMBER_RE: Final = re.compile(r"^\+?[0-9]{1,32}$")
_SECONDARY_RE: Final = re.compile(r"^\+?[0-9.]{1,32}$")
_DIAL_RE: Final = re.compile(r"^\+?[0-9*#]{1,32}$")

_URL_KEYWORDS: Final = {
    "directories": URL_DIRECTORIES,
    "services": URL_SERVICES,
    "information": URL_INFORMATION,
    "messages": URL_MESSAGES,
}

DEFAULT_HUNT_TIMEOUT: Final = 180
"""Seconds a voice hunt-group member rings before the next one (``timeout`` default)."""

_MAX_POOL_TAG: Final = 100
_MAX_REGISTER_DN_TAG: Final = 150
_MAX_POOL_LINE: Final = 114
_MAX_POOL_DN_ARG: Final = 288
_MAX_HUNT_TAG: Final = 100
_MAX_EPHONE_TEMPLATE: Final = 20
_MAX_DN_TEMPLATE: Final = 15
_MAX_DIRECTORY_TAG: Final = 250
_MAX_DIRECTORY_NAME: Final = 24
_MAX_SPEED_DIAL: Final = 33
_MAX_LABEL: Final = 30
_MAX_PROFILE_LINE_NUMBERS: Final = 25
_HUNT_LIST_SIZES: Final = (2, 32)
_HUNT_PEER_TAG_BASE: Final = 2147483647
_HUNT_TYPES: Final = ("longest-idle", "parallel", "peer", "sequential")
_HOPS_TYPES: Final = ("longest-idle", "peer")
_POOL_CODECS: Final = ("g711alaw", "g711ulaw", "g729r8")
_DTMF_RELAYS: Final = ("rtp-nte", "sip-kpml", "sip-notify")
_PROFILE_LINE_TYPES: Final = (
    "beep-ring",
    "cw-overlay",
    "feature-ring",
    "monitor-ring",
    "overlay",
    "silent-ring",
)
_OVERLAY_TYPES: Final = ("overlay", "cw-overlay")
_HOLD_ALERT_MODES: Final = ("idle", "originator", "shared", "shared-idle")
_BUTTON_LAYOUT_TYPES: Final = ("blf-speed-dial", "feature", "line", "speed-dial", "url")
_KEEP_CONFERENCE_OPTIONS: Final = ("drop-last", "endcall", "local-only")
# Soft keys each call state accepts, in the spelling the router prints.
_SOFTKEYS: Final[dict[str, tuple[str, ...]]] = {
    "alerting": ("Acct", "Callback", "Endcall"),
    "connected": (
        "Acct",
        "ConfList",
        "Confrn",
        "Endcall",
        "Flash",
        "HLog",
        "Hold",
        "Join",
        "LiveRcd",
        "Park",
        "RmLstC",
        "Select",
        "TrnsfVM",
        "Trnsfer",
        "iDivert",
    ),
    "hold": ("Join", "Newcall", "Resume", "Select"),
    "idle": (
        "Cfwdall",
        "ConfList",
        "Dnd",
        "Gpickup",
        "HLog",
        "Join",
        "Login",
        "Newcall",
        "Pickup",
        "Redial",
        "RmLstC",
    ),
    "remote-in-use": ("Barge", "CBarge", "Newcall"),
    "ringing": ("Answer", "Dnd", "HLog", "iDivert"),
    "seized": ("CallBack", "Cfwdall", "Endcall", "Gpickup", "HLog", "MeetMe", "Pickup", "Redial"),
}
_DIGITS_RE: Final = re.compile(r"^[0-9]{1,32}$")
_PIN_RE: Final = re.compile(r"^[0-9]{4,16}$")
_PROFILE_USER_RE: Final = re.compile(r"^[A-Za-z0-9._-]{1,15}$")
_HUNT_MEMBER_RE: Final = re.compile(r"^(\+?[0-9]{1,32}|\*)$")
_BUTTON_SET_RE: Final = re.compile(r"^\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*$")
# SIP phones cannot show these in a name or label; the directory refuses quotes.
_SIP_NAME_FORBIDDEN: Final = frozenset('"<>&%')
_DIRECTORY_NAME_FORBIDDEN: Final = frozenset("\"'\u2018\u2019\u201c\u201d")


# --------------------------------------------------------------------------- state types


@dataclass(frozen=True, slots=True)
class ButtonMapping:
    """One line button of an ephone: the ephone-dn it shows and its ring mode."""

    dn_tag: int
    mode: str = "Normal"


@dataclass(slots=True)
class Ephone:
    """An ``ephone`` (SCCP phone) and its simulated registration state."""

    tag: int
    mac: str | None = None
    """``SEP`` + 12 uppercase hex digits, or None before ``mac-address``."""
    type: str | None = None
    buttons: dict[int, ButtonMapping] = field(default_factory=dict)
    keyphone: bool = False
    status: str = UNREGISTERED
    last_status: str = UNREGISTERED
    change_time: int = 0
    keepalives: int = 0
    address: str = _NO_ADDRESS
    username: str | None = None
    template: int | None = None
    """Tag of the ``ephone-template`` applied to the phone."""


@dataclass(slots=True)
class EphoneDn:
    """An ``ephone-dn`` (extension)."""

    tag: int
    number: str | None = None
    secondary_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    line_mode: str = SINGLE_LINE
    call_forward_all: str | None = None
    status: str = DN_DOWN
    change_time: int = 0
    template: int | None = None
    """Tag of the ``ephone-dn-template`` applied to the dn."""


@dataclass(slots=True)
class CmeUser:
    """A CME user (``username`` under an ephone); ``tag`` is the owning object's tag."""

    user_id: str
    tag: int
    type: UserType
    password: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """An entry of the device event table (``ISgetDevEvts``)."""

    event_id: int
    tag: int
    """Ephone tag."""
    mac: str
    time: int
    """Seconds since boot."""
    status: str
    """``registered`` or ``unregistered``."""
    type: str = "Device"


@dataclass(frozen=True, slots=True)
class ExtensionEvent:
    """An entry of the extension event table (``ISgetExtEvts``)."""

    event_id: int
    tag: int
    """Ephone-dn tag."""
    number: str
    time: int
    """Seconds since boot."""
    status: str
    """Status change: ``Up`` or ``Down``."""


@dataclass(frozen=True, slots=True)
class GlobalInfo:
    """The fields of an ``ISgetGlobal`` answer."""

    address: str
    mode: str
    version: str
    registered: int
    peak_registered: int
    peak_registered_time: int
    keepalive_interval: int
    configured_devices: int
    configured_extensions: int
    service_engine: str
    host_name: str
    port: int
    max_conferences: int
    max_redirect: int
    max_ephones: int
    max_dn: int
    voicemail: str
    url_services: tuple[tuple[str, str], ...]
    """``(url type, link)`` pairs, e.g. ``(URL_DIRECTORIES, "http://...")``."""


@dataclass(frozen=True, slots=True)
class PoolLine:
    """One ``number LINE dn DN`` of a voice register pool."""

    line: int
    dn_tag: int
    number: str | None
    """The voice register dn's number when the pool was read."""


@dataclass(frozen=True, slots=True)
class VoiceRegisterPool:
    """A ``voice register pool`` (SIP phone) and its simulated registration state."""

    tag: int
    mac: str | None = None
    """``xxxx.xxxx.xxxx`` in uppercase, as ``ISgetSipDevice`` prints it."""
    description: str | None = None
    session_server: int | None = None
    lines: tuple[PoolLine, ...] = ()
    max_registrations: int | None = None
    dtmf_relay: tuple[str, ...] = ()
    """``rtp-nte``, ``sip-notify`` and/or ``sip-kpml``, in the order configured."""
    codec: str | None = None
    status: str = UNREGISTERED
    address: str = _NO_ADDRESS
    change_time: int = 0


@dataclass(frozen=True, slots=True)
class VoiceRegisterDn:
    """A ``voice register dn`` (SIP extension); ``pools`` have a line pointing at it."""

    tag: int
    number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    label: str | None = None
    session_servers: tuple[int, ...] = ()
    allow_watch: bool = False
    call_forward_all: str | None = None
    """``call-forward b2bua all`` target."""
    pools: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class VoiceHuntGroup:
    """A ``voice hunt-group``; ``numbers`` may hold ``*`` wildcard slots."""

    tag: int
    type: str
    """``longest-idle``, ``parallel``, ``peer`` or ``sequential``."""
    pilot: str | None = None
    secondary_pilot: str | None = None
    numbers: tuple[str, ...] = ()
    final: str | None = None
    timeout: int = DEFAULT_HUNT_TIMEOUT
    hops: int | None = None
    """None when not configured: the router then hops through the whole list."""

    @property
    def list_size(self) -> int:
        """``ISVoiceHuntGroupListSize``."""
        return len(self.numbers)

    @property
    def pilot_peer_tag(self) -> int:
        """Tag of the dial peer the router creates for the pilot, -1 without a pilot.

        The router numbers these dial peers down from 2147483647 (``show voice
        hunt-group``); the emulator derives them from the group tag.
        """
        if self.pilot is None:
            return -1
        return _HUNT_PEER_TAG_BASE - 2 * (self.tag - 1)

    @property
    def secondary_peer_tag(self) -> int:
        """Tag of the secondary pilot's dial peer, -1 without a secondary pilot."""
        if self.pilot is None or self.secondary_pilot is None:
            return -1
        return self.pilot_peer_tag - 1


@dataclass(frozen=True, slots=True)
class ButtonLayout:
    """One ``button-layout BUTTONS TYPE`` of an ephone template."""

    buttons: str
    """Button numbers as configured, e.g. ``1,9`` or ``4-5,7``."""
    type: str


@dataclass(frozen=True, slots=True)
class EphoneTemplate:
    """An ``ephone-template`` (device template); ``softkeys`` pairs call states and keys."""

    tag: int
    softkeys: tuple[tuple[str, tuple[str, ...]], ...] = ()
    conference_add_mode: str | None = None
    """``creator``, or None for the default (all parties may add)."""
    conference_drop_mode: str | None = None
    """``creator`` or ``local``, or None for the default (never)."""
    conference_admin: bool = False
    keep_conference: tuple[str, ...] | None = None
    """None when not configured; else the options (empty: the plain ``keep-conference``)."""
    transfer_park_blocked: bool = False
    transfer_pattern_blocked: bool = False
    mwi_line: int | None = None
    button_layout: tuple[ButtonLayout, ...] = ()
    privacy_button: bool = False


@dataclass(frozen=True, slots=True)
class HoldAlert:
    """``hold-alert TIMEOUT MODE [recurrence R] [ring-silent-dn]``."""

    timeout: int
    mode: str
    recurrence: int | None = None
    ring_silent_dn: bool = False


@dataclass(frozen=True, slots=True)
class EphoneDnTemplate:
    """An ``ephone-dn-template`` (extension template)."""

    tag: int
    call_forward_all: str | None = None
    call_forward_busy: str | None = None
    call_forward_noan: str | None = None
    call_forward_noan_timeout: int | None = None
    hold_alert: HoldAlert | None = None
    pickup_group: str | None = None
    allow_watch: bool = False
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileNumber:
    """A ``number`` line of a user profile; several numbers only for overlay types."""

    numbers: tuple[str, ...]
    type: str | None = None
    """None for a normal line, else ``beep-ring``, ``feature-ring``, ``overlay``..."""


@dataclass(frozen=True, slots=True)
class SpeedDial:
    """A ``speed-dial INDEX NUMBER [blf] [label "TEXT"]`` of a user profile."""

    index: int
    number: str
    label: str | None = None
    blf: bool = False


@dataclass(frozen=True, slots=True, repr=False)
class UserProfile:
    """A ``voice user-profile`` (Extension Mobility); its user is a USER_PROFILE_USER."""

    tag: int
    user_id: str | None = None
    password: str = ""
    pin: str | None = None
    privacy_button: bool = False
    max_idle_time: int | None = None
    """Minutes."""
    numbers: tuple[ProfileNumber, ...] = ()
    speed_dials: tuple[SpeedDial, ...] = ()

    def __repr__(self) -> str:
        # The password and PIN are credentials: a repr may end up in a log or a report.
        password = "'********'" if self.password else "''"
        pin = "'****'" if self.pin is not None else "None"
        return (
            f"UserProfile(tag={self.tag!r}, user_id={self.user_id!r}, password={password}, "
            f"pin={pin}, privacy_button={self.privacy_button!r}, "
            f"max_idle_time={self.max_idle_time!r}, numbers={self.numbers!r}, "
            f"speed_dials={self.speed_dials!r})"
        )


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """A ``directory entry`` of ``telephony-service``.

    ``first_name`` is the name's first word and ``last_name`` the rest, which is how the
    guide's ``ISgetUtilityDirectory`` answer splits ``first2 last 2``.
    """

    tag: int
    number: str
    name: str
    first_name: str
    last_name: str | None


# --------------------------------------------------------------------------- CLI helpers


class _CliError(Exception):
    """A line the router refuses; ``text`` is what it answers."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(slots=True)
class _Session:
    """Configuration mode of one ``ISexecCLI`` call."""

    mode: str = "global"
    tag: int = 0


@dataclass(slots=True)
class _PoolState:
    tag: int
    mac: str | None = None
    description: str | None = None
    session_server: int | None = None
    lines: dict[int, int] = field(default_factory=dict)
    """Line number -> voice register dn tag."""
    max_registrations: int | None = None
    dtmf_relay: tuple[str, ...] = ()
    codec: str | None = None
    status: str = UNREGISTERED
    address: str = _NO_ADDRESS
    change_time: int = 0


@dataclass(slots=True)
class _ProfileState:
    tag: int
    user_id: str | None = None
    """Key of the profile's CmeUser, which holds the password."""
    pin: str | None = field(default=None, repr=False)
    privacy_button: bool = False
    max_idle_time: int | None = None
    numbers: dict[str, ProfileNumber] = field(default_factory=dict)
    """Keyed by the line's first number."""
    speed_dials: dict[int, SpeedDial] = field(default_factory=dict)


_GLOBAL: Final = "global"
_TELEPHONY: Final = "telephony-service"
_EPHONE: Final = "ephone"
_EPHONE_DN: Final = "ephone-dn"
_EPHONE_TEMPLATE: Final = "ephone-template"
_DN_TEMPLATE: Final = "ephone-dn-template"
_POOL: Final = "voice register pool"
_REGISTER_DN: Final = "voice register dn"
_HUNT: Final = "voice hunt-group"
_PROFILE: Final = "voice user-profile"

_GLOBAL_KEYWORDS: Final = (
    "ephone",
    "ephone-dn",
    "ephone-template",
    "ephone-dn-template",
    "telephony-service",
    "voice",
    "hostname",
    "no",
)
_GLOBAL_NO_KEYWORDS: Final = (
    "ephone",
    "ephone-dn",
    "ephone-template",
    "ephone-dn-template",
    "voice",
    "hostname",
)
_EPHONE_NO_KEYWORDS: Final = (
    "mac-address",
    "type",
    "button",
    "username",
    "keyphone",
    "ephone-template",
)
_EPHONE_KEYWORDS: Final = (*_EPHONE_NO_KEYWORDS, "no")
_DN_NO_KEYWORDS: Final = ("number", "name", "call-forward", "ephone-dn-template")
_DN_KEYWORDS: Final = (*_DN_NO_KEYWORDS, "no")
_POOL_NO_KEYWORDS: Final = (
    "id",
    "number",
    "session-server",
    "dtmf-relay",
    "codec",
    "max",
    "description",
)
_POOL_KEYWORDS: Final = (*_POOL_NO_KEYWORDS, "no")
_REGISTER_DN_NO_KEYWORDS: Final = (
    "number",
    "name",
    "label",
    "session-server",
    "allow",
    "call-forward",
)
_REGISTER_DN_KEYWORDS: Final = (*_REGISTER_DN_NO_KEYWORDS, "no")
_HUNT_NO_KEYWORDS: Final = ("pilot", "list", "final", "timeout", "hops")
_HUNT_KEYWORDS: Final = (*_HUNT_NO_KEYWORDS, "no")
_EPHONE_TEMPLATE_NO_KEYWORDS: Final = (
    "softkeys",
    "conference",
    "keep-conference",
    "transfer-park",
    "transfer-pattern",
    "mwi-line",
    "button-layout",
    "privacy-button",
)
_EPHONE_TEMPLATE_KEYWORDS: Final = (*_EPHONE_TEMPLATE_NO_KEYWORDS, "no")
_DN_TEMPLATE_NO_KEYWORDS: Final = (
    "call-forward",
    "hold-alert",
    "pickup-group",
    "allow",
    "description",
)
_DN_TEMPLATE_KEYWORDS: Final = (*_DN_TEMPLATE_NO_KEYWORDS, "no")
# What ``no conference WHAT`` and ``no call-forward KIND`` reset; the keys are the choices.
_CONFERENCE_RESETS: Final[Mapping[str, _Changes]] = {
    "add-mode": {"conference_add_mode": None},
    "admin": {"conference_admin": False},
    "drop-mode": {"conference_drop_mode": None},
}
_FORWARD_RESETS: Final[Mapping[str, _Changes]] = {
    "all": {"call_forward_all": None},
    "busy": {"call_forward_busy": None},
    "noan": {"call_forward_noan": None, "call_forward_noan_timeout": None},
}
_PROFILE_NO_KEYWORDS: Final = (
    "user",
    "number",
    "speed-dial",
    "pin",
    "privacy-button",
    "max-idle-time",
)
_PROFILE_KEYWORDS: Final = (*_PROFILE_NO_KEYWORDS, "no")
_TELEPHONY_KEYWORDS: Final = (
    "max-ephones",
    "max-dn",
    "ip",
    "voicemail",
    "url",
    "log",
    "create",
    "keepalive",
    "max-conferences",
    "max-redirect",
    "directory",
    "no",
)
_TELEPHONY_NO_KEYWORDS: Final = (
    "ip",
    "voicemail",
    "url",
    "log",
    "keepalive",
    "max-conferences",
    "max-redirect",
    "directory",
)


def _keyword(token: str, choices: Iterable[str]) -> str | None:
    """Resolve a keyword as IOS does: exact or unique prefix, case-insensitive."""
    word = token.lower()
    options = tuple(choices)
    if word in options:
        return word
    hits = [choice for choice in options if choice.startswith(word)]
    if len(hits) > 1:
        raise _CliError(f'% Ambiguous command:  "{token}"')
    return hits[0] if hits else None


def _negated(args: list[str]) -> tuple[str, list[str]]:
    """The keyword a ``no`` line undoes, and its arguments (a bare ``no`` is incomplete)."""
    if not args:
        raise _CliError(INCOMPLETE_COMMAND)
    return args[0], args[1:]


def _require(args: Sequence[str], count: int) -> None:
    """Check that a command got exactly ``count`` arguments."""
    if len(args) < count:
        raise _CliError(INCOMPLETE_COMMAND)
    if len(args) > count:
        raise _CliError(INVALID_INPUT)


def _int(token: str, low: int, high: int) -> int:
    """Parse a decimal argument in ``low..high`` or fail like the IOS parser."""
    if not token.isdigit() or len(token) > 9:
        raise _CliError(INVALID_INPUT)
    value = int(token)
    if not low <= value <= high:
        raise _CliError(INVALID_INPUT)
    return value


def _match(pattern: re.Pattern[str], token: str) -> str:
    """Return ``token`` if it matches ``pattern``, else fail with invalid input."""
    if not pattern.match(token):
        raise _CliError(INVALID_INPUT)
    return token


def _parse_mac(token: str) -> str | None:
    """Normalize a MAC given as ``H.H.H``, 12 hex digits or ``SEP...`` to ``SEP`` + hex."""
    text = token.strip()
    if text[:3].upper() == "SEP":
        text = text[3:]
    if _MAC_DOTTED_RE.match(text):
        text = text.replace(".", "")
    elif not _MAC_PLAIN_RE.match(text):
        return None
    return "SEP" + text.upper()


def _dotted_mac(mac: str) -> str:
    """Render ``SEPxxxxxxxxxxxx`` as IOS's ``xxxx.xxxx.xxxx``."""
    hexdigits = mac[3:]
    return f"{hexdigits[0:4]}.{hexdigits[4:8]}.{hexdigits[8:12]}"


def _unquote(token: str) -> str:
    """Strip one pair of surrounding double quotes."""
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return token[1:-1]
    return token


def _choice(token: str, options: Sequence[str]) -> str:
    """Resolve a keyword argument (exact or unique prefix) or fail with invalid input."""
    found = _keyword(token, options)
    if found is None:
        raise _CliError(INVALID_INPUT)
    return found


def _leading(args: Sequence[str], options: Sequence[str]) -> str:
    """The keyword argument a command starts with; a line without it is incomplete."""
    if not args:
        raise _CliError(INCOMPLETE_COMMAND)
    return _choice(args[0], options)


def _apply_template(
    keyword: str, args: Sequence[str], templates: Mapping[int, object], high: int
) -> _Changes:
    """The ``template`` change of an ``ephone-template N`` or ``ephone-dn-template N`` line."""
    _require(args, 1)
    tag = _int(args[0], 1, high)
    if tag not in templates:
        raise _CliError(f" {keyword} {tag} is not configured")
    return {"template": tag}


def _maximum(keyword: str, args: Sequence[str], high: int, what: str, tags: Iterable[int]) -> int:
    """A ``max-ephones`` or ``max-dn`` value, which may not drop below a configured tag."""
    _require(args, 1)
    value = _int(args[0], 1, high)
    highest = max(tags, default=0)
    if value < highest:
        raise _CliError(f" {keyword} {value} is less than configured {what} {highest}")
    return value


def _comma_list(args: Sequence[str]) -> list[str]:
    """Split ``1,2`` or ``1, 2`` (spread over tokens) at the commas, as IOS reads lists."""
    if not args:
        raise _CliError(INCOMPLETE_COMMAND)
    items = "".join(args).split(",")
    if any(not item for item in items):
        raise _CliError(INVALID_INPUT)
    return items


def _quoted_text(tokens: Sequence[str], start: int) -> tuple[str, int]:
    """Read a word or a ``"quoted text"`` split over tokens; return it and the next index."""
    if start >= len(tokens):
        raise _CliError(INCOMPLETE_COMMAND)
    if not tokens[start].startswith('"'):
        return tokens[start], start + 1
    for end in range(start, len(tokens)):
        if tokens[end].endswith('"') and (end > start or len(tokens[end]) > 1):
            return " ".join(tokens[start : end + 1])[1:-1], end + 1
    raise _CliError(INVALID_INPUT)


def _sip_text(words: Sequence[str], limit: int | None = None) -> str:
    """Join a SIP name or label, refusing what SIP phones cannot display."""
    if not words:
        raise _CliError(INCOMPLETE_COMMAND)
    text = " ".join(words)
    if any(char in _SIP_NAME_FORBIDDEN for char in text):
        raise _CliError(INVALID_INPUT)
    if limit is not None and len(text) > limit:
        raise _CliError(INVALID_INPUT)
    return text


def _button_set(token: str) -> str:
    """Validate a ``button-layout`` button set such as ``1,9`` or ``4-5,7``."""
    if not _BUTTON_SET_RE.match(token):
        raise _CliError(INVALID_INPUT)
    for part in token.split(","):
        low, _, high = part.partition("-")
        if not 1 <= int(low) <= int(high or low) <= _MAX_BUTTONS:
            raise _CliError(INVALID_INPUT)
    return token


def _softkey(token: str, state: str) -> str:
    """A soft key name of ``state`` in the router's spelling."""
    spelling = {key.lower(): key for key in _SOFTKEYS[state]}
    return spelling[_choice(token, tuple(spelling))]


def _global_first(mode: str, tokens: Sequence[str]) -> bool:
    """Whether a sub-mode line is a global command spelled out in full.

    A full word wins over an abbreviation: ``ephone 2`` typed in ephone mode enters ephone 2
    rather than abbreviating that mode's ``ephone-template``.
    """
    grammar = _GRAMMARS[mode]
    keywords, no_keywords = grammar.keywords, grammar.no_keywords
    word = tokens[0].lower()
    if word == "no":
        second = tokens[1].lower() if len(tokens) > 1 else ""
        return second in _GLOBAL_NO_KEYWORDS and second not in no_keywords
    return word in _GLOBAL_KEYWORDS and word not in keywords


def _ordered_softkeys(
    softkeys: Mapping[str, tuple[str, ...]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Soft key sets in the router's order of call states."""
    return tuple((state, softkeys[state]) for state in _SOFTKEYS if state in softkeys)


def _owner(user: CmeUser) -> str:
    """What a CME user belongs to, as error texts name it."""
    if user.type == UserType.USER_PROFILE_USER:
        return f"voice user-profile {user.tag}"
    return f"ephone {user.tag}"


_V = TypeVar("_V", bound="DataclassInstance")


def _view(cls: type[_V], state: object, **computed: object) -> _V:
    """A ``cls`` snapshot of a mutable state record: the fields ``state`` shares with it,
    and ``computed`` for the others (the router's tables store ids where views hold data)."""
    shared = {f.name: getattr(state, f.name) for f in fields(cls) if f.name not in computed}
    return cls(**shared, **computed)


_Changes = Mapping[str, object]
"""Field name -> value: what one configuration line sets in the record of its mode."""
_DONE: Final[_Changes] = {}
"""The changes of a command that did its work itself (or has nothing to store)."""
_Parse = Callable[[list[str]], object]
"""Reads a setting's value from the arguments after its keyword."""
_S = TypeVar("_S")
_R = TypeVar("_R", bound="DataclassInstance")


def _one(parse: Callable[[str], object]) -> _Parse:
    """A setting of exactly one argument, read by ``parse``."""

    def read(args: list[str]) -> object:
        _require(args, 1)
        return parse(args[0])

    return read


def _int_arg(low: int, high: int) -> _Parse:
    return _one(lambda token: _int(token, low, high))


def _match_arg(pattern: re.Pattern[str]) -> _Parse:
    return _one(lambda token: _match(pattern, token))


def _flag(args: list[str]) -> bool:
    """A keyword standing alone turns its setting on."""
    _require(args, 0)
    return True


def _allow_watch(args: list[str]) -> bool:
    _require(args, 1)
    _choice(args[0], ("watch",))
    return True


def _words(args: list[str]) -> str:
    """Free text to the end of the line, such as a description."""
    if not args:
        raise _CliError(INCOMPLETE_COMMAND)
    return " ".join(args)


@dataclass(frozen=True, slots=True)
class _Grammar(Generic[_S]):
    """The commands of one configuration mode, which edit records of type ``_S``.

    ``settings`` (keyword -> field and reader) and ``resets`` (keyword of a ``no`` line ->
    the fields' defaults) cover the commands that only store a value; ``command`` and
    ``undo`` answer the others with their changes, or None for a keyword they do not know.
    """

    keywords: tuple[str, ...]
    no_keywords: tuple[str, ...]
    settings: Mapping[str, tuple[str, _Parse]]
    resets: Mapping[str, _Changes]
    command: Callable[[CmeRouter, _S, str, list[str]], _Changes | None]
    undo: Callable[[CmeRouter, _S, str, list[str]], _Changes | None] | None = None


def _config_lines(*settings: tuple[str, object]) -> list[str]:
    """The `` KEYWORD VALUE`` lines of the settings that are set, in order.

    None and False are unset; True is a keyword that stands alone.
    """
    return [
        f" {keyword}" if value is True else f" {keyword} {value}"
        for keyword, value in settings
        if value is not None and value is not False
    ]


def _render_dn_template(template: EphoneDnTemplate) -> list[str]:
    lines = _config_lines(
        ("call-forward all", template.call_forward_all),
        ("call-forward busy", template.call_forward_busy),
    )
    if template.call_forward_noan is not None:
        timeout = template.call_forward_noan_timeout
        lines.append(f" call-forward noan {template.call_forward_noan} timeout {timeout}")
    alert = template.hold_alert
    if alert is not None:
        recurrence = f" recurrence {alert.recurrence}" if alert.recurrence is not None else ""
        silent = " ring-silent-dn" if alert.ring_silent_dn else ""
        lines.append(f" hold-alert {alert.timeout} {alert.mode}{recurrence}{silent}")
    lines += _config_lines(
        ("pickup-group", template.pickup_group),
        ("allow watch", template.allow_watch),
        ("description", template.description),
    )
    return lines


def _render_ephone_template(template: EphoneTemplate) -> list[str]:
    lines = [f" softkeys {state} {' '.join(keys)}" for state, keys in template.softkeys]
    kept = template.keep_conference
    lines += _config_lines(
        ("conference add-mode", template.conference_add_mode),
        ("conference drop-mode", template.conference_drop_mode),
        ("conference admin", template.conference_admin),
        ("keep-conference", None if kept is None else " ".join(kept) or True),
        ("transfer-park blocked", template.transfer_park_blocked),
        ("transfer-pattern blocked", template.transfer_pattern_blocked),
        ("mwi-line", template.mwi_line),
    )
    lines.extend(f" button-layout {item.buttons} {item.type}" for item in template.button_layout)
    lines += _config_lines(("privacy-button", template.privacy_button))
    return lines


def _render_hunt_group(group: VoiceHuntGroup) -> list[str]:
    lines = [f"voice hunt-group {group.tag} {group.type}"]
    if group.pilot is not None:
        secondary = f" secondary {group.secondary_pilot}" if group.secondary_pilot else ""
        lines.append(f" pilot {group.pilot}{secondary}")
    lines += _config_lines(
        ("list", ",".join(group.numbers) or None),
        ("final", group.final),
        ("hops", group.hops),
    )
    if group.timeout != DEFAULT_HUNT_TIMEOUT:
        lines.append(f" timeout {group.timeout}")
    return lines


# --------------------------------------------------------------------------- the router


class CmeRouter:
    """A simulated CME router shared by the emulator's request handlers.

    Args:
        clock: Monotonic clock in seconds (default :func:`time.monotonic`); the router's
            creation is "boot", time 0.
        xml_users: XML API users, ``{name: (password, privilege)}`` as configured by
            ``xml user NAME password PW PRIV``.
        host_name: The router's host name (``ISName``); ``hostname`` changes it.
        version: CME version reported by ``ISgetGlobal``.
        max_ephones: Initial ``max-ephones``.
        max_dn: Initial ``max-dn``.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        xml_users: Mapping[str, tuple[str, int]] | None = None,
        host_name: str = "Router",
        version: str = "7.0",
        max_ephones: int = 48,
        max_dn: int = 144,
    ) -> None:
        self._lock = threading.Lock()
        self._clock: Callable[[], float] = clock if clock is not None else time.monotonic
        self._boot = self._clock()
        self._xml_users: dict[str, tuple[str, int]] = dict(xml_users or {})
        self._host_name = host_name
        self._version = version
        self._max_ephones = max_ephones
        self._max_dn = max_dn
        self._source_address: str | None = None
        self._port = _DEFAULT_PORT
        self._keepalive = _DEFAULT_KEEPALIVE
        self._max_conferences = _DEFAULT_MAX_CONFERENCES
        self._max_redirect = _DEFAULT_MAX_REDIRECT
        self._voicemail: str | None = None
        self._urls: dict[str, str] = {}
        self._log_max_size = DEFAULT_LOG_MAX_SIZE
        self._retain_timer = DEFAULT_RETAIN_TIMER
        self._ephones: dict[int, Ephone] = {}
        self._dns: dict[int, EphoneDn] = {}
        self._users: dict[str, CmeUser] = {}
        self._pools: dict[int, _PoolState] = {}
        # ``pools`` stays empty here: the views derive it from the pools' lines.
        self._register_dns: dict[int, VoiceRegisterDn] = {}
        self._hunt_groups: dict[int, VoiceHuntGroup] = {}
        self._ephone_templates: dict[int, EphoneTemplate] = {}
        self._dn_templates: dict[int, EphoneDnTemplate] = {}
        self._profiles: dict[int, _ProfileState] = {}
        self._directory: dict[int, DirectoryEntry] = {}
        self._dev_events: deque[DeviceEvent] = deque()
        self._ext_events: deque[ExtensionEvent] = deque()
        self._next_dev_event = 1
        self._next_ext_event = 1
        self._peak_registered = 0
        self._peak_registered_time = 0
        self._startup_config: list[str] = []
        self.terminal_sessions: int = 0
        """Open terminal sessions; while > 0, :meth:`save_config` answers ``delay``."""
        self.nvram_full: bool = False
        """When set, :meth:`save_config` answers ``fail``."""

    def __repr__(self) -> str:
        with self._lock:
            return (
                f"CmeRouter(host_name={self._host_name!r}, ephones={len(self._ephones)}, "
                f"dns={len(self._dns)}, users={len(self._users)})"
            )

    # ------------------------------------------------------------------ clock and events

    def _now(self) -> int:
        return max(0, int(self._clock() - self._boot))

    def _trim_events(self) -> None:
        oldest = self._now() - self._retain_timer * 60
        for table in (self._dev_events, self._ext_events):
            while len(table) > self._log_max_size:
                table.popleft()
            while table and table[0].time < oldest:
                table.popleft()

    def _log_device(self, ephone: Ephone) -> None:
        event = DeviceEvent(
            event_id=self._next_dev_event,
            tag=ephone.tag,
            mac=ephone.mac or "",
            time=self._now(),
            status=ephone.status,
        )
        self._next_dev_event += 1
        self._dev_events.append(event)
        self._trim_events()

    def _log_extension(self, dn: EphoneDn) -> None:
        event = ExtensionEvent(
            event_id=self._next_ext_event,
            tag=dn.tag,
            number=dn.number or "",
            time=self._now(),
            status="Up" if dn.status == DN_UP else "Down",
        )
        self._next_ext_event += 1
        self._ext_events.append(event)
        self._trim_events()

    def _set_status(self, ephone: Ephone, status: str) -> None:
        """Change an ephone's registration status, logging it and updating the peak."""
        if ephone.status == status:
            return
        ephone.last_status = ephone.status
        ephone.status = status
        ephone.change_time = self._now()
        ephone.keepalives = 0
        self._log_device(ephone)
        registered = self._registered_count()
        if registered > self._peak_registered:
            self._peak_registered = registered
            self._peak_registered_time = ephone.change_time

    def _registered_count(self) -> int:
        return sum(1 for ephone in self._ephones.values() if ephone.status == REGISTERED)

    def _refresh_dn_status(self) -> None:
        """Recompute each dn's up/down status from the registered phones' buttons."""
        up = {
            button.dn_tag
            for ephone in self._ephones.values()
            if ephone.status == REGISTERED
            for button in ephone.buttons.values()
        }
        for tag in sorted(self._dns):
            dn = self._dns[tag]
            status = DN_UP if tag in up else DN_DOWN
            if status != dn.status:
                dn.status = status
                dn.change_time = self._now()
                self._log_extension(dn)

    # ------------------------------------------------------------------ ISexecCLI

    def exec_cli(self, lines: Sequence[str]) -> tuple[int, str]:
        """Apply IOS configuration lines in order, as ``ISexecCLI`` does.

        Returns ``(0, "")`` when every line was applied, else the 1-based number of the
        first line that failed and the router's error text; the lines before it stay
        applied and the lines after it are not tried.  Each call starts in global
        configuration mode.
        """
        if isinstance(lines, str):
            raise TypeError("exec_cli takes a sequence of lines, not a string")
        with self._lock:
            return self._exec(lines)

    def _exec(self, lines: Sequence[str]) -> tuple[int, str]:
        session = _Session()
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line or line.startswith("!"):
                continue
            try:
                self._apply(session, line.split())
            except _CliError as error:
                return number, error.text
            self._refresh_dn_status()
        return 0, ""

    def _apply(self, session: _Session, tokens: list[str]) -> None:
        word = tokens[0].lower()
        if word in ("exit", "end"):
            _require(tokens[1:], 0)
            session.mode, session.tag = _GLOBAL, 0
            return
        handled = False
        if session.mode != _GLOBAL and not _global_first(session.mode, tokens):
            handled = self._mode_command(session, tokens)
        # A command unknown in a sub-mode is tried in global mode, as IOS does.
        if not handled and not self._global_command(session, tokens):
            raise _CliError(INVALID_INPUT)

    def _mode_command(self, session: _Session, tokens: list[str]) -> bool:
        mode, tag = session.mode, session.tag
        if mode == _TELEPHONY:
            return self._update(_TELEPHONY_GRAMMAR, self, tokens)
        if mode == _EPHONE:
            return self._update(_EPHONE_GRAMMAR, self._ephones[tag], tokens)
        if mode == _EPHONE_DN:
            return self._update(_DN_GRAMMAR, self._dns[tag], tokens)
        if mode == _POOL:
            return self._update(_POOL_GRAMMAR, self._pools[tag], tokens)
        if mode == _PROFILE:
            return self._update(_PROFILE_GRAMMAR, self._profiles[tag], tokens)
        # The records of these modes are frozen: the router stores the changed copy.
        if mode == _REGISTER_DN:
            return self._replace(_REGISTER_DN_GRAMMAR, self._register_dns, tag, tokens)
        if mode == _HUNT:
            return self._replace(_HUNT_GRAMMAR, self._hunt_groups, tag, tokens)
        if mode == _EPHONE_TEMPLATE:
            return self._replace(_EPHONE_TEMPLATE_GRAMMAR, self._ephone_templates, tag, tokens)
        return self._replace(_DN_TEMPLATE_GRAMMAR, self._dn_templates, tag, tokens)

    def _changes(self, grammar: _Grammar[_S], record: _S, tokens: list[str]) -> _Changes | None:
        """What a sub-mode line changes in ``record``; None if the mode has no such command."""
        keyword = _keyword(tokens[0], grammar.keywords)
        args = tokens[1:]
        if keyword == "no":
            token, args = _negated(args)
            keyword = _keyword(token, grammar.no_keywords)
            if keyword is None:
                return None
            reset = grammar.resets.get(keyword)
            if reset is not None or grammar.undo is None:
                return reset
            return grammar.undo(self, record, keyword, args)
        if keyword is None:
            return None
        setting = grammar.settings.get(keyword)
        if setting is not None:
            name, read = setting
            return {name: read(args)}
        return grammar.command(self, record, keyword, args)

    def _update(self, grammar: _Grammar[_S], record: _S, tokens: list[str]) -> bool:
        changes = self._changes(grammar, record, tokens)
        if changes is None:
            return False
        for name, value in changes.items():
            setattr(record, name, value)
        return True

    def _replace(
        self, grammar: _Grammar[_R], records: dict[int, _R], tag: int, tokens: list[str]
    ) -> bool:
        changes = self._changes(grammar, records[tag], tokens)
        if changes is None:
            return False
        records[tag] = replace(records[tag], **changes)
        return True

    # ------------------------------------------------------------------ global mode

    def _global_command(self, session: _Session, tokens: list[str]) -> bool:
        keyword = _keyword(tokens[0], _GLOBAL_KEYWORDS)
        args = tokens[1:]
        if keyword == "ephone":
            tag = self._ephone_tag(args)
            if tag not in self._ephones:
                self._ephones[tag] = Ephone(tag=tag, change_time=self._now())
            session.mode, session.tag = _EPHONE, tag
        elif keyword == "ephone-dn":
            tag = self._dn_open(args)
            session.mode, session.tag = _EPHONE_DN, tag
        elif keyword == "ephone-template":
            tag = self._template_open(args, _MAX_EPHONE_TEMPLATE)
            self._ephone_templates.setdefault(tag, EphoneTemplate(tag=tag))
            session.mode, session.tag = _EPHONE_TEMPLATE, tag
        elif keyword == "ephone-dn-template":
            tag = self._template_open(args, _MAX_DN_TEMPLATE)
            self._dn_templates.setdefault(tag, EphoneDnTemplate(tag=tag))
            session.mode, session.tag = _DN_TEMPLATE, tag
        elif keyword == "voice":
            session.mode, session.tag = self._voice_open(args)
        elif keyword == "telephony-service":
            _require(args, 0)
            session.mode, session.tag = _TELEPHONY, 0
        elif keyword == "hostname":
            _require(args, 1)
            self._host_name = args[0]
            session.mode, session.tag = _GLOBAL, 0
        elif keyword == "no":
            if not self._global_no(*_negated(args)):
                return False
            session.mode, session.tag = _GLOBAL, 0
        else:
            return False
        return True

    def _global_no(self, token: str, args: list[str]) -> bool:
        keyword = _keyword(token, _GLOBAL_NO_KEYWORDS)
        if keyword == "ephone":
            _require(args, 1)
            self._remove_ephone(_int(args[0], 1, PLATFORM_MAX_EPHONES))
        elif keyword == "ephone-dn":
            _require(args, 1)
            self._remove_dn(_int(args[0], 1, PLATFORM_MAX_DN))
        elif keyword == "ephone-template":
            _require(args, 1)
            self._remove_ephone_template(_int(args[0], 1, _MAX_EPHONE_TEMPLATE))
        elif keyword == "ephone-dn-template":
            _require(args, 1)
            self._remove_dn_template(_int(args[0], 1, _MAX_DN_TEMPLATE))
        elif keyword == "voice":
            self._voice_remove(args)
        elif keyword == "hostname":
            _require(args, 0)
            self._host_name = "Router"
        else:
            return False
        return True

    def _ephone_tag(self, args: list[str]) -> int:
        _require(args, 1)
        tag = _int(args[0], 1, PLATFORM_MAX_EPHONES)
        if tag > self._max_ephones:
            raise _CliError(f" ephone tag {tag} exceeds max-ephones {self._max_ephones}")
        return tag

    def _dn_open(self, args: list[str]) -> int:
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        if len(args) > 2:
            raise _CliError(INVALID_INPUT)
        tag = _int(args[0], 1, PLATFORM_MAX_DN)
        mode: str | None = None
        if len(args) == 2:
            option = _keyword(args[1], ("dual-line", "octo-line"))
            if option is None:
                raise _CliError(INVALID_INPUT)
            mode = DUAL_LINE if option == "dual-line" else OCTO_LINE
        if tag > self._max_dn:
            raise _CliError(f" ephone-dn tag {tag} exceeds max-dn {self._max_dn}")
        existing = self._dns.get(tag)
        if existing is None:
            self._dns[tag] = EphoneDn(
                tag=tag, line_mode=mode or SINGLE_LINE, change_time=self._now()
            )
        elif mode is not None and mode != existing.line_mode:
            raise _CliError(f" ephone-dn {tag} is already configured as {existing.line_mode}")
        return tag

    def _remove_ephone(self, tag: int) -> None:
        ephone = self._ephones.get(tag)
        if ephone is None:
            return
        if ephone.status == REGISTERED:
            self._set_status(ephone, UNREGISTERED)
        if ephone.username is not None:
            self._users.pop(ephone.username, None)
        del self._ephones[tag]

    def _remove_dn(self, tag: int) -> None:
        if self._dns.pop(tag, None) is None:
            return
        # IOS asks for confirmation on the console; the XML API just applies it.
        for ephone in self._ephones.values():
            for index in [i for i, b in ephone.buttons.items() if b.dn_tag == tag]:
                del ephone.buttons[index]

    # ------------------------------------------------------------------ ephone mode

    def _ephone_command(self, ephone: Ephone, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "mac-address":
            _require(args, 1)
            self._set_mac(ephone, args[0])
            return _DONE
        if keyword == "type":
            _require(args, 1)
            model = _PHONE_TYPE_BY_KEY.get(args[0].lower())
            if model is None:
                raise _CliError(INVALID_INPUT)
            return {"type": model}
        if keyword == "button":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            return {"buttons": self._parse_buttons(args)}
        if keyword == "username":
            self._set_username(ephone, args)
            return _DONE
        if keyword == "ephone-template":
            return _apply_template(keyword, args, self._ephone_templates, _MAX_EPHONE_TEMPLATE)
        return None

    def _ephone_no(self, ephone: Ephone, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "mac-address":
            _require(args, 0)
            if ephone.status == REGISTERED:
                self._set_status(ephone, UNREGISTERED)
            return {"mac": None}
        if keyword == "type":
            _require(args, 0)
            return {"type": None}
        if keyword == "button":
            return {"buttons": {}}
        if keyword == "username":
            if ephone.username is not None:
                self._users.pop(ephone.username, None)
            return {"username": None}
        if keyword == "keyphone":
            _require(args, 0)
            return {"keyphone": False}
        return None

    def _set_mac(self, ephone: Ephone, token: str) -> None:
        if token[:3].upper() == "SEP":
            raise _CliError(INVALID_INPUT)
        mac = _parse_mac(token)
        if mac is None:
            raise _CliError(INVALID_INPUT)
        for other in self._ephones.values():
            if other.tag != ephone.tag and other.mac == mac:
                raise _CliError(
                    f" mac-address {_dotted_mac(mac)} already used by ephone {other.tag}"
                )
        if ephone.mac != mac and ephone.status == REGISTERED:
            # The phone with the old MAC is reset and drops its registration.
            self._set_status(ephone, UNREGISTERED)
        ephone.mac = mac

    def _parse_buttons(self, args: list[str]) -> dict[int, ButtonMapping]:
        buttons: dict[int, ButtonMapping] = {}
        for token in args:
            found = _BUTTON_RE.match(token)
            if found is None:
                raise _CliError(INVALID_INPUT)
            index = int(found.group(1))
            dn_tag = int(found.group(3))
            if not 1 <= index <= _MAX_BUTTONS:
                raise _CliError(INVALID_INPUT)
            if index in buttons:
                raise _CliError(f" duplicate button {index}")
            if dn_tag not in self._dns:
                raise _CliError(f" invalid input dn parameter for button {index}")
            mode = _BUTTON_MODES[found.group(2).lower()]
            buttons[index] = ButtonMapping(dn_tag=dn_tag, mode=mode)
        return dict(sorted(buttons.items()))

    def _set_username(self, ephone: Ephone, args: list[str]) -> None:
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        name = _unquote(args[0])
        password = ""
        if len(args) > 1:
            if _keyword(args[1], ("password",)) != "password":
                raise _CliError(INVALID_INPUT)
            _require(args[2:], 1)
            password = args[2]
        if not name:
            raise _CliError(INVALID_INPUT)
        owner = self._users.get(name)
        if owner is not None and (owner.type != UserType.EPHONE_USER or owner.tag != ephone.tag):
            raise _CliError(f" username {name} already used by {_owner(owner)}")
        if ephone.username is not None and ephone.username != name:
            self._users.pop(ephone.username, None)
        self._users[name] = CmeUser(
            user_id=name, tag=ephone.tag, type=UserType.EPHONE_USER, password=password
        )
        ephone.username = name

    # ------------------------------------------------------------------ ephone-dn mode

    def _dn_command(self, dn: EphoneDn, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "number":
            self._set_number(dn, args)
            return _DONE
        if keyword == "name":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            return {"first_name": args[0], "last_name": " ".join(args[1:]) or None}
        if keyword == "call-forward":
            _leading(args, ("all",))
            _require(args[1:], 1)
            return {"call_forward_all": _match(_DIAL_RE, args[1])}
        if keyword == "ephone-dn-template":
            return _apply_template(keyword, args, self._dn_templates, _MAX_DN_TEMPLATE)
        return None

    def _dn_no(self, dn: EphoneDn, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "call-forward":
            if not args or _keyword(args[0], ("all",)) != "all":
                raise _CliError(INVALID_INPUT)
            return {"call_forward_all": None}
        return None

    def _set_number(self, dn: EphoneDn, args: list[str]) -> None:
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        number = _match(_NUMBER_RE, args[0])
        secondary: str | None = None
        if len(args) > 1:
            if _keyword(args[1], ("secondary",)) != "secondary":
                raise _CliError(INVALID_INPUT)
            _require(args[2:], 1)
            secondary = _match(_SECONDARY_RE, args[2])
        for other in self._dns.values():
            if other.tag != dn.tag and other.number == number:
                raise _CliError(f" number {number} already used by ephone-dn {other.tag}")
        dn.number = number
        dn.secondary_number = secondary

    # ------------------------------------------------------------------ telephony-service

    def _telephony_command(self, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "max-ephones":
            value = _maximum(keyword, args, PLATFORM_MAX_EPHONES, "ephone", self._ephones)
            # User-profile tags range up to three times max-ephones.
            profile = max(self._profiles, default=0)
            if 3 * value < profile:
                raise _CliError(f" max-ephones {value} is too low for voice user-profile {profile}")
            return {"_max_ephones": value}
        if keyword == "max-dn":
            return {"_max_dn": _maximum(keyword, args, PLATFORM_MAX_DN, "ephone-dn", self._dns)}
        if keyword == "ip":
            self._set_source_address(args)
        elif keyword == "url":
            _require(args, 2)
            url_type = self._url_type(args[0])
            self._urls[url_type] = args[1]
        elif keyword == "log":
            self._set_log_table(args)
        elif keyword == "create":
            _require(args, 1)
            if _keyword(args[0], ("cnf-files",)) != "cnf-files":
                raise _CliError(INVALID_INPUT)
        elif keyword == "directory":
            self._set_directory(args)
        else:
            return None
        return _DONE

    def _telephony_no(self, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "ip":
            if not args or _keyword(args[0], ("source-address",)) != "source-address":
                raise _CliError(INVALID_INPUT)
            return {"_source_address": None, "_port": _DEFAULT_PORT}
        if keyword == "url":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            self._urls.pop(self._url_type(args[0]), None)
            return _DONE
        if keyword == "log":
            if len(args) < 2 or _keyword(args[0], ("table",)) != "table":
                raise _CliError(INCOMPLETE_COMMAND if len(args) < 2 else INVALID_INPUT)
            option = _keyword(args[1], ("max-size", "retain-timer"))
            if option == "max-size":
                return {"_log_max_size": DEFAULT_LOG_MAX_SIZE}
            if option == "retain-timer":
                return {"_retain_timer": DEFAULT_RETAIN_TIMER}
            raise _CliError(INVALID_INPUT)
        if keyword == "directory":
            self._unset_directory(args)
            return _DONE
        return None

    def _set_source_address(self, args: list[str]) -> None:
        _leading(args, ("source-address",))
        if len(args) < 2:
            raise _CliError(INCOMPLETE_COMMAND)
        try:
            address = str(ipaddress.IPv4Address(args[1]))
        except ValueError:
            raise _CliError(INVALID_INPUT) from None
        port = _DEFAULT_PORT
        if len(args) > 2:
            if _keyword(args[2], ("port",)) != "port":
                raise _CliError(INVALID_INPUT)
            _require(args[3:], 1)
            port = _int(args[3], 2000, 9999)
        self._source_address = address
        self._port = port

    def _url_type(self, token: str) -> str:
        keyword = _keyword(token, _URL_KEYWORDS)
        if keyword is None:
            raise _CliError(INVALID_INPUT)
        return _URL_KEYWORDS[keyword]

    def _set_log_table(self, args: list[str]) -> None:
        _leading(args, ("table",))
        if len(args) < 2:
            raise _CliError(INCOMPLETE_COMMAND)
        option = _keyword(args[1], ("max-size", "retain-timer"))
        if option is None:
            raise _CliError(INVALID_INPUT)
        _require(args[2:], 1)
        if option == "max-size":
            self._log_max_size = _int(args[2], 0, 1000)
        else:
            self._retain_timer = _int(args[2], 2, 500)
        self._trim_events()

    # ------------------------------------------------------------------ voice modes (global)

    def _max_profile_tag(self) -> int:
        return 3 * self._max_ephones

    @staticmethod
    def _voice_kind(args: list[str]) -> tuple[str, list[str]]:
        """Which ``voice ...`` mode a line names, and the arguments after its keywords."""
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        kind = _keyword(args[0], ("register", "hunt-group", "user-profile"))
        if kind == "register":
            if len(args) < 2:
                raise _CliError(INCOMPLETE_COMMAND)
            what = _choice(args[1], ("pool", "dn"))
            return (_POOL if what == "pool" else _REGISTER_DN), args[2:]
        if kind == "hunt-group":
            return _HUNT, args[1:]
        if kind == "user-profile":
            return _PROFILE, args[1:]
        raise _CliError(INVALID_INPUT)

    def _voice_open(self, args: list[str]) -> tuple[str, int]:
        kind, rest = self._voice_kind(args)
        if kind == _HUNT:
            return kind, self._hunt_open(rest)
        _require(rest, 1)
        if kind == _POOL:
            tag = _int(rest[0], 1, _MAX_POOL_TAG)
            if tag not in self._pools:
                self._pools[tag] = _PoolState(tag=tag, change_time=self._now())
        elif kind == _REGISTER_DN:
            tag = _int(rest[0], 1, _MAX_REGISTER_DN_TAG)
            self._register_dns.setdefault(tag, VoiceRegisterDn(tag=tag))
        else:
            tag = _int(rest[0], 1, self._max_profile_tag())
            self._profiles.setdefault(tag, _ProfileState(tag=tag))
        return kind, tag

    def _hunt_open(self, args: list[str]) -> int:
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        if len(args) > 2:
            raise _CliError(INVALID_INPUT)
        tag = _int(args[0], 1, _MAX_HUNT_TAG)
        kind = _choice(args[1], _HUNT_TYPES) if len(args) == 2 else None
        existing = self._hunt_groups.get(tag)
        if existing is None:
            # A new group needs its type; an existing one is entered without it.
            if kind is None:
                raise _CliError(INCOMPLETE_COMMAND)
            self._hunt_groups[tag] = VoiceHuntGroup(tag=tag, type=kind)
        elif kind is not None and kind != existing.type:
            raise _CliError(f" voice hunt-group {tag} is already configured as {existing.type}")
        return tag

    def _voice_remove(self, args: list[str]) -> None:
        kind, rest = self._voice_kind(args)
        _require(rest, 1)
        if kind == _POOL:
            self._pools.pop(_int(rest[0], 1, _MAX_POOL_TAG), None)
        elif kind == _REGISTER_DN:
            tag = _int(rest[0], 1, _MAX_REGISTER_DN_TAG)
            if self._register_dns.pop(tag, None) is not None:
                for pool in self._pools.values():
                    pool.lines = {line: dn for line, dn in pool.lines.items() if dn != tag}
        elif kind == _HUNT:
            self._hunt_groups.pop(_int(rest[0], 1, _MAX_HUNT_TAG), None)
        else:
            profile = self._profiles.pop(_int(rest[0], 1, self._max_profile_tag()), None)
            if profile is not None and profile.user_id is not None:
                self._users.pop(profile.user_id, None)

    def _template_open(self, args: list[str], high: int) -> int:
        _require(args, 1)
        return _int(args[0], 1, high)

    def _remove_ephone_template(self, tag: int) -> None:
        if self._ephone_templates.pop(tag, None) is not None:
            for ephone in self._ephones.values():
                if ephone.template == tag:
                    ephone.template = None

    def _remove_dn_template(self, tag: int) -> None:
        if self._dn_templates.pop(tag, None) is not None:
            for dn in self._dns.values():
                if dn.template == tag:
                    dn.template = None

    # ------------------------------------------------------------------ voice register pool

    def _pool_command(self, pool: _PoolState, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "id":
            _leading(args, ("mac",))
            _require(args[1:], 1)
            self._set_pool_mac(pool, args[1])
            return _DONE
        if keyword == "number":
            self._set_pool_line(pool, args)
            return _DONE
        if keyword == "dtmf-relay":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            methods = [_choice(arg, _DTMF_RELAYS) for arg in args]
            return {"dtmf_relay": tuple(dict.fromkeys(methods))}
        if keyword == "max":
            _leading(args, ("registrations",))
            _require(args[1:], 1)
            return {"max_registrations": _int(args[1], 1, 100)}
        return None

    def _pool_no(self, pool: _PoolState, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "id":
            if pool.status == REGISTERED:
                self._set_pool_status(pool, UNREGISTERED)
            return {"mac": None}
        if keyword == "number":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            pool.lines.pop(_int(args[0], 1, _MAX_POOL_LINE), None)
            return _DONE
        return None

    def _set_pool_mac(self, pool: _PoolState, token: str) -> None:
        parsed = None if token[:3].upper() == "SEP" else _parse_mac(token)
        if parsed is None:
            raise _CliError(INVALID_INPUT)
        mac = _dotted_mac(parsed)
        for other in self._pools.values():
            if other.tag != pool.tag and other.mac == mac:
                raise _CliError(f" id mac {mac} already used by voice register pool {other.tag}")
        if pool.mac != mac and pool.status == REGISTERED:
            self._set_pool_status(pool, UNREGISTERED)
        pool.mac = mac

    def _set_pool_line(self, pool: _PoolState, args: list[str]) -> None:
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        line = _int(args[0], 1, _MAX_POOL_LINE)
        if len(args) < 2:
            raise _CliError(INCOMPLETE_COMMAND)
        # CME takes only ``dn``; the number-pattern form is SIP SRST's.
        _choice(args[1], ("dn",))
        _require(args[2:], 1)
        dn_tag = _int(args[2], 1, _MAX_POOL_DN_ARG)
        if dn_tag not in self._register_dns:
            raise _CliError(f" voice register dn {dn_tag} is not configured")
        pool.lines[line] = dn_tag
        pool.lines = dict(sorted(pool.lines.items()))

    def _set_pool_status(self, pool: _PoolState, status: str) -> None:
        if pool.status != status:
            pool.status = status
            pool.change_time = self._now()

    # ------------------------------------------------------------------ voice register dn

    def _register_dn_command(
        self, dn: VoiceRegisterDn, keyword: str, args: list[str]
    ) -> _Changes | None:
        if keyword == "number":
            _require(args, 1)
            number = _match(_NUMBER_RE, args[0])
            for other in self._register_dns.values():
                if other.tag != dn.tag and other.number == number:
                    raise _CliError(
                        f" number {number} already used by voice register dn {other.tag}"
                    )
            return {"number": number}
        if keyword == "name":
            first, _, last = _sip_text(args).partition(" ")
            return {"first_name": first, "last_name": last or None}
        if keyword == "session-server":
            servers = [_int(item, 1, PLATFORM_MAX_EPHONES) for item in _comma_list(args)]
            return {"session_servers": tuple(dict.fromkeys(servers))}
        return None

    @staticmethod
    def _b2bua_all(args: list[str]) -> str:
        if len(args) < 2:
            raise _CliError(INCOMPLETE_COMMAND)
        _choice(args[0], ("b2bua",))
        _choice(args[1], ("all",))
        _require(args[2:], 1)
        return _match(_DIAL_RE, args[2])

    def _register_dn_no(
        self, dn: VoiceRegisterDn, keyword: str, args: list[str]
    ) -> _Changes | None:
        if keyword == "call-forward":
            if len(args) < 2:
                raise _CliError(INCOMPLETE_COMMAND)
            _choice(args[0], ("b2bua",))
            _choice(args[1], ("all",))
            return {"call_forward_all": None}
        return None

    # ------------------------------------------------------------------ voice hunt-group

    def _hunt_command(
        self, group: VoiceHuntGroup, keyword: str, args: list[str]
    ) -> _Changes | None:
        if keyword == "pilot":
            return self._set_pilot(group, args)
        if keyword == "list":
            numbers = tuple(_match(_HUNT_MEMBER_RE, item) for item in _comma_list(args))
            low, high = _HUNT_LIST_SIZES
            if len(numbers) < low:
                raise _CliError(INCOMPLETE_COMMAND)
            if len(numbers) > high:
                raise _CliError(INVALID_INPUT)
            # Hops beyond the new list would make no sense: fall back to the list size.
            hops = group.hops if group.hops is None or group.hops <= len(numbers) else None
            return {"numbers": numbers, "hops": hops}
        if keyword == "hops" and group.type in _HOPS_TYPES:
            _require(args, 1)
            hops = _int(args[0], 2, 10)
            if group.numbers and hops > len(group.numbers):
                raise _CliError(f" hops {hops} exceeds the {len(group.numbers)} list numbers")
            return {"hops": hops}
        return None

    def _set_pilot(self, group: VoiceHuntGroup, args: list[str]) -> _Changes:
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        pilot = _match(_NUMBER_RE, args[0])
        secondary: str | None = None
        if len(args) > 1:
            _choice(args[1], ("secondary",))
            _require(args[2:], 1)
            secondary = _match(_SECONDARY_RE, args[2])
        for other in self._hunt_groups.values():
            if other.tag != group.tag and pilot in (other.pilot, other.secondary_pilot):
                raise _CliError(f" pilot {pilot} already used by voice hunt-group {other.tag}")
        return {"pilot": pilot, "secondary_pilot": secondary}

    # ------------------------------------------------------------------ ephone-template

    def _ephone_template_command(
        self, template: EphoneTemplate, keyword: str, args: list[str]
    ) -> _Changes | None:
        if keyword == "softkeys":
            if len(args) < 2:
                raise _CliError(INCOMPLETE_COMMAND)
            state = _choice(args[0], tuple(_SOFTKEYS))
            keys = tuple(dict.fromkeys(_softkey(arg, state) for arg in args[1:]))
            softkeys = dict(template.softkeys) | {state: keys}
            return {"softkeys": _ordered_softkeys(softkeys)}
        if keyword == "conference":
            return self._set_conference(args)
        if keyword == "keep-conference":
            options = {_choice(arg, _KEEP_CONFERENCE_OPTIONS) for arg in args}
            kept = tuple(option for option in _KEEP_CONFERENCE_OPTIONS if option in options)
            return {"keep_conference": kept}
        if keyword in ("transfer-park", "transfer-pattern"):
            _require(args, 1)
            _choice(args[0], ("blocked",))
            if keyword == "transfer-park":
                return {"transfer_park_blocked": True}
            return {"transfer_pattern_blocked": True}
        if keyword == "button-layout":
            _require(args, 2)
            layout = ButtonLayout(_button_set(args[0]), _choice(args[1], _BUTTON_LAYOUT_TYPES))
            others = tuple(item for item in template.button_layout if item.buttons != args[0])
            return {"button_layout": (*others, layout)}
        return None

    @staticmethod
    def _set_conference(args: list[str]) -> _Changes:
        what = _leading(args, tuple(_CONFERENCE_RESETS))
        if what == "admin":
            _require(args[1:], 0)
            return {"conference_admin": True}
        if len(args) > 2:
            raise _CliError(INVALID_INPUT)
        if what == "add-mode":
            mode = _choice(args[1], ("creator",)) if len(args) == 2 else None
            return {"conference_add_mode": mode}
        mode = _choice(args[1], ("creator", "local")) if len(args) == 2 else None
        return {"conference_drop_mode": mode}

    def _ephone_template_no(
        self, template: EphoneTemplate, keyword: str, args: list[str]
    ) -> _Changes | None:
        if keyword == "softkeys":
            state = _leading(args, tuple(_SOFTKEYS))
            return {"softkeys": tuple(pair for pair in template.softkeys if pair[0] != state)}
        if keyword == "conference":
            return _CONFERENCE_RESETS[_leading(args, tuple(_CONFERENCE_RESETS))]
        if keyword == "button-layout":
            # ``no button-layout BUTTONS ...`` drops that set; a bare one drops them all.
            kept = tuple(
                item for item in template.button_layout if args and item.buttons != args[0]
            )
            return {"button_layout": kept}
        return None

    # ------------------------------------------------------------------ ephone-dn-template

    def _dn_template_command(
        self, template: EphoneDnTemplate, keyword: str, args: list[str]
    ) -> _Changes | None:
        if keyword != "call-forward":
            return None
        kind = _leading(args, tuple(_FORWARD_RESETS))
        if kind != "noan":
            _require(args[1:], 1)
            target = _match(_DIAL_RE, args[1])
            if kind == "all":
                return {"call_forward_all": target}
            return {"call_forward_busy": target}
        if len(args) < 4:
            raise _CliError(INCOMPLETE_COMMAND)
        target = _match(_DIAL_RE, args[1])
        _choice(args[2], ("timeout",))
        _require(args[3:], 1)
        timeout = _int(args[3], 3, 60000)
        return {"call_forward_noan": target, "call_forward_noan_timeout": timeout}

    @staticmethod
    def _hold_alert(args: list[str]) -> HoldAlert:
        if len(args) < 2:
            raise _CliError(INCOMPLETE_COMMAND)
        timeout = _int(args[0], 15, 300)
        mode = _choice(args[1], _HOLD_ALERT_MODES)
        recurrence: int | None = None
        ring_silent_dn = False
        rest = args[2:]
        while rest:
            option = _choice(rest[0], ("recurrence", "ring-silent-dn"))
            if option == "recurrence":
                if len(rest) < 2:
                    raise _CliError(INCOMPLETE_COMMAND)
                recurrence, rest = _int(rest[1], 2, 300), rest[2:]
            else:
                ring_silent_dn, rest = True, rest[1:]
        return HoldAlert(timeout, mode, recurrence, ring_silent_dn)

    def _dn_template_no(
        self, template: EphoneDnTemplate, keyword: str, args: list[str]
    ) -> _Changes | None:
        if keyword != "call-forward":
            return None
        return _FORWARD_RESETS[_leading(args, tuple(_FORWARD_RESETS))]

    # ------------------------------------------------------------------ voice user-profile

    def _profile_command(
        self, profile: _ProfileState, keyword: str, args: list[str]
    ) -> _Changes | None:
        if keyword == "user":
            self._set_profile_user(profile, args)
        elif keyword == "number":
            line = self._profile_number(args)
            profile.numbers[line.numbers[0]] = line
        elif keyword == "speed-dial":
            dial = self._speed_dial(args)
            profile.speed_dials[dial.index] = dial
            profile.speed_dials = dict(sorted(profile.speed_dials.items()))
        else:
            return None
        return _DONE

    def _profile_no(self, profile: _ProfileState, keyword: str, args: list[str]) -> _Changes | None:
        if keyword == "user":
            if profile.user_id is not None:
                self._users.pop(profile.user_id, None)
            return {"user_id": None}
        if keyword == "number":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            profile.numbers.pop(args[0].split(",")[0], None)
        elif keyword == "speed-dial":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            profile.speed_dials.pop(_int(args[0], 1, _MAX_SPEED_DIAL), None)
        else:
            return None
        return _DONE

    def _set_profile_user(self, profile: _ProfileState, args: list[str]) -> None:
        if len(args) < 3:
            raise _CliError(INCOMPLETE_COMMAND)
        name = _match(_PROFILE_USER_RE, args[0])
        _choice(args[1], ("password",))
        _require(args[2:], 1)
        owner = self._users.get(name)
        if owner is not None and (
            owner.type != UserType.USER_PROFILE_USER or owner.tag != profile.tag
        ):
            raise _CliError(f" user {name} already used by {_owner(owner)}")
        if profile.user_id is not None and profile.user_id != name:
            self._users.pop(profile.user_id, None)
        self._users[name] = CmeUser(
            user_id=name, tag=profile.tag, type=UserType.USER_PROFILE_USER, password=args[2]
        )
        profile.user_id = name

    @staticmethod
    def _profile_number(args: list[str]) -> ProfileNumber:
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        split = next(
            (i for i, arg in enumerate(args) if arg.isalpha() and _keyword(arg, ("type",))),
            len(args),
        )
        numbers = tuple(_match(_NUMBER_RE, item) for item in _comma_list(args[:split]))
        kind: str | None = None
        if split < len(args):
            _require(args[split + 1 :], 1)
            kind = _choice(args[split + 1], _PROFILE_LINE_TYPES)
        # Only overlay buttons carry several numbers.
        if len(numbers) > 1 and kind not in _OVERLAY_TYPES:
            raise _CliError(INVALID_INPUT)
        if len(numbers) > _MAX_PROFILE_LINE_NUMBERS:
            raise _CliError(INVALID_INPUT)
        return ProfileNumber(numbers, kind)

    @staticmethod
    def _speed_dial(args: list[str]) -> SpeedDial:
        if len(args) < 2:
            raise _CliError(INCOMPLETE_COMMAND)
        index = _int(args[0], 1, _MAX_SPEED_DIAL)
        number = _match(_DIAL_RE, args[1])
        label: str | None = None
        blf = False
        position = 2
        while position < len(args):
            option = _choice(args[position], ("blf", "label"))
            if option == "blf":
                blf, position = True, position + 1
            else:
                label, position = _quoted_text(args, position + 1)
                if '"' in label or len(label) > _MAX_LABEL:
                    raise _CliError(INVALID_INPUT)
        return SpeedDial(index, number, label, blf)

    # ------------------------------------------------------------------ directory entries

    def _set_directory(self, args: list[str]) -> None:
        _leading(args, ("entry",))
        if len(args) < 2:
            raise _CliError(INCOMPLETE_COMMAND)
        if not args[1].isdigit():
            _choice(args[1], ("clear",))
            _require(args[2:], 0)
            self._directory.clear()
            return
        tag = _int(args[1], 1, _MAX_DIRECTORY_TAG)
        if len(args) < 4:
            raise _CliError(INCOMPLETE_COMMAND)
        number = _match(_DIGITS_RE, args[2])
        _choice(args[3], ("name",))
        if len(args) < 5:
            raise _CliError(INCOMPLETE_COMMAND)
        name = " ".join(args[4:])
        if len(name) > _MAX_DIRECTORY_NAME or set(name) & _DIRECTORY_NAME_FORBIDDEN:
            raise _CliError(INVALID_INPUT)
        first, _, last = name.partition(" ")
        self._directory[tag] = DirectoryEntry(tag, number, name, first, last or None)
        self._directory = dict(sorted(self._directory.items()))

    def _unset_directory(self, args: list[str]) -> None:
        if len(args) < 2:
            raise _CliError(INCOMPLETE_COMMAND)
        _choice(args[0], ("entry",))
        _require(args[1:], 1)
        if args[1].isdigit():
            self._directory.pop(_int(args[1], 1, _MAX_DIRECTORY_TAG), None)
        else:
            _choice(args[1], ("clear",))
            self._directory.clear()

    # ------------------------------------------------------------------ status simulation

    def register(self, tag: int, address: str) -> None:
        """Register ephone ``tag`` from IPv4 ``address`` (logs events when status changes).

        Raises:
            KeyError: No such ephone.
            ValueError: The ephone has no MAC address, or ``address`` is not IPv4.
        """
        ip = str(ipaddress.IPv4Address(address))
        with self._lock:
            ephone = self._ephones[tag]
            if ephone.mac is None:
                raise ValueError(f"ephone {tag} has no mac-address")
            ephone.address = ip
            self._set_status(ephone, REGISTERED)
            self._refresh_dn_status()

    def unregister(self, tag: int) -> None:
        """Unregister ephone ``tag`` (no-op when not registered).

        Raises:
            KeyError: No such ephone.
        """
        with self._lock:
            self._set_status(self._ephones[tag], UNREGISTERED)
            self._refresh_dn_status()

    def tick(self, tag: int, count: int = 1) -> None:
        """Count ``count`` keepalives from ephone ``tag`` if it is registered.

        Raises:
            KeyError: No such ephone.
        """
        with self._lock:
            ephone = self._ephones[tag]
            if ephone.status == REGISTERED:
                ephone.keepalives += count

    # ------------------------------------------------------------------ queries

    def devices(self, ids: Sequence[int] = (), names: Sequence[str] = ()) -> list[Ephone]:
        """Select ephones for ``ISgetDevice`` (copies, sorted by tag).

        ``ids`` are ephone tags; ``names`` are ``SEP`` MACs or the keywords ``all``,
        ``allRegistered``, ``allUnregistered``, ``allKeyphone`` and ``allTag``.  The result
        is the union of the selections; unknown tags and names select nothing.
        """
        with self._lock:
            chosen: set[int] = {tag for tag in ids if tag in self._ephones}
            for name in names:
                chosen.update(self._select_devices(name))
            return [self._copy_ephone(self._ephones[tag]) for tag in sorted(chosen)]

    def _select_devices(self, name: str) -> set[int]:
        keyword = name.strip().lower()
        phones = self._ephones.values()
        if keyword in ("all", "alltag"):
            return {e.tag for e in phones}
        if keyword == "allregistered":
            return {e.tag for e in phones if e.status == REGISTERED}
        if keyword == "allunregistered":
            return {e.tag for e in phones if e.status != REGISTERED}
        if keyword == "allkeyphone":
            return {e.tag for e in phones if e.keyphone}
        mac = self._name_to_mac(name)
        return {e.tag for e in phones if mac is not None and e.mac == mac}

    @staticmethod
    def _name_to_mac(name: str) -> str | None:
        text = name.strip()
        return _parse_mac(text) if text[:3].upper() == "SEP" else None

    @staticmethod
    def _copy_ephone(ephone: Ephone) -> Ephone:
        return replace(ephone, buttons=dict(ephone.buttons))

    def extensions(self, ids: Sequence[int] = (), numbers: Sequence[str] = ()) -> list[EphoneDn]:
        """Select ephone-dns for ``ISgetExtension`` (copies, sorted by tag).

        ``ids`` are dn tags; ``numbers`` are primary numbers or the keywords ``all``,
        ``allUp``, ``allDown`` and ``allTag``.  The result is the union of the selections.
        """
        with self._lock:
            chosen: set[int] = {tag for tag in ids if tag in self._dns}
            for number in numbers:
                keyword = number.strip().lower()
                for dn in self._dns.values():
                    if (
                        keyword in ("all", "alltag")
                        or (keyword == "allup" and dn.status == DN_UP)
                        or (keyword == "alldown" and dn.status == DN_DOWN)
                        or (dn.number is not None and dn.number == number.strip())
                    ):
                        chosen.add(dn.tag)
            return [replace(self._dns[tag]) for tag in sorted(chosen)]

    def phones_for_dn(self, dn_tag: int) -> list[int]:
        """Tags of the ephones that have ephone-dn ``dn_tag`` on a button, sorted."""
        with self._lock:
            return sorted(
                ephone.tag
                for ephone in self._ephones.values()
                if any(button.dn_tag == dn_tag for button in ephone.buttons.values())
            )

    def event_counts(self) -> tuple[int, int]:
        """``(device events, extension events)`` currently in the event tables."""
        with self._lock:
            self._trim_events()
            return len(self._dev_events), len(self._ext_events)

    def device_events(
        self,
        event_ids: Sequence[int] = (),
        tags: Sequence[int] = (),
        names: Sequence[str] = (),
    ) -> list[DeviceEvent]:
        """Select device events by event id, ephone tag, ``SEP`` MAC or ``all``.

        The result is the union of the selections, sorted by event id.
        """
        with self._lock:
            self._trim_events()
            wanted_ids, wanted_tags = set(event_ids), set(tags)
            everything = any(name.strip().lower() == "all" for name in names)
            macs = {self._name_to_mac(name) for name in names} - {None}
            return [
                event
                for event in self._dev_events
                if everything
                or event.event_id in wanted_ids
                or event.tag in wanted_tags
                or event.mac in macs
            ]

    def extension_events(
        self,
        event_ids: Sequence[int] = (),
        tags: Sequence[int] = (),
        numbers: Sequence[str] = (),
    ) -> list[ExtensionEvent]:
        """Select extension events by event id, dn tag, number or ``all``.

        The result is the union of the selections, sorted by event id.
        """
        with self._lock:
            self._trim_events()
            wanted_ids, wanted_tags = set(event_ids), set(tags)
            wanted_numbers = {number.strip() for number in numbers}
            everything = any(number.lower() == "all" for number in wanted_numbers)
            return [
                event
                for event in self._ext_events
                if everything
                or event.event_id in wanted_ids
                or event.tag in wanted_tags
                or (event.number != "" and event.number in wanted_numbers)
            ]

    def global_info(self) -> GlobalInfo:
        """The ``ISgetGlobal`` fields."""
        with self._lock:
            return GlobalInfo(
                address=self._source_address or _NO_ADDRESS,
                mode="ITS",
                version=self._version,
                registered=self._registered_count(),
                peak_registered=self._peak_registered,
                peak_registered_time=self._peak_registered_time,
                keepalive_interval=self._keepalive,
                configured_devices=len(self._ephones),
                configured_extensions=len(self._dns),
                service_engine=_NO_ADDRESS,
                host_name=self._host_name,
                port=self._port,
                max_conferences=self._max_conferences,
                max_redirect=self._max_redirect,
                max_ephones=self._max_ephones,
                max_dn=self._max_dn,
                voicemail=self._voicemail or "",
                url_services=tuple(self._urls.items()),
            )

    # ------------------------------------------------------------------ SIP and 12.x queries

    @staticmethod
    def _chosen(ids: Sequence[int], table: Mapping[int, object]) -> list[int]:
        """Tags selected by ``ids`` (all when empty), sorted; unknown tags select nothing."""
        wanted = set(ids) if ids else set(table)
        return sorted(tag for tag in wanted if tag in table)

    def pools(self, ids: Sequence[int] = ()) -> list[VoiceRegisterPool]:
        """Voice register pools (SIP phones) with tags in ``ids``, all when empty."""
        with self._lock:
            return [self._pool_view(self._pools[tag]) for tag in self._chosen(ids, self._pools)]

    def _pool_view(self, pool: _PoolState) -> VoiceRegisterPool:
        lines = tuple(
            PoolLine(line, dn_tag, self._register_dns[dn_tag].number)
            for line, dn_tag in pool.lines.items()
        )
        return _view(VoiceRegisterPool, pool, lines=lines)

    def register_dns(self, ids: Sequence[int] = ()) -> list[VoiceRegisterDn]:
        """Voice register dns (SIP extensions) with tags in ``ids``, all when empty."""
        with self._lock:
            return [
                self._register_dn_view(self._register_dns[tag])
                for tag in self._chosen(ids, self._register_dns)
            ]

    def _register_dn_view(self, dn: VoiceRegisterDn) -> VoiceRegisterDn:
        pools = tuple(
            sorted(tag for tag, pool in self._pools.items() if dn.tag in pool.lines.values())
        )
        return replace(dn, pools=pools)

    def hunt_groups(self, ids: Sequence[int] = ()) -> list[VoiceHuntGroup]:
        """Voice hunt groups with tags in ``ids``, all when empty."""
        with self._lock:
            return [self._hunt_groups[tag] for tag in self._chosen(ids, self._hunt_groups)]

    def device_templates(self, ids: Sequence[int] = ()) -> list[EphoneTemplate]:
        """Ephone templates with tags in ``ids``, all when empty."""
        with self._lock:
            table = self._ephone_templates
            return [table[tag] for tag in self._chosen(ids, table)]

    def extension_templates(self, ids: Sequence[int] = ()) -> list[EphoneDnTemplate]:
        """Ephone-dn templates with tags in ``ids``, all when empty."""
        with self._lock:
            return [self._dn_templates[tag] for tag in self._chosen(ids, self._dn_templates)]

    def user_profiles(self, ids: Sequence[int] = ()) -> list[UserProfile]:
        """Voice user profiles with tags in ``ids``, all when empty.

        Each carries its user's password, as ``ISgetUserProfile`` answers it; the profile's
        repr masks it.
        """
        with self._lock:
            return [
                self._profile_view(self._profiles[tag]) for tag in self._chosen(ids, self._profiles)
            ]

    def _profile_view(self, profile: _ProfileState) -> UserProfile:
        user = self._users.get(profile.user_id) if profile.user_id is not None else None
        return _view(
            UserProfile,
            profile,
            password=user.password if user is not None else "",
            numbers=tuple(profile.numbers.values()),
            speed_dials=tuple(profile.speed_dials.values()),
        )

    def directory_entries(self, ids: Sequence[int] = ()) -> list[DirectoryEntry]:
        """``directory entry`` lines with tags in ``ids``, all when empty, sorted by tag."""
        with self._lock:
            return [self._directory[tag] for tag in self._chosen(ids, self._directory)]

    def register_pool(self, tag: int, address: str) -> None:
        """Register voice register pool ``tag`` (a SIP phone) from IPv4 ``address``.

        Raises:
            KeyError: No such pool.
            ValueError: The pool has no ``id mac``, or ``address`` is not IPv4.
        """
        ip = str(ipaddress.IPv4Address(address))
        with self._lock:
            pool = self._pools[tag]
            if pool.mac is None:
                raise ValueError(f"voice register pool {tag} has no id mac")
            pool.address = ip
            self._set_pool_status(pool, REGISTERED)

    def unregister_pool(self, tag: int) -> None:
        """Unregister voice register pool ``tag`` (no-op when not registered).

        Raises:
            KeyError: No such pool.
        """
        with self._lock:
            self._set_pool_status(self._pools[tag], UNREGISTERED)

    # ------------------------------------------------------------------ key phones

    def set_keyphones(self, macs: Sequence[str]) -> list[bool]:
        """``ISsetKeyPhones``: mark phones as key phones; False for an unknown MAC."""
        return self._mark_keyphones(macs, True)

    def unset_keyphones(self, macs: Sequence[str]) -> list[bool]:
        """``ISunsetKeyPhones``: clear the key-phone mark; False for an unknown MAC."""
        return self._mark_keyphones(macs, False)

    def _mark_keyphones(self, macs: Sequence[str], value: bool) -> list[bool]:
        with self._lock:
            results: list[bool] = []
            by_mac = {e.mac: e for e in self._ephones.values() if e.mac is not None}
            for name in macs:
                ephone = by_mac.get(_parse_mac(name) or "")
                if ephone is not None:
                    ephone.keyphone = value
                results.append(ephone is not None)
            return results

    # ------------------------------------------------------------------ users

    def get_user(self, user_id: str) -> tuple[int, int]:
        """``ISgetUser``: ``(tag, type)`` of a CME user, ``(0, 0)`` when unknown."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                return 0, int(UserType.INVALID_CME_USER)
            return user.tag, int(user.type)

    def update_user(self, user_id: str, password: str) -> str | None:
        """``ISupdateUser``: change a user's password; None on success, else error text."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                return f"User {user_id} does not exist"
            user.password = password
            return None

    def users(self) -> list[CmeUser]:
        """All CME users (copies), sorted by user id."""
        with self._lock:
            return [replace(self._users[name]) for name in sorted(self._users)]

    def check_credentials(self, user: str, password: str, privilege_needed: int = 15) -> bool:
        """Check an XML API login: right password and at least ``privilege_needed``."""
        entry = self._xml_users.get(user)
        expected = entry[0] if entry is not None else "\0"
        same = hmac.compare_digest(password.encode(), expected.encode())
        return entry is not None and same and entry[1] >= privilege_needed

    # ------------------------------------------------------------------ configuration

    def save_config(self) -> str:
        """``ISSaveConfig``: ``success``, ``delay`` (terminal sessions open) or ``fail``."""
        with self._lock:
            if self.nvram_full:
                return "fail"
            if self.terminal_sessions > 0:
                return "delay"
            self._startup_config = self._render_config()
            return "success"

    def startup_config(self) -> list[str]:
        """The configuration lines saved by the last successful :meth:`save_config`."""
        with self._lock:
            return list(self._startup_config)

    def running_config(self) -> list[str]:
        """The telephony part of the running configuration, as IOS config lines.

        Feeding these lines to :meth:`exec_cli` of a new router rebuilds the same
        configuration (not the registration state).  Like IOS's ``show running-config``,
        the lines carry the ephone ``username`` and user-profile ``user`` passwords in
        clear: treat them as a secret, never log them.
        """
        with self._lock:
            return self._render_config()

    def _render_config(self) -> list[str]:
        lines = [f"hostname {self._host_name}", "!", "telephony-service"]
        lines.append(f" max-ephones {self._max_ephones}")
        lines.append(f" max-dn {self._max_dn}")
        if self._source_address is not None:
            lines.append(f" ip source-address {self._source_address} port {self._port}")
        if self._keepalive != _DEFAULT_KEEPALIVE:
            lines.append(f" keepalive {self._keepalive}")
        if self._max_conferences != _DEFAULT_MAX_CONFERENCES:
            lines.append(f" max-conferences {self._max_conferences}")
        if self._max_redirect != _DEFAULT_MAX_REDIRECT:
            lines.append(f" max-redirect {self._max_redirect}")
        if self._voicemail is not None:
            lines.append(f" voicemail {self._voicemail}")
        url_words = {url_type: word for word, url_type in _URL_KEYWORDS.items()}
        lines.extend(f" url {url_words[kind]} {link}" for kind, link in self._urls.items())
        if self._log_max_size != DEFAULT_LOG_MAX_SIZE:
            lines.append(f" log table max-size {self._log_max_size}")
        if self._retain_timer != DEFAULT_RETAIN_TIMER:
            lines.append(f" log table retain-timer {self._retain_timer}")
        lines.extend(
            f" directory entry {entry.tag} {entry.number} name {entry.name}"
            for entry in self._directory.values()
        )
        lines.append("!")
        # Templates first: ephones and dns apply them by tag.
        lines.extend(self._render_templates())
        modes = {SINGLE_LINE: "", DUAL_LINE: " dual-line", OCTO_LINE: " octo-line"}
        for tag in sorted(self._dns):
            dn = self._dns[tag]
            lines.append(f"ephone-dn {tag}{modes[dn.line_mode]}")
            if dn.number is not None:
                secondary = f" secondary {dn.secondary_number}" if dn.secondary_number else ""
                lines.append(f" number {dn.number}{secondary}")
            if dn.first_name is not None:
                lines.append(" name " + " ".join(filter(None, (dn.first_name, dn.last_name))))
            lines += _config_lines(
                ("call-forward all", dn.call_forward_all),
                ("ephone-dn-template", dn.template),
            )
            lines.append("!")
        for tag in sorted(self._ephones):
            ephone = self._ephones[tag]
            lines.append(f"ephone {tag}")
            if ephone.username is not None:
                user = self._users[ephone.username]
                password = f" password {user.password}" if user.password else ""
                lines.append(f' username "{user.user_id}"{password}')
            lines += _config_lines(
                ("mac-address", None if ephone.mac is None else _dotted_mac(ephone.mac)),
                ("type", ephone.type),
                ("keyphone", ephone.keyphone),
                ("ephone-template", ephone.template),
            )
            if ephone.buttons:
                pairs = (
                    f"{index}{_BUTTON_SEPARATORS[button.mode]}{button.dn_tag}"
                    for index, button in ephone.buttons.items()
                )
                lines.append(" button " + " ".join(pairs))
            lines.append("!")
        lines.extend(self._render_sip())
        return lines

    def _render_templates(self) -> list[str]:
        lines: list[str] = []
        for tag, dn_template in sorted(self._dn_templates.items()):
            lines.append(f"ephone-dn-template {tag}")
            lines.extend(_render_dn_template(dn_template))
            lines.append("!")
        for tag, template in sorted(self._ephone_templates.items()):
            lines.append(f"ephone-template {tag}")
            lines.extend(_render_ephone_template(template))
            lines.append("!")
        return lines

    def _render_sip(self) -> list[str]:
        lines: list[str] = []
        for tag in sorted(self._register_dns):
            dn = self._register_dns[tag]
            lines.append(f"voice register dn {tag}")
            name = (
                None
                if dn.first_name is None
                else " ".join(filter(None, (dn.first_name, dn.last_name)))
            )
            lines += _config_lines(
                ("number", dn.number),
                ("name", name),
                ("label", dn.label),
                ("session-server", ",".join(map(str, dn.session_servers)) or None),
                ("allow watch", dn.allow_watch),
                ("call-forward b2bua all", dn.call_forward_all),
            )
            lines.append("!")
        for tag in sorted(self._pools):
            pool = self._pools[tag]
            lines.append(f"voice register pool {tag}")
            lines += _config_lines(("id mac", pool.mac), ("session-server", pool.session_server))
            lines.extend(f" number {line} dn {dn}" for line, dn in pool.lines.items())
            lines += _config_lines(
                ("dtmf-relay", " ".join(pool.dtmf_relay) or None),
                ("codec", pool.codec),
                ("max registrations", pool.max_registrations),
                ("description", pool.description),
            )
            lines.append("!")
        for tag in sorted(self._hunt_groups):
            lines.extend(_render_hunt_group(self._hunt_groups[tag]))
            lines.append("!")
        for tag in sorted(self._profiles):
            lines.extend(self._render_profile(self._profiles[tag]))
            lines.append("!")
        return lines

    def _render_profile(self, profile: _ProfileState) -> list[str]:
        lines = [f"voice user-profile {profile.tag}", *_config_lines(("pin", profile.pin))]
        if profile.user_id is not None:
            # In clear, as IOS prints it in show running-config (CME before 12.6 has no
            # password encryption here): the rendered config is a secret-bearing document.
            password = self._users[profile.user_id].password
            lines.append(f" user {profile.user_id} password {password}")
        lines += _config_lines(
            ("max-idle-time", profile.max_idle_time),
            ("privacy-button", profile.privacy_button),
        )
        for line in profile.numbers.values():
            kind = f" type {line.type}" if line.type is not None else ""
            lines.append(f" number {','.join(line.numbers)}{kind}")
        for dial in profile.speed_dials.values():
            blf = " blf" if dial.blf else ""
            label = f' label "{dial.label}"' if dial.label is not None else ""
            lines.append(f" speed-dial {dial.index} {dial.number}{blf}{label}")
        return lines

    # ------------------------------------------------------------------ demo

    def seed_demo(self) -> None:
        """Configure a small realistic router: 3 ephones, 4 dns, 2 registered phones.

        User ``peter`` (password ``cisco``) belongs to ephone 1, so its tag is 1.  The 12.x
        entities have one or two of each: directory entries 1-2, ephone-dn-template 1 (on
        ephone-dn 3), ephone-template 1 (on ephone 2), voice register dns 1-2 on pool 1
        (registered), voice hunt-group 1 and voice user-profile 1, whose user ``susan``
        (password ``Demo-Pw1``) is a USER_PROFILE_USER with tag 1.

        Raises:
            RuntimeError: The demo configuration clashes with the current one.
        """
        config = [
            "hostname CME-Demo",
            "telephony-service",
            " max-ephones 24",
            " max-dn 48",
            " ip source-address 10.10.10.1 port 2000",
            " voicemail 4089999999",
            " url directories http://10.10.10.1/directory.xml",
            " url services http://10.10.10.1/services.xml",
            " create cnf-files",
            " directory entry 1 4085550100 name Front Desk",
            " directory entry 2 4085550199 name Help Desk Team",
            "ephone-dn-template 1",
            " call-forward busy 4089999999",
            " call-forward noan 4089999999 timeout 20",
            " hold-alert 30 idle",
            " pickup-group 1",
            "ephone-template 1",
            " softkeys idle Newcall Redial Dnd",
            " softkeys remote-in-use CBarge Newcall",
            " conference add-mode creator",
            " keep-conference endcall",
            " transfer-park blocked",
            " mwi-line 1",
            " button-layout 1,9 line",
            "ephone-dn 1 dual-line",
            " number 2001 secondary 2100",
            " name Peter Lee",
            "ephone-dn 2 dual-line",
            " number 2002",
            " name Mary Chen",
            "ephone-dn 3",
            " number 2003",
            " name Lobby Phone",
            " ephone-dn-template 1",
            "ephone-dn 4 dual-line",
            " number 2010",
            " name Sales Line",
            " call-forward all 4089999999",
            "ephone 1",
            ' username "peter" password cisco',
            " mac-address 000D.BC80.EB51",
            " type 7960",
            " button 1:1 2:4",
            "ephone 2",
            " mac-address 0012.DA8A.C43D",
            " type 7970",
            " keyphone",
            " ephone-template 1",
            " button 1:2 2:4",
            "ephone 3",
            " mac-address 000D.EDAB.3566",
            " type 7941",
            " button 1:3",
            "voice register dn 1",
            " number 2101",
            " name Henry Mann",
            " session-server 1",
            " allow watch",
            "voice register dn 2",
            " number 2102",
            " label Lab Phone",
            "voice register pool 1",
            " id mac 0013.1978.3CA5",
            " number 1 dn 1",
            " number 2 dn 2",
            " dtmf-relay rtp-nte",
            " codec g729r8",
            " max registrations 4",
            "voice hunt-group 1 longest-idle",
            " pilot 2200",
            " list 2001,2002,2101",
            " hops 2",
            "voice user-profile 1",
            " pin 4321",
            " user susan password Demo-Pw1",
            " number 2003",
            ' speed-dial 1 2001 label "Peter Lee"',
            " speed-dial 2 2002 blf",
            "end",
        ]
        with self._lock:
            line, error = self._exec(config)
            if line:
                raise RuntimeError(f"demo configuration failed at {config[line - 1]!r}:{error}")
            self._set_status(self._ephones[1], REGISTERED)
            self._ephones[1].address = "10.10.10.2"
            self._set_status(self._ephones[2], REGISTERED)
            self._ephones[2].address = "10.10.10.3"
            self._refresh_dn_status()
            self._pools[1].address = "10.10.10.4"
            self._set_pool_status(self._pools[1], REGISTERED)


# --------------------------------------------------------------------------- mode grammars

_TELEPHONY_GRAMMAR: Final[_Grammar[CmeRouter]] = _Grammar(
    _TELEPHONY_KEYWORDS,
    _TELEPHONY_NO_KEYWORDS,
    settings={
        "voicemail": ("_voicemail", _match_arg(_DIAL_RE)),
        "keepalive": ("_keepalive", _int_arg(10, 65535)),
        "max-conferences": ("_max_conferences", _int_arg(1, 24)),
        "max-redirect": ("_max_redirect", _int_arg(5, 20)),
    },
    resets={
        "voicemail": {"_voicemail": None},
        "keepalive": {"_keepalive": _DEFAULT_KEEPALIVE},
        "max-conferences": {"_max_conferences": _DEFAULT_MAX_CONFERENCES},
        "max-redirect": {"_max_redirect": _DEFAULT_MAX_REDIRECT},
    },
    # telephony-service edits the router itself.
    command=lambda router, _, keyword, args: router._telephony_command(keyword, args),
    undo=lambda router, _, keyword, args: router._telephony_no(keyword, args),
)
_EPHONE_GRAMMAR: Final[_Grammar[Ephone]] = _Grammar(
    _EPHONE_KEYWORDS,
    _EPHONE_NO_KEYWORDS,
    settings={"keyphone": ("keyphone", _flag)},
    resets={"ephone-template": {"template": None}},
    command=CmeRouter._ephone_command,
    undo=CmeRouter._ephone_no,
)
_DN_GRAMMAR: Final[_Grammar[EphoneDn]] = _Grammar(
    _DN_KEYWORDS,
    _DN_NO_KEYWORDS,
    settings={},
    resets={
        "number": {"number": None, "secondary_number": None},
        "name": {"first_name": None, "last_name": None},
        "ephone-dn-template": {"template": None},
    },
    command=CmeRouter._dn_command,
    undo=CmeRouter._dn_no,
)
_POOL_GRAMMAR: Final[_Grammar[_PoolState]] = _Grammar(
    _POOL_KEYWORDS,
    _POOL_NO_KEYWORDS,
    settings={
        "session-server": ("session_server", _int_arg(1, PLATFORM_MAX_EPHONES)),
        "codec": ("codec", _one(lambda token: _choice(token, _POOL_CODECS))),
        "description": ("description", _words),
    },
    resets={
        "session-server": {"session_server": None},
        "dtmf-relay": {"dtmf_relay": ()},
        "codec": {"codec": None},
        "max": {"max_registrations": None},
        "description": {"description": None},
    },
    command=CmeRouter._pool_command,
    undo=CmeRouter._pool_no,
)
_REGISTER_DN_GRAMMAR: Final[_Grammar[VoiceRegisterDn]] = _Grammar(
    _REGISTER_DN_KEYWORDS,
    _REGISTER_DN_NO_KEYWORDS,
    settings={
        "label": ("label", lambda args: _sip_text(args, _MAX_LABEL)),
        "allow": ("allow_watch", _allow_watch),
        "call-forward": ("call_forward_all", CmeRouter._b2bua_all),
    },
    resets={
        "number": {"number": None},
        "name": {"first_name": None, "last_name": None},
        "label": {"label": None},
        "session-server": {"session_servers": ()},
        "allow": {"allow_watch": False},
    },
    command=CmeRouter._register_dn_command,
    undo=CmeRouter._register_dn_no,
)
_HUNT_GRAMMAR: Final[_Grammar[VoiceHuntGroup]] = _Grammar(
    _HUNT_KEYWORDS,
    _HUNT_NO_KEYWORDS,
    settings={
        "final": ("final", _match_arg(_DIAL_RE)),
        "timeout": ("timeout", _int_arg(3, 60000)),
    },
    resets={
        "pilot": {"pilot": None, "secondary_pilot": None},
        "list": {"numbers": ()},
        "final": {"final": None},
        "timeout": {"timeout": DEFAULT_HUNT_TIMEOUT},
        "hops": {"hops": None},
    },
    command=CmeRouter._hunt_command,
)
_EPHONE_TEMPLATE_GRAMMAR: Final[_Grammar[EphoneTemplate]] = _Grammar(
    _EPHONE_TEMPLATE_KEYWORDS,
    _EPHONE_TEMPLATE_NO_KEYWORDS,
    settings={
        "mwi-line": ("mwi_line", _int_arg(1, _MAX_BUTTONS)),
        "privacy-button": ("privacy_button", _flag),
    },
    resets={
        "keep-conference": {"keep_conference": None},
        "transfer-park": {"transfer_park_blocked": False},
        "transfer-pattern": {"transfer_pattern_blocked": False},
        "mwi-line": {"mwi_line": None},
        "privacy-button": {"privacy_button": False},
    },
    command=CmeRouter._ephone_template_command,
    undo=CmeRouter._ephone_template_no,
)
_DN_TEMPLATE_GRAMMAR: Final[_Grammar[EphoneDnTemplate]] = _Grammar(
    _DN_TEMPLATE_KEYWORDS,
    _DN_TEMPLATE_NO_KEYWORDS,
    settings={
        "hold-alert": ("hold_alert", CmeRouter._hold_alert),
        "pickup-group": ("pickup_group", _match_arg(_DIGITS_RE)),
        "allow": ("allow_watch", _allow_watch),
        "description": ("description", _words),
    },
    resets={
        "hold-alert": {"hold_alert": None},
        "pickup-group": {"pickup_group": None},
        "allow": {"allow_watch": False},
        "description": {"description": None},
    },
    command=CmeRouter._dn_template_command,
    undo=CmeRouter._dn_template_no,
)
_PROFILE_GRAMMAR: Final[_Grammar[_ProfileState]] = _Grammar(
    _PROFILE_KEYWORDS,
    _PROFILE_NO_KEYWORDS,
    settings={
        "pin": ("pin", _match_arg(_PIN_RE)),
        "privacy-button": ("privacy_button", _flag),
        "max-idle-time": ("max_idle_time", _int_arg(1, 9999)),
    },
    resets={
        "pin": {"pin": None},
        "privacy-button": {"privacy_button": False},
        "max-idle-time": {"max_idle_time": None},
    },
    command=CmeRouter._profile_command,
    undo=CmeRouter._profile_no,
)
# Any: each mode edits records of its own type; _global_first reads only the keywords.
_GRAMMARS: Final[Mapping[str, _Grammar[Any]]] = {
    _TELEPHONY: _TELEPHONY_GRAMMAR,
    _EPHONE: _EPHONE_GRAMMAR,
    _EPHONE_DN: _DN_GRAMMAR,
    _EPHONE_TEMPLATE: _EPHONE_TEMPLATE_GRAMMAR,
    _DN_TEMPLATE: _DN_TEMPLATE_GRAMMAR,
    _POOL: _POOL_GRAMMAR,
    _REGISTER_DN: _REGISTER_DN_GRAMMAR,
    _HUNT: _HUNT_GRAMMAR,
    _PROFILE: _PROFILE_GRAMMAR,
}
