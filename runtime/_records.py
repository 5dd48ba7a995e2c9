"""Record streaming of the element-dispatched XML styles (SOAP 1.2 and 1.1 bodies, documents).

The fast path's streaming reader (:mod:`ucxml._fastpath`) reads the xsi:type style (CME).
This reader serves every other XML style whose answer is one list of records (EPAS
``get-contact-list-resp``): it pull-parses the answer with the hardened parser and hands
each small run of records, wrapped in the envelope's and the message's start tags, to the
whole-tree reader (:func:`ucxml._documents.read_message`). Each record is thus read exactly
as :func:`ucxml.parse` reads it (tolerances, unknown content kept in ``extra``), and the
records already bound are dropped from the tree, so memory stays flat.
"""

from __future__ import annotations

import bisect
import dataclasses
import sys
import typing
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from ucxml._envelopes import envelope_format
from ucxml._registry import ApiBinding, binding
from ucxml._report import Issue
from ucxml._safexml import (
    DEFAULT_MAX_BYTES,
    StreamEvents,
    _precheck,
    declare_prefixes,
    declares_markup,
    parse_xml,
    postcheck,
    separate_attributes,
    syntax_error,
)
from ucxml._tolerances import check_enabled
from ucxml.bindings import Extra
from ucxml.errors import BindingError, SoapFault, UcxmlError, XmlError

__all__ = ["NOT_KEPT", "iter_records", "message_name", "reads_records", "record_field"]

#: What a warning about content a records-only read has no model to keep on says.
NOT_KEPT = " (not kept: records only)"
#: Records bound per run: one whole-tree read costs about as much as twenty records, so a
#: run amortizes it; the tree of a run stays small.
_RUN = 64
_RUN_BYTES = 1 << 16

Report = Callable[[list[Issue]], None]


def reads_records(api: str) -> bool:
    """Whether this reader streams ``api``'s records: an XML style that says it does and
    that the fast path's streaming reader does not read."""
    style = envelope_format(binding(api).info.envelope)
    return style.markup == "XML" and style.record_streams and not style.streams


def record_field(model: type[Any]) -> tuple[str, str] | None:
    """(attribute, XML local name) of a model whose only field is a list of records.

    The same rule as the generator's (``codegen/render.py`` ``_records``): one field, an
    element, a list of a generated class.
    """
    if not dataclasses.is_dataclass(model):
        return None
    fields = [f for f in dataclasses.fields(model) if f.metadata.get("type") != "Ignore"]
    if len(fields) != 1 or fields[0].metadata.get("type", "Element") != "Element":
        return None
    hints = typing.get_type_hints(model, vars(sys.modules[model.__module__]))
    tp = hints[fields[0].name]
    if typing.get_origin(tp) is not list:
        return None
    (inner,) = typing.get_args(tp)
    if not (isinstance(inner, type) and dataclasses.is_dataclass(inner)):
        return None
    return fields[0].name, str(fields[0].metadata.get("name", fields[0].name))


# Once per model: each answer asks it again.
_FIELDS: dict[type[Any], tuple[str, str] | None] = {}


def _record_field(model: type[Any]) -> tuple[str, str] | None:
    if model not in _FIELDS:
        _FIELDS[model] = record_field(model)
    return _FIELDS[model]


@dataclasses.dataclass(slots=True)
class _Run:
    """The records read since the last binding: their bytes and original first lines."""

    parts: list[bytes] = dataclasses.field(default_factory=list)
    lines: list[int] = dataclasses.field(default_factory=list)
    size: int = 0


