"""What a PIDF reader notes that no schema can: local times and draft namespaces.

Both are valid XML Schema (``xs:dateTime`` makes the zone optional; the extension points
are lax ``##other`` wildcards), so the schema and the binding accept them silently. RFC
3863 wants the RFC 3339 date-time, whose offset is mandatory, and older Cisco devices
write RPID in a namespace of its drafts. :func:`reader_warnings` reports both with the
tolerance codes ``T-LOCAL-TIME`` and ``T-DRAFT-NS`` (:mod:`ucxml._tolerances`); the value
or element itself is kept exactly as sent.

This module imports no reader, so a generic reader may call it for the ``pidf`` API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from ucxml._report import Issue
from ucxml._safexml import SourceLines, column_of
from ucxml._tolerances import draft_namespace_warning, local_time_warning

__all__ = [
    "DATETIME_ATTRIBUTES",
    "DATETIME_ELEMENTS",
    "DRAFT_NAMESPACES",
    "reader_warnings",
]

PIDF = "urn:ietf:params:xml:ns:pidf"
DM = "urn:ietf:params:xml:ns:pidf:data-model"
RPID = "urn:ietf:params:xml:ns:pidf:rpid"

#: Elements whose text is an ``xs:dateTime``: the tuple's and the data model's timestamps.
DATETIME_ELEMENTS = frozenset({f"{{{PIDF}}}timestamp", f"{{{DM}}}timestamp"})
#: Attributes that are an ``xs:dateTime`` on RPID elements (``from``/``until``, and
#: ``last-input`` of ``user-input``).
DATETIME_ATTRIBUTES = ("from", "until", "last-input")
#: Draft namespaces still sent by real devices, each with the registered namespace that
#: replaced it. CUCM-era Cisco phones and servers write RPID activities in the first.
DRAFT_NAMESPACES = {"urn:ietf:params:xml:ns:pidf:status:rpid": RPID}

# An xs:dateTime lexical form without the optional zone (Z or +hh:mm / -hh:mm).
_LOCAL = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?")


def _local(value: str | None) -> bool:
    return value is not None and _LOCAL.fullmatch(value.strip()) is not None


def reader_warnings(
    element: etree._Element,
    data: bytes,
    enabled: Iterable[str] = ("local-time", "draft-namespaces"),
) -> list[Issue]:
    """The ``T-LOCAL-TIME`` and ``T-DRAFT-NS`` warnings of the document ``element``.

    ``data`` is the payload as read (for columns); ``enabled`` names the tolerances to
    apply (the API's manifest ``tolerances``). A draft-namespace element is reported once,
    at the outermost element of that namespace, not for each of its children.
    """
    names = set(enabled)
    times, drafts = "local-time" in names, "draft-namespaces" in names
    if not times and not drafts:
        return []
    lines = SourceLines(data)
    tree = element.getroottree()
    issues: list[Issue] = []
    for el in element.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue  # a comment or processing instruction
        namespace, _, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
        if times and tag in DATETIME_ELEMENTS and _local(el.text):
            column = column_of(lines, el.sourceline, local)
            issues.append(
                local_time_warning(
                    local, (el.text or "").strip(), el.sourceline, column, tree.getpath(el)
                )
            )
        if times and namespace == RPID:
            for attribute in DATETIME_ATTRIBUTES:
                value = el.get(attribute)
                if _local(value):
                    column = column_of(lines, el.sourceline, local)
                    issues.append(
                        local_time_warning(
                            f"{local}@{attribute}",
                            (value or "").strip(),
                            el.sourceline,
                            column,
                            tree.getpath(el),
                        )
                    )
        if drafts and namespace in DRAFT_NAMESPACES:
            parent = el.getparent()
            if parent is not None and etree.QName(parent).namespace == namespace:
                continue  # reported with its outermost draft ancestor
            column = column_of(lines, el.sourceline, local)
            issues.append(
                draft_namespace_warning(
                    local,
                    namespace,
                    DRAFT_NAMESPACES[namespace],
                    el.sourceline,
                    column,
                    tree.getpath(el),
                )
            )
    return issues
