"""Content no known release has: taken out of a tree before the schema sees it, and put back.

The rule is *lose nothing*: an element or attribute the schema does not know must not
abort reading. The fast reader (:mod:`ucxml._fastpath`) keeps it as it binds; for the
generic reader and for validation, :func:`strip` takes it out of the tree first (so the
schema and xsdata see only what they know), :func:`attach` puts what was taken on the
bound models (``model.extra``), and :func:`restore` writes it back into a serialized tree.
Every one is reported by :func:`ucxml._tolerances.unknown_warning`.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Iterator
from typing import Any

from lxml import etree
from xsdata.formats.dataclass.context import XmlContext

from ucxml._report import Issue
from ucxml._safexml import SourceLines, column_of, parse_xml
from ucxml._tolerances import unknown_warning
from ucxml.bindings import Extra, Unknown

__all__ = ["Taken", "attach", "attribute_items", "has_extra", "restore", "strip", "unknown_xml"]

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_CONTEXT = XmlContext()

#: Where a model sits below the message model: (field name, index in a list field or None,
#: and for a wildcard's list the class counted: the index is among the items of it only, as
#: such a list also holds text, raw elements and other classes).
Route = tuple[tuple[str, int | None, type | None], ...]

#: What :func:`strip` took out of each element, by the route to the model bound from it
#: (xsdata clears the tree as it binds, so :func:`attach` cannot walk it afterwards).
Taken = dict[Route, Extra]


@dataclasses.dataclass(frozen=True, slots=True)
class _Shape:
    """What a model's element may hold: child tags (field, nested model, repeated),
    attribute names, and whether wildcards take anything else."""

    children: dict[str, tuple[str, type | None, bool]]
    #: Local names of the known children: one in another namespace is a namespace error,
    #: not unknown content.
    locals: frozenset[str]
    attributes: frozenset[str]
    any_children: bool
    any_attributes: bool
    text: bool
    #: The namespaces of each element wildcard of the model (xsdata's form).
    wildcards: tuple[tuple[str, ...], ...]
    #: The namespaces of each attribute wildcard of the model (xsdata's form).
    attribute_wildcards: tuple[tuple[str, ...], ...] = ()
    #: (field, namespaces, whether xsdata binds a known element to its class) of each
    #: element wildcard.
    wildcard_fields: tuple[tuple[str, tuple[str, ...], bool], ...] = ()

    def admits(self, qname: str, target: str) -> bool:
        """Whether an element wildcard takes a child ``qname`` of an element of ``target``."""
        return any(_admits(w, qname, target) for w in self.wildcards)

    def admits_attribute(self, qname: str, target: str) -> bool:
        """Whether an attribute wildcard takes ``qname`` on an element of ``target``."""
        return any(_admits(w, qname, target) for w in self.attribute_wildcards)


@functools.cache
def _shape(cls: type) -> _Shape:
    meta = _CONTEXT.build(cls)
    children: dict[str, tuple[str, type | None, bool]] = {}
    for var in meta.get_element_vars():
        for inner in (var, *var.elements.values()) if var.elements else (var,):
            nested = next((t for t in inner.types if dataclasses.is_dataclass(t)), None)
            children.setdefault(inner.qname, (var.name, nested, bool(var.list_element)))
    return _Shape(
        children=children,
        locals=frozenset(tag.rpartition("}")[2] for tag in children),
        attributes=frozenset(meta.attributes),
        any_children=bool(meta.wildcards),
        any_attributes=bool(meta.any_attributes),
        text=meta.text is not None,
        wildcards=tuple(tuple(w.namespaces) for w in meta.wildcards),
        attribute_wildcards=tuple(tuple(w.namespaces) for w in meta.any_attributes),
        wildcard_fields=tuple(
            (w.name, tuple(w.namespaces), w.process_contents != "skip") for w in meta.wildcards
        ),
    )


def _admits(namespaces: tuple[str, ...], qname: str, target: str) -> bool:
    """Whether a wildcard of ``namespaces`` (xsdata's form) takes ``qname``, as XML Schema
    reads it: ``##other`` (``!ns``; a bare ``!`` is the model's own ``target``) takes only
    qualified names of another namespace."""
    namespace = qname[1:].partition("}")[0] if qname.startswith("{") else ""
    for token in namespaces or ("##any",):
        if token == "##any":
            return True
        if token.startswith("!"):
            if namespace and namespace != (token[1:] or target):
                return True
        elif token in ("", "##local"):
            if not namespace:
                return True
        elif token == namespace:
            return True
    return False


def _elements(el: etree._Element) -> Iterator[etree._Element]:
    return (c for c in el if isinstance(c.tag, str))


def strip(element: etree._Element, cls: type[Any], data: bytes = b"") -> tuple[Taken, list[Issue]]:
    """Take the content ``cls`` (and the models below it) does not know out of ``element``.

    Returns what was taken, by element, and a warning for each. Positions count every
    element child as read, so :func:`restore` puts each back where it was.
    """
    taken: Taken = {}
    warnings: list[Issue] = []
    lines = SourceLines(data) if data else None
    _strip(element, cls, (), taken, warnings, lines)
    return taken, warnings


def _where(el: etree._Element, lines: SourceLines | None) -> tuple[int | None, int | None, str]:
    """The line, column and path of ``el`` for a warning."""
    local = etree.QName(el).localname
    column = column_of(lines, el.sourceline, local) if lines is not None else None
    return el.sourceline, column, str(el.getroottree().getpath(el))


def _warn(el: etree._Element, what: str, warnings: list[Issue], lines: SourceLines | None) -> None:
    warnings.append(unknown_warning(what, *_where(el, lines)))


def _strip(
    el: etree._Element,
    cls: type,
    route: Route,
    taken: Taken,
    warnings: list[Issue],
    lines: SourceLines | None,
) -> None:
    shape = _shape(cls)
    attributes: dict[str, str] = {}
    elements: list[Unknown] = []
    leaf_attributes: list[tuple[int, str, str]] = []
    items = attribute_items(el) if len(el.attrib) else []
    if items:
        # A wildcard takes what XML Schema lets it take: ##other, say, no unqualified name.
        target = etree.QName(el).namespace or ""
        attributes = {
            k: v
            for k, v in items
            if not (k.startswith(_XSI) or k in shape.attributes)
            and not (shape.any_attributes and shape.admits_attribute(k, target))
        }
        if attributes:
            # Rebuilt, not popped one by one: each pop scans the element's attributes, so
            # thousands of unknown ones would cost quadratic time.
            el.attrib.clear()
            for key, value in items:
                if key not in attributes:
                    el.set(key, value)
            line, column, path = _where(el, lines)
            local = etree.QName(el).localname
            for key in attributes:
                warnings.append(
                    unknown_warning(f"attribute {key!r} on <{local}>", line, column, path)
                )
    seen: dict[str, int] = {}
    for position, child in enumerate(list(_elements(el))):
        known = shape.children.get(str(child.tag))
        local = str(child.tag).rpartition("}")[2]
        wild = shape.any_children and shape.admits(str(child.tag), etree.QName(el).namespace or "")
        if known is None and not wild and local not in shape.locals:
            _warn(child, f"element <{etree.QName(child).localname}>", warnings, lines)
            elements.append(_take(child, position))
        elif known is not None and known[1] is not None:
            name, nested, repeated = known[0], known[1], known[2]
            index = seen.get(name, 0) if repeated else None
            seen[name] = (index or 0) + 1
            _strip(child, nested, (*route, (name, index, None)), taken, warnings, lines)
        elif known is None and wild and shape.wildcard_fields:
            _strip_wildcard(child, shape, route, seen, (taken, warnings, lines))
        elif known is not None and len(child.attrib):
            every = attribute_items(child)
            items = [(k, v) for k, v in every if not k.startswith(_XSI)]
            if items:
                xsi = {k: v for k, v in every if k.startswith(_XSI)}
                child.attrib.clear()
                for key, value in xsi.items():
                    child.set(key, value)
                line, column, path = _where(child, lines)
                local = etree.QName(child).localname
                for key, value in items:
                    leaf_attributes.append((position, key, value))
                    warnings.append(
                        unknown_warning(f"attribute {key!r} on <{local}>", line, column, path)
                    )
    if attributes or elements or leaf_attributes:
        taken[route] = Extra(tuple(elements), attributes, tuple(leaf_attributes))


def _strip_wildcard(
    child: etree._Element,
    shape: _Shape,
    route: Route,
    seen: dict[str, int],
    out: tuple[Taken, list[Issue], SourceLines | None],
) -> None:
    """Strip inside a child a wildcard takes, when xsdata binds it to a generated class
    (PIDF's person inside presence, say): unknown content there is unknown too."""
    name, cls = _wildcard_class(shape, child)
    if cls is not None:
        key = f"{name} {cls.__qualname__}"
        index = seen.get(key, 0)
        seen[key] = index + 1
        _strip(child, cls, (*route, (name, index, cls)), *out)


def _wildcard_class(shape: _Shape, child: etree._Element) -> tuple[str, type | None]:
    """The wildcard field xsdata puts ``child`` in, and the generated class it binds the
    child to (None: kept raw, or wrapped by an xsi:type, so not a model of ours to walk)."""
    tag = str(child.tag)
    for name, namespaces, binds in shape.wildcard_fields:
        if any(_xsdata_matches(token, tag) for token in namespaces or ("##any",)):
            if not binds or _XSI + "type" in child.attrib:
                return name, None
            return name, _CONTEXT.find_type(tag)
    return "", None


def _xsdata_matches(token: str, qname: str) -> bool:
    """Whether xsdata's wildcard namespace ``token`` matches ``qname``, by its rules (the
    first wildcard matching takes the child; its "!ns" takes an unqualified name too)."""
    if token in ("##any", "##other") or (token.startswith("!") and not token[1:]):
        return True
    if token.startswith("!"):
        return not qname.startswith(f"{{{token[1:]}}}")
    if token in ("", "##local"):
        return not qname.startswith("{")
    return qname.startswith(f"{{{token}}}")


def attribute_items(el: etree._Element) -> list[tuple[str, str]]:
    """The attributes of ``el`` as (``{namespace}name``, value), in document order.

    In linear time: lxml's ``items()`` and ``values()`` cost quadratic time in the number
    of attributes (25 s for 80,000), and so does a ``get()`` per attribute.
    """
    found = el.xpath("@*")
    assert isinstance(found, list)
    return [(str(getattr(v, "attrname", "")), str(v)) for v in found]


def unknown_xml(child: etree._Element) -> str:
    """``child`` as kept: its XML with the namespaces it uses declared, and only those."""
    alone = copy.deepcopy(child)
    alone.tail = None
    etree.cleanup_namespaces(alone)
    return etree.tostring(alone, encoding="unicode", with_tail=False)


def _take(child: etree._Element, position: int) -> Unknown:
    """Detach ``child``, keeping the text after it in its parent."""
    xml = unknown_xml(child)
    tail = child.tail
    parent = child.getparent()
    if parent is not None:
        previous = child.getprevious()
        if tail:
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(child)
    return Unknown(position, xml, child.sourceline)


def attach(obj: Any, taken: Taken) -> None:
    """Put what :func:`strip` took on the models bound from those elements (``extra``)."""
    for route, extra in taken.items():
        target: Any = obj
        for name, index, cls in route:
            target = _item(getattr(target, name, None), index, cls)
            if target is None:
                break
        if dataclasses.is_dataclass(target) and not isinstance(target, type):
            setattr(target, "extra", extra)  # noqa: B010 (a generated field, not typed here)


def _item(value: Any, index: int | None, cls: type | None) -> Any:
    """The model a route step names: ``value`` itself, or the ``index``-th item of the
    list ``value`` (counting only the items of ``cls`` when given)."""
    if index is None and cls is None:
        return value
    if not isinstance(value, list):
        # A single wildcard field holds its one item itself.
        if cls is not None:
            return value if index in (0, None) and type(value) is cls else None
        return value if index is None else None
    if index is None:
        return None
    items = value if cls is None else [v for v in value if type(v) is cls]
    return items[index] if index < len(items) else None


def has_extra(obj: Any) -> bool:
    """Whether ``obj`` or any model below it carries unknown content."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return False
    if getattr(obj, "extra", None):
        return True
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        items = value if isinstance(value, list) else (value,)
        if any(has_extra(item) for item in items):
            return True
    return False


def restore(obj: Any, element: etree._Element) -> None:
    """Write the unknown content of ``obj`` (and below) back into ``element``, its
    serialized form, at the positions it was read from."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    shape = _shape(type(obj))
    seen: dict[str, int] = {}
    for child in list(_elements(element)):
        known = shape.children.get(str(child.tag))
        cls: type | None = None
        if known is None and shape.wildcard_fields:
            name, cls = _wildcard_class(shape, child)
            if cls is None:
                continue
            key = f"{name} {cls.__qualname__}"
        elif known is None or known[1] is None:
            continue
        else:
            name = key = known[0]
        value = getattr(obj, name, None)
        index = None
        if isinstance(value, list):
            index = seen.get(key, 0)
            seen[key] = index + 1
        value = _item(value, index, cls)
        if value is not None:
            restore(value, child)
    extra: Extra | None = getattr(obj, "extra", None)
    if not extra:
        return
    for key, text in extra.attributes.items():
        element.set(key, text)
    for unknown in sorted(extra.elements, key=lambda u: u.position):
        kept = parse_xml(unknown.xml.encode("utf-8")).root
        children = list(_elements(element))
        if unknown.position < len(children):
            children[unknown.position].addprevious(kept)
        else:
            element.append(kept)
    children = list(_elements(element))
    for position, key, text in extra.leaf_attributes:
        if position < len(children):
            children[position].set(key, text)