class _Reader:
    """One answer's records: the message's start tags (``head``), then runs of records."""

    def __init__(self, api: ApiBinding, field: str, report: Report) -> None:
        self.api = api
        self.field = field
        self.report = report
        self.head = b""
        self.tail = b""
        self.head_reported = False
        self.max_bytes = DEFAULT_MAX_BYTES
        self.tags: set[str] = set()

    def bind(self, run: _Run, keep: bool = True) -> list[Any]:
        """Bind ``run`` as a message of its own; report its warnings at their original
        lines (the head's once). ``keep=False``: content with no record to stay on."""
        from ucxml._documents import decode_reporting, read_message  # imports this module

        # Each record on a line of its own after the head; ``original`` maps a line of
        # this message to the answer's (padding to the answer's lines would cost a byte for
        # every line of the answer before the run).
        last_head = self.head.count(b"\n") + 1
        starts: list[int] = []
        line = last_head + 1
        for part in run.parts:
            starts.append(line)
            line += part.count(b"\n") + 1
        doc = self.head + b"".join(b"\n" + p for p in run.parts) + self.tail

        def original(at: int | None) -> int | None:
            if at is None or at <= last_head or not starts:
                return at
            index = max(bisect.bisect_right(starts, at) - 1, 0)
            return run.lines[index] + at - starts[index]

        try:
            message = read_message(doc, self.api.info.name, max_bytes=self.max_bytes)
            obj, found = decode_reporting(message)
        except (BindingError, XmlError) as exc:
            exc.line = original(exc.line)
            raise
        issues = [] if self.head_reported else _header_issues(message.header)
        for issue in (*message.warnings, *found):
            head = issue.line is None or issue.line <= last_head
            if head and self.head_reported:
                continue  # the envelope's and message's own warnings: said once
            moved = dataclasses.replace(issue, line=original(issue.line))
            if not keep and not head and issue.code == "T-UNKNOWN":
                moved = dataclasses.replace(moved, message=moved.message + NOT_KEPT)
            issues.append(moved)
        self.head_reported = True
        if issues:
            self.report(issues)
        values: list[Any] = getattr(obj, self.field)
        if found and keep:
            _move_unknown(values, original)
        return values if keep else []


def _move_unknown(records: list[Any], original: Callable[[int | None], int | None]) -> None:
    """Set the line of each unknown element kept on ``records`` to the answer's."""
    stack: list[Any] = list(records)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not dataclasses.is_dataclass(item) or isinstance(item, type):
            continue
        for f in dataclasses.fields(item):
            value = getattr(item, f.name)
            if isinstance(value, Extra) and value.elements:
                elements = tuple(
                    dataclasses.replace(u, line=original(u.line)) for u in value.elements
                )
                setattr(item, f.name, dataclasses.replace(value, elements=elements))
            elif isinstance(value, list) or dataclasses.is_dataclass(value):
                stack.append(value)


def _header_issues(blocks: tuple[etree._Element, ...]) -> list[Issue]:
    """A warning for each SOAP header block: records have no envelope to keep them on."""
    return [
        Issue(
            "warning",
            f"SOAP header block <{etree.QName(block).localname}>{NOT_KEPT}",
            line=block.sourceline,
            path=block.getroottree().getpath(block),
        )
        for block in blocks
    ]


def _shell(el: etree._Element) -> tuple[bytes, bytes]:
    """The start tag of ``el`` (its attributes, every namespace in scope) and its end tag."""
    shell = etree.Element(el.tag, dict(el.attrib), nsmap=el.nsmap)
    empty = etree.tostring(shell)  # b'<p:tag xmlns:p="..." a="1"/>'
    name = etree.QName(el).localname
    qualified = f"{shell.prefix}:{name}" if shell.prefix else name
    return empty[:-2] + b">", f"</{qualified}>".encode()


