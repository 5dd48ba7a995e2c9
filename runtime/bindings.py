"""The small base layer that generated bindings import (and nothing else of the runtime).

It holds the operation table types, the API description the registry fills in, the
erratum record, the abstract bases of the generated operation stubs, and the repr
redaction applied to models that carry secrets.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from xsdata.formats.converter import EnumConverter, converter

from ucxml.errors import ParameterError

__all__ = [
    "SECRET_FIELDS",
    "SECRET_NAME_PARTS",
    "ApiInfo",
    "AsyncOperations",
    "Dispatch",
    "EnvelopeStyle",
    "Erratum",
    "Extra",
    "IntegerEnum",
    "Operation",
    "Release",
    "ReleaseForm",
    "SyncOperations",
    "TextEnum",
    "Unknown",
    "WireEnum",
    "as_list",
    "is_secret_name",
    "redact_all",
    "redact_secret_properties",
    "redact_secrets",
]

#: How an API's messages travel: CME's SOAP 1.1 ``axl`` envelope, EM's HTTP form field,
#: EPAS's SOAP 1.2 envelope, a bare XML document (UCCN, PIDF) or JSON (Huawei).
EnvelopeStyle = Literal["cme-axl", "em-form", "soap11", "soap12", "document", "json"]
#: How a message selects its model: its ``xsi:type`` (CME) or its root element's name.
Dispatch = Literal["xsi:type", "root"]
#: A release's message shape: the shared envelope form, or bare messages named by their child.
ReleaseForm = Literal["envelope", "named"]

T = TypeVar("T")
C = TypeVar("C", bound=type)


@dataclass(frozen=True, slots=True)
class Unknown:
    """An element the schema does not know, kept where it was read.

    ``position`` is its index among its parent's element children as read; ``xml`` the
    element as lxml wrote it (its namespaces declared); ``line`` where it was read.
    """

    position: int
    xml: str = field(repr=False)
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Extra:
    """What a model's element carried beyond its schema (``model.extra``): nothing is lost.

    ``elements`` are unknown children at their places; ``attributes`` unknown attributes of
    the element itself (``{namespace}name`` for a qualified one); ``leaf_attributes``
    unknown attributes of its known leaf children, as (child position, name, value).
    ``serialize`` writes all of it back where it was. Values are never shown in a repr:
    unknown content may hold secrets.
    """

    elements: tuple[Unknown, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict, repr=False)
    leaf_attributes: tuple[tuple[int, str, str], ...] = field(default=(), repr=False)

    def __bool__(self) -> bool:
        return bool(self.elements or self.attributes or self.leaf_attributes)


#: Field names whose values never appear in a repr (passwords, keys, certificates, GUIDs,
#: and the PINs and CAPF authentication strings of CME 12.x phone and profile records).
SECRET_FIELDS = frozenset(
    {
        "password",
        "passwd",
        "session_key",
        "app_certificate",
        "app_encrypted_certificate",
        "guid",
        "pin",
        "user_pin",
        "capf_auth_str",
    }
)


def _masking_repr(cls: C, secret: frozenset[str]) -> C:
    names = [f.name for f in dataclasses.fields(cls) if f.repr]

    def __repr__(self: object) -> str:
        parts = []
        for name in names:
            value = "'***'" if name in secret else repr(getattr(self, name))
            parts.append(f"{name}={value}")
        return f"{type(self).__qualname__}({', '.join(parts)})"

    cls.__repr__ = __repr__  # type: ignore[assignment]
    return cls


def redact_secrets(cls: C) -> C:
    """Replace the dataclass repr of ``cls`` with one that masks its secret fields."""
    return _masking_repr(cls, SECRET_FIELDS)


#: Regex fragments: a name containing one of them (any case) names a secret, be it an
#: element, attribute, JSON property, form field, HTTP header or setting name
#: (``ISpassword``, ``appCertificate``, ``session-key``, ``Set-GUID``, ``Authorization``).
SECRET_NAME_PARTS: tuple[str, ...] = (
    "passw",
    "secret",
    "credential",
    "certificate",
    r"session.?key",
    "guid",
    "authoriz",
    "cookie",
    "token",
)
_SECRET_NAME = re.compile("|".join(SECRET_NAME_PARTS), re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """Whether a property, element, header... named ``name`` holds a secret."""
    return bool(_SECRET_NAME.search(name))


def redact_secret_properties(cls: C) -> C:
    """A repr for name/value models that masks ``value`` when ``name`` names a secret.

    UCCN and EPAS carry settings as ``<property name="Directory.Password">…</property>``.
    """
    names = [f.name for f in dataclasses.fields(cls) if f.repr]

    def __repr__(self: object) -> str:
        secret = is_secret_name(str(getattr(self, "name", "") or ""))
        parts = []
        for name in names:
            value = "'***'" if secret and name == "value" else repr(getattr(self, name))
            parts.append(f"{name}={value}")
        return f"{type(self).__qualname__}({', '.join(parts)})"

    cls.__repr__ = __repr__  # type: ignore[assignment]
    return cls


def redact_all(cls: C) -> C:
    """Replace the dataclass repr of ``cls`` with one that masks every field.

    For models that are a secret as a whole (the EPAS ``session-key`` header block).
    """
    return _masking_repr(cls, frozenset(f.name for f in dataclasses.fields(cls)))


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of an API: its wire name, request/response models and method name."""

    api: str
    name: str
    method: str
    request: type[Any]
    response: type[Any]
    doc: str = ""
    #: The request root's field holding this operation's parameters, when one root
    #: element carries several operations (EM's ``request``/``query``).
    params: str | None = None
    #: A read-only query (``idempotent = true`` in the manifest): the clients may send it
    #: again after a transient failure; any other operation is sent at most once.
    idempotent: bool = False
    #: The SOAP action its WSDL binds it to, sent as the SOAP 1.2 media type's ``action``.
    action: str | None = None


