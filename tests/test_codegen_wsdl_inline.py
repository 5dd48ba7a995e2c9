"""A WSDL that embeds its schema (``wsdl:types``, as the CUCM serviceability WSDLs do) and
states its endpoint (``soap:address``): the manifest names neither, the generator writes the
schema out as a document of the package, and the WSDL features the clients cannot honour
(rpc, encoded, several parts, imports) are refused by name (``ucxml.codegen.wsdl``).

Everything here is written for the test; ``tests/test_reference_wsdls.py`` runs the same
mechanism on the real CUCM WSDLs where they are available."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree

import ucxml
from ucxml import _registry as registry
from ucxml.codegen.manifest import ManifestError, load_manifest
from ucxml.codegen.pipeline import build
from ucxml.codegen.wsdl import WsdlError, inline_schemas, read_wsdl, wsdl_endpoints
from ucxml.errors import SoapFault
from ucxml.transport import HttpResponse, MockTransport

from canonical import canonical

S11 = "http://schemas.xmlsoap.org/soap/envelope/"
XS = "http://www.w3.org/2001/XMLSchema"
# The schema's prefixes (xs, r) are declared on wsdl:definitions only, as in the CUCM files.
WSDL = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
             xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
             xmlns:xs="{XS}" xmlns:r="urn:inline" targetNamespace="urn:inline">
  <types>
    <xs:schema targetNamespace="urn:inline" elementFormDefault="qualified">
      <xs:element name="getNode"><xs:complexType><xs:sequence>
        <xs:element name="name" type="xs:string"/>
        <xs:element name="zone" type="xs:string" nillable="true"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="getNodeResponse"><xs:complexType><xs:sequence>
        <xs:element name="node" type="r:Node"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:complexType name="Node"><xs:sequence>
        <xs:element name="up" type="xs:boolean"/>
        <xs:element name="since" type="xs:unsignedInt" nillable="true"/>
      </xs:sequence></xs:complexType>
    </xs:schema>
  </types>
  <message name="In"><part name="parameters" element="r:getNode"/></message>
  <message name="Out"><part name="parameters" element="r:getNodeResponse"/></message>
  <portType name="P">
    <operation name="getNode"><input message="r:In"/><output message="r:Out"/></operation>
  </portType>
  <binding name="B11" type="r:P">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="getNode">
      <soap:operation soapAction="getNode"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="S">
    <port name="P11" binding="r:B11"><soap:address location="https://localhost:8443/inline/svc"/></port>
  </service>
</definitions>
"""
SOAP12_BINDING = """
  <binding name="B12" type="r:P">
    <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="getNode"><soap12:operation soapAction="urn:inline/getNode"/></operation>
  </binding>
  <service name="S12">
    <port name="P12" binding="r:B12"><soap12:address location="https://h/inline/v12"/></port>
  </service>
"""


def _wsdl(tmp_path: Path, text: str = WSDL) -> Path:
    path = tmp_path / "inline.wsdl"
    path.write_text(text, encoding="utf-8")
    return path


def _manifest(tmp_path: Path, text: str = WSDL, extra: str = "") -> Path:
    _wsdl(tmp_path, text)
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        f'[apis.inline]\ntitle = "Inline"\nenvelope = "soap11"\nwsdl = "inline.wsdl"\n{extra}',
        encoding="utf-8",
    )
    return manifest


def test_the_inline_schema_is_a_document_with_the_definitions_prefixes(tmp_path: Path) -> None:
    ((name, document),) = inline_schemas(_wsdl(tmp_path))
    assert name == "inline.xsd"
    root = etree.fromstring(document)
    assert (root.tag, root.get("targetNamespace")) == (f"{{{XS}}}schema", "urn:inline")
    assert root.nsmap["r"] == "urn:inline"  # type="r:Node" still resolves
    schema = etree.XMLSchema(root)
    ok = b'<getNodeResponse xmlns="urn:inline"><node><up>true</up><since>5</since></node>'
    assert schema.validate(etree.fromstring(ok + b"</getNodeResponse>"))
    assert not schema.validate(etree.fromstring(ok.replace(b"5", b"-5") + b"</getNodeResponse>"))


def test_several_inline_schemas_are_imported_by_a_main_document(tmp_path: Path) -> None:
    second = (
        '<xs:schema targetNamespace="urn:b" xmlns:b="urn:b"><xs:simpleType name="Id">'
        '<xs:restriction base="xs:int"/></xs:simpleType></xs:schema>'
    )
    text = WSDL.replace("</types>", f"{second}</types>").replace(
        'elementFormDefault="qualified">',
        'elementFormDefault="qualified"><xs:import namespace="urn:b"/>',
    )
    text = text.replace('type="xs:unsignedInt"', 'type="b:Id" xmlns:b="urn:b"')
    pairs = inline_schemas(_wsdl(tmp_path, text))
    assert [n for n, _ in pairs] == ["inline.xsd", "inline-1.xsd", "inline-2.xsd"]
    for name, document in pairs:
        (tmp_path / name).write_bytes(document)
    schema = etree.XMLSchema(etree.parse(str(tmp_path / "inline.xsd")))
    answer = b'<getNodeResponse xmlns="urn:inline"><node><up>1</up><since>-5</since></node>'
    assert schema.validate(etree.fromstring(answer + b"</getNodeResponse>"))


