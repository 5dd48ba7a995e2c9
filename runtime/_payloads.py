"""Captures as support engineers bring them, split into the payloads to validate.

A capture file may be a bare XML or JSON payload, raw HTTP messages as a proxy or a trace
saved them (request or status line, headers, blank line, body; several messages back to
back), an Extension Mobility form post (``xml=%3Crequest%3E…``) or query string, or SIP
messages (NOTIFY, PUBLISH, MESSAGE), whose ``multipart/related`` bodies are split into
their parts. :func:`split_capture` yields one :class:`Payload` per XML or JSON document
found, with the line and byte offset where its carrier starts; a carrier that cannot be
taken apart without guessing (a truncated body, a bad chunk, a multipart body without its
boundary) yields a payload whose ``error`` says why, so nothing is skipped silently.

HTTP framing (Content-Length, chunked transfer coding) is read by ``h11``; MIME parts by
the standard library (see :mod:`ucxml._sip`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import h11

from ucxml._sip import BodyPart, parse_sip, split_multipart
from ucxml.errors import MessageFormatError

__all__ = ["Payload", "split_capture"]

_HTTP_REQUEST = re.compile(rb"^[A-Z]+ \S+ HTTP/\d(?:\.\d)?\r?$")
_HTTP_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)? \d{3}")
_SIP_REQUEST = re.compile(rb"^[A-Z]+ \S+ SIP/2\.0\r?$")
_SIP_STATUS = re.compile(rb"^SIP/2\.0 \d{3}")
# A SIP request printed without its line breaks (``NOTIFY sip:x SIP/2.0Via: ...``).
_SIP_GLUED = re.compile(rb"^[A-Z]+ \S+ SIP/2\.0(?=[^\s])")
_FORM = re.compile(rb"^(?:[\w.\-]+=[^&\s]*&)*xml=", re.IGNORECASE)
# A line a trace tool writes before each message (sngrep, ngrep, tcpflow: time, addresses).
_TRACE = re.compile(
    rb"^(?:\d{4}[/-]\d\d[/-]\d\d[ T])?\d\d:\d\d:\d\d(?:[.,]\d+)?\s+\S+\s*-+>\s*\S+.*\r?$"
    rb"|^(?:U|T) \d{4}/\d\d/\d\d \S+ \S+ -> \S+.*\r?$"
)
_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_INTERIM = re.compile(rb"^HTTP/\d(?:\.\d)? 1\d\d\b")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
#: The first bytes of the rest of a capture h11 is given for one message; doubled while it
#: needs more (so a message costs about its own size, whatever follows it).
_WINDOW = 1 << 16
#: Bytes between two line-number checkpoints of a capture (see ``_Lines``).
_LINE_STEP = 1 << 16
_BLANK = re.compile(rb"\s*")


@dataclass(frozen=True, slots=True)
class Payload:
    """One document found in a capture, or why a carrier could not be taken apart.

    ``kind`` says what carried it: ``xml``, ``json``, ``http-request``,
    ``http-response``, ``sip``, ``sip-part``, ``http-part``, ``em-form`` or ``em-query``.
    ``line`` and ``offset`` locate the carrier in the capture (its start line, its first
    byte); ``body_line`` is the capture line of the payload's first line when the payload
    is the capture's bytes as they are (None when it had to be decoded: chunked, form
    encoded), so issue lines can be given as lines of the capture.
    """

    kind: str
    line: int
    offset: int
    data: bytes = field(repr=False)
    label: str = ""
    content_type: str = ""
    body_line: int | None = None
    error: str | None = None


class _Lines:
    """Line numbers of offsets in one capture, in linear time over a capture of many
    messages (a count from byte 0 per message made them quadratic).

    Offsets are mostly asked in order: each is counted from the last one asked, and a
    checkpoint every :data:`_LINE_STEP` bytes serves one asked out of order.
    """

    __slots__ = ("_at", "_data", "_line", "_lines", "_offsets")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at, self._line = 0, 1
        self._offsets, self._lines = [0], [1]

    def at(self, offset: int) -> int:
        """The 1-based line holding byte ``offset``."""
        if offset < self._at:
            nearest = bisect.bisect_right(self._offsets, offset) - 1
            start = self._offsets[nearest]
            return self._lines[nearest] + self._data.count(b"\n", start, offset)
        while offset - self._offsets[-1] > _LINE_STEP:
            step = self._offsets[-1] + _LINE_STEP
            if step > self._at:
                self._line += self._data.count(b"\n", self._at, step)
                self._at = step
            self._offsets.append(self._at)
            self._lines.append(self._line)
        self._line += self._data.count(b"\n", self._at, offset)
        self._at = offset
        return self._line


def _first_line(data: bytes, at: int) -> bytes:
    end = data.find(b"\n", at)
    return data[at : end if end >= 0 else len(data)]


def _skip_blank(data: bytes, at: int) -> int:
    match = _BLANK.match(data, at)
    return match.end() if match else at


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _is_xml(media: str) -> bool:
    return media in ("text/xml", "application/xml") or media.endswith("+xml")


def _looks(data: bytes) -> str | None:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return "xml"
    if head in (b"{", b"["):
        return "json"
    return None


def _form_xml(body: bytes) -> bytes:
    """The ``xml`` field of a URL-encoded form (``+`` is a space); raises if absent."""
    bad = _BAD_PERCENT.search(body)
    if bad:
        raise MessageFormatError(
            f"invalid percent-encoding at byte {bad.start()} of the form: "
            f"{body[bad.start() : bad.start() + 3]!r}"
        )
    try:
        fields = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MessageFormatError(f"not a URL-encoded form: {exc}") from None
    values = fields.get("xml")
    if not values:
        raise MessageFormatError("form without an xml= field")
    return values[0].encode("utf-8")


def _body_payloads(
    capture: bytes,
    lines: _Lines,
    body: bytes,
    *,
    kind: str,
    line: int,
    offset: int,
    label: str,
    content_type: str,
    body_offset: int | None,
) -> Iterator[Payload]:
    """The payloads of one message body, by its media type."""
    media = _media(content_type)
    body_line = lines.at(body_offset) if body_offset is not None else None
    if not body.strip():
        return
    if media.startswith("multipart/"):
        part_kind = "sip-part" if kind == "sip" else "http-part"
        try:
            parts = split_multipart(body, content_type)
        except MessageFormatError as exc:
            yield Payload(kind, line, offset, body, label, content_type, None, exc.message)
            return
        search = body_offset if body_offset is not None else 0
        for part in parts:
            yield from _part_payload(capture, lines, part, part_kind, label, search)
        return
    if media == "application/x-www-form-urlencoded":
        try:
            xml = _form_xml(body)
        except MessageFormatError as exc:
            yield Payload("em-form", line, offset, body, label, content_type, None, exc.message)
            return
        yield Payload("em-form", line, offset, xml, label, "text/xml")
        return
    if _is_xml(media) or media in ("application/json", "text/json") or _looks(body):
        if media == "text/html" or (not media and body.lstrip()[:5].lower() == b"<html"):
            error = "an HTML page, not an XML or JSON payload"
            yield Payload(kind, line, offset, body, label, content_type, None, error)
            return
        yield Payload(kind, line, offset, body, label, content_type, body_line)
        return
    if media.startswith("text/html"):
        error = "an HTML page, not an XML or JSON payload"
        yield Payload(kind, line, offset, body, label, content_type, None, error)


def _part_payload(
    capture: bytes, lines: _Lines, part: BodyPart, kind: str, label: str, search: int
) -> Iterator[Payload]:
    at = capture.find(part.content, search) if part.content else -1
    start = at if at >= 0 else search
    delimiter = capture.rfind(b"\n--", 0, start) if at >= 0 else -1
    # The part starts on the line after its delimiter: its first header line.
    line = lines.at(delimiter + 1) + 1 if delimiter >= 0 else lines.at(start)
    name = f"{label} part <{part.content_id}>" if part.content_id else f"{label} part"
    yield from _body_payloads(
        capture,
        lines,
        part.content,
        kind=kind,
        line=line,
        offset=start,
        label=name,
        content_type=part.header("Content-Type") or "",
        body_offset=at if at >= 0 else None,
    )


def _http_message(data: bytes, at: int, lines: _Lines) -> tuple[Iterator[Payload], int]:
    """Parse the HTTP message starting at ``at``; its payloads and where the next starts.

    h11 is fed the capture in growing windows, not all of the rest of it per message (a
    copy of the rest each time made many messages cost quadratic time).
    """
    first = _first_line(data, at)
    request = bool(_HTTP_REQUEST.match(first))
    connection = h11.Connection(h11.SERVER if request else h11.CLIENT)
    if not request:
        # h11 reads an answer only after a request: give it a stand-in.
        connection.send(h11.Request(method="POST", target="/", headers=[("Host", "capture")]))
        connection.send(h11.EndOfMessage())
    fed = min(len(data), at + _WINDOW)
    connection.receive_data(data[at:fed])
    head: h11.Request | h11.Response | None = None
    chunks: list[bytes] = []
    chunked = False
    line = lines.at(at)
    try:
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                if fed < len(data):
                    more = min(len(data), fed + max(_WINDOW, fed - at))  # doubling: linear
                    connection.receive_data(data[fed:more])
                    fed = more
                else:
                    connection.receive_data(b"")  # the capture ends here
                continue
            if isinstance(event, h11.Request | h11.Response):
                head = event
                chunked = any(
                    k == b"transfer-encoding" and b"chunked" in v.lower() for k, v in event.headers
                )
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed) or event is h11.PAUSED:
                break
    except h11.RemoteProtocolError as exc:
        kind = "http-request" if request else "http-response"
        text = str(exc)
        if "complete message body" in text:
            text = f"truncated body: {text}"
        error = Payload(kind, line, at, data[at:], first.decode("latin-1").strip(), "", None, text)
        return iter([error]), len(data)
    trailing, _ = connection.trailing_data
    end = fed - len(trailing)
    assert head is not None
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in head.headers}
    body = b"".join(chunks)
    if isinstance(head, h11.Request):
        kind, label = "http-request", f"{head.method.decode()} {head.target.decode('latin-1')}"
    else:
        kind, label = "http-response", f"HTTP {head.status_code} {head.reason.decode('latin-1')}"
    body_offset = None if chunked else end - len(body)
    payloads = _body_payloads(
        data,
        lines,
        body,
        kind=kind,
        line=line,
        offset=at,
        label=label,
        content_type=headers.get("content-type", ""),
        body_offset=body_offset,
    )
    if isinstance(head, h11.Request) and not body.strip():
        payloads = _query_payloads(head.target, line, at, label)
    return payloads, end


def _query_payloads(target: bytes, line: int, offset: int, label: str) -> Iterator[Payload]:
    """An EM query string (``GET /LoginService/query.asp?xml=%3Cquery%3E…``)."""
    query = urlsplit(target.decode("latin-1")).query
    if not re.search(r"(?:^|&)xml=", query):
        return
    try:
        xml = _form_xml(query.encode("ascii"))
    except (MessageFormatError, UnicodeEncodeError) as exc:
        text = exc.message if isinstance(exc, MessageFormatError) else str(exc)
        yield Payload("em-query", line, offset, target, label, "", None, text)
        return
    yield Payload("em-query", line, offset, xml, label, "text/xml")


def _sip_message(data: bytes, at: int, lines: _Lines) -> tuple[Iterator[Payload], int]:
    line = lines.at(at)
    first = _first_line(data, at).decode("utf-8", "replace").strip()
    first = first.removesuffix(" SIP/2.0")
    try:
        message = parse_sip(data, start=at)
    except MessageFormatError as exc:
        error = Payload("sip", line, at, data[at:], first, "", None, exc.message)
        return iter([error]), len(data)
    body_offset = at + message.body_offset
    end = body_offset + len(message.body)
    payloads = _body_payloads(
        data,
        lines,
        message.body,
        kind="sip",
        line=line,
        offset=at,
        label=first,
        content_type=message.content_type,
        body_offset=body_offset,
    )
    return payloads, end


def split_capture(data: bytes) -> Iterator[Payload]:
    """Every payload of a capture, in order (see the module docstring)."""
    lines = _Lines(data)
    at = _skip_blank(data, 0)
    if at >= len(data):
        return
    first = _first_line(data, at)
    kind = _looks(data[at:])
    if kind is not None:
        yield Payload(kind, lines.at(at), at, data, body_line=1)
        return
    if _FORM.match(first):
        try:
            xml = _form_xml(data[at:].strip())
        except MessageFormatError as exc:
            yield Payload("em-form", lines.at(at), at, data, error=exc.message)
            return
        yield Payload("em-form", lines.at(at), at, xml, content_type="text/xml")
        return
    http = bool(_HTTP_REQUEST.match(first) or _HTTP_STATUS.match(first))
    sip = bool(_SIP_REQUEST.match(first) or _SIP_STATUS.match(first))
    glued_start = None if http or sip else _SIP_GLUED.match(first)
    if glued_start is not None:
        glued = first[: glued_start.end() + 20].decode("utf-8", "replace")
        yield Payload(
            "sip",
            lines.at(at),
            at,
            data,
            error=f"not a SIP start line: the headers follow SIP/2.0 on the same line "
            f"({glued!r}…): a message printed without its line breaks",
        )
        return
    if not (http or sip or _TRACE.match(first)):
        text = first[:60].decode("utf-8", "replace")
        yield Payload(
            "unknown",
            lines.at(at),
            at,
            data,
            error=f"not XML, JSON, an HTTP or SIP message, or an EM form: {text!r}",
        )
        return
    while at < len(data):
        first = _first_line(data, at)
        if _TRACE.match(first):
            at = _skip_blank(data, at + len(first))
            continue
        if _INTERIM.match(first):
            # 100 Continue and other interim answers: headers only, no payload.
            end = _HEAD_END.search(data, at)
            at = _skip_blank(data, end.end() if end else len(data))
            continue
        if _HTTP_REQUEST.match(first) or _HTTP_STATUS.match(first):
            payloads, at = _http_message(data, at, lines)
        elif _SIP_REQUEST.match(first) or _SIP_STATUS.match(first):
            payloads, at = _sip_message(data, at, lines)
        else:
            text = first[:60].decode("utf-8", "replace")
            yield Payload(
                "unknown",
                lines.at(at),
                at,
                data[at:],
                error=f"trailing data that is not an HTTP or SIP message: {text!r}",
            )
            return
        yield from payloads
        at = _skip_blank(data, at)