@dataclass(frozen=True, slots=True)
class ApiInfo:
    """What the runtime needs to know of one generated API (filled in by the registry)."""

    name: str
    title: str
    package: str
    envelope: EnvelopeStyle
    endpoints: tuple[str, ...]
    roots: tuple[str, ...]
    schema: str
    prefixes: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    type_aliases: Mapping[str, str] = field(default_factory=dict)
    #: How a message selects its model: ``"xsi:type"`` (CME) or ``"root"`` (element name).
    dispatch: Dispatch = "xsi:type"
    #: Prefixes written on output ({prefix: namespace}) for namespaced APIs.
    namespaces: Mapping[str, str] = field(default_factory=dict)
    #: Local name of the child whose text names the message (UCCN ``action``), if any.
    label: str | None = None
    #: Child order the reader restores (with a warning) under these parents; ``"*"``
    #: stands for any other child ({parent: (child, ...)}).
    order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Values servers send URL-encoded, as ``element`` or ``element@attribute`` local names.
    url_encoded: tuple[str, ...] = ()
    #: The tolerances switched on (names of :data:`ucxml._tolerances.TOLERANCES`).
    tolerances: tuple[str, ...] = ()
    #: Elements a message may arrive wrapped in: {wrapper tag: (message tags it may hold)}.
    wrappers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The releases the API has, oldest first (see :class:`Release`); empty for one.
    releases: tuple[Release, ...] = ()
    #: A module with the API's own reader behaviour, if any: one of ``ucxml`` by its name
    #: (``_pidf_hooks``), any other by its dotted name.
    hooks: str | None = None
    #: Whether the API's schema declares its envelope (SOAP ``Envelope``), so that the
    #: envelope is validated; when not (a WSDL of one's own), the message element is.
    validates_envelope: bool = True


@dataclass(frozen=True, slots=True)
class Release:
    """One release of an API (manifest ``[[apis.<api>.releases]]``), oldest first.

    ``endpoints`` are the paths a client of this release posts to (empty: the API's own);
    ``markers`` what in a message shows this release or a later one: ``code T-X`` (a
    tolerance warning), ``name`` (an element's local name), ``name@attr`` or ``@attr``;
    ``params`` the release's own limits (Huawei's largest agent ID). ``default`` marks the
    release clients write when none is given, and the one detected when no marker is seen.

    A release whose messages differ in shape from the shared models has a dialect
    (:mod:`ucxml._dialects`): ``form`` ``"named"`` (a bare message named by its child, no
    envelope, no ``xsi:type``), ``results`` (an answer's wrapper element: the response type
    it holds), ``containers`` (``(parent, container, item, field)``: the items of a plural
    container are the model's repeated ``field``) and ``spellings`` (``(parent, wire,
    field)``: an element this release spells otherwise). Readers read every release's
    dialect; a writer writes its client's.
    """

    name: str
    doc: str
    default: bool = False
    endpoints: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    params: Mapping[str, int | str] = field(default_factory=dict)
    form: ReleaseForm = "envelope"
    results: Mapping[str, str] = field(default_factory=dict)
    containers: tuple[tuple[str, str, str, str], ...] = ()
    spellings: tuple[tuple[str, str, str], ...] = ()

    @property
    def has_dialect(self) -> bool:
        """Whether this release's messages differ in shape from the shared models'."""
        return self.form != "envelope" or bool(self.results or self.containers or self.spellings)


