"""The hardened XML reader: every payload ucxml reads goes through :func:`parse_xml`.

No DTD is loaded, no entity is expanded, nothing is fetched from the network, a DOCTYPE
with an internal subset (and any entity declaration) is refused outright, and size and
nesting depth are bounded. A DOCTYPE naming only an external identifier (as CUCM's EM
traces log) is blanked out before libxml2 sees it, with a warning; whether the payload's
API tolerates it is decided once the API is known. Optionally, well-known
prefixes that a payload uses without declaring (as Cisco's documentation does) are
declared before parsing, with a warning for each.
"""

from __future__ import annotations

import bisect
import codecs
import dataclasses
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, TypedDict
from xml.sax.saxutils import quoteattr

from lxml import etree

from ucxml._report import Issue
from ucxml._tolerances import doctype_warning, glued_warning, prefix_warning
from ucxml.errors import ForbiddenXmlError, XmlLimitError, XmlSyntaxError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SIBLINGS_TAG",
    "ParsedXml",
    "Source",
    "SourceLines",
    "StreamEvents",
    "column_of",
    "compile_schema",
    "declare_prefixes",
    "declares_markup",
    "normalize_encoding",
    "parse_siblings",
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
_LITERAL = rb"(?:\"[^\"]*\"|'[^']*')"
# A DOCTYPE naming only an external subset: no internal subset ("["), so no declaration.
_EXTERNAL_DOCTYPE = re.compile(
    rb"<!DOCTYPE[ \t\r\n]+[A-Za-z_:][\w.:\-]*[ \t\r\n]+"
    rb"((?:SYSTEM[ \t\r\n]+"
    + _LITERAL
    + rb")|(?:PUBLIC[ \t\r\n]+"
    + _LITERAL
    + rb"[ \t\r\n]+"
    + _LITERAL
    + rb"))[ \t\r\n]*>"
)
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*+\Z", re.DOTALL)
_ROOT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*+<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)",
    re.DOTALL,
)
# Byte order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Encodings in which the byte checks below see the markup as libxml2 will read it.
_ASCII_TRANSPARENT = frozenset({"utf-8", "ascii"})
_EBCDIC = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC
_UTF8_DECLARATIONS = tuple(
    f"<?xml version={q}1.0{q}{rest}?>".encode()
    for q in "\"'"
    for rest in ("", f" encoding={q}UTF-8{q}", f" encoding={q}utf-8{q}")
)
_DECLARED = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?<\?xml[ \t\r\n][^>]*?\bencoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"'>]*)\1"""
)
_POSITION = re.compile(r", line \d+, column \d+$")
# An attribute value directly followed by the next attribute's name (`"a"b=`): documents
# extracted from PDFs lose the space; checked cheaply on the whole payload first.
_GLUED_ANY = re.compile(rb"""["'][A-Za-z_][\w.:\-]*+\s*+=\s*+["']""")
_TAG = re.compile(rb"<[A-Za-z_][^<>]*>")
_GLUED = re.compile(rb"""=\s*+(?:"[^"<]*+"|'[^'<]*+')(?=([A-Za-z_][\w.:\-]*+)\s*+=)""")
_local = threading.local()


# Not frozen: one is made per payload read, and a frozen dataclass costs 4x to build.
@dataclass(slots=True)
class ParsedXml:
    """A parsed payload: its root element and the deviations tolerated while reading."""

    root: etree._Element
    warnings: tuple[Issue, ...]
    declared: tuple[str, ...]
    #: The payload as libxml2 read it (UTF-8, before any tolerated repair).
    data: bytes = b""


def read_source(data: Source) -> tuple[bytes, str | None]:
    """Return the payload bytes and a source name for ``data`` (bytes, XML text or a path)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data), None
    if isinstance(data, str) and data.lstrip("\ufeff \t\r\n").startswith("<"):
        return data.encode("utf-8"), None
    path = Path(data)
    return path.read_bytes(), str(path)


class _Hardening(TypedDict):
    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    dtd_validation: bool
    huge_tree: bool


#: Every parser's hardening: no entity expansion, no network, no DTD, libxml2's limits.
_HARDENED: Final[_Hardening] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}


def _parser(drop_blanks: bool = False) -> etree.XMLParser:
    """This thread's hardened parser; ``drop_blanks``: the one that drops indentation."""
    name = "lean_parser" if drop_blanks else "parser"
    parser: etree.XMLParser | None = getattr(_local, name, None)
    if parser is None:
        parser = etree.XMLParser(**_HARDENED, collect_ids=False, remove_blank_text=drop_blanks)
        setattr(_local, name, parser)
    return parser


