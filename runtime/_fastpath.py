"""The fast reader and writer: generated per-model plans run by a small engine.

The generator knows every model's element names, cardinalities and value types; it writes
them as plans (``generated/<api>/fastpath.py``). Here each plan is compiled once into a
reader closure (child tag -> field, converter) and a writer, which replace xsdata's generic
per-element machinery. Large xsi:type messages are read while they stream in (lxml
``iterparse``, each record cleared once bound), so memory does not grow with the tree.
Results equal xsdata's on every golden example and on random instances (tests), and the
generic path stays available (:func:`ucxml._documents.decode_generic`).
"""

from __future__ import annotations

import enum
import functools
import gc
import importlib
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ucxml import _dialects as dialects
from ucxml import _releases as releases
from ucxml._envelopes import XSI_NS, XSI_TYPE, CmeAxlEnvelope
from ucxml._registry import binding
from ucxml._report import Issue
from ucxml._safexml import (
    DEFAULT_MAX_BYTES,
    SourceLines,
    column_of,
    declare_prefixes,
    declares_markup,
    parse_siblings,
    parse_xml,
    postcheck,
    precheck,
    safe_iterparse,
    syntax_error,
)
from ucxml._tolerances import alias_warning, bare_warning, type_alias_warning, unknown_warning
from ucxml._unknown import attribute_items, unknown_xml
from ucxml.bindings import ApiInfo, Extra, Unknown
from ucxml.errors import (
    BindingError,
    UcxmlError,
    UnknownApiError,
    UnknownMessageError,
    XmlSyntaxError,
)

__all__ = [
    "CHUNK_BYTES",
    "FastStats",
    "decode_element",
    "has_plan",
    "iter_records",
    "stats",
    "stream_parse",
    "write",
]

_BOOLS = {"true": True, "1": True, "false": False, "0": False}
# Reader dispatch codes: strings and nested models are handled inline, the rest by converter.
_STR, _NESTED, _ENUM, _OTHER = "str", "nested", "enum", "other"
# A release's own spelling of a field, and its plural container of a list field.
_SPELLED, _BOX = "spelled", "box"
#: How a plan reads one child tag: (field, code, converter, is_list); a spelling's or a
#: container's converter slot holds the entry (or the item tag and entry) it stands for.
_Entry = tuple[str, str, Any, bool]
_CODES = {"str": _STR}
#: The fast path reads the xsi:type-dispatched messages of the ``cme-axl`` envelope style:
#: where they sit and what they are called is that style's data, not restated here.
_WRAPPING = CmeAxlEnvelope.path
_KINDS = CmeAxlEnvelope.messages
_REQUEST, _RESPONSE = _KINDS
_XSI = f"{{{XSI_NS}}}"


@dataclass
class FastStats:
    """How often the fast path ran, and how often it handed over to the generic one."""

    fast: int = 0
    generic: int = 0


#: Process-wide counters (reported by the benchmark).
stats = FastStats()


class _Reader:
    """Collects the deviations tolerated while reading (aliases, unknown content) and
    names positions."""

    __slots__ = ("aliases", "data", "dialect", "keep_unknown", "lines", "warnings")

    def __init__(self, info: ApiInfo, data: bytes | None) -> None:
        self.aliases: Mapping[str, str] = info.aliases
        #: Whether a release dialect's shape was read (a spelling, a plural container).
        self.dialect = False
        #: Whether unknown elements and attributes are kept (tolerance ``unknown``).
        self.keep_unknown = "unknown" in info.tolerances
        self.warnings: list[Issue] = []
        self.data = data
        self.lines = SourceLines(data) if data is not None else None

    def unknown(self, el: etree._Element, what: str) -> None:
        """Report ``what`` of ``el`` as content no known release has (it is kept)."""
        self.unknown_all(el, (what,))

    def unknown_all(self, el: etree._Element, whats: Iterable[str]) -> None:
        """:meth:`unknown` for several pieces of ``el`` (its place found once)."""
        column = column_of(self.lines, el.sourceline, _name(el))
        path = str(el.getroottree().getpath(el))
        self.warnings.extend(unknown_warning(w, el.sourceline, column, path) for w in whats)

    def alias(self, child: etree._Element) -> str | None:
        target = self.aliases.get(str(child.tag))
        if target is not None:
            column = column_of(self.lines, child.sourceline, str(child.tag))
            path = str(child.getroottree().getpath(child))
            warning = alias_warning(_name(child), target, child.sourceline, column, path)
            self.warnings.append(warning)
        return target


def _name(el: etree._Element) -> str:
    # Not etree.QName: it raises ValueError on a tag with an undeclared prefix ("x:y"),
    # which a stream shows before lxml reports the namespace error at the end.
    return str(el.tag).rsplit("}", 1)[-1]


class _Extra:
    """The unknown content of one element while it is read (see :class:`Extra`)."""

    __slots__ = ("attributes", "elements", "leaf_attributes")

    def __init__(self) -> None:
        self.elements: list[Unknown] = []
        self.attributes: dict[str, str] = {}
        self.leaf_attributes: list[tuple[int, str, str]] = []

    def frozen(self) -> Extra:
        return Extra(tuple(self.elements), dict(self.attributes), tuple(self.leaf_attributes))


def _position(child: etree._Element) -> int:
    """``child``'s index among its parent's element children (comments not counted)."""
    return sum(1 for c in child.itersiblings(preceding=True) if isinstance(c.tag, str))


def _keep(child: etree._Element) -> Unknown:
    """An unknown element as kept on its parent's model: where it was, and its XML."""
    return Unknown(_position(child), unknown_xml(child), child.sourceline)


def _keep_leaf_attributes(
    child: etree._Element, extra: _Extra | None, reader: _Reader
) -> _Extra | None:
    """The attributes of a known leaf (none is known: a leaf holds only text), kept."""
    items = [(k, v) for k, v in attribute_items(child) if not k.startswith(_XSI)]
    if not items:
        return extra
    extra = extra or _Extra()
    position = _position(child)
    extra.leaf_attributes.extend((position, key, value) for key, value in items)
    reader.unknown_all(child, (f"attribute {key!r} on <{_name(child)}>" for key, _ in items))
    return extra


