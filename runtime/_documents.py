"""Reading and writing messages: ``parse``, ``serialize`` and ``detect``.

Reading goes: hardened parse (declaring undeclared well-known prefixes, with a warning)
-> envelope -> tolerated spellings read as the schema's (with a warning) -> the model
named by ``xsi:type`` -> xsdata binding that fails on anything it does not know, so no
field is ever dropped silently.
"""

from __future__ import annotations

import builtins
import dataclasses
import enum
import functools
import importlib
import re
import sys
import typing
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from lxml import etree
from xsdata.exceptions import ConverterError, ParserError
from xsdata.formats.dataclass.models.generics import DerivedElement
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.config import ParserConfig
from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig

from ucxml import _dialects as dialects
from ucxml import _fastpath as fastpath
from ucxml import _records as record_reader
from ucxml import _releases as releases
from ucxml import _unknown as unknown
from ucxml._detection import detect_tree
from ucxml._envelopes import XSI_TYPE, MessagePayload, envelope_format, is_json, unwrap, wrap
from ucxml._jsondocs import dump_json, looks_like_json, parse_json
from ucxml._registry import ApiBinding, api_names, api_of, binding, on_register
from ucxml._report import Issue
from ucxml._safexml import (
    DEFAULT_MAX_BYTES,
    Source,
    SourceLines,
    column_of,
    parse_xml,
    read_source,
)
from ucxml._tolerances import (
    alias_warning,
    check_enabled,
    order_warning,
    type_alias_warning,
    wrapper_warning,
)
from ucxml.bindings import Release
from ucxml.errors import BindingError, ParameterError, UnknownApiError, UnknownMessageError

__all__ = [
    "STREAM_BYTES",
    "DeviationWarning",
    "Envelope",
    "Message",
    "decode",
    "decode_generic",
    "decode_header",
    "decode_reporting",
    "detect",
    "iter_records",
    "json_api",
    "parse",
    "parse_envelope",
    "parse_generic",
    "read_message",
    "serialize",
    "serialize_generic",
]

M = TypeVar("M")

# One context: unknown.strip must find the classes the parser binds a wildcard's child to.
_CONTEXT = unknown._CONTEXT
_PARSER_CONFIG = ParserConfig(
    fail_on_unknown_properties=True,
    fail_on_unknown_attributes=True,
    fail_on_converter_warnings=True,
)
_SERIALIZER = XmlSerializer(
    context=_CONTEXT, config=SerializerConfig(xml_declaration=False, indent=None)
)
# xsdata words it "Unknown property Parent:Child" (or "{ns}Child"): the last name counts.
_UNKNOWN = re.compile(r"Unknown property \S*?([\w.\-]+)\s*$")


class DeviationWarning(UserWarning):
    """A payload deviates from the schema in a way ucxml tolerates (undeclared prefix, ...)."""


@dataclass(frozen=True, slots=True)
class Message:
    """A read message: the tree after tolerated fixes, its API, kind and xsi:type."""

    api: str
    kind: str
    type_name: str
    root: etree._Element
    element: etree._Element
    bare: bool
    warnings: tuple[Issue, ...]
    #: SOAP header blocks of the envelope (EPAS ``session-key``), not yet bound.
    header: tuple[etree._Element, ...] = ()
    #: The tag of the element the message arrived wrapped in (EM ``response``), if any.
    wrapper: str | None = None
    #: The payload as the XML parser read it (UTF-8), for the columns of later warnings.
    data: bytes = dataclasses.field(default=b"", repr=False)
    #: The API release the message shows (:func:`ucxml._releases.detect_release`), or None
    #: for an API that names no releases.
    release: str | None = None

    @property
    def document(self) -> etree._Element:
        """The element the API's schema validates: the envelope, or the message itself (a
        bare or wrapped one, or one whose API's schema declares no envelope)."""
        if self.bare or self.wrapper or not binding(self.api).info.validates_envelope:
            return self.element
        return self.root


