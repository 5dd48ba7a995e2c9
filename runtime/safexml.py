"""The hardened XML reader: every payload ucxml reads goes through :func:`parse_xml`.

No DTD is loaded, no entity is expanded, nothing is fetched from the network, a DOCTYPE
is refused outright, and size and nesting depth are bounded. Optionally, well-known
prefixes that a payload uses without declaring (as Cisco's documentation does) are
declared before parsing, with a warning for each.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lxml import etree

from ucxml.errors import ForbiddenXmlError, XmlLimitError, XmlSyntaxError
from ucxml.report import Issue

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ParsedXml",
    "Source",
    "column_of",
    "declare_prefixes",
    "parse_xml",
    "postcheck",
    "precheck",
    "read_source",
    "safe_iterparse",
    "separate_attributes",
    "syntax_error",
]

#: Default size limit of one payload (bytes).
DEFAULT_MAX_BYTES = 256 * 1024 * 1024

Source = bytes | bytearray | memoryview | str | os.PathLike[str]

_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)\b")
_ROOT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*+<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)",
    re.DOTALL,
)
_POSITION = re.compile(r", line \d+, column \d+$")
# An attribute value directly followed by the next attribute's name (`"a"b=`): documents
# extracted from PDFs lose the space; checked cheaply on the whole payload first.
_GLUED_ANY = re.compile(rb"""["'][A-Za-z_][\w.:\-]*\s*=\s*["']""")
_TAG = re.compile(rb"<[A-Za-z_][^<>]*>")
_GLUED = re.compile(rb"""=\s*(?:"[^"<]*"|'[^'<]*')(?=([A-Za-z_][\w.:\-]*)\s*=)""")
_local = threading.local()


@dataclass(frozen=True, slots=True)
class ParsedXml:
    """A parsed payload: its root element and the deviations tolerated while reading."""

    root: etree._Element
    warnings: tuple[Issue, ...]
    declared: tuple[str, ...]


def read_source(data: Source) -> tuple[bytes, str | None]:
    """Return the payload bytes and a source name for ``data`` (bytes, XML text or a path)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data), None
    if isinstance(data, str) and data.lstrip("\ufeff \t\r\n").startswith("<"):
        return data.encode("utf-8"), None
    path = Path(data)
    return path.read_bytes(), str(path)


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def declare_prefixes(
    data: bytes, prefixes: Mapping[str, str]
) -> tuple[bytes, list[Issue], list[str]]:
    """Declare the well-known prefixes used but never declared, on the root start tag."""
    missing = []
    for prefix, uri in prefixes.items():
        name = prefix.encode()
        if name + b":" not in data or b"xmlns:" + name + b"=" in data:
            continue
        if re.search(rb"[<\s/]" + re.escape(name) + rb":[A-Za-z_]", data):
            missing.append((prefix, uri))
    if not missing:
        return data, [], []
    root = _ROOT.match(data)
    if root is None:
        return data, [], []
    at = root.end(1)
    line = _line_of(data, root.start(1))
    column = root.start(1) - data.rfind(b"\n", 0, root.start(1)) - 1
    decl = b"".join(b' xmlns:%s="%s"' % (p.encode(), u.encode()) for p, u in missing)
    issues = [
        Issue("warning", f"undeclared prefix '{p}' read as {u}", line, column) for p, u in missing
    ]
    return data[:at] + decl + data[at:], issues, [p for p, _ in missing]


def separate_attributes(data: bytes) -> tuple[bytes, list[Issue]]:
    """Insert the missing space between attributes run together (``a="1"b="2"``).

    Only start tags are touched; each separation is reported as a warning at the
    position of the glued attribute in the original text.
    """
    if _GLUED_ANY.search(data) is None:
        return data, []
    issues: list[Issue] = []
    out: list[bytes] = []
    last = 0
    # Lines are counted from the previous separation on, not from the start (linear time).
    line, line_start, counted = 1, 0, 0
    for tag in _TAG.finditer(data):
        for glued in _GLUED.finditer(data, tag.start(), tag.end()):
            at = glued.end()
            breaks = data.count(b"\n", counted, at)
            if breaks:
                line += breaks
                line_start = data.rfind(b"\n", counted, at) + 1
            counted = at
            column = at - line_start + 1
            name = glued.group(1).decode("utf-8", "replace")
            message = f"attribute '{name}' run together with the previous one"
            issues.append(Issue("warning", message, line, column))
            out.append(data[last:at])
            out.append(b" ")
            last = at
    if not issues:
        return data, []
    out.append(data[last:])
    return b"".join(out), issues


def precheck(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse oversize payloads and any DOCTYPE / ENTITY declaration before parsing."""
    if len(data) > max_bytes:
        raise XmlLimitError(f"payload of {len(data)} bytes exceeds the limit of {max_bytes}")
    forbidden = _FORBIDDEN.search(data) if b"<!" in data else None
    if forbidden:
        raise ForbiddenXmlError(
            f"<!{forbidden.group(1).decode()}> is not allowed (DTDs and entities are refused)",
            line=_line_of(data, forbidden.start()),
            column=forbidden.start() - data.rfind(b"\n", 0, forbidden.start()),
        )


def postcheck(root: etree._Element) -> None:
    """Refuse a parsed document that carried a DOCTYPE (a non-UTF-8 one can pass precheck)."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ForbiddenXmlError("a DOCTYPE is not allowed (DTDs and entities are refused)")


def syntax_error(exc: etree.XMLSyntaxError) -> XmlSyntaxError | XmlLimitError:
    """The ucxml error for a libxml2 syntax error (limits reported as such)."""
    line, column = exc.position if exc.position else (None, None)
    # libxml2 appends ", line L, column C"; they are reported as fields instead.
    message = _POSITION.sub("", str(exc.msg or exc))
    if "depth" in message.lower() or "huge" in message.lower():
        return XmlLimitError(message, line=line, column=column)
    return XmlSyntaxError(message, line=line, column=column)


def safe_iterparse(
    data: bytes, events: tuple[Literal["start", "end"], ...], tags: list[str]
) -> etree.iterparse[tuple[str, etree._Element]]:
    """An lxml ``iterparse`` over ``data`` with the hardened parser's settings."""
    import io

    return etree.iterparse(
        io.BytesIO(data),
        events=events,
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def parse_xml(
    data: bytes,
    *,
    prefixes: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedXml:
    """Parse ``data`` safely; raise :class:`~ucxml.errors.XmlError` subclasses on failure.

    ``prefixes`` maps well-known prefixes to their namespaces: those used in ``data``
    without a declaration are declared on the root element and reported as warnings.
    """
    precheck(data, max_bytes)
    try:
        # Most payloads are well-formed: the tolerances cost nothing unless parsing fails.
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError:
        return _parse_tolerant(data, prefixes)
    postcheck(root)
    return ParsedXml(root=root, warnings=(), declared=())


def _parse_tolerant(data: bytes, prefixes: Mapping[str, str] | None) -> ParsedXml:
    """Parse again after the tolerated repairs (glued attributes, undeclared prefixes)."""
    data, warnings = separate_attributes(data)
    declared: list[str] = []
    if prefixes:
        data, more, declared = declare_prefixes(data, prefixes)
        warnings += more
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        error = syntax_error(exc)
        if warnings and error.line is not None and error.column is not None:
            # Report the column of the original text, before the inserted characters.
            shift = sum(
                1
                for w in warnings
                if w.message.startswith("attribute ")
                and w.line == error.line
                and (w.column or 0) < error.column
            )
            error = type(error)(error.message, line=error.line, column=error.column - shift)
        raise error from None
    postcheck(root)
    return ParsedXml(root=root, warnings=tuple(warnings), declared=tuple(declared))


def column_of(lines: list[bytes], line: int | None, local: str) -> int | None:
    """1-based column of the start tag ``<local`` (any prefix) on ``line`` of the source."""
    if line is None or not 0 < line <= len(lines):
        return None
    at = re.search(rb"<(?:[\w.\-]+:)?" + re.escape(local.encode()) + rb"[\s/>]", lines[line - 1])
    return at.start() + 1 if at else None
