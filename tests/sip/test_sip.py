"""SIP message and multipart/related splitting (``ucxml._sip``)."""

from __future__ import annotations

import pytest

from ucxml._sip import parse_sip, split_multipart
from ucxml.errors import MessageFormatError

RLMI = b'<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="0" fullState="true"/>'
PIDF = b'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@x"/>'
CTYPE = 'multipart/related;type="application/rlmi+xml";start="<r1@x>";boundary="b-1 2"'


def _multipart(boundary: bytes = b"b-1 2", close: bool = True) -> bytes:
    body = (
        b"--" + boundary + b"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <r1@x>\r\n"
        b'Content-Type: application/rlmi+xml;charset="UTF-8"\r\n\r\n' + RLMI + b"\r\n"
        b"--"
        + boundary
        + b"\r\nContent-ID: <p1@x>\r\nContent-Type: application/pidf+xml\r\n\r\n"
        + PIDF
        + b"\r\n--"
        + boundary
    )
    return body + (b"--\r\n" if close else b"\r\n")


def _notify(body: bytes, *, length: int | None = None, compact: bool = False) -> bytes:
    ctype = b"c" if compact else b"Content-Type"
    clen = b"l" if compact else b"Content-Length"
    size = len(body) if length is None else length
    return (
        b"NOTIFY sip:handset0@10.21.91.156:5060 SIP/2.0\r\n"
        b"Call-ID: 2085017328@10.21.91.156\r\n"
        b"Event: presence\r\n"
        b"Subject: a folded\r\n header value\r\n"
        + ctype
        + b": "
        + CTYPE.encode()
        + b"\r\n"
        + clen
        + b": %d\r\n\r\n" % size
        + body
    )


@pytest.mark.parametrize("compact", [False, True])
def test_notify_with_rlmi_list_is_split_into_its_parts(compact: bool) -> None:
    message = parse_sip(_notify(_multipart(), compact=compact))
    assert message.method == "NOTIFY"
    assert message.status is None
    assert message.header("call-id") == "2085017328@10.21.91.156"
    assert message.header("Subject") == "a folded header value"
    assert message.content_type == CTYPE
    parts = message.parts()
    assert [(p.content_id, p.content_type, p.content) for p in parts] == [
        ("r1@x", "application/rlmi+xml", RLMI),
        ("p1@x", "application/pidf+xml", PIDF),
    ]


def test_body_is_cut_at_content_length_and_offset_is_kept() -> None:
    data = (_notify(PIDF) + b"trailing garbage").replace(CTYPE.encode(), b"application/pidf+xml")
    message = parse_sip(data)
    assert message.body == PIDF
    assert data[message.body_offset :].startswith(PIDF)
    assert [p.content for p in message.parts()] == [PIDF]


def test_response_start_line() -> None:
    message = parse_sip(b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert message.status == 200
    assert message.method is None
    assert message.body == b""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"<presence/>", "not a SIP start line"),
        (b"NOTIFY sip:a@b SIP/2.0\r\nno colon here\r\n\r\n", "malformed SIP header"),
        (_notify(PIDF, length=len(PIDF) + 10), "truncated"),
        (b"NOTIFY sip:a@b SIP/2.0\r\nContent-Length: ten\r\n\r\nx", "not a number"),
    ],
)
def test_broken_sip_messages_raise_a_typed_error(data: bytes, words: str) -> None:
    with pytest.raises(MessageFormatError, match=words):
        parse_sip(data)


@pytest.mark.parametrize(
    ("body", "ctype", "words"),
    [
        (_multipart(), "multipart/related;type=application/rlmi+xml", "without a boundary"),
        (_multipart(b"other"), CTYPE, "never shows its boundary"),
        (_multipart(close=False), CTYPE, "no closing delimiter"),
        (PIDF, "application/pidf+xml", "not a multipart"),
    ],
)
def test_broken_multipart_bodies_raise_a_typed_error(body: bytes, ctype: str, words: str) -> None:
    with pytest.raises(MessageFormatError, match=words):
        split_multipart(body, ctype)