def json_api(api: str | None) -> str:
    """The API a JSON payload belongs to: ``api`` or the one JSON API of the manifest."""
    if api is not None:
        return api
    names = [n for n in api_names() if is_json(binding(n).info.envelope)]
    if not names:
        raise UnknownApiError("no supported API exchanges JSON")
    return names[0]


_ROOT_NAME = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*+<(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)",
    re.DOTALL,
)


def _all_prefixes(data: bytes = b"") -> dict[str, str]:
    """The undeclared prefixes to declare when the API is unknown.

    Two APIs may use one prefix for different namespaces (``epas`` in EPAS and UCCN): the
    APIs whose root names match the payload's root come first and win.
    """
    match = _ROOT_NAME.match(data[:4096]) if data else None
    return _prefixes_for_root(match.group(1).decode() if match else None)


@functools.cache
def _prefixes_for_root(local: str | None) -> dict[str, str]:
    prefixes: dict[str, str] = {}
    ordered = sorted(
        api_names(),
        key=lambda n: any(r.rsplit("}", 1)[-1] == local for r in binding(n).info.roots),
    )
    for name in ordered:
        prefixes.update(binding(name).info.prefixes)
    return prefixes


# It looks over every API: an API registered later must be seen.
on_register(_prefixes_for_root.cache_clear)


def _root_payload(api: ApiBinding, payload: MessagePayload) -> MessagePayload:
    """The payload of a root-dispatched API: the message element's name selects the model."""
    element = payload.element
    local = str(element.tag).rpartition("}")[2]
    kind = api.kind_of(local)
    if kind is None or element.tag not in api.info.roots:
        qualified = etree.QName(element)
        where = f" in namespace {qualified.namespace}" if qualified.namespace else ""
        raise UnknownMessageError(
            f"{api.info.name} has no message <{local}>{where}",
            path=element.getroottree().getpath(element),
            line=element.sourceline,
        )
    return MessagePayload(element, kind, local, local, payload.bare, payload.header)


def _apply_wrapper(
    api: ApiBinding, data: bytes, payload: MessagePayload
) -> tuple[MessagePayload, str | None, list[Issue]]:
    """Take the message out of a tolerated wrapper element (EM ``<response>``), warning.

    The wrapper is taken off only when it holds exactly one element, one of the messages
    the manifest lets it wrap: a ``<response>`` holding ``<success/>`` is the message.
    """
    element = payload.element
    allowed = api.info.wrappers.get(str(element.tag))
    if not allowed:
        return payload, None, []
    children = [c for c in element if isinstance(c.tag, str)]
    if len(children) != 1 or str(children[0].tag) not in allowed:
        return payload, None, []
    inner = children[0]
    wrapper, local = etree.QName(element).localname, etree.QName(inner).localname
    column = column_of(SourceLines(data), inner.sourceline, local)
    path = inner.getroottree().getpath(inner)
    warning = wrapper_warning(wrapper, local, inner.sourceline, column, path)
    unwrapped = MessagePayload(inner, payload.kind, local, local, payload.bare, payload.header)
    return unwrapped, str(element.tag), [warning]


def _apply_aliases(api: ApiBinding, data: bytes, payload: MessagePayload) -> list[Issue]:
    """Rename the tolerated element spellings to the schema's, with a warning each."""
    aliases = api.info.aliases
    # lxml's tag-filtered walk runs in C: far cheaper than a byte search of a large payload.
    found = list(payload.element.iter(*aliases)) if aliases else []
    if not found:
        return []
    issues = []
    lines = SourceLines(data)
    tree = payload.element.getroottree()
    for el in found:
        tag = str(el.tag)
        target = aliases[tag]
        column = column_of(lines, el.sourceline, tag)
        issues.append(alias_warning(tag, target, el.sourceline, column, tree.getpath(el)))
        el.tag = target
    return issues


@functools.cache
def _ranks(api: str, parent: str) -> tuple[dict[str, int], int]:
    """Each child name's place under ``parent``, and the place of any other name."""
    names = binding(api).info.order[parent]
    other = names.index("*") if "*" in names else len(names)
    rank: dict[str, int] = {}
    for at, name in enumerate(names):
        if name != "*":
            rank.setdefault(name, at)  # as names.index(): the first place counts
    return rank, other


