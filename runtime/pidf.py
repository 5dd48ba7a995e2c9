"""SIMPLE presence documents: build and read PIDF, and split RLMI list notifications.

The models are the generated ones (``ucxml.generated.pidf``: PIDF, the RFC 4479 data
model, RPID, service capabilities, Cisco's extensions and RLMI); this module adds the
short ways a presence application needs. Example::

    from ucxml import pidf

    doc = pidf.build_presence(
        "sip:jdoe@example.com",
        basic="open",
        activities=["on-the-phone"],
        user_input="active",
        servcaps={"audio": True, "video": False, "text": True},
        contact="sip:jdoe@10.1.1.20",
        priority=1,
    )
    body = pidf.dump(doc)                    # application/pidf+xml bytes
    info = pidf.summary(pidf.read(body))     # PresenceSummary(basic='open', ...)

    notify = open("runtime/demo_captures/04-presence-list-notify.sip", "rb").read()
    notification = pidf.split_rlmi(notify)   # a whole SIP NOTIFY, or its body and type
    for resource, documents in notification.presence.items():
        print(resource, [pidf.summary(d).basic for d in documents])

Reading goes through the hardened reader and binds every element; extension elements the
schemas do not declare are kept (as ``xsdata`` ``AnyElement``, found with
:func:`extensions`) and written back, never dropped. A date and time without a time zone
is kept as sent (an ``XmlDateTime`` whose ``offset`` is None) and an element of RPID's
draft namespace ``urn:ietf:params:xml:ns:pidf:status:rpid`` is kept in it; the readers
report both as :class:`~ucxml._documents.DeviationWarning` (codes ``T-LOCAL-TIME`` and
``T-DRAFT-NS``, ERRATA D08 and D09). :func:`build_presence` writes strictly: a timestamp
needs its zone.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from xsdata.formats.dataclass.models.generics import AnyElement
from xsdata.models.datatype import XmlDateTime

from ucxml._documents import DeviationWarning, decode, read_message, serialize
from ucxml._pidf_hooks import DRAFT_NAMESPACES
from ucxml._safexml import read_source
from ucxml._sip import SipMessage, content_type_params, parse_sip, split_multipart
from ucxml.bindings import as_list
from ucxml.errors import MessageFormatError, ParameterError
from ucxml.generated.pidf.models import (
    ActiveIdle,
    Activities,
    Alerting,
    Available,
    Basic,
    Contact,
    Dnd,
    Empty,
    Note,
    Person,
    Presence,
    RlmiList,
    Servcaps,
    Status,
    Tuple,
    UserInput,
)

__all__ = [
    "ACTIVITIES",
    "PresenceSummary",
    "RlmiNotification",
    "activities_of",
    "build_presence",
    "dump",
    "extensions",
    "read",
    "read_list",
    "split_rlmi",
    "summary",
]

_RPID_ACTIVITIES = {
    f.metadata.get("name", f.name.replace("_", "-")): f.name
    for f in dataclasses.fields(Activities)
    if f.name not in ("note", "other", "other_element", "from_value", "until", "id")
    and f.name != "other_attributes"
}
_CISCO_ACTIVITIES: dict[str, type[Any]] = {
    "available": Available,
    "alerting": Alerting,
    "dnd": Dnd,
}
#: Activity names :func:`build_presence` understands: RFC 4480's and Cisco's ``available``,
#: ``alerting`` and ``dnd``.
ACTIVITIES = frozenset(_RPID_ACTIVITIES) | frozenset(_CISCO_ACTIVITIES)
# The boolean capabilities of the servcaps draft (the others take structured values).
_SERVCAPS = frozenset(
    {"audio", "video", "text", "application", "message", "control", "data", "automata", "is_focus"}
)


def _servcaps(value: Servcaps | Mapping[str, bool] | None) -> Servcaps | None:
    if value is None or isinstance(value, Servcaps):
        return value
    unknown = set(value) - _SERVCAPS
    if unknown:
        raise ParameterError(f"unknown service capabilities {sorted(unknown)}")
    caps = Servcaps()
    for name, flag in value.items():
        setattr(caps, name, bool(flag))
    return caps


def _activities(names: Iterable[str]) -> Activities | None:
    names = as_list("build_presence", "activities", names)
    if not names:
        return None
    unknown = [n for n in names if n not in ACTIVITIES]
    if unknown:
        raise ParameterError(
            f"unknown activities {unknown}; known: {', '.join(sorted(ACTIVITIES))}"
        )
    activities = Activities()
    for name in names:
        if name in _CISCO_ACTIVITIES:
            activities.other_element.append(_CISCO_ACTIVITIES[name]())
        elif name == "unknown":
            activities.unknown = Empty()
        else:
            getattr(activities, _RPID_ACTIVITIES[name]).append(Empty())
    return activities


def _timestamp(value: datetime | None) -> XmlDateTime | None:
    if value is None:
        return None
    if value.utcoffset() is None:
        # Read tolerantly (T-LOCAL-TIME), write strictly: RFC 3339 needs the offset.
        raise ParameterError(f"timestamp {value.isoformat()} has no time zone")
    return XmlDateTime.from_datetime(value)


def build_presence(
    entity: str,
    *,
    basic: Basic | str = Basic.OPEN,
    activities: Iterable[str] = (),
    user_input: ActiveIdle | str | None = None,
    servcaps: Servcaps | Mapping[str, bool] | None = None,
    contact: str | None = None,
    priority: Decimal | float | int | None = None,
    note: str | None = None,
    tuple_id: str = "t1",
    person_id: str = "p1",
    timestamp: datetime | None = None,
) -> Presence:
    """A presence document of one tuple (status, capabilities, contact) and one person.

    ``activities`` are RPID activity names (``busy``, ``on-the-phone``...) or Cisco's
    ``available``, ``alerting``, ``dnd``; ``priority`` is the contact's priority (0 to 1);
    ``timestamp`` is the tuple's, an aware datetime (RFC 3863 wants its zone). Unknown
    names, out-of-range priorities and a naive timestamp raise
    :class:`~ucxml.errors.ParameterError`.
    """
    status = Status(basic=Basic(basic))
    extensions: list[object] = []
    caps = _servcaps(servcaps)
    if caps is not None:
        extensions.append(caps)
    if user_input is not None:
        extensions.append(UserInput(value=ActiveIdle(user_input)))
    if priority is not None:
        priority = Decimal(str(priority))
        if not Decimal(0) <= priority <= Decimal(1):
            raise ParameterError(f"contact priority must be within 0..1, got {priority}")
    tuple_ = Tuple(
        status=status,
        other_element=extensions,
        contact=Contact(value=contact, priority=priority) if contact is not None else None,
        note=[Note(value=note)] if note else [],
        timestamp=_timestamp(timestamp),
        id=tuple_id,
    )
    person_parts: list[object] = []
    acts = _activities(activities)
    if acts is not None:
        person_parts.append(acts)
    people: list[object] = [Person(other_element=person_parts, id=person_id)] if acts else []
    return Presence(tuple=[tuple_], other_element=people, entity=entity)


def dump(document: Presence | RlmiList) -> bytes:
    """The document as an ``application/pidf+xml`` (or ``rlmi+xml``) body."""
    return serialize(document)


def _read(data: bytes | str | os.PathLike[str]) -> object:
    """:func:`ucxml.parse` for the pidf API (its hooks' warnings are the message's)."""
    raw, _ = read_source(data)
    message = read_message(raw, "pidf", drop_blanks=True)
    document = decode(message)
    for issue in message.warnings:
        warnings.warn(f"line {issue.line}: {issue.message}", DeviationWarning, stacklevel=3)
    return document


def read(data: bytes | str | os.PathLike[str]) -> Presence:
    """Read a PIDF presence document (bytes, text or path).

    Tolerated deviations (Cisco's element order, a timestamp without zone, RPID's draft
    namespace) are reported as :class:`~ucxml._documents.DeviationWarning`.
    """
    document = _read(data)
    if not isinstance(document, Presence):
        raise MessageFormatError(
            f"expected a PIDF presence document, got {type(document).__name__}"
        )
    return document


def read_list(data: bytes | str | os.PathLike[str]) -> RlmiList:
    """Read an RLMI resource list document (bytes, text or path)."""
    document = _read(data)
    if not isinstance(document, RlmiList):
        raise MessageFormatError(f"expected an RLMI list, got {type(document).__name__}")
    return document


def _children(node: object) -> Iterator[object]:
    """The extension content of a model or ``AnyElement``: its wildcard lists, in order."""
    if isinstance(node, AnyElement):
        yield from node.children
        return
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        for item in value if isinstance(value, list) else [value]:
            if dataclasses.is_dataclass(item) or isinstance(item, AnyElement):
                yield item


def _qname_of(element: object) -> str | None:
    if isinstance(element, AnyElement):
        return element.qname
    meta = getattr(type(element), "Meta", None)
    name, namespace = getattr(meta, "name", None), getattr(meta, "namespace", None)
    if isinstance(name, str):
        return f"{{{namespace}}}{name}" if namespace else name
    return None


def extensions(node: object, qname: str) -> list[object]:
    """Every element named ``qname`` (``{namespace}local``) inside ``node``, in document order.

    Declared extensions come back as their typed classes (``Servcaps``, ``Model``...),
    undeclared ones (a Cisco element the schemas do not know, RPID's draft namespace) as
    ``xsdata`` ``AnyElement`` with their text, attributes and children as sent.
    """
    found: list[object] = []
    stack = list(_children(node))[::-1]
    while stack:
        item = stack.pop()
        if _qname_of(item) == qname:
            found.append(item)
        stack.extend(list(_children(item))[::-1])
    return found


def _name_of(element: object) -> str | None:
    meta = getattr(type(element), "Meta", None)
    name = getattr(meta, "name", None)
    if isinstance(name, str):
        return name
    qname = getattr(element, "qname", None)  # an AnyElement
    return qname.rsplit("}", 1)[-1] if isinstance(qname, str) else None


def _activity_names(extensions: Iterable[object]) -> list[str]:
    """The activity names of the ``activities`` elements among ``extensions``."""
    names: list[str] = []
    for element in extensions:
        if isinstance(element, Activities):
            if element.unknown is not None:
                names.append("unknown")
            for wire, attribute in _RPID_ACTIVITIES.items():
                if wire != "unknown" and getattr(element, attribute):
                    names.append(wire)
            if element.other:
                names.append("other")
            names += [n for n in map(_name_of, element.other_element) if n]
        elif isinstance(element, AnyElement):
            # RPID's draft namespace (CUCM-era Cisco): kept as AnyElement, read by name.
            namespace, _, local = (element.qname or "").lstrip("{").partition("}")
            if local == "activities" and namespace in DRAFT_NAMESPACES:
                names += [n for n in map(_name_of, element.children) if n]
    return names


def activities_of(document: Presence) -> list[str]:
    """The activity names of ``document`` (RPID and extension ones): every person's, then
    those a tuple carries itself (CUCM's PUBLISH to IM&P writes them there, ERRATA D12).

    Activities in RPID's draft namespace (``…:pidf:status:rpid``) count too.
    """
    names: list[str] = []
    for person in (e for e in document.other_element if isinstance(e, Person)):
        names += _activity_names(person.other_element)
    for tuple_ in document.tuple:
        names += _activity_names(tuple_.other_element)
    return names


@dataclass(frozen=True, slots=True)
class PresenceSummary:
    """What a presence document says, in short: the first tuple's state and the activities."""

    entity: str
    basic: str | None
    activities: tuple[str, ...]
    user_input: str | None
    contact: str | None
    priority: Decimal | None
    servcaps: Servcaps | None
    tuples: int


def summary(document: Presence) -> PresenceSummary:
    """A :class:`PresenceSummary` of ``document``."""
    first = document.tuple[0] if document.tuple else None
    extensions = first.other_element if first else []
    user_input = next((e for e in extensions if isinstance(e, UserInput)), None)
    caps = next((e for e in extensions if isinstance(e, Servcaps)), None)
    basic = first.status.basic if first else None
    contact = first.contact if first else None
    return PresenceSummary(
        entity=document.entity,
        basic=basic.value if basic is not None else None,
        activities=tuple(activities_of(document)),
        user_input=user_input.value.value if user_input is not None else None,
        contact=contact.value if contact is not None else None,
        priority=contact.priority if contact is not None else None,
        servcaps=caps,
        tuples=len(document.tuple),
    )


@dataclass(frozen=True, slots=True)
class RlmiNotification:
    """A list NOTIFY body split: the RLMI ``resource_list`` and the presence documents.

    ``presence`` maps each resource URI to the presence documents its instances point to
    (by ``cid``); ``parts`` keeps every part by Content-ID.
    """

    resource_list: RlmiList
    presence: dict[str, list[Presence]]
    parts: dict[str, Presence | RlmiList] = field(repr=False)


def split_rlmi(data: bytes | SipMessage, content_type: str | None = None) -> RlmiNotification:
    """Split a ``multipart/related`` RLMI notification into the list and presence parts.

    ``data`` is a whole SIP NOTIFY (bytes or :class:`~ucxml._sip.SipMessage`), or the body
    alone with its ``content_type``. A missing root part, a part of another type, or an
    instance whose ``cid`` names no part raises :class:`~ucxml.errors.MessageFormatError`;
    a part that is not a valid document raises the reader's typed error.
    """
    if isinstance(data, SipMessage) or content_type is None:
        message = data if isinstance(data, SipMessage) else parse_sip(data)
        body, content_type = message.body, message.content_type
    else:
        body = data
    media, params = content_type_params(content_type)
    if media != "multipart/related":
        raise MessageFormatError(f"an RLMI notification is multipart/related, got {media}")
    parts = split_multipart(body, content_type)
    start = params.get("start", "").strip().strip("<>").strip() or None
    root = next((p for p in parts if p.content_id == start), parts[0]) if start else parts[0]
    documents: dict[str, Presence | RlmiList] = {}
    for index, part in enumerate(parts):
        key = part.content_id or f"#{index}"
        document = _read(part.content)
        if not isinstance(document, Presence | RlmiList):
            raise MessageFormatError(
                f"part <{key}> is a {type(document).__name__}, "
                "neither a presence document nor an RLMI list"
            )
        documents[key] = document
    root_key = root.content_id or "#0"
    resource_list = documents.get(root_key)
    if not isinstance(resource_list, RlmiList):
        raise MessageFormatError("the root part of the notification is not an RLMI list")
    presence: dict[str, list[Presence]] = {}
    for resource in resource_list.resource:
        found = presence.setdefault(resource.uri, [])
        for instance in resource.instance:
            if instance.cid is None:
                continue
            part_document = documents.get(instance.cid)
            if part_document is None:
                raise MessageFormatError(
                    f"instance {instance.id} of {resource.uri} names part <{instance.cid}>, "
                    "which the body does not have"
                )
            if not isinstance(part_document, Presence):
                raise MessageFormatError(f"part <{instance.cid}> is not a presence document")
            found.append(part_document)
    return RlmiNotification(resource_list, presence, documents)
