"""Stage 1b: an API's operations as its WSDL 1.1 states them.

A manifest entry with ``wsdl = "<file>"`` lists no operation the WSDL already holds: each
``portType`` operation gives the wire name, its input and output messages give the request
and response elements, ``wsdl:documentation`` the docstring, and the binding the SOAP
action. The manifest's ``[[apis.<api>.operations]]`` tables then keep only what a WSDL
cannot say (``method`` when it is not the snake_case of the name, ``idempotent``,
``filters``, ``raises``), matched to the WSDL's operations by ``name``.

The request and response classes are those xsdata generated for the elements; they are
known once the models exist, so :func:`bind_operations` runs after the models stage.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from ucxml._envelopes import envelope_format
from ucxml.codegen.inspect import ClassInfo

if TYPE_CHECKING:  # the manifest stage reads WSDLs through this module
    from ucxml.codegen.manifest import ApiSpec

__all__ = [
    "OVERRIDES",
    "WsdlError",
    "WsdlOperation",
    "bind_operations",
    "method_name",
    "operation_tables",
    "read_wsdl",
]

_WSDL = "http://schemas.xmlsoap.org/wsdl/"
#: The SOAP bindings of WSDL 1.1 (SOAP 1.1 and SOAP 1.2), whose ``operation`` carries the action.
_SOAP_BINDINGS = (
    "http://schemas.xmlsoap.org/wsdl/soap/",
    "http://schemas.xmlsoap.org/wsdl/soap12/",
)
#: The manifest keys an operation table may give beside its name, for a WSDL's operation.
OVERRIDES = frozenset({"name", "method", "doc", "idempotent", "filters", "raises"})


class WsdlError(ValueError):
    """The WSDL cannot give the operations (unreadable, or a message or element missing)."""


@dataclass(frozen=True)
class WsdlOperation:
    """One ``portType`` operation: wire name, documentation, elements (``{ns}local``), action."""

    name: str
    doc: str
    request: str
    response: str
    action: str | None = None


def _parse(path: Path) -> etree._Element:
    # The generator's own input, still read without DTDs, entities or network access.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise WsdlError(f"{path}: {exc}") from None


def _qname(node: etree._Element, value: str | None, where: str) -> str:
    """``prefix:local`` in ``node``'s scope as ``{namespace}local``."""
    if not value:
        raise WsdlError(f"{where}: no element or message named")
    prefix, _, local = value.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    if namespace is None:
        raise WsdlError(f"{where}: undeclared prefix in {value!r}")
    return f"{{{namespace}}}{local}"


def read_wsdl(path: Path) -> tuple[WsdlOperation, ...]:
    """The operations of the WSDL 1.1 file at ``path``, in ``portType`` order."""
    root = _parse(path)
    target = root.get("targetNamespace", "")
    elements: dict[str, str] = {}
    for message in root.iter(f"{{{_WSDL}}}message"):
        part = message.find(f"{{{_WSDL}}}part")
        name = f"{{{target}}}{message.get('name')}"
        if part is not None and part.get("element"):
            elements[name] = _qname(part, part.get("element"), f"{path}: message {name}")
    actions: dict[str, str] = {}
    for operation in root.iterfind(f"{{{_WSDL}}}binding/{{{_WSDL}}}operation"):
        for soap in _SOAP_BINDINGS:
            bound = operation.find(f"{{{soap}}}operation")
            if bound is not None and bound.get("soapAction"):
                actions[operation.get("name", "")] = bound.get("soapAction", "")
    found = []
    for operation in root.iterfind(f"{{{_WSDL}}}portType/{{{_WSDL}}}operation"):
        name = operation.get("name", "")
        ends = []
        for end in ("input", "output"):
            node = operation.find(f"{{{_WSDL}}}{end}")
            where = f"{path}: operation {name!r} {end}"
            named = _qname(node, node.get("message"), where) if node is not None else ""
            if named not in elements:
                raise WsdlError(f"{where}: no message with an element part")
            ends.append(elements[named])
        doc = " ".join((operation.findtext(f"{{{_WSDL}}}documentation") or "").split())
        found.append(WsdlOperation(name, doc, ends[0], ends[1], actions.get(name)))
    if not found:
        raise WsdlError(f"{path}: no portType operation")
    return tuple(found)


_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def method_name(operation: str) -> str:
    """The Python method of a wire name: snake_case (``get-all-config`` and
    ``getAllConfig`` both give ``get_all_config``; ``getCCMVersion`` gives
    ``get_ccm_version``)."""
    return _HUMP.sub("_", operation).replace("-", "_").replace(".", "_").lower()


def operation_tables(
    wsdl: tuple[WsdlOperation, ...], tables: list[dict[str, Any]], api: str
) -> list[dict[str, Any]]:
    """The manifest's operation tables for ``api``, one per WSDL operation, in the WSDL's
    order: its facts, under the manifest's own keys for it (which may only add to them)."""
    by_name = {op.name: op for op in wsdl}
    given: dict[str, dict[str, Any]] = {}
    for table in tables:
        name = table.get("name")
        if name not in by_name:
            raise WsdlError(f"{api}: operation {name!r} is not in the WSDL")
        unknown = set(table) - OVERRIDES
        if unknown:
            raise WsdlError(f"{api}.{name}: the WSDL states {sorted(unknown)}; remove them")
        given[str(name)] = table
    return [
        {
            "request": op.request,
            "response": op.response,
            "method": method_name(op.name),
            "doc": op.doc,
            **({"action": op.action} if op.action else {}),
            **given.get(op.name, {}),
            "name": op.name,
        }
        for op in wsdl
    ]


def bind_operations(api: ApiSpec, classes: Mapping[str, ClassInfo]) -> ApiSpec:
    """``api`` (an :class:`~ucxml.codegen.manifest.ApiSpec`) with the WSDL's elements of
    its operations replaced by the classes xsdata generated for them, and its roots made
    of its envelope style's (:class:`ucxml._envelopes.EnvelopeFormat`), the manifest's own
    (a fault) and those elements, in that order."""
    if api.wsdl is None:
        return api
    by_element: dict[str, list[str]] = {}
    for info in classes.values():
        if info.namespace is not None and not info.is_enum:
            by_element.setdefault(f"{{{info.namespace}}}{info.xml_name}", []).append(info.name)

    def cls(element: str, where: str) -> str:
        found = by_element.get(element, [])
        if len(found) != 1:
            what = "no generated class" if not found else f"several classes ({', '.join(found)})"
            raise WsdlError(f"{api.name}.{where}: {what} for element {element}")
        return found[0]

    operations = tuple(
        dataclasses.replace(
            op,
            request=cls(op.request, f"{op.name}.input"),
            response=cls(op.response, f"{op.name}.output"),
        )
        for op in api.operations
    )
    elements = [e for op in api.operations for e in (op.request, op.response)]
    envelope = envelope_format(api.envelope).roots
    roots = tuple(dict.fromkeys((*envelope, *api.roots, *elements)))
    return dataclasses.replace(api, operations=operations, roots=roots)
