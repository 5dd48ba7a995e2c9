"""Release dialects: the shapes a release gives the messages of the shared models.

One set of generated models serves every release of an API. A release whose messages are
shaped otherwise (CME 12.x) has a dialect in the manifest (:class:`ucxml.bindings.Release`):

- ``form = "named"``: a bare ``<request>``/``<response>``, no envelope, no ``xsi:type``,
  the message named by its child (``<request><ISgetUser>``, ``<response><ISDevices>``);
- ``results``: an answer whose content sits in one wrapper element (``ISGlobal``);
- ``containers``: repeated elements inside a plural container (``ISDevices/ISDevice``)
  where the shared model repeats them directly;
- ``spellings``: elements the release spells otherwise (``ISDevUsername``).

:func:`read` turns a message of any release into the shared form in place (the elements
keep their source lines, so validation still points into the payload); :func:`write`
turns a message written in the shared form into a release's. A container is taken apart
only when it holds nothing but its items: anything else stays, and is read as unknown
content (kept, warned), so nothing is lost.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from ucxml._envelopes import XSI_TYPE
from ucxml._registry import ApiBinding, binding
from ucxml.bindings import Release

__all__ = [
    "Shapes",
    "dialect_releases",
    "is_pure",
    "lift",
    "message_type",
    "read",
    "read_record",
    "shapes",
    "write",
]


def dialect_releases(api: str) -> tuple[Release, ...]:
    """The releases of ``api`` whose messages have a shape of their own, oldest first."""
    return tuple(r for r in binding(api).info.releases if r.has_dialect)


@functools.cache
def _elements_of(api: str, kind: str) -> tuple[tuple[str, frozenset[str], tuple[str, ...]], ...]:
    """Each message type of ``kind``: its name, its child element names, and those in order."""
    found = []
    api_binding = binding(api)
    table = api_binding.requests if kind == "request" else api_binding.responses
    for name, cls in table.items():
        names = tuple(
            str(f.metadata.get("name", f.name))
            for f in dataclasses.fields(cls)
            if f.metadata.get("type") == "Element"
        )
        found.append((name, frozenset(names), names))
    return tuple(found)


def _children(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str)]


def message_type(
    api: ApiBinding, element: etree._Element, expected: str | None = None
) -> str | None:
    """The type of a message named by its child (``form = "named"``), or None if unknown.

    A request is named by its one child (``ISgetUser``). An answer by its first child: a
    result wrapper (``ISGlobal``), a plural container (``ISDevices``), or an element only
    one answer has; where several answers have it (``ISsetResult``), ``expected`` (the
    answer a client waits for) if it is one of them, else the first whose elements hold
    all the children, in the manifest's order. An empty answer is ``expected`` (None
    without it).
    """
    kind = str(element.tag)
    children = _children(element)
    name = api.info.name
    if kind == "request":
        if len(children) == 1 and api.model_for(str(children[0].tag), "request") is not None:
            return str(children[0].tag)
        return None
    if not children:
        # An empty answer names nothing: only the client awaiting it knows what it is.
        return expected if expected is not None and expected in api.responses else None
    first = str(children[0].tag)
    for release in dialect_releases(name):
        if first in release.results:
            return release.results[first]
        for parent, container, _item, target in release.containers:
            if parent == kind and container == first:
                first = target
                children = []  # the items, not the container, name the answer
                break
    tags = {str(c.tag) for c in children} | {first}
    candidates = [t for t, names, _ in _elements_of(name, kind) if first in names]
    if expected in candidates:
        return expected
    for type_name in candidates:
        if tags <= next(n for t, n, _ in _elements_of(name, kind) if t == type_name):
            return type_name
    return candidates[0] if candidates else None


def is_pure(container: etree._Element, item: str) -> bool:
    """Whether ``container`` holds only ``item`` elements: a plural container to read
    through (anything else in it keeps it whole, read as unknown content)."""
    return _pure(container, item)


def _pure(container: etree._Element, item: str) -> bool:
    """Whether ``container`` holds only ``item`` elements (blank text, no attributes)."""
    if container.attrib or (container.text or "").strip() or (container.tail or "").strip():
        return False
    return all(child.tag == item and not (child.tail or "").strip() for child in container)


def _hoist(element: etree._Element, rename: str | None = None) -> None:
    """Put ``element``'s children in its place (each renamed to ``rename``, if given)."""
    parent = element.getparent()
    if parent is None:  # pragma: no cover - callers pass a child
        return
    at = parent.index(element)
    for offset, child in enumerate(list(element)):
        if rename is not None:
            child.tag = rename
        parent.insert(at + offset, child)
    parent.remove(element)


