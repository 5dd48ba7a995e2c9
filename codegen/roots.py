"""The roots of an XSD API: the document elements its messages arrive in.

A WSDL API's roots come from its operations (:mod:`ucxml.codegen.wsdl`). An XSD API that
names none in the manifest gets its envelope style's (CME's ``SOAP-ENV:Envelope`` and
``axl``) and the global elements of its first schema, in the schema's order: the manifest
names roots only where the first schema does not hold them (PIDF's come from two schemas).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from lxml import etree

from ucxml._envelopes import envelope_format
from ucxml.codegen.manifest import ApiSpec, ManifestError

__all__ = ["with_roots"]

_XS = "{http://www.w3.org/2001/XMLSchema}"


def with_roots(api: ApiSpec) -> ApiSpec:
    """``api`` with its roots derived from its first schema when the manifest gives none,
    and whether its schemas declare its envelope (else the message element is validated).

    Raises:
        ManifestError: the first schema declares no global element either.
    """
    style = envelope_format(api.envelope).roots
    declared = {
        e for schema in api.schemas if schema.suffix == ".xsd" for e in _globals(api, schema)
    }
    api = dataclasses.replace(
        api, validates_envelope=not style or any(root in declared for root in style)
    )
    if api.wsdl is not None or api.roots:
        return api
    elements = _globals(api, api.schemas[0])
    if not elements:
        raise ManifestError(
            f"{api.name}: {api.schemas[0].name} declares no global element; "
            "name the documents' roots in the manifest (roots = [...])"
        )
    return dataclasses.replace(api, roots=tuple(dict.fromkeys((*style, *elements))))


def _globals(api: ApiSpec, path: Path) -> list[str]:
    """The global elements (``{namespace}local``) a schema file declares, in its order."""
    # The generator's own input, still read without DTDs, entities or network access.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ManifestError(f"{api.name}: {path}: {exc}") from None
    target = root.get("targetNamespace")
    prefix = f"{{{target}}}" if target else ""
    return [prefix + str(e.get("name")) for e in root.iterchildren(f"{_XS}element")]
