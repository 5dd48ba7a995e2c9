"""The releases of each API (manifest ``[[apis.<api>.releases]]``): look-up and detection.

A client writes one release (its ``release=``) and reads every one. What a message shows of
its release are the markers of the manifest: a tolerance warning code (``code T-BARE``), an
element (``loginType``), an element's attribute (``persona-id@domain``) or any element's
attribute (``@client-type``). Each marker names the oldest release known to send it, so the
release detected is the newest one whose markers the message holds: a lower bound on the
sender's release. A message with no marker is of the API's default release.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ucxml._registry import binding
from ucxml.bindings import Release
from ucxml.errors import ParameterError

__all__ = [
    "AUTO",
    "default_release",
    "detect_json_release",
    "detect_release",
    "get_release",
    "releases",
    "sniff_release",
    "stamp",
]


def releases(api: str) -> tuple[Release, ...]:
    """The releases of ``api``, oldest first (empty for an API with one release).

    Raises:
        UnknownApiError: ``api`` is not a supported API.
    """
    return binding(api).info.releases


def default_release(api: str) -> Release | None:
    """The release ``api``'s clients write when none is given, or None if it has none."""
    return next((r for r in releases(api) if r.default), None)


def get_release(api: str, name: str) -> Release:
    """The release ``name`` of ``api``.

    Raises:
        ParameterError: ``api`` has no release of that name (the text lists those it has).
    """
    known = releases(api)
    for release in known:
        if release.name == name:
            return release
    names = ", ".join(repr(r.name) for r in known) or "none"
    raise ParameterError(f"{api} release must be one of {names}, not {name!r}")


@dataclass(frozen=True, slots=True)
class _Markers:
    """One API's markers by kind, each with the index of the release it names."""

    codes: Mapping[str, int]
    elements: Mapping[str, int]
    attributes: Mapping[str, int]  # any element's attribute
    pairs: Mapping[tuple[str, str], int]  # (element, attribute)

    @property
    def in_tree(self) -> bool:
        return bool(self.elements or self.attributes or self.pairs)


@functools.cache
def _markers(api: str) -> _Markers:
    codes: dict[str, int] = {}
    elements: dict[str, int] = {}
    attributes: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for index, release in enumerate(releases(api)):
        for marker in release.markers:
            if marker.startswith("code "):
                codes[marker[5:]] = index
            elif marker.startswith("@"):
                attributes[marker[1:]] = index
            elif "@" in marker:
                element, attribute = marker.split("@", 1)
                pairs[(element, attribute)] = index
            else:
                elements[marker] = index
    return _Markers(codes, elements, attributes, pairs)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _tree_index(markers: _Markers, root: etree._Element) -> int:
    found = -1
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag
        local = _local(tag)
        found = max(found, markers.elements.get(tag, -1), markers.elements.get(local, -1))
        for key in el.attrib:
            name = _local(key)
            found = max(
                found,
                markers.attributes.get(name, -1),
                markers.pairs.get((local, name), -1),
                markers.pairs.get((tag, name), -1),
            )
    return found


def _result(api: str, index: int) -> str | None:
    known = releases(api)
    if not known:
        return None
    if index < 0:
        default = default_release(api)
        return default.name if default is not None else None
    return known[index].name


def detect_release(
    api: str,
    root: etree._Element | None,
    codes: Iterable[str | None] = (),
    seen: Iterable[str] = (),
) -> str | None:
    """The release of ``api`` that a message shows (None when ``api`` names no releases).

    Args:
        api: The API the message belongs to.
        root: The message's tree (envelope and all), searched for element and attribute
            markers; None searches only ``codes``.
        codes: The tolerance warning codes reading the message raised (``Issue.code``).
        seen: Releases whose dialect the message showed (:func:`ucxml._dialects.read`).
    """
    markers = _markers(api)
    index = max((markers.codes.get(c or "", -1) for c in codes), default=-1)
    names = [r.name for r in releases(api)]
    index = max([index, *(names.index(n) for n in seen if n in names)])
    if root is not None and markers.in_tree:
        index = max(index, _tree_index(markers, root))
    return _result(api, index)


def detect_json_release(api: str, value: Any, codes: Iterable[str | None] = ()) -> str | None:
    """:func:`detect_release` for a JSON body: element markers match its object keys."""
    markers = _markers(api)
    index = max((markers.codes.get(c or "", -1) for c in codes), default=-1)
    if markers.elements:
        pending = [value]
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                for key, inner in item.items():
                    index = max(index, markers.elements.get(str(key), -1))
                    pending.append(inner)
            elif isinstance(item, list):
                pending.extend(item)
    return _result(api, index)


#: A client's ``release="auto"``: the first answer decides the release it writes.
AUTO = "auto"


def sniff_release(api: str, content: bytes) -> str | None:
    """The release an answer's head shows, without reading it (for a streamed answer).

    A bare message (no envelope before its ``<request>``/``<response>``) is of the newest
    release whose form is bare (as :func:`detect_release` finds from the whole message);
    any other is of the default release.
    """
    named = [r for r in releases(api) if r.form == "named"]
    if not named:
        return None
    head = content[:4096]
    starts = [i for i in (head.find(b"<request"), head.find(b"<response")) if i >= 0]
    if not starts or b"Envelope" in head[: min(starts)]:
        return _result(api, -1)
    return named[-1].name


def stamp(obj: Any, release: str | None) -> Any:
    """``obj`` with its ``release`` field set (a generated model; anything else unchanged)."""
    if release is not None and hasattr(obj, "release") and hasattr(obj, "__dataclass_fields__"):
        with contextlib.suppress(AttributeError):  # a slotted class without the field
            obj.release = release
    return obj