def _start(message: etree._Element) -> tuple[bytes, bytes]:
    """The document up to the message's start tag, and the end tags after it.

    Built from start tags and whole preceding siblings (a SOAP Header), each on the line
    it was sent on, so the warnings of the envelope keep their lines. The partial tree
    cannot simply be written out: the pull parser has read ahead of its events.
    """
    chain = [message, *message.iterancestors()][::-1]
    head: list[bytes] = []
    ends: list[bytes] = []
    line = 1

    def put(part: bytes, at: int | None) -> None:
        nonlocal line
        if at is not None and at > line:
            head.append(b"\n" * (at - line))
            line = at
        head.append(part)
        line += part.count(b"\n")

    for depth, el in enumerate(chain):
        if depth:
            for before in reversed(list(el.itersiblings(preceding=True))):
                if isinstance(before.tag, str):
                    put(etree.tostring(before, with_tail=False), before.sourceline)
        start, end = _shell(el)
        put(start, el.sourceline)
        ends.append(end)
    return b"".join(head), b"".join(reversed(ends))


def _message_of(style_roots: tuple[str, ...], el: etree._Element, depth: int) -> bool:
    """Whether ``el`` (just started, at ``depth``) is where the style puts the message:
    the document element, or in an envelope the first element of its Body."""
    if depth == 1:
        return str(el.tag) not in style_roots
    parent = el.getparent()
    if depth != 3 or parent is None or etree.QName(parent).localname != "Body":
        return False
    envelope = parent.getparent()
    return envelope is not None and str(envelope.tag) in style_roots


def message_name(api: str, data: bytes) -> str | None:
    """The local name of the message an answer of ``api`` holds, read from its first start
    tags only (None: not found there, or not readable: the record reader then says why)."""
    style = envelope_format(binding(api).info.envelope)
    try:
        data, _ = _prepared(binding(api), data, DEFAULT_MAX_BYTES)
        for _, el in StreamEvents(data, ("start",), ["{*}*"]):
            depth = sum(1 for _ in el.iterancestors()) + 1
            if _message_of(style.roots, el, depth):
                return etree.QName(el).localname
            if depth >= 3:
                return None
    except (UcxmlError, etree.XMLSyntaxError):
        return None
    return None


def _prepared(api: ApiBinding, data: bytes, max_bytes: int) -> tuple[bytes, list[Issue]]:
    """The bytes the pull parser reads, with the repairs the whole-tree parser makes (they
    keep every line where it was) and their warnings."""
    from ucxml._documents import _all_prefixes  # imports this module

    data, issues = _precheck(data, max_bytes, external_doctype=True)
    data, glued = separate_attributes(data)
    prefixes = {**_all_prefixes(data), **api.info.prefixes}
    data, declared, _ = declare_prefixes(data, prefixes)
    issues = [*issues, *glued, *declared]
    check_enabled(api.info.name, api.info.tolerances, tuple(issues))
    return data, issues


def _refuse(api: ApiBinding, data: bytes, max_bytes: int) -> UcxmlError:
    """The error of an answer that is no list of records, read whole (it is no large list):
    its SOAP fault, the reader's own error, or one naming the message."""
    from ucxml._documents import read_message  # imports this module

    try:  # a fault first: an API may have no model of the SOAP fault (read_message refuses)
        fault = envelope_format(api.info.envelope).fault(parse_xml(data, max_bytes=max_bytes).root)
    except XmlError:
        fault = None  # read_message says what is wrong with it
    if fault is not None:
        return SoapFault(fault.code, fault.reason, subcodes=fault.subcodes)
    message = read_message(data, api.info.name, max_bytes=max_bytes)
    return BindingError(
        f"{api.info.name} {message.kind} <{message.type_name}> is not a list of records",
        path=message.element.getroottree().getpath(message.element),
        line=message.element.sourceline,
    )