def _in_order(parent: etree._Element, rank: dict[str, int], other: int) -> bool:
    """Whether the element children of ``parent`` follow ``rank`` (a stable order)."""
    # A comment's tag (a function) ranks as ``other``: a false alarm the caller rechecks.
    last = -1
    for child in parent:
        place = rank.get(child.tag, other)  # type: ignore[arg-type]
        if place < last:
            return False
        last = place
    return True


def _apply_order(api: ApiBinding, data: bytes, payload: MessagePayload) -> list[Issue]:
    """Restore the schema's child order where servers write another one, with a warning."""
    order = api.info.order
    if not order:
        return []
    issues = []
    lines: SourceLines | None = None
    name = api.info.name
    for parent in payload.element.iter(*order):
        rank, other = _ranks(name, str(parent.tag))
        if _in_order(parent, rank, other):
            continue  # the common case, checked without building lists
        children = [c for c in parent if isinstance(c.tag, str)]
        ranks = [rank.get(str(c.tag), other) for c in children]
        for _, child in sorted(zip(ranks, children, strict=True), key=lambda pair: pair[0]):
            parent.append(child)  # moves it to the end, in rank order (stable)
        names = order[str(parent.tag)]
        lines = lines if lines is not None else SourceLines(data)
        local = etree.QName(parent).localname
        wanted = ", ".join(n if n == "*" else etree.QName(n).localname for n in names)
        column = column_of(lines, parent.sourceline, local)
        path = parent.getroottree().getpath(parent)
        issues.append(order_warning(local, wanted, parent.sourceline, column, path))
    return issues


def _fix_type(api: ApiBinding, payload: MessagePayload) -> tuple[str, list[Issue]]:
    """Resolve the xsi:type, reading a tolerated alias as the schema's type name."""
    name = payload.type_name
    if api.model_for(name, payload.kind) is None and payload.kind == "response":
        name = api.info.type_aliases.get(name, name)
    if name == payload.raw_type:
        return name, []
    payload.element.set(XSI_TYPE, name)
    path = payload.element.getroottree().getpath(payload.element)
    return name, [type_alias_warning(payload.raw_type, name, payload.element.sourceline, path)]


def read_message(
    data: bytes,
    api: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    drop_blanks: bool = False,
    expected: str | None = None,
) -> Message:
    """Parse ``data`` into a :class:`Message` (tree + tolerated deviations), not yet bound.

    ``drop_blanks``: indentation between elements is not kept (see
    :func:`ucxml._safexml.parse_xml`), for a message that is only to be bound.
    ``expected``: the type name of the message awaited, which decides for a message
    named by a child that several messages share (:func:`ucxml._dialects.message_type`).
    """

    # With the API named, its own prefixes win; the others still apply, so naming the API
    # never refuses a payload that detection reads (an undeclared xsi: in a UCCN document).
    def prefixes() -> dict[str, str]:
        own = binding(api).info.prefixes if api else {}
        return {**_all_prefixes(data), **own}

    parsed = parse_xml(
        data,
        prefixes=prefixes,
        max_bytes=max_bytes,
        drop_blanks=drop_blanks,
        external_doctype=True,  # refused below unless the detected API tolerates it
    )
    name = api or detect_tree(parsed.root)
    if name is None:
        raise UnknownApiError(
            f"no supported API has a message with root <{etree.QName(parsed.root).localname}>",
            path=parsed.root.getroottree().getpath(parsed.root),
            line=parsed.root.sourceline,
        )
    api_binding = binding(name)
    wrapper: str | None = None
    try:
        check_enabled(name, api_binding.info.tolerances, parsed.warnings)
        payload, envelope_warnings = unwrap(api_binding.info.envelope, parsed.root)
        payload, wrapper, wrapped = _apply_wrapper(api_binding, parsed.data, payload)
        envelope_warnings += wrapped
        check_enabled(name, api_binding.info.tolerances, tuple(envelope_warnings))
        if api_binding.info.dispatch == "root":
            payload = _root_payload(api_binding, payload)
        if payload.named:
            _name_message(api_binding, payload, expected)
        seen = dialects.read(api_binding, payload.element, named=payload.named)
    except BindingError as exc:
        # Detected, but no message in it: say which API, and keep what was tolerated.
        exc.api = name
        exc.warnings = tuple(parsed.warnings)
        raise
    issues = list(parsed.warnings) + envelope_warnings
    # The bytes libxml2 read (UTF-8): a UTF-16 payload hides its names from a byte search.
    issues += _apply_aliases(api_binding, parsed.data, payload)
    issues += _apply_order(api_binding, parsed.data, payload)
    type_name, type_warnings = _fix_type(api_binding, payload)
    issues += type_warnings
    issues += _hook_warnings(api_binding, payload.element, parsed.data)
    release = releases.detect_release(name, parsed.root, (i.code for i in issues), seen)
    return Message(
        api=name,
        kind=payload.kind,
        type_name=type_name,
        root=parsed.root,
        element=payload.element,
        bare=payload.bare,
        warnings=tuple(issues),
        header=payload.header,
        wrapper=wrapper,
        data=parsed.data,
        release=release,
    )