def _unknown(child: etree._Element, what: str = "element") -> BindingError | XmlSyntaxError:
    tag = str(child.tag)
    if ":" in tag and not tag.startswith("{"):
        # What the whole-tree reader says of it (the stream would say it only at the end).
        prefix, local = tag.split(":", 1)
        return XmlSyntaxError(
            f"Namespace prefix {prefix} on {local} is not defined", line=child.sourceline
        )
    return BindingError(
        f"unknown {what} <{_name(child)}>",
        path=str(child.getroottree().getpath(child)),
        line=child.sourceline,
    )


def _text_converter(kind: str, target: Any) -> Callable[[str | None], Any]:
    """Text -> value, with xsdata's semantics for each kind."""
    if kind == "str":
        return lambda text: text if text is not None else ""
    if kind == "int":
        return int  # type: ignore[return-value]
    if kind == "float":
        return lambda text: float(text)  # type: ignore[arg-type]
    if kind == "bool":

        def to_bool(text: str | None) -> bool:
            return _BOOLS[(text or "").strip()]

        return to_bool
    if kind == "enum":
        members: dict[str, Any] = {str(m.value): m for m in target}
        value_type = type(next(iter(target)).value)

        def to_enum(text: str | None) -> Any:
            found = members.get(text or "")
            if found is None:
                found = target(value_type((text or "").strip()))
            return found

        return to_enum
    if kind == "union":
        # xsdata tries every other member type before str.
        has_str = str in target
        texts = [t for t in target if t is not str]
        merged = _open_members(target)
        if merged is not None:
            # An open enumeration (values seen, or any text): one look-up, no tries.

            def to_open(text: str | None) -> Any:
                if not text:
                    return ""
                found = merged.get(text)
                if found is None:
                    found = merged.get(text.strip(), text)
                return found

            return to_open
        others = [_union_member(t) for t in texts]

        def to_union(text: str | None) -> Any:
            if not text and has_str:
                return ""  # no other member type reads an empty text: skip the failed tries
            for convert in others:
                try:
                    found = convert(text)
                except (ValueError, KeyError, TypeError):
                    continue
                if found is not _MISS:
                    return found
            if has_str:
                return text if text is not None else ""
            raise ValueError(f"{text!r} fits none of {target}")

        return to_union
    raise ValueError(f"no converter for kind {kind!r}")


#: What a union member's converter gives for a text it does not read (no exception).
_MISS = object()


def _text_enum(tp: Any) -> bool:
    """Whether ``tp`` is an enumeration of texts."""
    return _kind_of(tp) == "enum" and all(isinstance(m.value, str) for m in tp)


def _open_members(target: Any) -> dict[str, Any] | None:
    """The members by wire value of an open enumeration (a union of text enumerations
    and ``str``: values seen, or any text), else None."""
    texts = [t for t in target if t is not str]
    if str not in target or not texts or not all(_text_enum(t) for t in texts):
        return None
    merged: dict[str, Any] = {}
    for t in reversed(texts):  # the first member type wins a value two share
        merged.update((str(m.value), m) for m in t)
    return merged


def _union_member(tp: Any) -> Callable[[str | None], Any]:
    """The converter of one member type of a union; a text enumeration answers
    :data:`_MISS` for a text that is none of its values (an open enumeration, or an
    ``UnsetAddress`` beside any IPv4 address, misses on most texts: raising would cost
    more than the rest of the read)."""
    kind = _kind_of(tp)
    if kind != "enum" or not all(isinstance(m.value, str) for m in tp):
        return _text_converter(kind, tp)
    members: dict[str, Any] = {str(m.value): m for m in tp}

    def to_member(text: str | None) -> Any:
        found = members.get(text or "")
        if found is None:
            found = members.get((text or "").strip(), _MISS)
        return found

    return to_member


def _kind_of(tp: Any) -> str:
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "enum"
    return {str: "str", int: "int", bool: "bool", float: "float"}[tp]


@dataclass(frozen=True, slots=True)
class _Field:
    tag: str
    name: str
    kind: str
    target: Any
    is_list: bool
    role: str


