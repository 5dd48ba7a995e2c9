"""Handlers of generated enumerations: member names from the schema, wire-valued bases.

Two steps of the model stage, each on its own input:

- :func:`rename_members` works on xsdata's class IR before it is written. xsdata names a
  member after its value, which gives ``VALUE_1`` for ``1``; a schema names the member
  instead with ``<xs:appinfo source="ucxml:member">EPHONE_USER</xs:appinfo>`` inside the
  ``xs:enumeration``'s annotation (xsdata itself ignores appinfo).
- :func:`wire_bases` rewrites the written module so that every enumeration's ``str()`` is
  its wire value: ``StrEnum`` for text values, ``IntEnum`` for integers,
  ``ucxml.bindings.WireEnum`` for anything else (QNames). The two first are
  ``ucxml.bindings.TextEnum`` and ``IntegerEnum``, which xsdata is told to convert as
  enumerations (it would otherwise read them as plain ``str`` and ``int``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

__all__ = ["MEMBER_SOURCE", "member_names", "rename_members", "wire_bases"]

#: The ``source`` of an ``xs:appinfo`` that names an enumeration member.
MEMBER_SOURCE = "ucxml:member"

_XS = "http://www.w3.org/2001/XMLSchema"
_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def member_names(schemas: Iterable[Path]) -> dict[str, dict[str, str]]:
    """``{simpleType name: {value: member name}}`` from the appinfo of the schemas."""
    names: dict[str, dict[str, str]] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for schema in schemas:
        root = etree.parse(str(schema), parser).getroot()
        for simple in root.iter(f"{{{_XS}}}simpleType"):
            type_name = simple.get("name")
            if not type_name:
                continue
            for enum in simple.iter(f"{{{_XS}}}enumeration"):
                for info in enum.iterfind(f"{{{_XS}}}annotation/{{{_XS}}}appinfo"):
                    if info.get("source") != MEMBER_SOURCE:
                        continue
                    member = (info.text or "").strip()
                    if not _NAME.fullmatch(member):
                        raise ValueError(
                            f"{schema.name}: {type_name} {enum.get('value')!r}: member name "
                            f"{member!r} is not UPPER_SNAKE_CASE"
                        )
                    names.setdefault(type_name, {})[enum.get("value", "")] = member
    return names


def rename_members(classes: Sequence[Any], names: dict[str, dict[str, str]]) -> None:
    """Give the members of xsdata's enumeration classes the names the schema chose."""
    for cls in classes:
        chosen = names.get(cls.name) if cls.is_enumeration else None
        if not chosen:
            continue
        values = {str(attr.default) for attr in cls.attrs}
        unknown = sorted(set(chosen) - values)
        if unknown:
            raise ValueError(f"{cls.name}: appinfo names values it does not have: {unknown}")
        for attr in cls.attrs:
            if str(attr.default) in chosen:
                attr.name = chosen[str(attr.default)]


def _base(node: ast.ClassDef) -> str:
    values = [
        stmt.value
        for stmt in node.body
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
    ]
    if values and all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
        return "TextEnum"
    if values and all(
        isinstance(v, ast.Constant) and type(v.value) is int  # bool is an int too
        for v in values
    ):
        return "IntegerEnum"
    return "WireEnum"


def wire_bases(source: str) -> str:
    """``source`` with each ``class X(Enum)`` on the base that makes ``str()`` the value."""
    bases = {
        node.name: _base(node)
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and [ast.unparse(b) for b in node.bases] == ["Enum"]
    }
    if not bases:
        return source
    for name, base in bases.items():
        source = re.sub(rf"^class {name}\(Enum\):", f"class {name}({base}):", source, flags=re.M)
    imports = "from ucxml.bindings import " + ", ".join(sorted(set(bases.values())))
    # The formatting stage (ruff) merges this with the module's other ucxml.bindings import.
    return re.sub(r"^from enum import Enum$", imports, source, count=1, flags=re.M)
