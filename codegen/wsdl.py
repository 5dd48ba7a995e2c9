"""Stage 1b: an API's operations as its WSDL 1.1 states them.

A manifest entry with ``wsdl = "<file>"`` lists no operation the WSDL already holds: each
``portType`` operation gives the wire name, its input and output messages give the request
and response elements, ``wsdl:documentation`` the docstring, and the binding the SOAP
action. The manifest's ``[[apis.<api>.operations]]`` tables then keep only what a WSDL
cannot say (``method`` when it is not the snake_case of the name, ``idempotent``,
``filters``, ``raises``), matched to the WSDL's operations by ``name``.

The request and response classes are those xsdata generated for the elements; they are
known once the models exist, so :func:`bind_operations` runs after the models stage.

A WSDL that embeds its schemas (``wsdl:types/xsd:schema``, as the CUCM serviceability
WSDLs do) needs no ``schemas`` list: :func:`inline_schemas` writes each one out as a schema
document of its own, and its SOAP ports' addresses give the endpoints. Only document/literal
SOAP bindings are read; an rpc or encoded binding is refused, not guessed at.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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
    "inline_schemas",
    "method_name",
    "operation_tables",
    "read_wsdl",
    "wsdl_endpoints",
]

_WSDL = "http://schemas.xmlsoap.org/wsdl/"
#: The SOAP bindings of WSDL 1.1 (SOAP 1.1 and SOAP 1.2), whose ``operation`` carries the action.
_SOAP_BINDINGS = (
    "http://schemas.xmlsoap.org/wsdl/soap/",
    "http://schemas.xmlsoap.org/wsdl/soap12/",
)
#: The SOAP binding namespace of each SOAP envelope style: of a WSDL binding its portType in
#: both versions, the one the API's envelope speaks is read.
_BINDING_OF_STYLE = {"soap11": _SOAP_BINDINGS[0], "soap12": _SOAP_BINDINGS[1]}
_XS = "http://www.w3.org/2001/XMLSchema"
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


def _local(value: str | None) -> str:
    return (value or "").rpartition(":")[2]


def _soap_version(binding: etree._Element) -> str | None:
    """The SOAP binding namespace a ``wsdl:binding`` uses (its ``soap:binding``, else its
    operations'), or None for another binding (HTTP, MIME)."""
    for soap in _SOAP_BINDINGS:
        if binding.find(f"{{{soap}}}binding") is not None:
            return soap
    for soap in _SOAP_BINDINGS:
        if binding.find(f"{{{_WSDL}}}operation/{{{soap}}}operation") is not None:
            return soap
    return None


def _soap_bindings(root: etree._Element, envelope: str | None) -> list[etree._Element]:
    """The SOAP bindings to read: those of the envelope style's SOAP version when the WSDL
    has any (a WSDL often binds one portType in SOAP 1.1 and 1.2), else every SOAP one."""
    found = [b for b in root.iterfind(f"{{{_WSDL}}}binding") if _soap_version(b) is not None]
    wanted = _BINDING_OF_STYLE.get(envelope or "")
    same = [b for b in found if _soap_version(b) == wanted]
    return same or found


def _check_literal(binding: etree._Element, path: Path) -> None:
    """Refuse what the generated clients cannot write: rpc style and encoded bodies (their
    messages are not the schema's elements)."""
    soap = _soap_version(binding)
    name = binding.get("name")
    style = binding.find(f"{{{soap}}}binding")
    default = style.get("style", "document") if style is not None else "document"
    for operation in binding.iterfind(f"{{{_WSDL}}}operation"):
        bound = operation.find(f"{{{soap}}}operation")
        own = bound.get("style") if bound is not None else None
        where = f"{path}: binding {name!r} operation {operation.get('name')!r}"
        if (own or default) != "document":
            raise WsdlError(f"{where}: {own or default} style; only document/literal is supported")
        for body in operation.iter(f"{{{soap}}}body", f"{{{soap}}}header"):
            if body.get("use", "literal") != "literal":
                raise WsdlError(f"{where}: use={body.get('use')!r}; only literal is supported")


def read_wsdl(path: Path, envelope: str | None = None) -> tuple[WsdlOperation, ...]:
    """The operations of the WSDL 1.1 file at ``path``, in ``portType`` order; their SOAP
    actions are those of the bindings of ``envelope``'s SOAP version (see
    :func:`_soap_bindings`).

    Raises:
        WsdlError: the WSDL imports another, binds rpc or encoded messages, gives an
            operation's input or output a message of other than one element part, names
            an operation twice or gives it two actions.
    """
    root = _parse(path)
    for imported in root.iterfind(f"{{{_WSDL}}}import"):
        # Another WSDL's messages and bindings would be missing from the operations.
        raise WsdlError(f"{path}: wsdl:import of {imported.get('location')!r} is not followed")
    target = root.get("targetNamespace", "")
    parts: dict[str, list[etree._Element]] = {}
    for message in root.iter(f"{{{_WSDL}}}message"):
        parts[f"{{{target}}}{message.get('name')}"] = message.findall(f"{{{_WSDL}}}part")
    actions: dict[str, str] = {}
    for binding in _soap_bindings(root, envelope):
        _check_literal(binding, path)
        soap = _soap_version(binding)
        for operation in binding.iterfind(f"{{{_WSDL}}}operation"):
            bound = operation.find(f"{{{soap}}}operation")
            name = operation.get("name", "")
            if bound is not None and bound.get("soapAction"):
                action = bound.get("soapAction", "")
                if actions.setdefault(name, action) != action:
                    raise WsdlError(
                        f"{path}: operation {name!r} has two SOAP actions "
                        f"({actions[name]!r}, {action!r}) in two bindings"
                    )
    found: dict[str, WsdlOperation] = {}
    for operation in root.iterfind(f"{{{_WSDL}}}portType/{{{_WSDL}}}operation"):
        name = operation.get("name", "")
        if name in found:
            # The generated methods are keyed by name: two portTypes' twins cannot both be.
            raise WsdlError(f"{path}: operation {name!r} is in two portTypes")
        ends = []
        for end in ("input", "output"):
            node = operation.find(f"{{{_WSDL}}}{end}")
            where = f"{path}: operation {name!r} {end}"
            named = _qname(node, node.get("message"), where) if node is not None else ""
            given = parts.get(named)
            if given is None:
                raise WsdlError(f"{where}: no message with an element part")
            if len(given) != 1 or not given[0].get("element"):
                # A document/literal message is one element; several parts or a typed
                # part are an rpc message, which the clients would write wrongly.
                what = f"{len(given)} parts" if len(given) != 1 else "a part with no element"
                raise WsdlError(f"{where}: message {named} has {what}; one element part needed")
            ends.append(_qname(given[0], given[0].get("element"), f"{where} message {named}"))
        doc = " ".join((operation.findtext(f"{{{_WSDL}}}documentation") or "").split())
        found[name] = WsdlOperation(name, doc, ends[0], ends[1], actions.get(name))
    if not found:
        raise WsdlError(f"{path}: no portType operation")
    return tuple(found.values())


def wsdl_endpoints(path: Path, envelope: str | None = None) -> tuple[str, ...]:
    """The paths of the addresses of the WSDL's ports bound by the bindings
    :func:`read_wsdl` reads (``/realtimeservice2/services/RISService70``), in document
    order: a client posts to its base URL and the first one. The host is the WSDL
    author's (``localhost``), not the user's, so only the path is kept."""
    root = _parse(path)
    bindings = {b.get("name") for b in _soap_bindings(root, envelope)}
    paths = []
    for port in root.iterfind(f"{{{_WSDL}}}service/{{{_WSDL}}}port"):
        if _local(port.get("binding")) not in bindings:
            continue
        for soap in _SOAP_BINDINGS:
            address = port.find(f"{{{soap}}}address")
            if address is not None and address.get("location"):
                paths.append(urlsplit(address.get("location", "")).path or "/")
    return tuple(dict.fromkeys(paths))


def _standalone(schema: etree._Element) -> etree._Element:
    """An inline ``xsd:schema`` as the root of a document of its own."""
    # Every prefix in scope goes on the new root: the schema's QName values (type="tns:X",
    # base="xsd:string") use prefixes the wsdl:definitions declares, which a plain copy of
    # the element would drop (lxml keeps only the namespaces of names, not of values).
    root = etree.Element(schema.tag, nsmap=schema.nsmap)
    for key, value in schema.attrib.items():
        root.set(key, value)
    root.text = schema.text
    for child in schema:
        root.append(copy.deepcopy(child))
    return root


def _document(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def inline_schemas(path: Path) -> tuple[tuple[str, bytes], ...]:
    """The schemas the WSDL embeds in ``wsdl:types``, as ``(file name, document)`` pairs
    named after the WSDL (``RISService70.xsd``), the main one first; empty when it embeds
    none. Several are each a file (``<stem>-1.xsd``...), their imports of one another
    pointed at those files, under a main document that imports them all.

    Raises:
        WsdlError: an inline schema imports or includes a file (its location is relative
            to the WSDL, which the extracted schema no longer is), or several have the same
            target namespace or none (a main document cannot import them apart).
    """
    schemas = [_standalone(s) for s in _parse(path).iterfind(f"{{{_WSDL}}}types/{{{_XS}}}schema")]
    for schema in schemas:
        for ref in schema.iter(f"{{{_XS}}}import", f"{{{_XS}}}include", f"{{{_XS}}}redefine"):
            if ref.get("schemaLocation"):
                raise WsdlError(
                    f"{path}: an inline schema refers to {ref.get('schemaLocation')!r}; "
                    "list the schema files in the manifest (schemas = [...]) instead"
                )
    if len(schemas) <= 1:
        return tuple((f"{path.stem}.xsd", _document(s)) for s in schemas)
    targets = [s.get("targetNamespace") for s in schemas]
    if None in targets or len(set(targets)) != len(targets):
        raise WsdlError(
            f"{path}: its inline schemas' target namespaces {targets} are not distinct; "
            "list the schema files in the manifest (schemas = [...]) instead"
        )
    names = [f"{path.stem}-{i}.xsd" for i in range(1, len(schemas) + 1)]
    for schema in schemas:
        for ref in schema.iter(f"{{{_XS}}}import"):
            if ref.get("namespace") in targets:
                ref.set("schemaLocation", names[targets.index(ref.get("namespace"))])
    main = etree.Element(f"{{{_XS}}}schema", nsmap={"xsd": _XS})
    for target, name in zip(targets, names, strict=True):
        etree.SubElement(main, f"{{{_XS}}}import", namespace=str(target), schemaLocation=name)
    return (
        (f"{path.stem}.xsd", _document(main)),
        *zip(names, map(_document, schemas), strict=True),
    )


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
