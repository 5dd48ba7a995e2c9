"""Hypothesis strategies that build random instances of any generated model.

Values stay inside what a round trip can preserve: XML-safe text, unsigned integers, and
for ``str | Enum`` / ``int | str`` unions, strings that cannot be mistaken for the other
member. Wildcard fields (``xs:any``) hold instances of the API's global elements that the
wildcard admits, or a foreign ``AnyElement``; ``skip`` names fields left at their default.
"""

from __future__ import annotations

import dataclasses
import decimal
import enum
import functools
import sys
import types
import typing
from collections.abc import Collection
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import QName

from hypothesis import strategies as st
from lxml import etree
from xsdata.formats.dataclass.models.generics import AnyElement
from xsdata.models.datatype import XmlDate, XmlDateTime

__all__ = ["global_elements", "model_strategy"]

# No surrogates, controls or noncharacters (U+FFFE): XML cannot carry them, and
# ucxml.serialize refuses them (ParameterError).
_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"), exclude_characters="\r"
    ),
    max_size=12,
)
_MAX_DEPTH = 4
_QNAMES = [
    QName("http://www.w3.org/2003/05/soap-envelope", name)
    for name in ("Sender", "Receiver", "VersionMismatch", "MustUnderstand")
]
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


_XS = "{http://www.w3.org/2001/XMLSchema}"
# Wildcards nest elements that have wildcards (PIDF person, activities...): past this
# depth they hold only foreign elements, which keeps instances small.
_WILDCARD_DEPTH = 2
# The SOAP envelope's own elements are written by ucxml._envelopes, never as content.
_SOAP = frozenset(
    {"http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"}
)
_FOREIGN = st.builds(
    AnyElement,
    qname=st.sampled_from(["{urn:example:ext}a", "{urn:example:ext}b"]),
    text=_WORD,
    attributes=st.just({}),
)


@functools.cache
def _schema_elements(folder: Path) -> frozenset[tuple[str, str]]:
    """(namespace, name) of every global element declared by the XSDs in ``folder``."""
    found = set()
    for xsd in folder.glob("*.xsd"):
        root = etree.parse(str(xsd)).getroot()
        namespace = root.get("targetNamespace", "")
        found.update(
            (namespace, el.get("name", ""))
            for el in root.iter(f"{_XS}element")
            if el.getparent() is root
        )
    return frozenset(found)


def _namespace(cls: type[Any]) -> str:
    meta = getattr(cls, "Meta", None)
    return getattr(meta, "namespace", None) or getattr(meta, "target_namespace", None) or ""


@functools.cache
def global_elements(module_name: str) -> tuple[type[Any], ...]:
    """The classes of a generated models module that are global elements of its schema.

    The SOAP envelope's parts are left out, but for the fault a body may carry.
    """
    module = sys.modules[module_name]
    folder = Path(module.__file__ or "").parent / "schema"
    declared = _schema_elements(folder)
    found = []
    for value in vars(module).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value):
            name = getattr(getattr(value, "Meta", None), "name", None)
            ns = _namespace(value)
            if value.__module__ != module_name or (ns, name) not in declared:
                continue
            if ns not in _SOAP or name == "Fault":
                found.append(value)
    return tuple(found)


def _wildcard(
    owner: type[Any], f: dataclasses.Field[Any], depth: int, opts: _Options
) -> st.SearchStrategy[Any]:
    """Elements a wildcard field of ``owner`` admits: global elements, choices, foreign ones."""
    rule = f.metadata.get("namespace", "##any")
    own = _namespace(owner)
    members: list[st.SearchStrategy[Any]] = [_FOREIGN]
    if depth < _WILDCARD_DEPTH:
        for cls in global_elements(owner.__module__):
            ns = _namespace(cls)
            if rule == "##any" or (rule == "##other" and ns and ns != own):
                members.append(st.deferred(lambda c=cls: _model(c, depth + 1, opts)))
        for choice in f.metadata.get("choices", ()):
            tp = choice["type"]
            if isinstance(tp, typing.ForwardRef):  # a nested class: "Sphere.Work"
                module = sys.modules[owner.__module__]
                tp = functools.reduce(getattr, tp.__forward_arg__.split("."), module)
            if dataclasses.is_dataclass(tp):
                members.append(st.deferred(lambda c=tp: _model(c, depth + 1, opts)))
    element = st.one_of(*members)
    if typing.get_origin(f.type) is list or str(f.type).startswith("list"):
        return st.lists(element, max_size=2 if depth <= _MAX_DEPTH else 0)
    return st.one_of(st.none(), element) if depth <= _MAX_DEPTH else st.none()


