"""UCCN change notifications as typed events, and a dispatcher with a handler per action.

Cisco Unified Presence's Unified Communicator Change Notifier tells a subscribed client,
in SIP NOTIFY bodies, what changed in the provisioning database. Example::

    from ucxml.uccn import Dispatcher, parse_notification

    notify = open("runtime/demo_captures/05-uccn-notify.sip", "rb").read()
    event = parse_notification(notify)           # a SIP NOTIFY or just its XML body
    print(event.action, event.kind, event.new)   # e.g. insert-contact, CONTACT, Contact(...)

    events = Dispatcher()

    @events.on("insert-contact", "update-contact")
    def contact_changed(event):
        print("refresh", event.new)

    events.dispatch(notify)

A payload goes through the hardened reader and the corrected UCCN schema's models
(``ucxml.generated.uccn``): the documentation's undeclared ``epas:`` prefix is read with a
:class:`~ucxml._documents.DeviationWarning`, anything else that is not a valid notification
raises a :class:`~ucxml.errors.UcxmlError`. Setting values whose name marks a secret
(``Directory.Password``) are masked in every repr.
"""

from __future__ import annotations

import enum
import inspect
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeAlias, TypeVar

from ucxml._documents import parse
from ucxml._sip import SipMessage, parse_sip
from ucxml.bindings import is_secret_name
from ucxml.errors import MalformedResponseError, ParameterError
from ucxml.generated.uccn.models import (
    ChangeBlock,
    ContactGroup,
    Rule,
    UccnAction,
    UccnFlag,
    UPCConfigChange,
)

__all__ = [
    "ACTIONS",
    "AclEntry",
    "ChangeEvent",
    "ChangeKind",
    "Contact",
    "DialingRule",
    "Dispatcher",
    "Group",
    "Item",
    "PrivacyRule",
    "Settings",
    "UccnAction",
    "event_of",
    "parse_notification",
]

#: Every action a notification may carry (the wire spelling).
ACTIONS = frozenset(a.value for a in UccnAction)


class ChangeKind(enum.StrEnum):
    """What a notification is about."""

    CONTACT = "contact"
    GROUP = "group"
    DIALING_RULE = "dialing-rule"
    PRIVACY_RULE = "privacy-rule"
    ACL = "acl"
    SETTINGS = "settings"


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact (buddy) of a user, in one of the user's contact groups."""

    persona_id: str
    group: str
    group_index: Decimal
    index: Decimal | None = None
    nickname: str | None = None
    is_cups: bool | None = None
    is_external: bool | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A contact group of a user."""

    name: str
    index: Decimal
    is_cups: bool | None = None
    is_external: bool | None = None


@dataclass(frozen=True, slots=True)
class DialingRule:
    """An application dialing rule of the associated Cisco Unified CM."""

    name: str | None
    rule_type: int | None = None
    description: str | None = None
    priority: int | None = None
    number_begins_with: str | None = None
    number_of_digits: int | None = None
    digits_to_be_removed: int | None = None
    prefix: str | None = None


@dataclass(frozen=True, slots=True)
class PrivacyRule:
    """A presence (privacy) rule: its name and its rule document as the server stores it."""

    name: str | None
    data: str | None


@dataclass(frozen=True, slots=True)
class AclEntry:
    """A watcher on the access list of a presence rule."""

    rule: str | None
    watcher: str


Item: TypeAlias = Contact | Group | DialingRule | PrivacyRule | AclEntry
"""The typed old/new value of a notification."""


class Settings(Mapping[str, str]):
    """The ``property`` settings of a notification, by name, in document order.

    Values of secret settings (``Directory.Password``) are masked in the repr; the
    ``is-public`` flag of end-user attributes is :meth:`is_public`.
    """

    __slots__ = ("_public", "_values")

    def __init__(self, values: Mapping[str, str], public: Mapping[str, bool] | None = None):
        self._values = dict(values)
        self._public = dict(public or {})

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def is_public(self, name: str) -> bool | None:
        """The ``is-public`` flag of setting ``name`` (None when the payload gives none)."""
        return self._public.get(name)

    def __repr__(self) -> str:
        shown = {k: "***" if is_secret_name(k) else v for k, v in self._values.items()}
        return f"Settings({shown!r})"


def _flag(value: UccnFlag | None) -> bool | None:
    return None if value is None else value is UccnFlag.TRUE


def _group_item(group: ContactGroup) -> Contact | Group:
    if group.persona_id is not None:
        persona = group.persona_id
        return Contact(
            persona_id=persona.value,
            group=group.name,
            group_index=group.index,
            index=persona.index,
            nickname=persona.nickname,
            is_cups=_flag(group.is_cups),
            is_external=_flag(group.is_external),
        )
    return Group(group.name, group.index, _flag(group.is_cups), _flag(group.is_external))


def _rule_item(rule: Rule) -> DialingRule | PrivacyRule | AclEntry:
    if rule.watcher is not None:
        return AclEntry(rule.name_attribute, rule.watcher)
    if rule.data is not None or rule.name_attribute is not None:
        return PrivacyRule(rule.name_attribute, rule.data)
    return DialingRule(
        name=rule.name,
        rule_type=rule.rule_type,
        description=rule.description,
        priority=rule.priority,
        number_begins_with=rule.number_begins_with,
        number_of_digits=rule.number_of_digits,
        digits_to_be_removed=rule.digits_to_be_removed,
        prefix=rule.prefix,
    )


def _item(block: ChangeBlock | None) -> Item | None:
    if block is None:
        return None
    if block.group is not None:
        return _group_item(block.group)
    if block.rule is not None:
        return _rule_item(block.rule)
    return None


_KINDS: dict[type[Any], ChangeKind] = {
    Contact: ChangeKind.CONTACT,
    Group: ChangeKind.GROUP,
    DialingRule: ChangeKind.DIALING_RULE,
    PrivacyRule: ChangeKind.PRIVACY_RULE,
    AclEntry: ChangeKind.ACL,
}


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One UCCN notification, typed.

    ``action`` is the wire action (``"insert-contact"``, ``"update-host"``...), ``kind``
    what it is about, ``old``/``new`` the typed values before and after the change (None
    where the payload has none), ``properties`` the settings it carries and ``cti_device``
    the end user's CTI device. ``document`` is the bound payload itself.
    """

    action: str
    kind: ChangeKind
    old: Item | None
    new: Item | None
    properties: Settings
    cti_device: str | None
    document: UPCConfigChange = field(repr=False, compare=False)

    @property
    def verb(self) -> str:
        """The first word of the action: ``insert``, ``update``, ``delete`` or ``add``."""
        return self.action.split("-", 1)[0]