class _Plan:
    """A compiled plan: read an element into ``cls``; write ``cls`` back to XML text."""

    def __init__(self, cls: type[Any], rows: tuple[tuple[Any, ...], ...], plans: _Plans) -> None:
        self.cls = cls
        self.fields = tuple(_Field(*row) for row in rows)
        self.plans = plans
        self.lists = tuple(f.name for f in self.fields if f.is_list and f.role == "element")
        # By mode: checked (every element's attributes looked at) or not (the caller has
        # made sure the bytes read hold no attribute at all).
        self._reads: dict[bool, Callable[[etree._Element, _Reader], Any]] = {}
        self._compiling: set[bool] = set()
        self.tags: dict[bool, dict[str, _Entry]] = {
            True: {},
            False: {},
        }
        self.by_tag = self.tags[True]

    @functools.cached_property
    def record_end(self) -> re.Pattern[bytes] | None:
        """End tags of the repeated children: where a chunk of records may be cut."""
        tags = sorted(f.tag for f in self.fields if f.is_list and f.role == "element")
        if not tags:
            return None
        names = b"|".join(re.escape(tag.encode()) for tag in tags)
        return re.compile(rb"</(?:" + names + rb")\s*>")

    def reader(self, checked: bool = True) -> Callable[[etree._Element, _Reader], Any]:
        """The compiled reader; ``checked=False``: one that does not look for attributes
        (for bytes without any: see :func:`_chunked`)."""
        read = self._reads.get(checked)
        if read is None:
            self._compiling.add(checked)
            try:
                read = self._reads[checked] = self._compile_reader(checked)
            finally:
                self._compiling.discard(checked)
        return read

    def write(self, obj: Any, tag: str, head: str = "") -> str:
        """``obj`` as element ``tag`` (``head``: extra attributes), as xsdata writes it."""
        attributes = head
        inner: list[str] = []
        plans = self.plans
        for f in self.fields:
            value = getattr(obj, f.name)
            if value is None:
                continue
            if f.role == "attribute":
                attributes += f' {f.tag}="{_escape_attribute(_text(value))}"'
            elif f.role == "text":
                inner.append(_escape(_text(value)))
            elif f.is_list:
                inner.extend(_write_value(f, item, plans) for item in value)
            else:
                inner.append(_write_value(f, value, plans))
        extra = obj.extra
        if extra:
            attributes += _extra_attributes(extra.attributes)
            inner = _merged(inner, extra)
        body = "".join(inner)
        return f"<{tag}{attributes}/>" if not body else f"<{tag}{attributes}>{body}</{tag}>"

    def _element_converter(self, f: _Field, checked: bool) -> tuple[Callable[..., Any], bool]:
        """(converter, takes_element): nested models read the element, leaves its text."""
        if f.kind == "class":
            target = self.plans[f.target]
            if checked in target._compiling:
                # A recursive type (EPAS conditions nest and/or/not): resolve on first use.
                def deferred(el: etree._Element, reader: _Reader) -> Any:
                    return target.reader(checked)(el, reader)

                return deferred, True
            return target.reader(checked), True
        return _text_converter(f.kind, f.target), False

    def _dialect_entries(self, by_tag: dict[str, _Entry]) -> dict[str, tuple[str, Any]]:
        """The record-level shapes of the API's release dialects this class reads itself,
        by tag: a 12.x spelling (``_SPELLED``, the field's entry) or plural container
        (``_BOX``, its item tag and the list field's entry)."""
        found: dict[str, tuple[str, Any]] = {}
        parents = self.plans.parent_tags.get(self.cls, frozenset())
        if not parents:
            return found
        shapes = dialects.shapes(self.plans.api)
        for (parent, wire), shared in shapes.spellings.items():
            if parent in parents and shared in by_tag and wire not in by_tag:
                found[wire] = (_SPELLED, by_tag[shared])
        for (parent, container), (item, target) in shapes.lifts.items():
            entry = by_tag.get(target)
            if parent in parents and entry is not None and entry[3] and container not in by_tag:
                found[container] = (_BOX, (item, entry))
        return found

    def _compile_reader(self, checked: bool) -> Callable[[etree._Element, _Reader], Any]:
        cls = self.cls
        lists = self.lists
        enums: dict[str, dict[str, Any]] = {}
        opens: set[str] = set()  # open enumerations: a text no member has is kept as is
        for f in self.fields:
            if f.role == "element":
                convert, nested = self._element_converter(f, checked)
                code = _NESTED if nested else _CODES.get(f.kind, _OTHER)
                if f.kind == "enum":
                    code = _ENUM
                    enums[f.name] = {str(member.value): member for member in f.target}
                elif f.kind == "union" and (merged := _open_members(f.target)) is not None:
                    code = _ENUM
                    enums[f.name] = merged
                    opens.add(f.name)
                self.tags[checked][f.tag] = (f.name, code, convert, f.is_list)
        by_tag = self.tags[checked]
        # A child whose local name is known but whose namespace is not is a namespace
        # error (reported as unknown), not content of a later release.
        known_locals = frozenset(tag.rpartition("}")[2] for tag in by_tag)
        attributes = {
            f.tag: (f.name, _text_converter(f.kind, f.target))
            for f in self.fields
            if f.role == "attribute"
        }
        text_field = next((f for f in self.fields if f.role == "text"), None)
        text_convert = _text_converter(text_field.kind, text_field.target) if text_field else None
        text_name = text_field.name if text_field is not None else ""
        str_code, nested_code, enum_code = _STR, _NESTED, _ENUM  # closure locals, not globals
        spelled_code = _SPELLED
        # Looked at only for a tag the schema's names miss: no cost for the others.
        shapes = self._dialect_entries(by_tag)

        def read(el: etree._Element, reader: _Reader) -> Any:
            # Most models have no list field: no comprehension (a call of its own in 3.11).
            values: dict[str, Any] = {name: [] for name in lists} if lists else {}
            extra: _Extra | None = None  # made only when the element holds unknown content
            if checked and el.attrib:
                strange: list[str] = []
                # Keys, then get() of the known ones: lxml's items() is quadratic in the
                # number of attributes (80,000 glued ones took 40 s).
                for key in el.attrib:
                    attr = attributes.get(key)
                    if attr is None:
                        if key.startswith(_XSI):
                            continue
                        if not reader.keep_unknown:
                            raise BindingError(
                                f"unknown attribute {key!r} on <{_name(el)}>",
                                path=str(el.getroottree().getpath(el)),
                                line=el.sourceline,
                            )
                        strange.append(key)
                        continue
                    values[attr[0]] = _convert(attr[1], el.get(key), el)
                if strange:
                    # Their values in one linear pass (a get() each is quadratic).
                    wanted = set(strange)
                    extra = extra or _Extra()
                    extra.attributes.update((k, v) for k, v in attribute_items(el) if k in wanted)
                    reader.unknown_all(
                        el, (f"attribute {key!r} on <{_name(el)}>" for key in strange)
                    )
            for child in el:
                entry = by_tag.get(child.tag)  # type: ignore[arg-type]
                if entry is None:
                    if not isinstance(child.tag, str):
                        continue  # comments, processing instructions
                    shaped = shapes.get(child.tag) if shapes else None
                    if shaped is not None and shaped[0] is spelled_code:
                        # A release's own spelling of a field (12.x ISDevUsername).
                        reader.dialect = True
                        entry = shaped[1]
                    elif shaped is not None and dialects.is_pure(child, shaped[1][0]):
                        # A release's plural container of a list field (ISDevLineButtons).
                        reader.dialect = True
                        inner = shaped[1][1]
                        values[inner[0]].extend(_item_values(inner, child, reader))
                        continue
                    else:
                        alias = reader.alias(child)
                        entry = by_tag.get(alias) if alias else None
                    if entry is None:
                        tag = child.tag
                        if (
                            not reader.keep_unknown
                            or (tag[:1] != "{" and ":" in tag)  # an undeclared prefix
                            or tag.rpartition("}")[2] in known_locals
                        ):
                            raise _unknown(child)
                        extra = extra or _Extra()
                        extra.elements.append(_keep(child))
                        reader.unknown(child, f"element <{_name(child)}>")
                        continue
                name, code, convert, is_list = entry
                if code is not nested_code:
                    if checked and child.keys():
                        if reader.keep_unknown:
                            extra = _keep_leaf_attributes(child, extra, reader)
                        else:
                            _leaf_attributes(child)
                    if len(child):
                        raise _leaf_children(child)
                if code is str_code:
                    value = child.text
                    if value is None:
                        value = ""
                elif code is nested_code:
                    value = convert(child, reader)
                else:
                    if code is enum_code:
                        text = child.text
                        value = enums[name].get(text)  # type: ignore[arg-type]
                        if (
                            value is None
                            and text
                            and name in opens
                            and not text[0].isspace()
                            and not text[-1].isspace()
                        ):
                            value = text  # any other text, as the union's str reads it
                        if value is not None:
                            if is_list:
                                values[name].append(value)
                            else:
                                values[name] = value
                            continue
                    try:
                        value = convert(child.text)
                    except (ValueError, KeyError, TypeError):
                        raise _bad_value(child) from None
                if is_list:
                    values[name].append(value)
                else:
                    values[name] = value
            if text_convert is not None:
                values[text_name] = _convert(text_convert, el.text, el)
            if extra is not None:
                values["extra"] = extra.frozen()
            try:
                return cls(**values)
            except TypeError as exc:
                raise BindingError(
                    f"<{_name(el)}> is incomplete: {exc}",
                    path=str(el.getroottree().getpath(el)),
                    line=el.sourceline,
                ) from None

        return read


