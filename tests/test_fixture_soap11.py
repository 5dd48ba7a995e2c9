"""Bring your own WSDL: a SOAP 1.1 service (the shape of a CUCM's AXL or RisPort70) from a
WSDL and an XSD in ``tests/fixture_soap11/``, generated into a package of its own, with no
edit of the core: snake_case methods, the WSDL's SOAPAction on the wire, the envelope
written and read as SOAP 1.1, faults as :class:`~ucxml.errors.SoapFault`, and validation
of the message where the user's schema has no envelope."""

from __future__ import annotations

import asyncio
import importlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import ucxml
from ucxml import _registry as registry
from ucxml.errors import HttpStatusError, MalformedResponseError, SoapFault
from ucxml.transport import AsyncMockTransport, HttpResponse, MockTransport

from canonical import canonical
from generated_api import registered_package

FIXTURE = Path(__file__).resolve().parent / "fixture_soap11"
PACKAGE = "ris_bindings"
S11 = "http://schemas.xmlsoap.org/soap/envelope/"
ANSWER = (
    f'<?xml version="1.0"?>\n<soapenv:Envelope xmlns:soapenv="{S11}">\n'
    '<soapenv:Body><r:getNodeStatusResponse xmlns:r="urn:example:ris">\n'
    "<r:node>cucm1</r:node><r:up>true</r:up>\n"
    "</r:getNodeStatusResponse></soapenv:Body></soapenv:Envelope>\n"
).encode()
NODES = (
    f'<soapenv:Envelope xmlns:soapenv="{S11}">\n'
    '<soapenv:Body><r:listNodesResponse xmlns:r="urn:example:ris">\n'
    + "".join(
        f"  <r:item><r:name>cucm{i}</r:name><r:up>{str(i % 2 == 0).lower()}</r:up></r:item>\n"
        for i in range(200)
    )
    + "</r:listNodesResponse></soapenv:Body></soapenv:Envelope>\n"
).encode()
FAULT = (
    f'<soapenv:Envelope xmlns:soapenv="{S11}"><soapenv:Body><soapenv:Fault>'
    "<faultcode>soapenv:Client</faultcode><faultstring>no node cucm9 (user admin, s3cret)"
    "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
).encode()


