"""Stage 3: read the generated model classes back (from source, with ``ast``; no import)."""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass

__all__ = ["ClassInfo", "FieldInfo", "inspect_models"]


@dataclass(frozen=True)
class FieldInfo:
    """One dataclass field: Python name, annotation as written, XML name, default kind."""

    name: str
    annotation: str
    xml_name: str
    has_default: bool
    is_list: bool
    min_occurs: int = 0
    #: xsdata's field type: "Element", "Attribute", "Attributes", "Wildcard" or "Text".
    xml_type: str = "Text"
    namespace: str = ""
    #: The schema's documentation of the element (xsdata's ``:ivar`` line), or "".
    doc: str = ""
    #: ``nillable="true"`` in the schema: None is written and read as ``xsi:nil``.
    nillable: bool = False


@dataclass(frozen=True)
class ClassInfo:
    """One generated class: Python name, XML type name, bases, fields; enums have no fields."""

    name: str
    xml_name: str
    bases: tuple[str, ...]
    fields: tuple[FieldInfo, ...]
    is_enum: bool
    #: An enumeration's (member name, wire value) pairs, in order.
    members: tuple[tuple[str, str], ...] = ()
    #: The schema's documentation of the type (its docstring without the ``:ivar`` lines).
    doc: str = ""
    #: The namespace of the element or type (``Meta.namespace``); None when it has none.
    namespace: str | None = None


#: The bases of generated enumerations (see :mod:`ucxml.codegen.enums`).
_ENUM_BASES = frozenset({"Enum", "TextEnum", "IntegerEnum", "WireEnum"})


def _meta(node: ast.ClassDef, key: str) -> str | None:
    for item in node.body:
        if isinstance(item, ast.ClassDef) and item.name == "Meta":
            for stmt in item.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id == key
                    and isinstance(stmt.value, ast.Constant)
                ):
                    return str(stmt.value.value)
    return None


def _field(stmt: ast.AnnAssign, element_namespace: str = "") -> FieldInfo:
    assert isinstance(stmt.target, ast.Name)
    xml_name = stmt.target.id
    has_default = False
    min_occurs = 0
    xml_type = "Text"
    namespace: str | None = None
    nillable = False
    call = stmt.value
    if isinstance(call, ast.Call):
        for kw in call.keywords:
            if kw.arg in ("default", "default_factory"):
                has_default = True
            if kw.arg == "metadata" and isinstance(kw.value, ast.Dict):
                for key, value in zip(kw.value.keys, kw.value.values, strict=True):
                    if not (isinstance(key, ast.Constant) and isinstance(value, ast.Constant)):
                        continue
                    if key.value == "name":
                        xml_name = str(value.value)
                    elif key.value == "min_occurs" and isinstance(value.value, int):
                        min_occurs = value.value
                    elif key.value == "type":
                        xml_type = str(value.value)
                    elif key.value == "namespace":
                        namespace = str(value.value)
                    elif key.value == "nillable":
                        nillable = value.value is True
    annotation = ast.unparse(stmt.annotation)
    if namespace is None:
        # xsdata: an element without its own namespace is in its class's Meta.namespace.
        namespace = element_namespace if xml_type == "Element" else ""
    return FieldInfo(
        name=stmt.target.id,
        annotation=annotation,
        xml_name=xml_name,
        has_default=has_default,
        is_list=annotation.startswith("list["),
        min_occurs=min_occurs,
        xml_type=xml_type,
        namespace=namespace,
        nillable=nillable,
    )


_IVAR = re.compile(r"^:ivar (\w+):(.*)$")


def _docs(node: ast.ClassDef) -> tuple[str, dict[str, str]]:
    """A class docstring split into its text and its ``:ivar name: doc`` entries."""
    text, ivars, current = [], {}, None
    for line in (ast.get_docstring(node) or "").splitlines():
        match = _IVAR.match(line)
        if match:
            current = match.group(1)
            ivars[current] = match.group(2).strip()
        elif current is not None and line.startswith(" "):
            ivars[current] = f"{ivars[current]} {line.strip()}".strip()
        else:
            current = None
            text.append(line)
    return " ".join(" ".join(text).split()), ivars


def _members(node: ast.ClassDef) -> tuple[tuple[str, str], ...]:
    return tuple(
        (stmt.targets[0].id, str(ast.literal_eval(stmt.value)))
        for stmt in node.body
        if isinstance(stmt, ast.Assign)
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Constant)
    )


def inspect_models(source: str) -> dict[str, ClassInfo]:
    """Map each top-level class of the generated module to its description."""
    classes: dict[str, ClassInfo] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases = tuple(ast.unparse(b) for b in node.bases)
        element_namespace = _meta(node, "namespace") or ""
        doc, ivars = _docs(node)
        fields = tuple(
            dataclasses.replace(field, doc=ivars.get(field.name, ""))
            for field in (
                _field(stmt, element_namespace)
                for stmt in node.body
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            )
            # ``extra`` (unknown content, added by ucxml) is no schema field: no parameter,
            # no plan row.
            if field.xml_type != "Ignore"
        )
        is_enum = bool(_ENUM_BASES & set(bases))
        classes[node.name] = ClassInfo(
            name=node.name,
            xml_name=_meta(node, "name") or node.name,
            bases=bases,
            fields=fields,
            is_enum=is_enum,
            members=_members(node) if is_enum else (),
            doc=doc,
            namespace=_meta(node, "namespace"),
        )
    return classes