def test_the_manifest_needs_no_schemas_and_no_endpoints(tmp_path: Path) -> None:
    (api,) = load_manifest(_manifest(tmp_path)).apis
    assert api.schemas == () and [n for n, _ in api.inline_schemas] == ["inline.xsd"]
    assert api.endpoints == ("/inline/svc",)  # the address's path; the host is the user's
    assert api.dispatch == "root"
    (op,) = api.operations
    assert (op.name, op.method, op.action) == ("getNode", "get_node", "getNode")
    # What the manifest says wins over the WSDL.
    (api,) = load_manifest(_manifest(tmp_path, extra='endpoints = ["/other"]\n')).apis
    assert api.endpoints == ("/other",)


def test_a_wsdl_without_a_schema_needs_the_schemas_list(tmp_path: Path) -> None:
    bare = re.sub(r"<types>.*</types>", "", WSDL, flags=re.S)
    with pytest.raises(ManifestError, match=re.escape("embeds no schema")):
        load_manifest(_manifest(tmp_path, bare))


def test_the_binding_of_the_envelopes_soap_version_is_read(tmp_path: Path) -> None:
    text = WSDL.replace(
        "<definitions ", '<definitions xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" '
    ).replace("</definitions>", SOAP12_BINDING + "</definitions>")
    path = _wsdl(tmp_path, text)
    assert read_wsdl(path, "soap11")[0].action == "getNode"
    assert read_wsdl(path, "soap12")[0].action == "urn:inline/getNode"
    assert wsdl_endpoints(path, "soap11") == ("/inline/svc",)
    assert wsdl_endpoints(path, "soap12") == ("/inline/v12",)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('style="document"', 'style="rpc"', "rpc style; only document/literal"),
        ('<soap:operation soapAction="getNode"/>', '<soap:operation style="rpc"/>', "rpc style"),
        ('<input><soap:body use="literal"/>', '<input><soap:body use="encoded"/>', "encoded"),
        (
            '<part name="parameters" element="r:getNode"/>',
            '<part name="a" element="r:getNode"/><part name="b" element="r:getNode"/>',
            "message {urn:inline}In has 2 parts",
        ),
        ('element="r:getNode"/>', 'type="xs:string"/>', "a part with no element"),
        ("<types>", '<import namespace="urn:x" location="other.wsdl"/><types>', "other.wsdl"),
        (
            "</portType>",
            '</portType><portType name="Q"><operation name="getNode">'
            '<input message="r:In"/><output message="r:Out"/></operation></portType>',
            "'getNode' is in two portTypes",
        ),
        (
            "</binding>",
            '</binding><binding name="C" type="r:P"><soap:binding style="document"/>'
            '<operation name="getNode"><soap:operation soapAction="other"/></operation>'
            "</binding>",
            "two SOAP actions ('getNode', 'other')",
        ),
        (
            '<xs:complexType name="Node">',
            '<xs:include schemaLocation="node.xsd"/><xs:complexType name="Node">',
            "refers to 'node.xsd'",
        ),
        (
            "</types>",
            '<xs:schema targetNamespace="urn:inline"/></types>',
            "not distinct",
        ),
    ],
)
def test_what_the_clients_cannot_honour_is_refused(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in WSDL
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifest(_manifest(tmp_path, WSDL.replace(old, new, 1)))
    with pytest.raises(WsdlError):
        path = _wsdl(tmp_path, WSDL.replace(old, new, 1))
        read_wsdl(path, "soap11")
        inline_schemas(path)


PACKAGE = "inline_bindings"


@pytest.fixture(scope="module")
def client_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    work = tmp_path_factory.mktemp("inline")
    build(_manifest(work), work / PACKAGE, PACKAGE)
    sys.path.insert(0, str(work))
    assert ucxml.register_api(PACKAGE) == ["inline"]
    try:
        yield importlib.import_module(f"{PACKAGE}.inline.client")
    finally:
        registry.unregister_api("inline")
        sys.path.remove(str(work))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_the_package_ships_the_extracted_schema(client_module: ModuleType) -> None:
    folder = Path(client_module.__file__ or "").parent
    assert sorted(p.name for p in (folder / "schema").iterdir()) == ["inline.xsd"]
    assert '"schema/inline.xsd"' in (folder / "registry.py").read_text(encoding="utf-8")


def test_nil_is_written_and_read(client_module: ModuleType) -> None:
    answer = (
        f'<e:Envelope xmlns:e="{S11}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<e:Body><getNodeResponse xmlns="urn:inline"><node><up>true</up><since xsi:nil="true"/>'
        "</node></getNodeResponse></e:Body></e:Envelope>"
    ).encode()
    transport = MockTransport(lambda _: HttpResponse(200, answer, {"content-type": "text/xml"}))
    with client_module.InlineClient("https://h:8443", transport=transport) as client:
        result = client.get_node(name="cucm1", zone=None)
    (sent,) = transport.requests
    assert sent.url == "https://h:8443/inline/svc"
    assert sent.headers["SOAPAction"] == '"getNode"'
    assert canonical(sent.content) == canonical(
        f'<e:Envelope xmlns:e="{S11}"><e:Body><getNode xmlns="urn:inline" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><name>cucm1</name>'
        '<zone xsi:nil="true"/></getNode></e:Body></e:Envelope>'.encode()
    )
    assert (result.node.up, result.node.since) == (True, None)
    assert ucxml.validate(answer).valid
    fault = (
        f'<e:Envelope xmlns:e="{S11}"><e:Body><e:Fault><faultcode>e:Client</faultcode>'
        "<faultstring>no</faultstring></e:Fault></e:Body></e:Envelope>"
    ).encode()
    transport = MockTransport(lambda _: HttpResponse(500, fault, {}))
    with (
        pytest.raises(SoapFault),
        client_module.InlineClient("https://h:8443", transport=transport) as client,
    ):
        client.get_node(name="cucm1", zone=None)