class _LocalFilesOnly(etree.Resolver):
    """Refuses every resource of a schema but a file: an ``xs:import`` or ``xs:include``
    naming a URL (``http:``, ``ftp:``...) is never fetched, and is kept in :attr:`refused`."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> None:
        url = system_url or ""
        if "://" in url and not url.lower().startswith("file://"):
            self.refused.append(url)
            # libxml2 reports this as a resource it failed to read: the compile fails.
            raise OSError(f"not fetched: {url}")
        return None  # a local file: libxml2 reads it, through this parser's options


def compile_schema(path: Path) -> etree.XMLSchema:
    """The XSD at ``path`` (ucxml's own, or a registered package's) compiled by libxml2,
    read through the hardened parser: no DTD, no entity expansion, no network, and its
    imports and includes only from local files.

    Raises:
        ForbiddenXmlError: the schema imports or includes a URL (never fetched).
        lxml.etree.XMLSchemaParseError: the schema itself is broken.
    """
    parser = etree.XMLParser(**_HARDENED)
    resolver = _LocalFilesOnly()
    parser.resolvers.add(resolver)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except etree.XMLSchemaParseError as exc:
        if resolver.refused:
            raise ForbiddenXmlError(
                f"{path.name}: the schema names a resource that is no local file, "
                f"which is not fetched: {resolver.refused[0]}"
            ) from exc
        raise


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


def declare_prefixes(
    data: bytes, prefixes: Mapping[str, str]
) -> tuple[bytes, list[Issue], list[str]]:
    """Declare the well-known prefixes used but never declared, on the root start tag."""
    missing = []
    searched: bytes | None = None
    for prefix, uri in prefixes.items():
        name = prefix.encode()
        if name + b":" not in data or b"xmlns:" + name + b"=" in data:
            continue
        if searched is None:
            # A prefix named in a comment (``<!-- xsi:type="…" was wrong -->``) is not used.
            searched = _COMMENT.sub(b"", data) if b"<!--" in data else data
        if re.search(rb"[<\s/]" + re.escape(name) + rb":[A-Za-z_]", searched):
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
    issues = [prefix_warning(p, u, line, column) for p, u in missing]
    return data[:at] + decl + data[at:], issues, [p for p, _ in missing]


#: Separations reported one by one; the rest are counted in one more warning.
_LISTED_SEPARATIONS = 100


def _glued(data: bytes) -> list[re.Match[bytes]]:
    """Every attribute run into the previous one, in start tags only."""
    return [g for tag in _TAG.finditer(data) for g in _GLUED.finditer(data, *tag.span())]


def _positions(data: bytes, offsets: list[int]) -> Iterator[tuple[int, int]]:
    """(line, column) of each of the ascending ``offsets`` (linear: counted from the last)."""
    line, line_start, counted = 1, 0, 0
    for at in offsets:
        breaks = data.count(b"\n", counted, at)
        if breaks:
            line += breaks
            line_start = data.rfind(b"\n", counted, at) + 1
        counted = at
        yield line, at - line_start + 1


def separate_attributes(data: bytes) -> tuple[bytes, list[Issue]]:
    """Insert the missing space between attributes run together (``a="1"b="2"``).

    Only start tags are touched; each separation is reported as a warning at the
    position of the glued attribute in the original text (the first hundred one by one,
    the rest counted).
    """
    if _GLUED_ANY.search(data) is None:
        return data, []
    glued = _glued(data)
    if not glued:
        return data, []
    issues: list[Issue] = []
    listed = glued[:_LISTED_SEPARATIONS]
    for match, (line, column) in zip(
        listed, _positions(data, [g.end() for g in listed]), strict=True
    ):
        name = match.group(1).decode("utf-8", "replace")
        message = f"attribute '{name}' run together with the previous one"
        issues.append(glued_warning(message, line, column))
    if len(glued) > len(listed):
        more = f"{len(glued) - len(listed):,} more attributes run together with the previous one"
        issues.append(glued_warning(more, issues[-1].line or 1, issues[-1].column or 1))
    out: list[bytes] = []
    last = 0
    for match in glued:
        out.append(data[last : match.end()])
        last = match.end()
    out.append(data[last:])
    return b" ".join(out), issues


def _refuse_unmarked(data: bytes) -> None:
    """Refuse the encodings libxml2 would guess from the first bytes (no byte order mark)."""
    head = data[:4]
    if b"\x00" in head:
        raise XmlSyntaxError(
            "the payload looks like UTF-16 or UTF-32 without a byte order mark "
            "(XML 1.0 section 4.3.3 requires one); re-save it as UTF-8",
            line=1,
            column=1,
        )
    if head == _EBCDIC:
        raise XmlSyntaxError("EBCDIC payloads are not supported", line=1, column=1)


def _transcode(data: bytes, codec: str, declared: re.Match[bytes] | None) -> bytes:
    try:
        text = codecs.decode(data, codec)
    except (UnicodeDecodeError, LookupError) as exc:
        raise XmlSyntaxError(f"the payload is not valid {codec}: {exc}", line=1) from None
    out = text.encode("utf-8")
    label = _DECLARED.match(out) if declared is not None or out.startswith(b"<?xml") else None
    if label is not None:
        out = out[: label.start(2)] + b"UTF-8" + out[label.end(2) :]
    return out


def normalize_encoding(data: bytes) -> bytes:
    """``data`` re-encoded as UTF-8 when libxml2 would otherwise decode something else.

    The DOCTYPE / ENTITY check works on bytes, so a payload in UTF-16, UTF-32 or UTF-7
    could hide ``<!DOCTYPE`` from it (libxml2 would then open an external subset before
    the parsed tree is checked). Every payload libxml2 sees is therefore UTF-8 (or a
    declared ASCII-compatible encoding transcoded to it): a byte order mark or a declared
    encoding is honoured by decoding here, with the declaration relabelled ``UTF-8``;
    UTF-16/32 without a byte order mark and EBCDIC are refused.
    """
    # No byte order mark starts with "<", and most payloads declare no encoding or UTF-8
    # in one of a few spellings: nothing to look up.
    if (
        data[:1] == b"<"
        and b"\x00" not in data[:4]
        and data[:4] != _EBCDIC
        and (data[1:2] != b"?" or data.startswith(_UTF8_DECLARATIONS))
    ):
        return data
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _transcode(data[len(bom) :], codec, None)
    _refuse_unmarked(data)
    declared = _DECLARED.match(data) if data[:5] in (b"<?xml", b"\xef\xbb\xbf<?") else None
    if declared is None:
        return data
    name = declared.group(2).decode("ascii", "replace").strip()
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        raise XmlSyntaxError(
            f"unsupported encoding {name!r}", line=1, column=declared.start(2) + 1
        ) from None
    if codec in _ASCII_TRANSPARENT:
        return data
    if codec.startswith(("utf-16", "utf-32")):
        raise XmlSyntaxError(
            f"the payload declares {name} but has no byte order mark", line=1, column=1
        )
    start = 3 if data.startswith(codecs.BOM_UTF8) else 0
    return _transcode(data[start:], codec, declared)


def declares_markup(data: bytes) -> bool:
    """Whether ``data`` holds ``<!`` (a comment, CDATA or a declaration)."""
    # "!" is rare in XML and found at memchr speed; a search for "<!" stops at every "<"
    # (150 us for a 150 KB answer, against 2 us).
    return b"!" in data and b"<!" in data


def precheck(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Refuse oversize payloads and any DOCTYPE / ENTITY declaration before parsing.

    Returns the payload as libxml2 must read it: UTF-8 (see :func:`normalize_encoding`).
    """
    data, _ = _precheck(data, max_bytes, external_doctype=False)
    return data