def read(api: ApiBinding, element: etree._Element, *, named: bool = False) -> tuple[str, ...]:
    """Turn the message ``element`` of any release into the shared models' shape, in place.

    ``named``: the message arrived named by its child (no ``xsi:type``). Returns the names
    of the releases whose dialect the message showed (for :func:`ucxml._releases.detect_release`).
    """
    seen: list[str] = []
    kind = str(element.tag)
    for release in dialect_releases(api.info.name):
        hit = named and release.form == "named"
        children = _children(element)
        if (
            kind == "response"
            and len(children) == 1
            and str(children[0].tag) in release.results
            and _pure_wrapper(children[0])
        ):
            _hoist(children[0])
            hit = True
        lifts, spellings = _tables(api.info.name, release.name)
        # One walk of the tree for every container and spelling (lxml filters in C).
        for found in list(element.iter(*{tag for _, tag in (*lifts, *spellings)})):
            holder = found.getparent()
            if holder is None:
                continue
            key = (str(holder.tag), str(found.tag))
            lifted = lifts.get(key)
            if lifted is not None:
                if _pure(found, lifted[0]):
                    _hoist(found, lifted[1] if lifted[1] != lifted[0] else None)
                    hit = True
            elif key in spellings:
                found.tag = spellings[key]
                hit = True
        if hit:
            seen.append(release.name)
    return tuple(seen)


@functools.cache
def _tables(
    api: str, name: str
) -> tuple[dict[tuple[str, str], tuple[str, str]], dict[tuple[str, str], str]]:
    """Release ``name``'s containers and spellings keyed by (parent, tag)."""
    release = next(r for r in dialect_releases(api) if r.name == name)
    lifts = {(p, c): (i, t) for p, c, i, t in release.containers}
    spellings = {(p, w): shared for p, w, shared in release.spellings}
    return lifts, spellings


def _pure_wrapper(wrapper: etree._Element) -> bool:
    """A result wrapper is taken apart only when nothing but elements sits in it."""
    return not wrapper.attrib and not (wrapper.text or "").strip()


def _runs(parent: etree._Element, tag: str) -> Iterable[list[etree._Element]]:
    """The runs of consecutive ``tag`` children of ``parent`` (comments end a run)."""
    run: list[etree._Element] = []
    for child in parent:
        if child.tag == tag:
            run.append(child)
            continue
        if run:
            yield run
        run = []
    if run:
        yield run


def write(api: ApiBinding, release: Release, element: etree._Element) -> None:
    """Turn the message ``element``, written in the shared models' shape, into ``release``'s.

    The inverse of :func:`read`: spellings back, plural containers around their items (an
    answer made of one repeated element gets its container even when it holds none, as a
    router sends ``<ISDevices/>``), the result wrapper, and no ``xsi:type`` for a named form.
    """
    kind = str(element.tag)
    raw = element.get(XSI_TYPE) or ""
    type_name = raw.rpartition(":")[2]
    for parent, wire, shared in release.spellings:
        for found in element.iter(shared):
            holder = found.getparent()
            if holder is not None and holder.tag == parent:
                found.tag = wire
    only = next(
        (ordered for t, _, ordered in _elements_of(api.info.name, kind) if t == type_name), ()
    )
    for parent, container, item, target in release.containers:
        holders = [element] if parent == kind else list(element.iter(parent))
        for holder in holders:
            runs = list(_runs(holder, target))
            if not runs and holder is element and only == (target,):
                etree.SubElement(holder, container)
            for run in runs:
                box = etree.Element(container)
                holder.insert(holder.index(run[0]), box)
                for child in run:
                    child.tag = item
                    box.append(child)
    for wrapper, wrapped in release.results.items():
        if wrapped == type_name and kind == "response":
            box = etree.Element(wrapper)
            box.text = element.text
            element.text = None
            for child in list(element):
                box.append(child)
            element.append(box)
            break
    if release.form == "named" and XSI_TYPE in element.attrib:
        del element.attrib[XSI_TYPE]