def _name_message(api: ApiBinding, payload: MessagePayload, expected: str | None) -> None:
    """Type a message named by its child (no ``xsi:type``: the CME 12.x form), in place.

    The type found is set as the element's ``xsi:type``, so that the schema validates the
    message as it validates an enveloped one.
    """
    element = payload.element
    kind = str(element.tag)
    found = dialects.message_type(api, element, expected)
    if found is None:
        first = next((c for c in element if isinstance(c.tag, str)), None)
        what = f"its child <{etree.QName(first).localname}>" if first is not None else "it"
        raise BindingError(
            f"<{kind}> has no xsi:type naming the message, and {what} names none"
            f" of the {api.info.name} {kind}s",
            path=element.getroottree().getpath(element),
            line=element.sourceline,
        )
    element.set(XSI_TYPE, found)
    payload.type_name = payload.raw_type = found


def _hook_warnings(api: ApiBinding, element: etree._Element, data: bytes) -> list[Issue]:
    """The warnings of the API's hooks module (manifest ``hooks``), if it has one."""
    if api.info.hooks is None:
        return []
    name = api.info.hooks
    hooks = importlib.import_module(name if "." in name else f"ucxml.{name}")
    found: list[Issue] = hooks.reader_warnings(element, data, api.info.tolerances)
    return found


def _binding_error(exc: Exception, message: Message) -> BindingError:
    text = str(exc)
    unknown = _UNKNOWN.search(text)
    if unknown:
        local = unknown.group(1)
        for el in message.element.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname == local:
                path = el.getroottree().getpath(el)
                return BindingError(f"unknown element <{local}>", path=path, line=el.sourceline)
    return BindingError(f"{message.type_name}: {text}")


def decode(message: Message) -> Any:
    """Bind a read :class:`Message` to its generated model (fast path when it has a plan).

    Content no known release has is kept on the models (``model.extra``) and each piece
    is reported as a :class:`DeviationWarning`; :func:`decode_reporting` returns them.
    """
    obj, issues = _decode(message, 0)
    for issue in issues:
        warnings.warn(f"line {issue.line}: {issue.message}", DeviationWarning, stacklevel=2)
    return obj


def decode_reporting(message: Message) -> tuple[Any, list[Issue]]:
    """:func:`decode`, returning the warnings of what was read beyond the schema."""
    return _decode(message, 0)


def _decode(message: Message, size: int) -> tuple[Any, list[Issue]]:
    """:func:`decode` of a payload of ``size`` bytes (a large one's objects are pretenured)."""
    api = binding(message.api)
    model = api.model_for(message.type_name, message.kind)
    if model is not None and fastpath.has_plan(message.api, model):
        obj, found = fastpath.decode_element(message.api, message.element, model, size=size)
        return releases.stamp(obj, message.release), found
    return _decode_generic(message)