def _external_doctype(data: bytes) -> tuple[bytes, Issue] | None:
    """``data`` with its external-identifier-only DOCTYPE blanked out, and the warning.

    Only a DOCTYPE in the prolog, naming a SYSTEM or PUBLIC identifier and holding no
    internal subset, in a payload with no other DOCTYPE or ENTITY, qualifies. It is
    overwritten with spaces (line breaks kept, so every position stays where it was):
    libxml2 never sees it, so nothing can ever be fetched.
    """
    found = _EXTERNAL_DOCTYPE.search(data)
    if found is None or not _PROLOG.match(data, 0, found.start()):
        return None
    rest = data[: found.start()] + data[found.end() :]
    if _FORBIDDEN.search(rest):
        return None
    blank = re.sub(rb"[^\r\n]", b" ", found.group(0))
    identifier = found.group(1).decode("utf-8", "replace")
    line = _line_of(data, found.start())
    column = found.start() - data.rfind(b"\n", 0, found.start())
    warning = doctype_warning(" ".join(identifier.split()), line, column)
    return data[: found.start()] + blank + data[found.end() :], warning


def _precheck(data: bytes, max_bytes: int, *, external_doctype: bool) -> tuple[bytes, list[Issue]]:
    """:func:`precheck`; with ``external_doctype`` a DOCTYPE naming only an external
    identifier is blanked out with a warning (whether the API tolerates it is decided once
    it is detected: :func:`ucxml._tolerances.check_enabled`)."""
    if len(data) > max_bytes:
        raise XmlLimitError(f"payload of {len(data)} bytes exceeds the limit of {max_bytes}")
    data = normalize_encoding(data)
    warnings: list[Issue] = []
    forbidden = _FORBIDDEN.search(data) if declares_markup(data) else None
    if forbidden and external_doctype and forbidden.group(1) == b"DOCTYPE":
        tolerated = _external_doctype(data)
        if tolerated is not None:
            data, warning = tolerated
            warnings.append(warning)
            forbidden = None
    if forbidden:
        raise ForbiddenXmlError(
            f"<!{forbidden.group(1).decode()}> is not allowed (DTDs and entities are refused)",
            line=_line_of(data, forbidden.start()),
            column=forbidden.start() - data.rfind(b"\n", 0, forbidden.start()),
        )
    return data, warnings


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


