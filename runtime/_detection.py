"""Which API a payload belongs to: the one detector, fed by every API's data.

Each API offers its roots, its header blocks and how it names its messages; its envelope
style (:meth:`~ucxml._envelopes.EnvelopeFormat.claims`) judges a document by them. The
strongest claim wins, the first API of the manifest on a tie, so the detector knows no API
and an API added (bundled or registered) is detected with no edit here.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from ucxml._envelopes import envelope_format, is_json
from ucxml._registry import ApiBinding, api_names, binding, on_register

__all__ = ["detect_tree", "sniff"]


@functools.cache
def _apis_with_root(tag: str) -> tuple[ApiBinding, ...]:
    """The XML APIs that list ``tag`` among their root elements, in manifest order."""
    found = []
    for name in api_names():
        api = binding(name)
        if not is_json(api.info.envelope) and tag in api.info.roots:
            found.append(api)
    return tuple(found)


def detect_tree(root: etree._Element) -> str | None:
    """Name of the API whose messages look like ``root`` (None when none does).

    Args:
        root: the document element of a parsed payload.
    """
    tag = root.tag
    if not isinstance(tag, str):
        return None
    best, strongest = None, 0
    for api in _apis_with_root(tag):
        info = api.info
        claim = envelope_format(info.envelope).claims(root, info.roots, api.headers, info.dispatch)
        if claim > strongest:
            best, strongest = info.name, claim
            if claim == 2:
                break
    return best


@functools.cache
def _start_tags() -> tuple[tuple[str, re.Pattern[bytes]], ...]:
    """Per API, a pattern for the start tags of its roots (the SOAP envelope left out: it
    names no API)."""
    patterns = []
    for name in api_names():
        locals_ = sorted(
            {r.rsplit("}", 1)[-1] for r in binding(name).info.roots} - {"Envelope"}, key=len
        )
        if locals_:
            names = b"|".join(re.escape(n.encode()) for n in locals_)
            patterns.append((name, re.compile(rb"<(?:[\w.\-]+:)?(?:" + names + rb")[\s/>]")))
    return tuple(patterns)


def sniff(data: bytes) -> str | None:
    """Guess the API of a payload that is not well-formed, from the start tags it shows.

    Args:
        data: the payload's bytes; only its first 4 KiB are looked at.
    """
    head = data[:4096]
    for name, pattern in _start_tags():
        if pattern.search(head):
            return name
    return None


# All look over every API: an API registered later must be seen.
on_register(_apis_with_root.cache_clear)
on_register(_start_tags.cache_clear)