@dataclass(frozen=True, slots=True)
class Erratum:
    """A known defect of the source documentation (one entry of an API's ERRATA.md)."""

    id: str
    title: str
    severity: str
    files: tuple[tuple[str, int | None], ...]
    match: tuple[str, ...]
    wrong: str
    fix: str
    why: str


class TextEnum(enum.StrEnum):
    """Base of generated enumerations of text values: a member is its wire value as a str.

    ``str(DeviceStatus.REGISTERED) == "registered"``, and members compare equal to it.
    """


class IntegerEnum(enum.IntEnum):
    """Base of generated enumerations of integers; ``str()`` is the wire value (``"1"``)."""


class WireEnum(enum.Enum):
    """Base of generated enumerations whose values are neither text nor integers (QNames).

    ``str()`` of a member is its wire value, as for :class:`TextEnum` and :class:`IntegerEnum`.
    """

    def __str__(self) -> str:
        return str(self.value)


# xsdata picks a converter by the first registered class of the MRO, which is str (or int)
# before Enum for these bases: without this, "registered" would be read as a plain str.
converter.register_converter(TextEnum, EnumConverter())
converter.register_converter(IntegerEnum, EnumConverter())


# A value that may hold a password (``username x password y``) is not quoted in an error.
_SECRET_WORDS = re.compile(r"(?i)pass|secret|key|cert|community|guid|token")


def _fix(method: str, name: str, value: str, keyword: bool) -> str:
    """The call the user probably meant, shown in the refusal of a bare string."""
    items = value.splitlines() or [value]
    if _SECRET_WORDS.search(value) or len(value) > 200:
        shown = '["first item", "second item"]'
    else:
        shown = (
            "[" + ", ".join(repr(i) for i in items[:4]) + (", ..." if len(items) > 4 else "") + "]"
        )
    return f"{method}({name}={shown})" if keyword else f"{method}({shown})"


def as_list(method: str, name: str, value: Iterable[T], *, keyword: bool = True) -> list[T]:
    """``value`` as a list, for a parameter that takes several items.

    A bare ``str`` (or ``bytes``) is refused with a :class:`~ucxml.errors.ParameterError`
    naming the parameter and showing the fix: Python would otherwise split it into
    characters and send each one as an item (one-character CLI lines on a router).

    Args:
        method: The client method, for the error text (``exec_cli``).
        name: The parameter (``cli``).
        value: What the caller passed.
        keyword: Whether the parameter is passed by keyword (how the fix is written).
    """
    if isinstance(value, str | bytes | bytearray):
        text = value if isinstance(value, str) else value.decode("utf-8", "replace")
        raise ParameterError(
            f"{method}: {name} takes a list of items, not a single string (Python would send "
            f"each character as an item); nothing was sent. "
            f"Write {_fix(method, name, text, keyword)}"
        )
    return list(value)


class SyncOperations(abc.ABC):
    """Base of the generated synchronous operation stubs; a client implements ``_invoke``."""

    __slots__ = ()

    @abc.abstractmethod
    def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        """Send ``request`` for ``operation`` and return the parsed ``response_type``."""

    def _invoke_records(
        self, operation: Operation, request: Any, record_type: type[T]
    ) -> Iterator[T]:
        """Send ``request`` and yield the answer's ``record_type`` records one by one."""
        raise NotImplementedError(f"{type(self).__name__} does not stream records")


class AsyncOperations(abc.ABC):
    """Base of the generated asynchronous operation stubs; a client implements ``_invoke``."""

    __slots__ = ()

    @abc.abstractmethod
    async def _invoke(self, operation: Operation, request: Any, response_type: type[T]) -> T:
        """Send ``request`` for ``operation`` and return the parsed ``response_type``."""

    async def _invoke_records(
        self, operation: Operation, request: Any, record_type: type[T]
    ) -> Iterator[T]:
        """Send ``request``; an iterator of the answer's ``record_type`` records."""
        raise NotImplementedError(f"{type(self).__name__} does not stream records")