def event_of(document: UPCConfigChange) -> ChangeEvent:
    """The typed event of an already bound ``UPCConfigChange``."""
    old, new = _item(document.old), _item(document.new)
    sample = new if new is not None else old
    kind = _KINDS[type(sample)] if sample is not None else ChangeKind.SETTINGS
    values = {p.name: p.value for p in document.properties}
    public = {p.name: flag for p in document.properties if (flag := _flag(p.is_public)) is not None}
    return ChangeEvent(
        action=document.action.value,
        kind=kind,
        old=old,
        new=new,
        properties=Settings(values, public),
        cti_device=document.cti_device,
        document=document,
    )


def _body(notification: bytes | str | os.PathLike[str] | SipMessage) -> bytes | str:
    if isinstance(notification, SipMessage):
        return notification.body
    if isinstance(notification, os.PathLike):
        with open(notification, "rb") as handle:
            notification = handle.read()
    raw = notification.encode() if isinstance(notification, str) else notification
    head = raw.lstrip()[:200]
    if head[:1] != b"<" and b"SIP/2.0" in head.split(b"\n", 1)[0]:
        return parse_sip(raw).body
    return notification


def parse_notification(notification: bytes | str | os.PathLike[str] | SipMessage) -> ChangeEvent:
    """Read a UCCN notification: a SIP NOTIFY (whole) or its XML body, bytes, text or path."""
    document = parse(_body(notification), api="uccn")
    if not isinstance(document, UPCConfigChange):  # pragma: no cover - uccn has one document
        raise MalformedResponseError(f"not a UCCN notification: {type(document).__name__}")
    return event_of(document)


Handler: TypeAlias = Callable[[ChangeEvent], Any]
H = TypeVar("H", bound=Handler)


class Dispatcher:
    """Routes notifications to the handlers registered for their action.

    Handlers may be plain functions or coroutine functions (awaited by
    :meth:`dispatch_async`). An action without a handler goes to the :meth:`fallback`
    handler when one is set, and is otherwise ignored (``dispatch`` returns None).
    """

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._fallback: Handler | None = None

    def on(self, *actions: str | UccnAction) -> Callable[[H], H]:
        """Decorator: call the function for each of ``actions`` (wire spellings or enums)."""
        names = [a.value if isinstance(a, UccnAction) else a for a in actions]
        unknown = [a for a in names if a not in ACTIONS]
        if unknown or not names:
            raise ParameterError(
                f"unknown UCCN action(s) {unknown or names}; known: {', '.join(sorted(ACTIONS))}"
            )

        def register(handler: H) -> H:
            for name in names:
                self._handlers.setdefault(name, []).append(handler)
            return handler

        return register

    def fallback(self, handler: H) -> H:
        """Decorator: the handler of actions nobody registered for."""
        self._fallback = handler
        return handler

    def handlers_for(self, action: str) -> list[Handler]:
        """The handlers ``action`` would be given to, in registration order."""
        found = self._handlers.get(action)
        if found:
            return list(found)
        return [self._fallback] if self._fallback is not None else []

    def _event(self, notification: ChangeEvent | bytes | str | SipMessage) -> ChangeEvent:
        if isinstance(notification, ChangeEvent):
            return notification
        return parse_notification(notification)

    def dispatch(self, notification: ChangeEvent | bytes | str | SipMessage) -> list[Any]:
        """Give the notification to its handlers; returns their results in order."""
        event = self._event(notification)
        results = []
        for handler in self.handlers_for(event.action):
            result = handler(event)
            if inspect.isawaitable(result):
                close = getattr(result, "close", None)
                if close is not None:
                    close()
                raise ParameterError(
                    f"handler {getattr(handler, '__name__', handler)!r} is a coroutine: "
                    "use dispatch_async"
                )
            results.append(result)
        return results

    async def dispatch_async(
        self, notification: ChangeEvent | bytes | str | SipMessage
    ) -> list[Any]:
        """:meth:`dispatch`, awaiting the handlers that are coroutine functions."""
        event = self._event(notification)
        results = []
        for handler in self.handlers_for(event.action):
            result = handler(event)
            if inspect.isawaitable(result):
                result = await _awaited(result)
            results.append(result)
        return results


async def _awaited(value: Awaitable[Any]) -> Any:
    return await value