def _item_values(entry: _Entry, box: etree._Element, reader: _Reader) -> Iterator[Any]:
    """The items of a release's plural container, read as the field ``entry`` reads one."""
    _, code, convert, _ = entry
    for item in box:
        if code is _NESTED:
            yield convert(item, reader)
            continue
        if item.keys():
            _leaf_attributes(item)
        if len(item):
            raise _leaf_children(item)
        if code is _STR:
            yield item.text if item.text is not None else ""
        else:
            yield _convert(convert, item.text, item)


def _leaf_attributes(el: etree._Element) -> None:
    """A leaf element carries no attribute but xsi:* ones; anything else would be lost."""
    for key in el.attrib:
        if not key.startswith(_XSI):
            raise BindingError(
                f"unknown attribute {key!r} on <{_name(el)}>",
                path=str(el.getroottree().getpath(el)),
                line=el.sourceline,
            )


def _leaf_children(el: etree._Element) -> BindingError:
    """A simple value holding elements: refused, as the generic path does (nothing dropped)."""
    return BindingError(
        f"<{_name(el)}> holds a simple value and cannot contain elements",
        path=str(el.getroottree().getpath(el)),
        line=el.sourceline,
    )


def _bad_value(el: etree._Element, text: str | None = None) -> BindingError:
    value = el.text if text is None else text
    return BindingError(
        f"<{_name(el)}>: {value!r} is not a valid value",
        path=str(el.getroottree().getpath(el)),
        line=el.sourceline,
    )


def _convert(convert: Callable[[str | None], Any], text: str | None, el: etree._Element) -> Any:
    try:
        return convert(text)
    except (ValueError, KeyError, TypeError):
        raise _bad_value(el, text) from None


class _Plans(dict[type[Any], _Plan]):
    """Every compiled plan of one API, by model class."""

    api = ""

    @functools.cached_property
    def parent_tags(self) -> dict[type[Any], frozenset[str]]:
        """The element names each model class is read from (``ISDevice`` for ISDevice)."""
        found: dict[type[Any], set[str]] = {}
        for plan in self.values():
            for f in plan.fields:
                if f.kind == "class" and f.role == "element":
                    found.setdefault(f.target, set()).add(f.tag)
        return {cls: frozenset(tags) for cls, tags in found.items()}

    @functools.cached_property
    def uncovered(self) -> tuple[str, ...]:
        """The dialect's record-level tags (:attr:`ucxml._dialects.Shapes.inner`) that no
        plan reads itself: left to :func:`ucxml._dialects.read_record`."""
        shapes = dialects.shapes(self.api)
        covered = set()
        for cls, parents in self.parent_tags.items():
            plan = self[cls]
            names = {f.tag: f for f in plan.fields if f.role == "element"}
            for (parent, wire), shared in shapes.spellings.items():
                if parent in parents and shared in names:
                    covered.add(wire)
            for (parent, container), (_, target) in shapes.lifts.items():
                if parent in parents and target in names and names[target].is_list:
                    covered.add(container)
        return tuple(t for t in shapes.inner if t not in covered)


@functools.cache
def _plans(api: str) -> _Plans:
    package = binding(api).info.package
    plans = _Plans()
    plans.api = api
    try:
        module = importlib.import_module(f"{package}.fastpath")
    except ModuleNotFoundError:
        return plans
    for cls, rows in module.PLANS.items():
        plans[cls] = _Plan(cls, rows, plans)
    return plans


def has_plan(api: str, cls: type[Any]) -> bool:
    """Whether the fast path can read and write ``cls``."""
    return cls in _plans(api)


#: From this size on, a bind makes enough objects (about nine per device: 87,000 for a
#: 10,000-device answer of 15 MB) that promoting them beats the collector's passes.
_PRETENURE_BYTES = 1_000_000


@contextmanager
def _bulk(size: int = 0) -> Iterator[None]:
    """Pause the cyclic garbage collector while binding many objects (none form cycles).

    After a bind of ``size`` bytes or more its objects are moved straight to the oldest
    generation (pretenured): every one is reachable from the result, so the young
    generation's pass that would follow, a visit of each (3-11% of a 10,000-device parse),
    could free nothing. The young generations are collected first, so that little else is
    promoted with them; full collections still visit them, as every long-lived object.
    Skipped when the program froze objects itself (``gc.unfreeze`` would release them).
    """
    enabled = gc.isenabled()
    pretenure = enabled and size >= _PRETENURE_BYTES and gc.get_freeze_count() == 0
    if pretenure:
        gc.collect(1)
    gc.disable()
    bound = False
    try:
        yield
        bound = True
    finally:
        if enabled:
            if pretenure and bound:
                gc.freeze()  # every tracked object to the permanent generation...
                gc.unfreeze()  # ...and back into the oldest one, with no pass over them
            gc.enable()


def decode_element(
    api: str, element: etree._Element, cls: type[Any], data: bytes | None = None, *, size: int = 0
) -> tuple[Any, list[Issue]]:
    """Bind an already parsed element to ``cls`` with the fast path.

    ``size``: the payload's size in bytes, when known (a large bind is pretenured).
    """
    plan = _plans(api)[cls]
    reader = _Reader(binding(api).info, data)
    with _bulk(size):
        obj = plan.reader()(element, reader)
    stats.fast += 1
    return obj, reader.warnings


