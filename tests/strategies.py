"""Hypothesis strategies that build random instances of any generated model.

Values stay inside what a round trip can preserve: XML-safe text, unsigned integers, and
for ``str | Enum`` / ``int | str`` unions, strings that cannot be mistaken for the other
member.
"""

from __future__ import annotations

import dataclasses
import decimal
import enum
import types
import typing
from typing import Any
from xml.etree.ElementTree import QName

from hypothesis import strategies as st
from xsdata.models.datatype import XmlDate, XmlDateTime

__all__ = ["model_strategy"]

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\r"),
    max_size=12,
)
_MAX_DEPTH = 4
_QNAMES = [
    QName("http://www.w3.org/2003/05/soap-envelope", name)
    for name in ("Sender", "Receiver", "VersionMismatch", "MustUnderstand")
]
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


def _strategy(tp: Any, depth: int) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list:
        if depth > _MAX_DEPTH:  # recursive types (EPAS and/or/not conditions) end here
            return st.just([])
        return st.lists(_strategy(args[0], depth), max_size=3)
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
            choice = st.one_of(text, *(_strategy(o, depth) for o in others))
        else:
            choice = st.one_of(*(_strategy(a, depth) for a in members))
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
        return model_strategy(tp, depth + 1)
    raise TypeError(f"no strategy for {tp!r}")


def model_strategy(cls: type[Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Random instances of the generated dataclass ``cls`` (fields from its type hints)."""
    hints = typing.get_type_hints(cls, vars(__import__(cls.__module__, fromlist=["*"])))
    kwargs = {
        f.name: _strategy(hints[f.name], depth)
        for f in dataclasses.fields(cls)
        if f.init and f.metadata.get("type") != "Wildcard"
    }
    return st.builds(cls, **kwargs)