def decode_generic(message: Message) -> Any:
    """Bind a read :class:`Message` with xsdata's generic parser (the reference path).

    Unknown content is kept and reported as for :func:`decode`.
    """
    obj, issues = _decode_generic(message)
    for issue in issues:
        warnings.warn(f"line {issue.line}: {issue.message}", DeviationWarning, stacklevel=2)
    return obj


def _decode_generic(message: Message) -> tuple[Any, list[Issue]]:
    api = binding(message.api)
    model = api.model_for(message.type_name, message.kind)
    if model is None:
        raise UnknownMessageError(
            f"{message.api} has no {message.kind} type {message.type_name!r}",
            path=message.element.getroottree().getpath(message.element),
            line=message.element.sourceline,
        )
    taken: unknown.Taken = {}
    found: list[Issue] = []
    if "unknown" in api.info.tolerances:
        taken, found = unknown.strip(message.element, model, message.data)
    parser = XmlParser(context=_CONTEXT, config=_PARSER_CONFIG, handler=LxmlEventHandler)
    try:
        result = parser.parse(message.element, model)
    except (ParserError, ConverterError, ValueError, TypeError) as exc:
        raise _binding_error(exc, message) from None
    value = result.value if isinstance(result, DerivedElement) else result
    empty = _empty_value(value)
    if empty is not None:
        raise _empty_error(empty, message)
    unknown.attach(value, taken)
    fastpath.stats.generic += 1
    return releases.stamp(value, message.release), found