@dataclass
class _Message:
    element: etree._Element
    cls: type[Any]
    plan: _Plan
    values: dict[str, Any]
    #: Whether the message showed a release dialect (named, containers, spellings).
    dialect: bool = False


class _WholeTree(Exception):
    """The message itself holds content no release knows: read it as a whole tree, where
    its place among the records is known, so that it is kept (a rare, small-scale case)."""


def _start_message(
    api: str,
    el: etree._Element,
    warnings: list[Issue],
    reader: _Reader | None = None,
    records: bool = False,
    expected: str | None = None,
) -> _Message:
    """Check where the message element sits and resolve its xsi:type to a plan.

    With ``reader`` keeping unknown content, an unknown attribute of the message is
    reported (``records``: only records are read) or read from the whole tree.
    """
    info = binding(api)
    parent = el.getparent()
    path = str(el.getroottree().getpath(el))
    raw = el.get(XSI_TYPE)
    if parent is None:
        if raw is not None:  # a bare message named by its child is the 12.x form
            warnings.append(bare_warning(_name(el), el.sourceline, path))
    else:
        if tuple(str(a.tag) for a in reversed(list(el.iterancestors()))) != _WRAPPING:
            raise UnknownApiError(
                f"<{_name(el)}> is not in {CmeAxlEnvelope.path_text}",
                path=path,
                line=el.sourceline,
            )
    for key in el.attrib:
        if not key.startswith(_XSI):
            if reader is not None and reader.keep_unknown:
                if not records:
                    raise _WholeTree
                reader.unknown(el, f"attribute {key!r} on <{_name(el)}>")
                continue
            raise BindingError(
                f"unknown attribute {key!r} on <{_name(el)}>", path=path, line=el.sourceline
            )
    kind = str(el.tag)
    if raw is None:
        named = dialects.shapes(api).named
        found = dialects.message_type(info, el, expected) if named else None
        if found is None:
            raise BindingError(
                f"<{_name(el)}> has no xsi:type naming the message", path=path, line=el.sourceline
            )
        name = found
    else:
        name = raw.strip().rpartition(":")[2]
        if info.model_for(name, kind) is None and kind == _RESPONSE:
            name = info.info.type_aliases.get(name, name)
        if name != raw:
            warnings.append(type_alias_warning(raw, name, el.sourceline, path))
    cls = info.model_for(name, kind)
    if cls is None:
        raise UnknownMessageError(
            f"{api} has no {kind} type {name!r}", path=path, line=el.sourceline
        )
    plan = _plans(api)[cls]
    plan.reader()  # compile (fills by_tag)
    return _Message(el, cls, plan, {n: [] for n in plan.lists}, dialect=raw is None)


@functools.cache
def _message_tags(api: str) -> list[str]:
    """Tags whose events the streaming reader needs: message roots and their children."""
    plans = _plans(api)
    info = binding(api)
    tags = set(_KINDS)
    for cls in list(info.requests.values()) + list(info.responses.values()):
        plan = plans.get(cls)
        if plan is not None:
            tags |= {f.tag for f in plan.fields if f.role == "element"}
    tags |= set(info.info.aliases)
    shapes = dialects.shapes(api)
    tags |= set(shapes.wrappers)
    tags |= {c for p, c in shapes.lifts if p in _KINDS}
    tags |= {item for (p, _), (item, _) in shapes.lifts.items() if p in _KINDS}
    return sorted(tags)


def _message_child(
    message: _Message, el: etree._Element, reader: _Reader, checked: bool = True
) -> tuple[str, bool, Any]:
    """Bind one child of the message element: (field name, whether a list item, value).

    ``checked=False``: with the plans' unchecked readers (see :func:`_chunked`).
    """
    by_tag = message.plan.tags[checked]
    entry = by_tag.get(str(el.tag))
    if entry is None:
        alias = reader.alias(el)
        entry = by_tag.get(alias) if alias else None
        if entry is None:
            raise _WholeTree if reader.keep_unknown else _unknown(el)
    name, code, convert, is_list = entry
    if code is not _NESTED:
        if el.attrib:
            if reader.keep_unknown and any(not k.startswith(_XSI) for k in el.attrib):
                raise _WholeTree
            _leaf_attributes(el)
        if len(el):
            raise _leaf_children(el)
    if code is _STR:
        value = el.text if el.text is not None else ""
    elif code is _NESTED:
        value = convert(el, reader)
    else:
        value = _convert(convert, el.text, el)
    return name, is_list, value


#: A large xsi:type message is parsed as whole trees of about this many bytes of its
#: records each, one after the other (0: streamed instead). libxml2's one-pass parse costs
#: about a third less than the pull parser's events, and each tree (about 7x its bytes)
#: is freed once bound, so memory stays bounded as when streaming.
CHUNK_BYTES = 250_000
#: A run, and the bytes around the message's content, may exceed CHUNK_BYTES by this
#: much; past it the payload is streamed, whose memory stays bounded by a record's.
_SLACK = 1 << 16

_MESSAGE_NAMES = b"|".join(re.escape(kind.encode()) for kind in _KINDS)
_MESSAGE_TAG = re.compile(rb"<(?:" + _MESSAGE_NAMES + rb")[\s/>]")
# The message's start tag, attribute values quoted (a ">" may sit inside one, "<" not).
_MESSAGE_START = re.compile(
    rb"<(" + _MESSAGE_NAMES + rb""")(?:\s+[^\s=<>/"']+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*>"""
)
_MESSAGE_END = re.compile(rb"</(" + _MESSAGE_NAMES + rb")\s*>")
# A box's start tag without attributes (one with any is read by the streaming reader) and
# its end tag, with the blanks around them.
_BOX_START = re.compile(rb"\s*<([A-Za-z_][\w.-]*)\s*>")
_BOX_END = re.compile(rb"</([A-Za-z_][\w.-]*)\s*>\s*")
_MARK_TAG = "ucxml-chunk-mark"
_MARK = f"<{_MARK_TAG}/>".encode()