def _strategy(tp: Any, depth: int, opts: _Options) -> st.SearchStrategy[Any]:
    if tp is Any:  # a JSON value of any type (the Huawei envelope's result)
        scalars = st.one_of(st.booleans(), st.integers(-(2**31), 2**31), _WORD)
        return st.one_of(
            scalars,
            st.lists(scalars, max_size=3),
            st.dictionaries(_WORD, scalars, max_size=3),
        )
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list:
        if depth > _MAX_DEPTH:  # recursive types (EPAS and/or/not conditions) end here
            return st.just([])
        return st.lists(_strategy(args[0], depth, opts), max_size=3)
    if origin is dict:
        # anyAttribute: extension attributes in a foreign namespace.
        keys = st.sampled_from(["{urn:example:ext}a", "{urn:example:ext}b"])
        return st.dictionaries(keys, _WORD, max_size=2)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        optional = len(members) != len(args)
        if optional and depth > _MAX_DEPTH:
            return st.none()
        if str in members and len(members) > 1:
            others = [a for a in members if a is not str]
            text = _WORD.filter(
                lambda s: all(
                    not (isinstance(o, type) and issubclass(o, enum.Enum))
                    or s not in {m.value for m in o}
                    for o in others
                )
            )
            choice = st.one_of(text, *(_strategy(o, depth, opts) for o in others))
        else:
            choice = st.one_of(*(_strategy(a, depth, opts) for a in members))
        return st.one_of(st.none(), choice) if optional else choice
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=0, max_value=2**32 - 1)
    if tp is str:
        return _TEXT
    if tp is decimal.Decimal:
        return st.decimals(
            min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False
        )
    if tp is float:
        return st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=32)
    if tp is QName:
        return st.sampled_from(_QNAMES)
    if tp is XmlDate:
        return st.dates().map(XmlDate.from_date)
    if tp is XmlDateTime:
        return st.datetimes().map(XmlDateTime.from_datetime)
    if dataclasses.is_dataclass(tp):
        return _model(tp, depth + 1, opts)
    raise TypeError(f"no strategy for {tp!r}")


@dataclasses.dataclass(frozen=True)
class _Options:
    skip: frozenset[str]
    wildcards: bool


def _model(cls: type[Any], depth: int, opts: _Options) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls, vars(__import__(cls.__module__, fromlist=["*"])))
    kwargs = {}
    for f in dataclasses.fields(cls):
        if not f.init or f"{cls.__name__}.{f.name}" in opts.skip:
            continue
        if f.metadata.get("type") == "Ignore":
            continue  # ``extra``: unknown content, filled by the readers, not the schema
        if f.metadata.get("type") == "Wildcard":
            if opts.wildcards:
                kwargs[f.name] = _wildcard(cls, f, depth, opts)
            continue
        kwargs[f.name] = _strategy(hints[f.name], depth, opts)
    return st.builds(cls, **kwargs)


def model_strategy(
    cls: type[Any],
    depth: int = 0,
    *,
    skip: Collection[str] = (),
    wildcards: bool = False,
) -> st.SearchStrategy[Any]:
    """Random instances of the generated dataclass ``cls`` (fields from its type hints).

    ``skip``: ``Class.field`` names left at their default (fields that cannot round-trip
    for a documented reason). ``wildcards``: fill ``xs:any`` fields too (else left empty).
    """
    return _model(cls, depth, _Options(frozenset(skip), wildcards))
