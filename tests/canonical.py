"""Canonical XML for golden comparisons: C14N 2.0 with whitespace between elements ignored.

Prefixes are rewritten (``epas:login-resp`` equals ``ns0:login-resp`` and a default
namespace), including the QName text of SOAP 1.2 fault codes. ``xsi:schemaLocation`` is a
processing hint, not content: ucxml neither keeps nor writes it, so it is left out.
"""

from __future__ import annotations

from lxml import etree

from ucxml._safexml import parse_xml

__all__ = ["canonical"]


_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
_QNAME_TEXT = [f"{{{_SOAP12}}}Value"]
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_HINTS = (f"{{{_XSI}}}schemaLocation", f"{{{_XSI}}}noNamespaceSchemaLocation")


def canonical(data: bytes) -> bytes:
    """C14N 2.0 of ``data`` (prefixes rewritten) after dropping whitespace-only text."""
    root = parse_xml(data).root
    for el in root.iter():
        for hint in _HINTS:
            el.attrib.pop(hint, None)
        if len(el) and el.text is not None and not el.text.strip():
            el.text = None
        if el.tail is not None and not el.tail.strip():
            el.tail = None
    text = etree.tostring(root, encoding="unicode")
    return etree.canonicalize(text, rewrite_prefixes=True, qname_aware_tags=_QNAME_TEXT).encode()
