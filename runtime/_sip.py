"""SIP messages and MIME ``multipart/related`` bodies, as they reach ucxml in captures.

Presence documents (PIDF), resource lists (RLMI) and UCCN change notifications travel as
SIP NOTIFY / PUBLISH / MESSAGE bodies. :func:`parse_sip` splits a message into its start
line, headers and body (the body cut at ``Content-Length``); :func:`split_multipart`
splits a ``multipart/related`` body (RFC 2387, as RFC 4662 uses it for list
notifications) into its parts with the stdlib's MIME parser. Anything that cannot be split
without guessing raises :class:`~ucxml.errors.MessageFormatError`.
"""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

from ucxml.errors import MessageFormatError

__all__ = [
    "COMPACT_HEADERS",
    "BodyPart",
    "SipMessage",
    "content_type_params",
    "parse_sip",
    "split_multipart",
]

#: RFC 3261 / 3265 compact header forms and the names they stand for.
COMPACT_HEADERS = {
    "c": "Content-Type",
    "e": "Content-Encoding",
    "f": "From",
    "i": "Call-ID",
    "k": "Supported",
    "l": "Content-Length",
    "m": "Contact",
    "o": "Event",
    "s": "Subject",
    "t": "To",
    "u": "Allow-Events",
    "v": "Via",
}

_METHODS = frozenset(
    {
        "ACK",
        "BYE",
        "CANCEL",
        "INFO",
        "INVITE",
        "MESSAGE",
        "NOTIFY",
        "OPTIONS",
        "PRACK",
        "PUBLISH",
        "REFER",
        "REGISTER",
        "SUBSCRIBE",
        "UPDATE",
    }
)


def _canonical_name(name: str) -> str:
    name = name.strip()
    return COMPACT_HEADERS.get(name.lower(), name)


@dataclass(frozen=True, slots=True)
class SipMessage:
    """A SIP request or response: start line, headers in order, body bytes."""

    start_line: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    #: Byte offset of the body from the start of the message (``parse_sip``'s ``start``).
    body_offset: int

    @property
    def method(self) -> str | None:
        """The request method (``NOTIFY``...), None for a response."""
        first = self.start_line.split(" ", 1)[0]
        return first if first in _METHODS else None

    @property
    def status(self) -> int | None:
        """The status code of a response, None for a request."""
        parts = self.start_line.split(" ", 2)
        if parts[0].startswith("SIP/") and len(parts) > 1 and parts[1].isdigit():
            return int(parts[1])
        return None

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive, compact forms understood)."""
        wanted = _canonical_name(name).lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header ('' when absent)."""
        return self.header("Content-Type") or ""

    def parts(self) -> list[BodyPart]:
        """The body's MIME parts (one part holding the whole body when not multipart)."""
        if self.content_type.lower().startswith("multipart/"):
            return split_multipart(self.body, self.content_type)
        return [BodyPart(headers=(("Content-Type", self.content_type),), content=self.body)]


@dataclass(frozen=True, slots=True)
class BodyPart:
    """One part of a MIME body: its headers and its decoded content."""

    headers: tuple[tuple[str, str], ...]
    content: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive)."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def content_type(self) -> str:
        """The part's media type without parameters (``application/pidf+xml``)."""
        return (self.header("Content-Type") or "text/plain").split(";", 1)[0].strip().lower()

    @property
    def content_id(self) -> str | None:
        """The ``Content-ID`` without angle brackets (RLMI ``cid`` values refer to it)."""
        value = self.header("Content-ID")
        return value.strip().strip("<>").strip() if value else None


def _lines(data: bytes, at: int = 0) -> Iterator[tuple[bytes, int]]:
    """Header lines from ``at`` with the offset just after each, up to and including the
    blank line."""
    while at < len(data):
        end = data.find(b"\n", at)
        if end < 0:
            yield data[at:], len(data)
            return
        yield data[at:end].rstrip(b"\r"), end + 1
        at = end + 1