@functools.cache
def _typed_fields(cls: type[Any]) -> tuple[tuple[str, str, bool], ...]:
    """(attribute, XML name, admits text) of every field of the generated class ``cls``."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    rows = []
    for f in dataclasses.fields(cls):
        args, flat = [hints[f.name]], set()
        while args:
            tp = args.pop()
            flat.add(tp)
            args += typing.get_args(tp)
        # Generic holders (DerivedElement's ``value: T``) may hold text too.
        admits = bool(flat & {str, object, Any}) or any(isinstance(t, TypeVar) for t in flat)
        rows.append((f.name, str(f.metadata.get("name", f.name)), admits))
    return tuple(rows)


def _empty_value(obj: Any) -> str | None:
    """XML name of the first field holding text its type does not admit, None if none.

    xsdata binds an empty element of any simple type as ``""`` (an enum, an int, a date):
    the result would break its own type hints, so it is refused like any other bad value.
    """
    stack = [obj]
    while stack:
        item = stack.pop()
        if not dataclasses.is_dataclass(item) or isinstance(item, type):
            continue
        for name, xml_name, admits in _typed_fields(type(item)):
            value = getattr(item, name)
            for v in value if isinstance(value, list) else (value,):
                if isinstance(v, str) and not isinstance(v, enum.Enum):  # StrEnum is a str
                    if not admits:
                        return xml_name
                elif dataclasses.is_dataclass(v):
                    stack.append(v)
    return None


def _empty_error(name: str, message: Message) -> BindingError:
    for el in message.element.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == name and not el.text:
            path = el.getroottree().getpath(el)
            return BindingError(
                f"<{name}>: an empty value is not valid", path=path, line=el.sourceline
            )
    return BindingError(f"{message.type_name}: {name}: an empty value is not valid")


#: From this size on, :func:`parse` reads an xsi:type answer (CME) while it streams, so
#: memory stays flat (a whole tree takes about seven times the payload). Below it the
#: payload is parsed whole, then bound: libxml2's one-pass parse costs half as much as the
#: pull parser's events (24% off a 100-device parse), for a tree of 15 MB at most.
STREAM_BYTES = 2_000_000


@overload
def parse(data: Source, api: str | None = None) -> object: ...
@overload
def parse(data: Source, api: str | None = None, *, type: type[M]) -> M: ...
def parse(data: Source, api: str | None = None, *, type: type[Any] | None = None) -> object:
    """Parse a message (bytes, XML text or a path) into its typed model.

    Tolerated deviations are reported as :class:`DeviationWarning`; anything else raises a
    :class:`~ucxml.UcxmlError`.

    Args:
        data: The payload: bytes, XML text, or a path to a file.
        api: The API's name (``cme``, ``em``, ``cup``, ``uccn``, ``pidf``, ``huawei``);
            detected from the root element and namespaces when None.
        type: The model class expected (``ISgetDeviceResponse``): the result is typed as
            that class, and a payload of another message raises
            :class:`~ucxml.errors.BindingError`. Without it the result is an ``object``.
    """
    obj = _parse(data, api, None if type is None else type.__name__)
    return obj if type is None else _expected(obj, type)


def _expected(obj: object, expected: type[M]) -> M:
    if not isinstance(obj, expected):
        raise BindingError(
            f"expected a {expected.__name__}, the payload is a {builtins.type(obj).__name__}"
        )
    return obj


def _parse(data: Source, api: str | None, expected: str | None = None) -> object:
    raw, _ = read_source(data)
    if looks_like_json(raw):
        return parse_json(raw, json_api(api))
    name = api or _guess_streamable(raw)
    if name is not None and len(raw) >= STREAM_BYTES and _streams(name):
        obj, issues = fastpath.stream_parse(name, raw, expected=expected)
    else:
        message = read_message(raw, api, drop_blanks=True, expected=expected)
        obj, found = _decode(message, len(raw))
        issues = [*message.warnings, *found]
    for issue in issues:
        warnings.warn(f"line {issue.line}: {issue.message}", DeviationWarning, stacklevel=3)
    return obj


@overload
def iter_records(data: Source, api: str | None = None) -> Iterator[object]: ...
@overload
def iter_records(data: Source, api: str | None = None, *, type: type[M]) -> Iterator[M]: ...
def iter_records(
    data: Source, api: str | None = None, *, type: type[Any] | None = None
) -> Iterator[object]:
    """Yield the repeated records of a large answer (devices, extensions, events) one by one.

    Memory stays flat whatever the number of records; see :func:`ucxml._fastpath.iter_records`.
    A client gives the same iterator with ``stream=True`` (``cme.get_device(..., stream=True)``).

    Args:
        data: The answer: bytes, XML text, or a path to a file.
        api: The API's name; detected when None (a CME answer from its first bytes,
            another one by a whole parse: name the API of a large answer).
        type: The record class expected (``ISDevice``): the records are typed as that
            class, and any other record raises :class:`~ucxml.errors.BindingError`.
    """
    raw, _ = read_source(data)
    name = api or _guess_streamable(raw) or _detected(raw)
    if _streams(name):
        records = fastpath.iter_records(name, raw)
    elif record_reader.reads_records(name):
        records = record_reader.iter_records(name, raw, _warn_all)
    else:
        styles = sorted(
            {binding(n).info.envelope for n in api_names() if _streams(n)}
            | {binding(n).info.envelope for n in api_names() if record_reader.reads_records(n)}
        )
        raise UnknownApiError(f"record streaming reads the {', '.join(styles)} envelope styles")
    if type is None:
        return records
    return (_expected(record, type) for record in records)


def _detected(raw: bytes) -> str:
    """The API of a payload no streamable API's head shows, from its start tags (the
    record reader needs the API before it reads: this look is the one whole parse)."""
    if looks_like_json(raw):
        return json_api(None)
    return detect(raw)


def _warn_all(issues: list[Issue]) -> None:
    for issue in issues:
        warnings.warn(f"line {issue.line}: {issue.message}", DeviationWarning, stacklevel=4)


def parse_generic(data: Source, api: str | None = None) -> Any:
    """:func:`parse` through the whole-tree reader and xsdata (the reference path)."""
    raw, _ = read_source(data)
    message = read_message(raw, api)
    return decode_generic(message)


@functools.cache
def _streamed_apis() -> tuple[str, ...]:
    """The APIs whose envelope style the streaming reader reads."""
    return tuple(n for n in api_names() if _streams(n))


def _streams(api: str) -> bool:
    return envelope_format(binding(api).info.envelope).streams


on_register(_streamed_apis.cache_clear)


def _guess_streamable(raw: bytes) -> str | None:
    """The one streamable API whose message a payload's head shows (None: let detection
    decide, by parsing)."""
    head = raw[:4096]
    shown = [
        n for n in _streamed_apis() if envelope_format(binding(n).info.envelope).shows_message(head)
    ]
    return shown[0] if len(shown) == 1 else None


def _type_name(api: ApiBinding, obj: object) -> tuple[str, str]:
    for kind, table in (
        ("request", api.requests),
        ("response", api.responses),
        ("document", api.documents),
    ):
        for name, model in table.items():
            if type(obj) is model:
                return kind, name
    raise UnknownMessageError(f"{type(obj).__qualname__} is not a {api.info.name} message")


def _render(api: ApiBinding, obj: object) -> str:
    return _rendered(obj, dict(api.info.namespaces) or None)


def _rendered(obj: object, ns_map: dict[str, str] | None = None) -> str:
    try:
        return _SERIALIZER.render(obj, ns_map=ns_map)
    except ValueError as exc:  # lxml refuses control characters ("must be XML compatible")
        model = obj.value if isinstance(obj, DerivedElement) else obj
        raise ParameterError(f"{type(model).__name__} cannot be written as XML: {exc}") from None


def _header_blocks(api: ApiBinding, header: Sequence[object]) -> str:
    blocks = []
    for block in header:
        if type(block) not in api.headers.values():
            raise UnknownMessageError(
                f"{type(block).__qualname__} is not a {api.info.name} header block"
            )
        blocks.append(_render(api, block))
    return "".join(blocks)


def serialize(
    obj: object,
    *,
    header: Sequence[object] = (),
    wrapped: bool = False,
    release: str | None = None,
) -> bytes:
    """Serialize a request, response or document model into the complete message of its API.

    ``header``: SOAP header block models (EPAS ``SessionKey``) for APIs with a SOAP envelope.
    ``wrapped``: write the message inside the element the API's manifest lets it arrive
    wrapped in (``wrappers``), as a real server does (EM query results in ``<response>``);
    a message no wrapper holds is written as it is.
    ``release``: write the message as that release of the API shapes it (CME ``"12.x"``:
    bare, named by its child, plural containers; see :mod:`ucxml._dialects`); None writes
    the shared models' form (CME: the 2008 envelope).

    Raises:
        ParameterError: ``release`` is not a release of the object's API.
    """
    api = binding(api_of(obj))
    if is_json(api.info.envelope):
        return dump_json(obj)
    dialect = _dialect(api, release)
    kind, name = _type_name(api, obj)
    if not header and not api.info.namespaces and fastpath.has_plan(api.info.name, type(obj)):
        if api.info.dispatch == "root":
            payload = fastpath.write(api.info.name, obj, name)
        else:
            payload = fastpath.write(api.info.name, obj, kind, xsi_type=name)
        payload = _wrapped(api, name, _xml_chars(payload)) if wrapped else _xml_chars(payload)
        return _enveloped(api, dialect, payload)
    if wrapped and _wrapper_of(api, name):
        raise ParameterError(f"{api.info.name} {name}: wrapped=True needs the fast writer")
    return serialize_generic(obj, header=header, release=release)


def _dialect(api: ApiBinding, release: str | None) -> Release | None:
    """The release ``release`` of ``api`` when its messages have a shape of their own."""
    if release is None:
        return None
    found = releases.get_release(api.info.name, release)
    return found if found.has_dialect else None


def _enveloped(api: ApiBinding, dialect: Release | None, payload: str, blocks: str = "") -> bytes:
    """The message ``payload`` (shared form) as the complete message of ``dialect``."""
    if dialect is None:
        return wrap(api.info.envelope, payload, blocks)
    element = parse_xml(payload.encode("utf-8")).root
    dialects.write(api, dialect, element)
    etree.cleanup_namespaces(element)
    payload = etree.tostring(element, encoding="unicode")
    if dialect.form == "named":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + payload).encode("utf-8")
    return wrap(api.info.envelope, payload, blocks)


def _wrapper_of(api: ApiBinding, name: str) -> str | None:
    return next((w for w, held in api.info.wrappers.items() if name in held), None)


def _wrapped(api: ApiBinding, name: str, payload: str) -> str:
    """``payload`` (the message ``name``) inside its tolerated wrapper, if it has one."""
    wrapper = _wrapper_of(api, name)
    return f"<{wrapper}>{payload}</{wrapper}>" if wrapper else payload


# Characters XML 1.0 cannot carry: C0 controls but tab, LF and CR; surrogates; U+FFFE/FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_chars(text: str) -> str:
    """``text``, or ParameterError when a value holds a character XML cannot carry.

    Written as is, it would give a message no XML reader (ucxml's included) accepts.
    """
    bad = _NOT_XML.search(text)
    if bad is not None:
        raise ParameterError(
            f"a value holds {bad.group()!r}, a character XML cannot carry (offset {bad.start()})"
        )
    return text


def serialize_generic(
    obj: object, *, header: Sequence[object] = (), release: str | None = None
) -> bytes:
    """:func:`serialize` through xsdata's serializer (the reference path)."""
    api = binding(api_of(obj))
    dialect = _dialect(api, release)
    kind, name = _type_name(api, obj)
    if api.info.dispatch == "root":
        payload = _render(api, obj)
    else:
        payload = _rendered(DerivedElement(qname=kind, value=obj, type=name))
    if unknown.has_extra(obj):
        # xsdata skips ``extra``: put the unknown content back into what it wrote.
        element = parse_xml(payload.encode("utf-8")).root
        unknown.restore(obj, element)
        payload = etree.tostring(element, encoding="unicode")
    blocks = _header_blocks(api, header)
    return _enveloped(api, dialect, _xml_chars(payload), _xml_chars(blocks))


@dataclass(frozen=True, slots=True)
class Envelope:
    """A SOAP message read whole: its header blocks and its body message, both typed."""

    header: tuple[Any, ...]
    body: Any


def decode_header(message: Message) -> tuple[Any, ...]:
    """Bind the SOAP header blocks of a read message (unknown blocks raise BindingError)."""
    api = binding(message.api)
    blocks = []
    for element in message.header:
        local = etree.QName(element).localname
        model = api.headers.get(local)
        if model is None:
            raise BindingError(
                f"unknown SOAP header block <{local}>",
                path=element.getroottree().getpath(element),
                line=element.sourceline,
            )
        parser = XmlParser(context=_CONTEXT, config=_PARSER_CONFIG, handler=LxmlEventHandler)
        try:
            blocks.append(parser.parse(element, model))
        except (ParserError, ConverterError, ValueError, TypeError) as exc:
            raise BindingError(f"header <{local}>: {exc}", line=element.sourceline) from None
    return tuple(blocks)


def parse_envelope(data: Source, api: str | None = None) -> Envelope:
    """Parse a SOAP message into its typed header blocks and body (see :func:`parse`)."""
    raw, _ = read_source(data)
    message = read_message(raw, api)
    for issue in message.warnings:
        warnings.warn(f"line {issue.line}: {issue.message}", DeviationWarning, stacklevel=2)
    return Envelope(header=decode_header(message), body=decode(message))


def detect(data: Source) -> str:
    """Name of the API that ``data`` belongs to; raise :class:`UnknownApiError` if none."""
    raw, _ = read_source(data)
    if looks_like_json(raw):
        return json_api(None)
    parsed = parse_xml(raw, prefixes=_all_prefixes(raw), external_doctype=True)
    name = detect_tree(parsed.root)
    if name is None:
        raise UnknownApiError(
            f"no supported API has a message with root <{etree.QName(parsed.root).localname}>",
            line=parsed.root.sourceline,
        )
    check_enabled(name, binding(name).info.tolerances, parsed.warnings)
    return name