def _instruction(data: bytes) -> bool:
    """Whether ``data`` holds a processing instruction after its XML declaration."""
    start = data.find(b"?>") + 2 if data.startswith(b"<?") else 0
    # "?" is found at memchr speed, and is rare outside of URLs; "<?" stops at every "<".
    return data.find(b"?", start) >= 0 and data.find(b"<?", start) >= 0


def _content(data: bytes) -> tuple[int, int] | None:
    """Where the message's content starts and ends, when every "<" in ``data`` starts a tag.

    That holds without ``<!`` (comment, CDATA, DOCTYPE) and processing instructions; the
    start tag is the first ``<request``/``<response``, the end tag the last of its name.
    """
    if not data.startswith(b"<") or declares_markup(data) or _instruction(data) or _MARK in data:
        return None
    found = _MESSAGE_TAG.search(data)
    head = _MESSAGE_START.match(data, found.start()) if found else None
    if head is None:
        return None
    close = data.rfind(b"</" + head.group(1))
    tail = _MESSAGE_END.match(data, close) if close >= head.end() else None
    if tail is None or tail.group(1) != head.group(1):
        return None
    if head.end() + len(data) - close > CHUNK_BYTES + _SLACK:
        return None  # a large envelope: streamed
    return head.end(), close


def _emptied_message(
    api: str,
    data: bytes,
    start: int,
    close: int,
    box: str | None = None,
    expected: str | None = None,
) -> _Message | None:
    """The message read from ``data`` without its content (envelope, start and end tags).

    ``box``: the content sits in that one element (a 12.x container or result wrapper),
    kept for the message to be named by, then taken out.
    """
    mark = _MARK if box is None else f"<{box}>".encode() + _MARK + f"</{box}>".encode()
    parsed = parse_xml(data[:start] + mark + data[close:])
    marks = list(parsed.root.iter(_MARK_TAG))
    if parsed.warnings or len(marks) != 1:
        return None
    element = marks[0].getparent()
    if box is not None and element is not None:
        element = element.getparent()
    encoding = parsed.root.getroottree().docinfo.encoding or ""
    if element is None or element.tag not in _KINDS or encoding.upper() != "UTF-8":
        return None  # not the start tag found (a namespaced one), or bytes not UTF-8
    warnings: list[Issue] = []
    message = _start_message(api, element, warnings, expected=expected)
    for child in list(element):
        element.remove(child)
    _check_wrappers(element)
    if box is not None:
        message.dialect = True
    return None if warnings else message


def _box(api: str, data: bytes, start: int, close: int) -> tuple[str, int, int] | None:
    """The one element the message's content sits in (12.x ``ISDevices``, ``ISGlobal``),
    and where its own content starts and ends; None when there is none."""
    shapes = dialects.shapes(api)
    if not shapes.lifts and not shapes.wrappers:
        return None
    head = _BOX_START.match(data, start)
    if head is None:
        return None
    tag = head.group(1).decode("ascii", "replace")
    opened = data.rfind(f"<{_RESPONSE}".encode(), 0, start) > data.rfind(
        f"<{_REQUEST}".encode(), 0, start
    )
    kind = _RESPONSE if opened else _REQUEST
    if not shapes.box(kind, tag):
        return None
    end = data.rfind(b"</", start, close)
    tail = _BOX_END.fullmatch(data, end, close) if end >= head.end() else None
    if tail is None or tail.group(1) != head.group(1):
        return None
    return tag, head.end(), end


def _chunked(
    api: str, data: bytes, max_bytes: int, expected: str | None = None
) -> tuple[Any, list[Issue], bool] | None:
    """Read an xsi:type message as whole trees of :data:`CHUNK_BYTES` of records each.

    None when the payload does not qualify or anything is unusual: then the streaming
    reader reads it and words any error or warning with its true line. The bytes around
    the message's content are parsed as one document; the content is parsed in runs cut
    after a record's end tag, each of which must be well-formed on its own, so together
    they are exactly the message's children.
    """
    if not CHUNK_BYTES:
        return None
    try:
        data = precheck(data, max_bytes)
        bounds = _content(data)
        box = _box(api, data, *bounds) if bounds else None
        if box is not None and bounds is not None:
            message = _emptied_message(api, data, bounds[0], bounds[1], box[0], expected)
            bounds = box[1], box[2]
        else:
            message = _emptied_message(api, data, *bounds, expected=expected) if bounds else None
        if bounds is None or message is None or message.plan.record_end is None:
            return None
        at, close = bounds
        cut_after, nsmap = message.plan.record_end, message.element.nsmap
        reader = _Reader(binding(api).info, data)
        values = message.values
        message.plan.reader(False)  # compile (fills tags[False])
        shapes = dialects.shapes(api)
        kind = str(message.element.tag)
        lift = box is not None and (kind, box[0]) in shapes.lifts
        with _bulk(len(data)):
            while at < close:
                end = cut_after.search(data, at + CHUNK_BYTES, close)
                cut = end.end() if end and close - at > CHUNK_BYTES else close
                if cut - at > CHUNK_BYTES + _SLACK:
                    return None  # no record ends for too long: streamed
                run = data[at:cut]
                # Every attribute has an "=" (a namespace declaration too): a run without
                # one is read without asking each element for its attributes, which is
                # a twentieth of the binding time.
                checked = b"=" in run
                siblings = parse_siblings(run, nsmap, drop_blanks=True)
                if lift and box is not None:
                    items = dialects.lift(shapes, kind, _as_container(siblings, box[0]))
                    if items is None:
                        return None  # not only the container's items: streamed
                    elements: Iterable[etree._Element] = items
                else:
                    elements = siblings
                for el in _lifted(shapes, kind, elements, message):
                    name, is_list, value = _message_child(message, el, reader, checked)
                    if is_list:
                        values[name].append(value)
                    else:
                        values[name] = value
                if reader.warnings:
                    return None  # the streaming reader words them: no use reading on
                at = cut
            try:
                obj = message.cls(**values)
            except TypeError:
                return None  # incomplete
    except UcxmlError:
        return None  # the streaming reader says what is wrong, where
    stats.fast += 1
    return obj, [], message.dialect or reader.dialect


def _as_container(siblings: etree._Element, tag: str) -> etree._Element:
    """The parsed run of a container's items, as that container (for :func:`dialects.lift`)."""
    siblings.tag = tag
    return siblings