@dataclass(frozen=True, slots=True)
class Shapes:
    """An API's dialects as the fast readers need them (:func:`shapes`).

    ``release``: the newest release with a dialect (the one a message showing any of
    these shapes is detected as; None when the API has no dialect).
    """

    release: str | None
    named: bool
    #: Result wrapper tag -> the response type it holds.
    wrappers: Mapping[str, str]
    #: (parent, container) -> (item, field) of every plural container.
    lifts: Mapping[tuple[str, str], tuple[str, str]]
    #: (parent, wire) -> the shared element name.
    spellings: Mapping[tuple[str, str], str]
    #: Tags of the containers and spellings met below the message's own children.
    inner: tuple[str, ...]

    def boxes(self, kind: str) -> frozenset[str]:
        """The plural containers a ``kind`` message may hold among its own children."""
        return frozenset(c for p, c in self.lifts if p == kind)

    def box(self, kind: str, tag: str) -> bool:
        """Whether ``tag`` may hold a ``kind`` message's content (wrapper or container)."""
        return (kind == "response" and tag in self.wrappers) or (kind, tag) in self.lifts


@functools.cache
def shapes(api: str) -> Shapes:
    """The dialects of ``api``'s releases, merged, for the fast readers."""
    found = dialect_releases(api)
    wrappers: dict[str, str] = {}
    lifts: dict[tuple[str, str], tuple[str, str]] = {}
    spellings: dict[tuple[str, str], str] = {}
    for release in found:
        wrappers.update(release.results)
        for parent, container, item, target in release.containers:
            lifts[(parent, container)] = (item, target)
        for parent, wire, shared in release.spellings:
            spellings[(parent, wire)] = shared
    inner = sorted(
        {c for p, c in lifts if p not in ("request", "response")} | {w for _, w in spellings}
    )
    return Shapes(
        release=found[-1].name if found else None,
        named=any(r.form == "named" for r in found),
        wrappers=wrappers,
        lifts=lifts,
        spellings=spellings,
        inner=tuple(inner),
    )


def lift(shapes: Shapes, parent: str, element: etree._Element) -> list[etree._Element] | None:
    """The items of ``element`` as children of ``parent`` when it is a plural container
    of the shared model's ``parent`` (renamed to the model's field), else None."""
    found = shapes.lifts.get((parent, str(element.tag)))
    if found is None or not _pure(element, found[0]):
        return None
    items = list(element)
    if found[1] != found[0]:
        for item in items:
            item.tag = found[1]
    return items


def read_record(
    shapes: Shapes, element: etree._Element, tags: tuple[str, ...] | None = None
) -> bool:
    """Apply the containers and spellings below ``element`` (a record), in place.

    ``tags``: only those of :attr:`Shapes.inner` (default: all). Returns whether any was
    found (the message then shows ``shapes.release``).
    """
    hit = False
    for found in list(element.iter(*(shapes.inner if tags is None else tags))):
        holder = found.getparent()
        if holder is None:
            continue
        key = (str(holder.tag), str(found.tag))
        lifted = shapes.lifts.get(key)
        if lifted is not None:
            if _pure(found, lifted[0]):
                _hoist(found, lifted[1] if lifted[1] != lifted[0] else None)
                hit = True
            continue
        shared = shapes.spellings.get(key)
        if shared is not None:
            found.tag = shared
            hit = True
    return hit