def iter_records(
    api: str, data: bytes, report: Report, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Any]:
    """Yield the records of an answer of ``api`` that is one list of records, one by one.

    ``report`` is called with the tolerated deviations as they are read (lines of
    ``data``); content of the message besides the records has no model to stay on and
    its warning says so (:data:`NOT_KEPT`). A payload that breaks off yields the records
    before the fault, then raises :class:`~ucxml.errors.XmlSyntaxError`; a SOAP fault raises
    :class:`~ucxml.errors.SoapFault`; any other message raises
    :class:`~ucxml.errors.BindingError` naming it.
    """
    api_binding = binding(api)
    style = envelope_format(api_binding.info.envelope)
    raw = data
    data, early = _prepared(api_binding, data, max_bytes)
    if early:
        report(early)
    events = StreamEvents(data, ("start", "end"), ["{*}*"])  # every element
    root: etree._Element | None = None
    message: etree._Element | None = None
    reader: _Reader | None = None
    run = _Run()
    depth = 0
    indent = ""
    try:
        for event, el in events:
            if event == "start":
                depth += 1
                if root is None:
                    root = el
                if message is None and _message_of(style.roots, el, depth):
                    message = el
                    reader = _start_reader(api_binding, raw, el, report, max_bytes)
                elif message is not None and el.getparent() is message:
                    before = el.getprevious()
                    text = (before.tail if before is not None else message.text) or ""
                    indent = text.rpartition("\n")[2] if text.isspace() else ""
                continue
            depth -= 1
            if message is None or reader is None or el.getparent() is not message:
                continue
            part = (indent + etree.tostring(el, with_tail=False).decode()).encode()
            line = el.sourceline or 1
            if etree.QName(el).localname in reader.tags:
                run.parts.append(part)
                run.lines.append(line)
                run.size += len(part)
                if len(run.parts) >= _RUN or run.size >= _RUN_BYTES:
                    yield from reader.bind(run)
                    run = _Run()
                    _drop(message, el)
            else:
                # Not a record: read as the whole reader reads it (refused, or reported).
                if run.parts:
                    yield from reader.bind(run)
                    run = _Run()
                reader.bind(_Run([part], [line]), keep=False)
                _drop(message, el)
    except etree.XMLSyntaxError as exc:
        if reader is not None and run.parts:
            yield from reader.bind(run)
        raise syntax_error(exc) from None
    if reader is None or message is None:
        raise _refuse(api_binding, raw, max_bytes)
    if run.parts:
        yield from reader.bind(run)
    del message[:]
    if events.root is not None and declares_markup(data):
        postcheck(events.root)
    _skeleton(reader, events.root)


def _start_reader(
    api: ApiBinding,
    raw: bytes,
    message: etree._Element,
    report: Report,
    max_bytes: int,
) -> _Reader:
    """The reader of the records of ``message``, or the error of a message that has none."""
    local = etree.QName(message).localname
    kind = api.kind_of(local)
    model = api.model_for(local, kind) if kind in ("response", "document") else None
    found = _record_field(model) if model is not None else None
    if found is None:
        raise _refuse(api, raw, max_bytes)
    reader = _Reader(api, found[0], report)
    reader.max_bytes = max_bytes
    reader.head, reader.tail = _start(message)
    # The local names a record arrives under: the field's, and its tolerated aliases.
    reader.tags = {found[1]}
    for alias, target in api.info.aliases.items():
        if str(target).rpartition("}")[2] == found[1]:
            reader.tags.add(str(alias).rpartition("}")[2])
    return reader


def _drop(message: etree._Element, last: etree._Element) -> None:
    """Drop the message's children up to ``last``, bound: not those the parser has read
    ahead of its events."""
    while len(message):
        first = message[0]
        del message[0]
        if first is last:
            return


def _skeleton(reader: _Reader, root: etree._Element | None) -> None:
    """Read what is left once the records are gone (the envelope, the emptied message):
    the checks of the whole reader on it (one Body element...), and, for an answer with
    no record, its warnings."""
    if root is None:  # pragma: no cover - lxml raises on an empty document first
        raise BindingError("empty document")
    from ucxml._documents import decode_reporting, read_message  # imports this module

    message = read_message(etree.tostring(root), reader.api.info.name, max_bytes=reader.max_bytes)
    _, found = decode_reporting(message)
    if not reader.head_reported:
        issues = [*message.warnings, *found]
        if issues:
            reader.report(issues)