class StreamEvents:
    """The events of a streamed parse of ``data`` (hardened settings), and its root once done.

    An ``XMLPullParser`` fed in slices: the same events as ``lxml.etree.iterparse`` over a
    file, without a Python read call per 32 KB (measured 14 % cheaper on a 15 MB answer).
    """

    #: Bytes fed to libxml2 at a time: the tree a caller has not cleared yet stays small.
    CHUNK = 1 << 16

    def __init__(
        self,
        data: bytes,
        events: tuple[Literal["start", "end"], ...],
        tags: list[str],
        *,
        drop_blanks: bool = False,
    ) -> None:
        self._data = data
        self._parser = etree.XMLPullParser(
            events=events,
            tag=tags,
            **_HARDENED,
            remove_blank_text=drop_blanks,
        )
        #: The root element, once every event was read (None before).
        self.root: etree._Element | None = None

    def __iter__(self) -> Iterator[tuple[str, etree._Element]]:
        parser, data, chunk = self._parser, self._data, self.CHUNK
        for start in range(0, len(data), chunk):
            parser.feed(data[start : start + chunk])
            yield from parser.read_events()
        root = parser.close()
        yield from parser.read_events()
        self.root = root


def safe_iterparse(
    data: bytes, events: tuple[Literal["start", "end"], ...], tags: list[str]
) -> StreamEvents:
    """The events of a streamed parse of ``data``, with the hardened parser's settings.

    Whitespace between elements (indentation) is not kept when ``data`` holds no ``<!``:
    libxml2 then drops a blank text only where an element or processing instruction
    follows it, never the whole content of a leaf (``<a> </a>``), and every reader refuses
    a leaf that holds either. With a CDATA section or a comment (``<!``)
    everything is kept: the blank before ``<![CDATA[`` belongs to the value.
    """
    return StreamEvents(data, events, tags, drop_blanks=not declares_markup(data))


def parse_xml(
    data: bytes,
    *,
    prefixes: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    drop_blanks: bool = False,
    external_doctype: bool = False,
) -> ParsedXml:
    """Parse ``data`` safely; raise :class:`~ucxml.errors.XmlError` subclasses on failure.

    ``prefixes`` maps well-known prefixes to their namespaces: those used in ``data``
    without a declaration are declared on the root element and reported as warnings. It
    may be a function giving that map, called only when ``data`` needs it.
    ``drop_blanks``: indentation between elements is not kept, as in
    :func:`safe_iterparse` (a smaller tree, read faster; for binding, not for reports).
    ``external_doctype``: a DOCTYPE naming only an external identifier is blanked out
    with a ``T-DOCTYPE`` warning instead of refused (never fetched); the caller decides,
    once the API is known, whether it is tolerated (:func:`ucxml._tolerances.check_enabled`).
    """
    data, early = _precheck(data, max_bytes, external_doctype=external_doctype)
    lean = drop_blanks and not declares_markup(data)
    try:
        # Most payloads are well-formed: the tolerances cost nothing unless parsing fails.
        root = etree.fromstring(data, parser=_parser(lean))
    except etree.XMLSyntaxError:
        parsed = _parse_tolerant(data, prefixes() if callable(prefixes) else prefixes)
        return dataclasses.replace(parsed, warnings=(*early, *parsed.warnings))
    if declares_markup(data):
        # libxml2 read these very bytes (UTF-8 or ASCII), so without "<!" it saw no DOCTYPE.
        postcheck(root)
    return ParsedXml(root=root, warnings=tuple(early), declared=(), data=data)