def _lifted(
    shapes: dialects.Shapes, kind: str, elements: Iterable[etree._Element], message: _Message
) -> Iterator[etree._Element]:
    """The message children among ``elements``: a plural container of the message gives
    its items; each child has the containers and spellings of its records applied."""
    uncovered = message.plan.plans.uncovered
    boxes = shapes.boxes(kind)
    if not boxes and not uncovered:
        yield from elements  # the common case: nothing of a dialect at this level
        return
    for el in elements:
        items = dialects.lift(shapes, kind, el) if el.tag in boxes else None
        if items is not None:
            message.dialect = True
        for item in items if items is not None else (el,):
            if uncovered and dialects.read_record(shapes, item, uncovered):
                message.dialect = True
            yield item


def _stream(
    api: str, data: bytes, max_bytes: int, records: bool, expected: str | None = None
) -> Iterator[Any]:
    """Read an xsi:type message while it streams.

    With ``records`` the repeated items are yielded one by one (and not kept); the last
    thing yielded is always ``(message, warnings)`` in a :class:`_Done`.
    """
    info = binding(api).info
    data = precheck(data, max_bytes)
    data, declared, _ = declare_prefixes(data, info.prefixes)
    warnings = list(declared)
    reader = _Reader(info, data)
    shapes = dialects.shapes(api)
    message: _Message | None = None
    last: etree._Element | None = None
    boxes: list[etree._Element] = []  # 12.x containers and wrappers met: read through
    done = False
    events = safe_iterparse(data, ("end",), _message_tags(api))
    try:
        with nullcontext() if records else _bulk(len(data)):
            for _, el in events:
                if done:
                    continue
                if message is None:
                    found = _message_element(shapes, el)
                    if found is None:
                        continue
                    message = _start_message(api, found, warnings, reader, records, expected)
                if el is message.element:
                    done = True
                    continue
                holder = el.getparent()
                place = _place(shapes, message, holder)
                if place is None:
                    continue  # a nested element whose tag a message child also has
                if _is_box(shapes, place, el) and _box_shaped(shapes, place, el):
                    if el.attrib or (el.text or "").strip():
                        _unseen(el, reader, records)  # more than items: unknown content
                    boxes.append(el)
                    message.dialect = True
                    continue
                if holder is not message.element:
                    message.dialect = True
                    el = _renamed(shapes, holder, el, place)
                uncovered = message.plan.plans.uncovered
                if uncovered and dialects.read_record(shapes, el, uncovered):
                    message.dialect = True
                try:
                    name, is_list, value = _message_child(message, el, reader)
                except _WholeTree:
                    if not records:
                        raise
                    reader.unknown(el, f"content of <{_name(el)}>")  # records only: reported
                    continue
                el.clear()
                if holder is not None:
                    while (first := holder[0]) is not el:
                        if isinstance(first.tag, str) and first is not last and first not in boxes:
                            # A child no event named (not a tag of any message child): unknown
                            # content, never dropped with the records cleared before it.
                            _unseen(first, reader, records)
                        del holder[0]
                last = el
                if not is_list:
                    message.values[name] = value
                elif records:
                    yield value
                else:
                    message.values[name].append(value)
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc) from None
    root = events.root
    if root is None:  # pragma: no cover - lxml raises on an empty document first
        raise BindingError("empty document")
    postcheck(root)
    if message is None:
        raise BindingError("no <request> or <response> message found", line=root.sourceline)
    _check_seen(message.element, last, boxes, reader, records)
    _check_wrappers(message.element)
    try:
        obj = message.cls(**message.values)
    except TypeError as exc:
        raise BindingError(
            f"<{_name(message.element)}> is incomplete: {exc}", line=message.element.sourceline
        ) from None
    stats.fast += 1
    yield _Done(obj, warnings + reader.warnings, message.dialect or reader.dialect)


def _message_element(shapes: dialects.Shapes, el: etree._Element) -> etree._Element | None:
    """The message element, known from the end of its first child (or its own), or of
    the first item of a 12.x container or wrapper it holds; None: not yet known."""
    parent = el.getparent()
    if el.tag in _KINDS and (parent is None or parent.tag not in _KINDS):
        return el
    if parent is None:
        return None
    if parent.tag in _KINDS:
        return parent
    grand = parent.getparent()
    if grand is not None and grand.tag in _KINDS and shapes.box(str(grand.tag), str(parent.tag)):
        return grand
    return None


def _place(shapes: dialects.Shapes, message: _Message, holder: etree._Element | None) -> str | None:
    """The shared-model parent an element under ``holder`` is a child of: the message
    kind for the message's children (also inside its 12.x wrapper or containers), else
    None (an element nested in a record)."""
    kind = str(message.element.tag)
    node = holder
    while node is not None and node is not message.element:
        parent = node.getparent()
        if parent is None:
            return None
        if parent is not message.element and not _is_wrapper(shapes, message, parent):
            return None
        if not _is_box(shapes, kind, node):
            return None
        node = parent
    return kind if node is message.element else None


def _is_wrapper(shapes: dialects.Shapes, message: _Message, el: etree._Element) -> bool:
    return (
        el.getparent() is message.element
        and message.element.tag == _RESPONSE
        and el.tag in shapes.wrappers
    )


def _is_box(shapes: dialects.Shapes, parent: str, el: etree._Element) -> bool:
    """Whether ``el``, a child of the shared model's ``parent``, is a 12.x container or
    (a response's) result wrapper: read through, its items being the children."""
    return (parent, str(el.tag)) in shapes.lifts or (
        parent == _RESPONSE and el.tag in shapes.wrappers
    )


def _box_shaped(shapes: dialects.Shapes, parent: str, el: etree._Element) -> bool:
    """Whether a wrapper or container holds what a box holds: a wrapper anything, a
    container only its items (a 2008 ``ISUrlServices`` record has other children)."""
    lifted = shapes.lifts.get((parent, str(el.tag)))
    if lifted is None:
        return True  # a wrapper: its children were read (or are reported) one by one
    return all(c.tag in lifted for c in el if isinstance(c.tag, str))


