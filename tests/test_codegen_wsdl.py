"""The WSDL stage of the generator: operations read from a WSDL 1.1 file, the manifest
keeping only what a WSDL cannot say (``ucxml.codegen.wsdl``)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ucxml._registry import binding
from ucxml.codegen.inspect import ClassInfo
from ucxml.codegen.manifest import ManifestError, load_manifest
from ucxml.codegen.wsdl import WsdlError, bind_operations, read_wsdl

ROOT = Path(__file__).resolve().parent.parent
EPAS_WSDL = ROOT / "schemas/cup/epas.wsdl"
EPAS = "urn:cisco:epas:soap"

WSDL = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
             xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
             xmlns:t="urn:test" xmlns:w="urn:test:wsdl" targetNamespace="urn:test:wsdl">
  <message name="GetIn"><part name="p" element="t:get"/></message>
  <message name="GetOut"><part name="p" element="t:get-resp"/></message>
  <portType name="P">
    <operation name="get-thing">
      <documentation>  Read one
        thing. </documentation>
      <input message="w:GetIn"/><output message="w:GetOut"/>
    </operation>
  </portType>
  <binding name="B" type="w:P">
    <operation name="get-thing"><soap:operation soapAction="urn:test/get"/></operation>
  </binding>
</definitions>
"""


def _write(tmp_path: Path, wsdl: str = WSDL, operations: str = "") -> Path:
    (tmp_path / "t.wsdl").write_text(wsdl)
    (tmp_path / "t.xsd").write_text("<schema/>")
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        '[apis.t]\ntitle = "T"\nschemas = ["t.xsd"]\nenvelope = "soap12"\n'
        f'wsdl = "t.wsdl"\nroots = ["{{urn:e}}Envelope"]\n{operations}'
    )
    return manifest


def test_the_bundled_epas_wsdl_gives_every_operation_in_order() -> None:
    ops = read_wsdl(EPAS_WSDL)
    assert len(ops) == 28
    assert (ops[0].name, ops[0].request, ops[0].response, ops[0].action) == (
        "login",
        f"{{{EPAS}}}login",
        f"{{{EPAS}}}login-resp",
        f"{EPAS}/login",
    )
    assert ops[-1].name == "get-onetime-password"
    assert all(op.doc and op.action == f"{EPAS}/{op.name}" for op in ops)
    # What the runtime was generated with: the WSDL's operations, no second list.
    assert [op.name for op in ops] == list(binding("cup").operations)


def test_the_clients_send_the_action_the_wsdl_binds() -> None:
    """The SOAP action is the WSDL's, carried by the generated operation to the wire."""
    from ucxml._envelopes import envelope_format

    actions = {op.name: op.action for op in read_wsdl(EPAS_WSDL)}
    generated = binding("cup").operations
    assert {name: op.action for name, op in generated.items()} == actions
    soap12, soap11 = envelope_format("soap12"), envelope_format("soap11")
    login = generated["login"].action
    assert soap12.request_headers("application/soap+xml", login) == {
        "Content-Type": f'application/soap+xml; action="{EPAS}/login"'
    }
    assert soap11.request_headers("text/xml", login) == {
        "Content-Type": "text/xml",
        "SOAPAction": f'"{EPAS}/login"',
    }
    # SOAP 1.1 sends the header on every request; SOAP 1.2 and CME add nothing without one.
    assert soap11.request_headers("text/xml", None)["SOAPAction"] == '""'
    cme = next(iter(binding("cme").operations.values()))
    assert cme.action is None
    assert envelope_format("cme-axl").request_headers("text/xml", None) == {
        "Content-Type": "text/xml"
    }


def test_the_manifest_keeps_only_what_the_wsdl_cannot_say() -> None:
    cup = tomllib.loads((ROOT / "schemas/manifest.toml").read_text())["apis"]["cup"]
    assert cup["wsdl"] == "cup/epas.wsdl"
    assert all(set(op) <= {"name", "idempotent"} for op in cup["operations"])
    (api,) = [a for a in load_manifest(ROOT / "schemas/manifest.toml").apis if a.name == "cup"]
    ops = {op.name: op for op in api.operations}
    assert ops["get-all-config"].idempotent and not ops["login"].idempotent
    assert ops["publish-pres-status"].method == "publish_pres_status"
    generated = binding("cup")
    assert generated.operations["get-contact-list"].idempotent
    assert f"{{{EPAS}}}get-onetime-password-resp" in generated.info.roots


def test_manifest_entries_merge_with_the_wsdl(tmp_path: Path) -> None:
    manifest = _write(
        tmp_path,
        operations='[[apis.t.operations]]\nname = "get-thing"\nidempotent = true\n'
        'method = "thing"\n',
    )
    (api,) = load_manifest(manifest).apis
    (op,) = api.operations
    assert (op.name, op.method, op.idempotent, op.doc, op.action) == (
        "get-thing",
        "thing",
        True,
        "Read one thing.",
        "urn:test/get",
    )
    assert (op.request, op.response) == ("{urn:test}get", "{urn:test}get-resp")
    classes = {
        "Get": ClassInfo("Get", "get", (), (), False, namespace="urn:test"),
        "GetResp": ClassInfo("GetResp", "get-resp", (), (), False, namespace="urn:test"),
        "GetType": ClassInfo("GetType", "get", (), (), False, namespace="urn:other"),
    }
    bound = bind_operations(api, classes)
    assert (bound.operations[0].request, bound.operations[0].response) == ("Get", "GetResp")
    soap = (
        "{http://www.w3.org/2003/05/soap-envelope}Envelope",
        "{http://schemas.xmlsoap.org/soap/envelope/}Envelope",
    )
    assert bound.roots == (*soap, "{urn:e}Envelope", "{urn:test}get", "{urn:test}get-resp")


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ('[[apis.t.operations]]\nname = "nope"\n', "operation 'nope' is not in the WSDL"),
        (
            '[[apis.t.operations]]\nname = "get-thing"\nrequest = "X"\n',
            "the WSDL states ['request']",
        ),
    ],
)
def test_a_manifest_entry_the_wsdl_contradicts_is_refused(
    tmp_path: Path, operations: str, message: str
) -> None:
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifest(_write(tmp_path, operations=operations))


@pytest.mark.parametrize(
    ("wsdl", "message"),
    [
        (WSDL.replace('<input message="w:GetIn"/>', '<input message="w:Nope"/>'), "input"),
        (WSDL.replace('element="t:get"', 'element="x:get"'), "undeclared prefix"),
        (WSDL.replace("</definitions>", ""), "t.wsdl"),
        (
            WSDL.replace("<portType", "<notPortType").replace("</portType", "</notPortType"),
            "no portType",
        ),
        ('<!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>', "no portType"),
    ],
)
def test_a_broken_wsdl_is_a_clear_error(tmp_path: Path, wsdl: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        load_manifest(_write(tmp_path, wsdl=wsdl))


def test_an_element_without_exactly_one_class_is_a_clear_error(tmp_path: Path) -> None:
    (api,) = load_manifest(_write(tmp_path)).apis
    twice = {
        n: ClassInfo(n, "get", (), (), False, namespace="urn:test") for n in ("Get", "GetAgain")
    }
    with pytest.raises(WsdlError, match=r"several classes \(Get, GetAgain\)"):
        bind_operations(api, twice)
    with pytest.raises(WsdlError, match=re.escape("no generated class for element {urn:test}get")):
        bind_operations(api, {})