def parse_sip(data: bytes, *, start: int = 0) -> SipMessage:
    """Split a SIP message into start line, headers and body.

    Header folding (continuation lines) and compact header names are understood; the body
    is cut at ``Content-Length`` when the header is present, and a body shorter than the
    header says raises :class:`MessageFormatError` (a truncated capture).

    Args:
        data: The message, or a capture holding it (and what follows it).
        start: Where the message starts in ``data``; ``body_offset`` counts from there.
            Only the message's own bytes are copied, so reading a capture of many
            messages one after another stays linear.
    """
    lines = _lines(data, start)
    try:
        first, _ = next(lines)
    except StopIteration:
        raise MessageFormatError("empty SIP message") from None
    first_line = first.decode("utf-8", "replace").strip()
    if not (first_line.endswith("SIP/2.0") or first_line.startswith("SIP/2.0 ")):
        raise MessageFormatError(f"not a SIP start line: {first_line[:80]!r}", line=1)
    headers: list[tuple[str, str]] = []
    body_offset: int | None = None
    for number, (raw, end) in enumerate(lines, start=2):
        if not raw.strip():
            body_offset = end
            break
        text = raw.decode("utf-8", "replace")
        if text[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {text.strip()}")
            continue
        name, sep, value = text.partition(":")
        if not sep or not name.strip() or " " in name.strip():
            raise MessageFormatError(f"malformed SIP header line: {text[:80]!r}", line=number)
        headers.append((_canonical_name(name), value.strip()))
    if body_offset is None:
        body_offset = len(data)
    message = SipMessage(first_line, tuple(headers), b"", body_offset - start)
    length = message.header("Content-Length")
    if length is None:
        return dataclasses.replace(message, body=data[body_offset:])
    if not length.strip().isdigit():
        raise MessageFormatError(f"Content-Length is not a number: {length!r}")
    size, available = int(length), len(data) - body_offset
    if size > available:
        raise MessageFormatError(
            f"body has {available} bytes, Content-Length says {size} (truncated)"
        )
    return dataclasses.replace(message, body=data[body_offset : body_offset + size])


def content_type_params(content_type: str) -> tuple[str, dict[str, str]]:
    """The media type (lower case) and parameters of a ``Content-Type`` value.

    Raises :class:`MessageFormatError` for a value holding a line break (a lone CR, or any
    of the separators ``str.splitlines`` knows, such as \\x1d), which the email package
    refuses with a ValueError.
    """
    if len(content_type.splitlines()) > 1:
        raise MessageFormatError(f"line break inside Content-Type: {content_type[:80]!r}")
    holder = EmailMessage()
    try:
        holder["Content-Type"] = content_type
    except ValueError as exc:  # whatever else the email package refuses in a header value
        raise MessageFormatError(f"unreadable Content-Type: {exc}") from None
    params = dict(holder["Content-Type"].params)
    return holder.get_content_type(), params


def split_multipart(body: bytes, content_type: str) -> list[BodyPart]:
    """The parts of a ``multipart/*`` body whose ``Content-Type`` header is ``content_type``.

    Raises :class:`MessageFormatError` when the boundary parameter is missing, when the
    body never shows the boundary, or when the closing delimiter is missing (truncated).
    """
    media, params = content_type_params(content_type)
    if not media.startswith("multipart/"):
        raise MessageFormatError(f"not a multipart body: {media}")
    boundary = params.get("boundary")
    if not boundary:
        raise MessageFormatError(f"{media} without a boundary parameter")
    delimiter = b"--" + boundary.encode("utf-8", "replace")
    if delimiter not in body:
        raise MessageFormatError(f"{media} body never shows its boundary {boundary!r}")
    if delimiter + b"--" not in body:
        raise MessageFormatError(f"{media} body has no closing delimiter (truncated)")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(head + body)
    if not message.is_multipart():
        raise MessageFormatError(f"{media} body could not be split")
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        # The MIME parser keeps the line break that precedes the next delimiter.
        parts.append(BodyPart(tuple((k, str(v)) for k, v in part.items()), content))
    if not parts:
        raise MessageFormatError(f"{media} body holds no part")
    return parts