#: The stand-in parent of :func:`parse_siblings` (a name no API uses).
SIBLINGS_TAG = "ucxml-siblings"


def parse_siblings(
    content: bytes, nsmap: Mapping[str | None, str], *, drop_blanks: bool = False
) -> etree._Element:
    """Parse ``content``, a run of sibling elements cut from a UTF-8 document, hardened.

    The elements become the children of a stand-in ``<ucxml-siblings>`` element that
    declares ``nsmap`` (the namespaces in scope where ``content`` was cut out). A run that
    is not well-formed on its own raises :class:`~ucxml.errors.XmlSyntaxError`.
    ``drop_blanks`` as in :func:`parse_xml`.
    """
    declares = declares_markup(content)
    forbidden = _FORBIDDEN.search(content) if declares else None
    if forbidden:
        raise ForbiddenXmlError("DTDs and entities are refused")
    declarations = "".join(
        f" xmlns:{prefix}={quoteattr(uri)}" if prefix else f" xmlns={quoteattr(uri)}"
        for prefix, uri in nsmap.items()
    )
    head = f"<{SIBLINGS_TAG}{declarations}>".encode()
    try:
        whole = head + content + f"</{SIBLINGS_TAG}>".encode()
        return etree.fromstring(whole, parser=_parser(drop_blanks and not declares))
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc) from None


def _parse_tolerant(data: bytes, prefixes: Mapping[str, str] | None) -> ParsedXml:
    """Parse again after the tolerated repairs (glued attributes, undeclared prefixes)."""
    original = data
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
            # Report the column of the original text, before the inserted spaces.
            inserted = _positions(original, [g.end() for g in _glued(original)])
            shift = sum(
                1 for line, column in inserted if line == error.line and column < error.column
            )
            error = type(error)(error.message, line=error.line, column=error.column - shift)
        raise error from None
    postcheck(root)
    return ParsedXml(root=root, warnings=tuple(warnings), declared=tuple(declared), data=original)


_BREAK = re.compile(rb"\r\n?|\n")


class SourceLines:
    """The lines of a payload, found on demand.

    Issues need the text of a few lines (for their columns); splitting a large payload
    into a list of every line up front costs far more memory than the payload itself.
    Lines are found by scanning forward from the nearest line already found.
    """

    __slots__ = ("_data", "_known", "_offsets", "_texts")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._known = [1]  # line numbers found so far (sorted), and where each starts
        self._offsets = [0]
        self._texts: dict[int, bytes | None] = {}  # many issues can name one long line

    def line(self, number: int) -> bytes | None:
        """The text of 1-based line ``number`` without its break; None past the end."""
        if number in self._texts:
            return self._texts[number]
        text = self._find(number)
        self._texts[number] = text
        return text

    def _find(self, number: int) -> bytes | None:
        if number < 1:
            return None
        at = bisect.bisect_right(self._known, number) - 1
        line, offset = self._known[at], self._offsets[at]
        breaks = _BREAK.finditer(self._data, offset)
        while line < number:
            found = next(breaks, None)
            if found is None:
                return None
            line, offset = line + 1, found.end()
        if self._known[at] != line:
            self._known.insert(at + 1, line)
            self._offsets.insert(at + 1, offset)
        end = _BREAK.search(self._data, offset)
        if offset >= len(self._data):
            return None  # a final line break starts no line (as in bytes.splitlines)
        return self._data[offset : end.start() if end else len(self._data)]


def column_of(lines: SourceLines | None, line: int | None, local: str) -> int | None:
    """1-based column of the start tag ``<local`` (any prefix) on ``line`` of the source."""
    if lines is None or line is None:
        return None
    text = lines.line(line)
    if text is None:
        return None
    at = re.search(rb"<(?:[\w.\-]+:)?" + re.escape(local.encode()) + rb"[\s/>]", text)
    return at.start() + 1 if at else None