def _renamed(
    shapes: dialects.Shapes, holder: etree._Element | None, el: etree._Element, place: str
) -> etree._Element:
    """An item of a 12.x container, named as the shared model's field."""
    if holder is None:
        return el
    lifted = shapes.lifts.get((place, str(holder.tag)))
    if lifted is not None and el.tag == lifted[0]:
        el.tag = lifted[1]
    return el


def _check_seen(
    element: etree._Element,
    last: etree._Element | None,
    boxes: list[etree._Element],
    reader: _Reader,
    records: bool,
) -> None:
    """Every child of the message (and of its 12.x boxes) that no event bound is unknown."""
    for child in element:
        if not isinstance(child.tag, str) or child is last:
            continue
        if child in boxes:
            _check_seen(child, last, boxes, reader, records)
        else:
            _unseen(child, reader, records)


def _unseen(child: etree._Element, reader: _Reader, records: bool) -> None:
    """A child of the message the streaming reader met no event of: refused, read as a
    whole tree (where it is kept), or, for records, reported."""
    if not reader.keep_unknown:
        raise _unknown(child)
    if not records:
        raise _WholeTree
    reader.unknown(child, f"element <{_name(child)}>")  # records only: reported


@dataclass(frozen=True, slots=True)
class _Done:
    message: Any
    warnings: list[Issue]
    dialect: bool = False


def _check_wrappers(element: etree._Element) -> None:
    """axl and SOAP-ENV:Body must hold exactly one element each."""
    node = element.getparent()
    while node is not None:
        children = [c for c in node if isinstance(c.tag, str)]
        if len(children) != 1:
            raise BindingError(
                f"<{_name(node)}> holds {len(children)} elements, expected 1",
                path=str(node.getroottree().getpath(node)),
                line=node.sourceline,
            )
        node = node.getparent()


def stream_parse(
    api: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    expected: str | None = None,
) -> tuple[Any, list[Issue]]:
    """Read an xsi:type message of ``api`` with bounded memory; return it and its warnings.

    Read as whole trees of a chunk of records each when the payload allows it, else
    streamed (both keep memory bounded; the streaming reader words every error).
    ``expected``: the type name of the answer awaited, which decides for a message named
    by a child that several answers share (:func:`ucxml._dialects.message_type`).
    """
    try:
        read = _chunked(api, data, max_bytes, expected)
        if read is not None:
            return _stamped(api, *read)
        for item in _stream(api, data, max_bytes, records=False, expected=expected):
            if isinstance(item, _Done):
                return _stamped(api, item.message, item.warnings, item.dialect)
    except _WholeTree:
        from ucxml._documents import decode_reporting, read_message  # imports this module

        message = read_message(data, api, max_bytes=max_bytes, drop_blanks=True, expected=expected)
        obj, found = decode_reporting(message)
        return obj, [*message.warnings, *found]
    raise AssertionError("the streaming reader ended without a message")  # pragma: no cover


def _stamped(
    api: str, obj: Any, found: list[Issue], dialect: bool = False
) -> tuple[Any, list[Issue]]:
    """The streamed message with the release its warnings and dialect show (code markers
    only: the streaming readers keep no tree to search)."""
    seen = [r] if dialect and (r := dialects.shapes(api).release) else []
    releases.stamp(obj, releases.detect_release(api, None, (i.code for i in found), seen))
    return obj, found


def iter_records(api: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Any]:
    """Yield the repeated records of a message (devices, extensions, events) one by one.

    Peak memory does not grow with the number of records: each is bound, handed over and
    dropped before the next is read. The message is checked as :func:`stream_parse`
    checks it. Content of the message that no release knows has no record to stay on:
    each piece is reported as a :class:`~ucxml._documents.DeviationWarning` (Python
    warning) once the records are read, so nothing goes unseen.
    """
    for item in _stream(api, data, max_bytes, records=True):
        if not isinstance(item, _Done):
            yield item
        else:
            for issue in item.warnings:
                if issue.code == "T-UNKNOWN":
                    warnings.warn(
                        f"line {issue.line}: {issue.message} (not kept: records only)",
                        _deviation_warning(),
                        stacklevel=2,
                    )


def _deviation_warning() -> type[Warning]:
    from ucxml._documents import DeviationWarning  # documents imports this module

    return DeviationWarning


def _extra_attributes(attributes: Mapping[str, str]) -> str:
    """Unknown attributes as written back (a qualified one with a prefix declared for it)."""
    out = []
    for number, (key, value) in enumerate(attributes.items()):
        text = _escape_attribute(value)
        if key.startswith("{"):
            namespace, local = key[1:].split("}", 1)
            prefix = f"ux{number}"
            out.append(
                f' xmlns:{prefix}="{_escape_attribute(namespace)}" {prefix}:{local}="{text}"'
            )
        else:
            out.append(f' {key}="{text}"')
    return "".join(out)


_START = re.compile(r"<[^\s/>]+")


def _merged(children: list[str], extra: Extra) -> list[str]:
    """The written children with the unknown elements put back at their positions, and
    the unknown attributes of leaves put back on their start tags."""
    merged: list[str] = []
    pending = sorted(extra.elements, key=lambda u: u.position)
    at = 0
    for child in children:
        while at < len(pending) and pending[at].position <= len(merged):
            merged.append(pending[at].xml)
            at += 1
        merged.append(child)
    merged.extend(u.xml for u in pending[at:])
    for position, key, value in extra.leaf_attributes:
        if 0 <= position < len(merged):
            leaf = merged[position]
            start = _START.match(leaf)
            end = start.end() if start else 0
            merged[position] = leaf[:end] + _extra_attributes({key: value}) + leaf[end:]
    return merged


def _write_value(f: _Field, value: Any, plans: _Plans) -> str:
    if f.kind == "class":
        return plans[type(value)].write(value, f.tag)
    text = _text(value)
    return f"<{f.tag}/>" if text == "" else f"<{f.tag}>{_escape(text)}</{f.tag}>"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return _text(value.value)
    return str(value)


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def write(api: str, obj: Any, tag: str, xsi_type: str | None = None) -> str:
    """Serialize ``obj`` as element ``tag`` (with ``xsi:type`` when given), like xsdata does."""
    plan = _plans(api)[type(obj)]
    head = f' xmlns:xsi="{XSI_NS}" xsi:type="{xsi_type}"' if xsi_type else ""
    stats.fast += 1
    return plan.write(obj, tag, head)
