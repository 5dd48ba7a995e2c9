"""Canonical XML for golden comparisons: C14N with whitespace between elements ignored."""

from __future__ import annotations

from lxml import etree

from ucxml.safexml import parse_xml

__all__ = ["canonical"]


def canonical(data: bytes) -> bytes:
    """C14N of ``data`` after dropping whitespace-only text between elements."""
    root = parse_xml(data).root
    for el in root.iter():
        if len(el) and el.text is not None and not el.text.strip():
            el.text = None
        if el.tail is not None and not el.tail.strip():
            el.tail = None
    return etree.tostring(root, method="c14n")
