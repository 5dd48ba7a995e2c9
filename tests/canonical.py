"""Canonical XML for golden comparisons: C14N 2.0 with whitespace between elements ignored.

Prefixes are rewritten (``epas:login-resp`` equals ``ns0:login-resp`` and a default
namespace), including the QName text of SOAP 1.2 fault codes.
"""

from __future__ import annotations

from lxml import etree

from ucxml.safexml import parse_xml

__all__ = ["canonical"]


_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
_QNAME_TEXT = [f"{{{_SOAP12}}}Value"]


def canonical(data: bytes) -> bytes:
    """C14N 2.0 of ``data`` (prefixes rewritten) after dropping whitespace-only text."""
    root = parse_xml(data).root
    for el in root.iter():
        if len(el) and el.text is not None and not el.text.strip():
            el.text = None
        if el.tail is not None and not el.tail.strip():
            el.tail = None
    text = etree.tostring(root, encoding="unicode")
    return etree.canonicalize(text, rewrite_prefixes=True, qname_aware_tags=_QNAME_TEXT).encode()
