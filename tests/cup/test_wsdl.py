"""The shipped EPAS WSDL documents exactly the manifest's operations, over SOAP 1.2."""

from __future__ import annotations

from lxml import etree

from ucxml._registry import binding

WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
SOAP12 = "{http://schemas.xmlsoap.org/wsdl/soap12/}"


def _wsdl() -> etree._Element:
    path = binding("cup").schema_path.parent / "epas.wsdl"
    return etree.parse(
        str(path), etree.XMLParser(resolve_entities=False, no_network=True)
    ).getroot()


def test_port_type_and_binding_list_the_manifest_operations_in_order() -> None:
    root = _wsdl()
    names = [op.name for op in binding("cup").operations.values()]
    port = [
        op.get("name") for op in root.iter(f"{WSDL}portType") for op in op.iter(f"{WSDL}operation")
    ]
    bound = root.find(f"{WSDL}binding")
    assert bound is not None
    assert bound.find(f"{SOAP12}binding") is not None  # SOAP 1.2, not 1.1
    ops = bound.findall(f"{WSDL}operation")
    assert port == names
    assert [op.get("name") for op in ops] == names
    for op in ops:
        action = op.find(f"{SOAP12}operation")
        assert action is not None
        assert action.get("soapAction") == f"urn:cisco:epas:soap/{op.get('name')}"
        headers = op.findall(f"{WSDL}input/{SOAP12}header")
        assert (len(headers) == 0) == (op.get("name") == "login"), op.get("name")


def test_service_address_is_the_epas_endpoint() -> None:
    address = _wsdl().find(f"{WSDL}service/{WSDL}port/{SOAP12}address")
    assert address is not None
    assert address.get("location", "").endswith("/EPASSoap/service")