@pytest.fixture(scope="module")
def ris(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The fixture service generated into ``ris_bindings`` and registered."""
    work = tmp_path_factory.mktemp("soap11")
    shutil.copytree(FIXTURE, work / "api")
    with registered_package(work, "api/manifest.toml", PACKAGE) as names:
        assert names == ["ris"]
        yield importlib.import_module(f"{PACKAGE}.ris.client")


def _client(ris: ModuleType, status: int, body: bytes) -> tuple[object, MockTransport]:
    transport = MockTransport(lambda _: HttpResponse(status, body, {"content-type": "text/xml"}))
    client = ris.RisClient(
        "https://cucm:8443", username="admin", password="s3cret", transport=transport
    )
    return client, transport


def test_the_wsdl_gives_methods_actions_and_roots(ris: ModuleType) -> None:
    api = registry.binding("ris")
    op = api.operations["getNodeStatus"]
    assert (op.name, op.method, op.action, op.idempotent) == (
        "getNodeStatus",
        "get_node_status",
        "urn:example:ris#getNodeStatus",
        True,
    )
    assert op.doc == "Whether one node of the cluster is up."
    assert api.info.roots[0] == f"{{{S11}}}Envelope"
    assert not api.info.validates_envelope  # the user's schema has no SOAP envelope


def test_the_client_writes_soap_1_1_with_the_soapaction(ris: ModuleType) -> None:
    client, transport = _client(ris, 200, ANSWER)
    with client:  # type: ignore[attr-defined]
        result = client.get_node_status("cucm1")  # type: ignore[attr-defined]
    (sent,) = transport.requests
    assert sent.url == "https://cucm:8443/ris/service"
    assert sent.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert sent.headers["SOAPAction"] == '"urn:example:ris#getNodeStatus"'
    assert canonical(sent.content) == canonical(
        f'<e:Envelope xmlns:e="{S11}"><e:Body><getNodeStatus xmlns="urn:example:ris">'
        "<node>cucm1</node></getNodeStatus></e:Body></e:Envelope>".encode()
    )
    assert (type(result).__name__, result.node, result.up) == (
        "GetNodeStatusResponse",
        "cucm1",
        True,
    )


def test_the_async_twin_sends_the_same(ris: ModuleType) -> None:
    transport = AsyncMockTransport(lambda _: HttpResponse(200, ANSWER, {}))

    async def call() -> object:
        async with ris.AsyncRisClient("https://cucm:8443", transport=transport) as client:
            return await client.get_node_status("cucm1")

    result = asyncio.run(call())
    (sent,) = transport.requests
    assert sent.headers["SOAPAction"] == '"urn:example:ris#getNodeStatus"'
    assert getattr(result, "up", None) is True


@pytest.mark.parametrize("status", [500, 200])
def test_a_fault_is_a_soap_fault_with_the_secrets_masked(ris: ModuleType, status: int) -> None:
    client, _ = _client(ris, status, FAULT)
    with pytest.raises(SoapFault) as caught, client:  # type: ignore[attr-defined]
        client.get_node_status("cucm9")  # type: ignore[attr-defined]
    assert (caught.value.code, caught.value.subcodes) == ("Client", ())
    assert "no node cucm9" in caught.value.reason and "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        # SOAP 1.2 where the WSDL binds SOAP 1.1: refused, not read as something else
        (
            ANSWER.replace(S11.encode(), b"http://www.w3.org/2003/05/soap-envelope"),
            MalformedResponseError,
        ),
        (b"<html><body>Service Unavailable</body></html>", MalformedResponseError),
        (ANSWER[: len(ANSWER) // 2], MalformedResponseError),
    ],
)
def test_other_answers_are_typed_errors(ris: ModuleType, body: bytes, error: type) -> None:
    client, _ = _client(ris, 200, body)
    with pytest.raises(error), client:  # type: ignore[attr-defined]
        client.get_node_status("cucm1")  # type: ignore[attr-defined]
    client, _ = _client(ris, 503, body)
    with pytest.raises(HttpStatusError), client:  # type: ignore[attr-defined]
        client.get_node_status("cucm1")  # type: ignore[attr-defined]


def test_detect_parse_and_validate_the_message(ris: ModuleType) -> None:
    assert ucxml.detect(ANSWER) == "ris"
    assert getattr(ucxml.parse(ANSWER), "node", None) == "cucm1"
    good = ucxml.validate(ANSWER)
    assert good.valid and good.api == "ris" and good.message == "getNodeStatusResponse"
    invalid = ANSWER.replace(b"true</r:up>", b"maybe</r:up>")
    bad = ucxml.validate(invalid)
    (issue,) = bad.issues
    assert not bad.valid and issue.severity == "error"
    assert issue.path == "/soapenv:Envelope/soapenv:Body/r:getNodeStatusResponse/r:up"
    column = invalid.splitlines()[3].index(b"<r:up>") + 1  # 1-based, as editors count
    assert (issue.line, issue.column) == (4, column)


def test_a_record_list_answer_streams(ris: ModuleType) -> None:
    """A SOAP 1.1 answer that is a list of records: ``stream=True`` and ``iter_records``
    give the records of the whole call, one by one."""
    client, _ = _client(ris, 200, NODES)
    with client:  # type: ignore[attr-defined]
        whole = client.list_nodes("lab").item  # type: ignore[attr-defined]
        streamed = list(client.list_nodes("lab", stream=True))  # type: ignore[attr-defined]
    assert len(whole) == 200 and streamed == whole
    assert list(ucxml.iter_records(NODES, api="ris")) == whole
    assert [n.name for n in ucxml.iter_records(NODES)][:2] == ["cucm0", "cucm1"]  # detected
    client, _ = _client(ris, 200, FAULT)
    with pytest.raises(SoapFault), client:  # type: ignore[attr-defined]
        list(client.list_nodes("lab", stream=True))  # type: ignore[attr-defined]
    client, _ = _client(ris, 200, NODES[: len(NODES) // 2])
    with pytest.raises(MalformedResponseError, match="line"), client:  # type: ignore[attr-defined]
        got = []
        for node in client.list_nodes("lab", stream=True):  # type: ignore[attr-defined]
            got.append(node)
    assert 0 < len(got) < 200
