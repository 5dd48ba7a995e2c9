"""In-memory model of a Cisco Unified CME router, as seen through the CME XML API.

The model keeps what the XML API methods read and write: ephones (phones), ephone-dns
(extensions), CME users, the device and extension event tables and the few
``telephony-service`` settings reported by ``ISgetGlobal``.  :meth:`CmeRouter.exec_cli`
applies IOS telephony configuration lines the way the router does for ``ISexecCLI``: in
order, stopping at the first line it cannot apply and answering that line's 1-based number
and the router's error text.  Phone registration is simulated with
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
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Final

__all__ = [
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
    "ButtonMapping",
    "CmeRouter",
    "CmeUser",
    "DeviceEvent",
    "Ephone",
    "EphoneDn",
    "ExtensionEvent",
    "GlobalInfo",
    "UserType",
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


_GLOBAL: Final = "global"
_TELEPHONY: Final = "telephony-service"
_EPHONE: Final = "ephone"
_EPHONE_DN: Final = "ephone-dn"

_GLOBAL_KEYWORDS: Final = ("ephone", "ephone-dn", "telephony-service", "hostname", "no")
_GLOBAL_NO_KEYWORDS: Final = ("ephone", "ephone-dn", "hostname")
_EPHONE_KEYWORDS: Final = ("mac-address", "type", "button", "username", "keyphone", "no")
_EPHONE_NO_KEYWORDS: Final = ("mac-address", "type", "button", "username", "keyphone")
_DN_KEYWORDS: Final = ("number", "name", "call-forward", "no")
_DN_NO_KEYWORDS: Final = ("number", "name", "call-forward")
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
        if session.mode == _TELEPHONY:
            handled = self._telephony_command(tokens)
        elif session.mode == _EPHONE:
            handled = self._ephone_command(self._ephones[session.tag], tokens)
        elif session.mode == _EPHONE_DN:
            handled = self._dn_command(self._dns[session.tag], tokens)
        # A command unknown in a sub-mode is tried in global mode, as IOS does.
        if not handled and not self._global_command(session, tokens):
            raise _CliError(INVALID_INPUT)

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
        elif keyword == "telephony-service":
            _require(args, 0)
            session.mode, session.tag = _TELEPHONY, 0
        elif keyword == "hostname":
            _require(args, 1)
            self._host_name = args[0]
            session.mode, session.tag = _GLOBAL, 0
        elif keyword == "no":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            if not self._global_no(args[0], args[1:]):
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

    def _ephone_command(self, ephone: Ephone, tokens: list[str]) -> bool:
        keyword = _keyword(tokens[0], _EPHONE_KEYWORDS)
        args = tokens[1:]
        if keyword == "mac-address":
            _require(args, 1)
            self._set_mac(ephone, args[0])
        elif keyword == "type":
            _require(args, 1)
            model = _PHONE_TYPE_BY_KEY.get(args[0].lower())
            if model is None:
                raise _CliError(INVALID_INPUT)
            ephone.type = model
        elif keyword == "button":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            ephone.buttons = self._parse_buttons(args)
        elif keyword == "username":
            self._set_username(ephone, args)
        elif keyword == "keyphone":
            _require(args, 0)
            ephone.keyphone = True
        elif keyword == "no":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            return self._ephone_no(ephone, args[0], args[1:])
        else:
            return False
        return True

    def _ephone_no(self, ephone: Ephone, token: str, args: list[str]) -> bool:
        keyword = _keyword(token, _EPHONE_NO_KEYWORDS)
        if keyword is None:
            return False
        if keyword == "mac-address":
            _require(args, 0)
            if ephone.status == REGISTERED:
                self._set_status(ephone, UNREGISTERED)
            ephone.mac = None
        elif keyword == "type":
            _require(args, 0)
            ephone.type = None
        elif keyword == "button":
            ephone.buttons = {}
        elif keyword == "username":
            if ephone.username is not None:
                self._users.pop(ephone.username, None)
                ephone.username = None
        else:  # keyphone
            _require(args, 0)
            ephone.keyphone = False
        return True

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
        if owner is not None and owner.tag != ephone.tag:
            raise _CliError(f" username {name} already used by ephone {owner.tag}")
        if ephone.username is not None and ephone.username != name:
            self._users.pop(ephone.username, None)
        self._users[name] = CmeUser(
            user_id=name, tag=ephone.tag, type=UserType.EPHONE_USER, password=password
        )
        ephone.username = name

    # ------------------------------------------------------------------ ephone-dn mode

    def _dn_command(self, dn: EphoneDn, tokens: list[str]) -> bool:
        keyword = _keyword(tokens[0], _DN_KEYWORDS)
        args = tokens[1:]
        if keyword == "number":
            self._set_number(dn, args)
        elif keyword == "name":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            dn.first_name = args[0]
            dn.last_name = " ".join(args[1:]) or None
        elif keyword == "call-forward":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            if _keyword(args[0], ("all",)) != "all":
                raise _CliError(INVALID_INPUT)
            _require(args[1:], 1)
            dn.call_forward_all = _match(_DIAL_RE, args[1])
        elif keyword == "no":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            return self._dn_no(dn, args[0], args[1:])
        else:
            return False
        return True

    def _dn_no(self, dn: EphoneDn, token: str, args: list[str]) -> bool:
        keyword = _keyword(token, _DN_NO_KEYWORDS)
        if keyword == "number":
            dn.number = None
            dn.secondary_number = None
        elif keyword == "name":
            dn.first_name = None
            dn.last_name = None
        elif keyword == "call-forward":
            if not args or _keyword(args[0], ("all",)) != "all":
                raise _CliError(INVALID_INPUT)
            dn.call_forward_all = None
        else:
            return False
        return True

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

    def _telephony_command(self, tokens: list[str]) -> bool:
        keyword = _keyword(tokens[0], _TELEPHONY_KEYWORDS)
        args = tokens[1:]
        if keyword == "max-ephones":
            _require(args, 1)
            value = _int(args[0], 1, PLATFORM_MAX_EPHONES)
            highest = max(self._ephones, default=0)
            if value < highest:
                raise _CliError(f" max-ephones {value} is less than configured ephone {highest}")
            self._max_ephones = value
        elif keyword == "max-dn":
            _require(args, 1)
            value = _int(args[0], 1, PLATFORM_MAX_DN)
            highest = max(self._dns, default=0)
            if value < highest:
                raise _CliError(f" max-dn {value} is less than configured ephone-dn {highest}")
            self._max_dn = value
        elif keyword == "ip":
            self._set_source_address(args)
        elif keyword == "voicemail":
            _require(args, 1)
            self._voicemail = _match(_DIAL_RE, args[0])
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
        elif keyword == "keepalive":
            _require(args, 1)
            self._keepalive = _int(args[0], 10, 65535)
        elif keyword == "max-conferences":
            _require(args, 1)
            self._max_conferences = _int(args[0], 1, 24)
        elif keyword == "max-redirect":
            _require(args, 1)
            self._max_redirect = _int(args[0], 5, 20)
        elif keyword == "no":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            return self._telephony_no(args[0], args[1:])
        else:
            return False
        return True

    def _telephony_no(self, token: str, args: list[str]) -> bool:
        keyword = _keyword(token, _TELEPHONY_NO_KEYWORDS)
        if keyword == "ip":
            if not args or _keyword(args[0], ("source-address",)) != "source-address":
                raise _CliError(INVALID_INPUT)
            self._source_address = None
            self._port = _DEFAULT_PORT
        elif keyword == "voicemail":
            self._voicemail = None
        elif keyword == "url":
            if not args:
                raise _CliError(INCOMPLETE_COMMAND)
            self._urls.pop(self._url_type(args[0]), None)
        elif keyword == "log":
            if len(args) < 2 or _keyword(args[0], ("table",)) != "table":
                raise _CliError(INCOMPLETE_COMMAND if len(args) < 2 else INVALID_INPUT)
            option = _keyword(args[1], ("max-size", "retain-timer"))
            if option == "max-size":
                self._log_max_size = DEFAULT_LOG_MAX_SIZE
            elif option == "retain-timer":
                self._retain_timer = DEFAULT_RETAIN_TIMER
            else:
                raise _CliError(INVALID_INPUT)
        elif keyword == "keepalive":
            self._keepalive = _DEFAULT_KEEPALIVE
        elif keyword == "max-conferences":
            self._max_conferences = _DEFAULT_MAX_CONFERENCES
        elif keyword == "max-redirect":
            self._max_redirect = _DEFAULT_MAX_REDIRECT
        else:
            return False
        return True

    def _set_source_address(self, args: list[str]) -> None:
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        if _keyword(args[0], ("source-address",)) != "source-address":
            raise _CliError(INVALID_INPUT)
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
        if not args:
            raise _CliError(INCOMPLETE_COMMAND)
        if _keyword(args[0], ("table",)) != "table":
            raise _CliError(INVALID_INPUT)
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
        configuration (not the registration state).
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
        lines.append("!")
        modes = {SINGLE_LINE: "", DUAL_LINE: " dual-line", OCTO_LINE: " octo-line"}
        for tag in sorted(self._dns):
            dn = self._dns[tag]
            lines.append(f"ephone-dn {tag}{modes[dn.line_mode]}")
            if dn.number is not None:
                secondary = f" secondary {dn.secondary_number}" if dn.secondary_number else ""
                lines.append(f" number {dn.number}{secondary}")
            if dn.first_name is not None:
                lines.append(" name " + " ".join(filter(None, (dn.first_name, dn.last_name))))
            if dn.call_forward_all is not None:
                lines.append(f" call-forward all {dn.call_forward_all}")
            lines.append("!")
        for tag in sorted(self._ephones):
            ephone = self._ephones[tag]
            lines.append(f"ephone {tag}")
            if ephone.username is not None:
                user = self._users[ephone.username]
                password = f" password {user.password}" if user.password else ""
                lines.append(f' username "{user.user_id}"{password}')
            if ephone.mac is not None:
                lines.append(f" mac-address {_dotted_mac(ephone.mac)}")
            if ephone.type is not None:
                lines.append(f" type {ephone.type}")
            if ephone.keyphone:
                lines.append(" keyphone")
            if ephone.buttons:
                pairs = (
                    f"{index}{_BUTTON_SEPARATORS[button.mode]}{button.dn_tag}"
                    for index, button in ephone.buttons.items()
                )
                lines.append(" button " + " ".join(pairs))
            lines.append("!")
        return lines

    # ------------------------------------------------------------------ demo

    def seed_demo(self) -> None:
        """Configure a small realistic router: 3 ephones, 4 dns, 2 registered phones.

        User ``peter`` (password ``cisco``) belongs to ephone 1, so its tag is 1.

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
            "ephone-dn 1 dual-line",
            " number 2001 secondary 2100",
            " name Peter Lee",
            "ephone-dn 2 dual-line",
            " number 2002",
            " name Mary Chen",
            "ephone-dn 3",
            " number 2003",
            " name Lobby Phone",
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
            " button 1:2 2:4",
            "ephone 3",
            " mac-address 000D.EDAB.3566",
            " type 7941",
            " button 1:3",
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
