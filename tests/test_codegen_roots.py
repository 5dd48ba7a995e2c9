"""An XSD API's roots come from its first schema when the manifest names none
(``ucxml.codegen.roots``); the bundled APIs' generated roots are what that derives."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from ucxml._registry import binding
from ucxml.codegen.manifest import ApiSpec, ManifestError, load_manifest
from ucxml.codegen.roots import with_roots

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "schemas" / "manifest.toml"
ENTRIES = tomllib.loads(MANIFEST.read_text())["apis"]
XSD = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"{target}>{body}</xs:schema>'


def _api(tmp_path: Path, body: str, target: str = "", envelope: str = "document") -> ApiSpec:
    where = f' targetNamespace="{target}"' if target else ""
    (tmp_path / "a.xsd").write_text(XSD.format(target=where, body=body))
    (tmp_path / "manifest.toml").write_text(
        f'[apis.a]\ntitle = "A"\nschemas = ["a.xsd"]\nenvelope = "{envelope}"\n'
    )
    (api,) = load_manifest(tmp_path / "manifest.toml").apis
    return api


@pytest.mark.parametrize(
    "name", [n for n, e in ENTRIES.items() if "wsdl" not in e and e.get("envelope") != "json"]
)
def test_a_bundled_xsd_api_names_roots_only_where_its_schema_cannot(name: str) -> None:
    """The manifest lists roots only when the derived ones would differ (PIDF: two schemas)."""
    (spec,) = [a for a in load_manifest(MANIFEST).apis if a.name == name]
    generated = binding(name).info.roots
    if "roots" in ENTRIES[name]:
        try:
            derived = with_roots(dataclasses.replace(spec, roots=())).roots
        except ManifestError:
            derived = ()
        assert derived != generated, f"{name}: the manifest's roots restate the schema's"
    else:
        assert with_roots(spec).roots == generated


def test_the_first_schema_s_global_elements_in_order(tmp_path: Path) -> None:
    api = _api(
        tmp_path,
        '<xs:element name="b"/><xs:complexType name="T"/><xs:element name="a"/>',
        target="urn:x",
    )
    assert with_roots(api).roots == ("{urn:x}b", "{urn:x}a")


def test_the_envelope_style_s_roots_come_first(tmp_path: Path) -> None:
    api = _api(tmp_path, '<xs:element name="request"/>', envelope="cme-axl")
    assert with_roots(api).roots == (
        "{http://schemas.xmlsoap.org/soap/envelope/}Envelope",
        "axl",
        "request",
    )


def test_a_schema_without_global_elements_asks_for_roots(tmp_path: Path) -> None:
    api = _api(tmp_path, '<xs:complexType name="T"/>')
    with pytest.raises(ManifestError, match=r"declares no global element.*roots = \["):
        with_roots(api)
