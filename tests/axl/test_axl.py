"""AXL versioning (CUP 6.0(1) guide): the SOAPAction header, namespaces, both error styles.

No Cisco AXL schema is used: requests are built from mappings and the answers below are
written by hand after the guide's sample (``getUser`` with ``sequence="1234"``).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from typing import Any

import pytest
from lxml import etree

from ucxml._safexml import DEFAULT_MAX_BYTES
from ucxml.axl import (
    AXL_NAMESPACE_1_0,
    SOAP_ENV_NAMESPACE,
    AsyncAxlClient,
    AxlClient,
    AxlResponse,
    axl_namespace,
    build_request,
    read_response,
    soap_action,
)
from ucxml.client import TransportOwner
from ucxml.errors import (
    AuthenticationError,
    AxlError,
    HttpStatusError,
    MalformedResponseError,
    ParameterError,
    SoapFault,
    XmlError,
)
from ucxml.transport import (
    AsyncMockTransport,
    HttpRequest,
    HttpResponse,
    MockTransport,
    Transport,
)

BASE = "https://10.77.31.194:8443"
URL = BASE + "/axl/"
USER = "CCMAdministrator"
PASSWORD = "s3cr3t-Pa55w0rd!"
ENV = f'xmlns:SOAP-ENV="{SOAP_ENV_NAMESPACE}"'

GET_USER_RESPONSE = f"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope {ENV}>
  <SOAP-ENV:Body>
    <axl:getUserResponse xmlns:axl="{AXL_NAMESPACE_1_0}" sequence="1234">
      <return>
        <user uuid="{{6F3A1C2B-0D4E-4F5A-8B9C-1D2E3F4A5B6C}}">
          <firstname>Tara</firstname>
          <lastname>Tttt</lastname>
          <userid>tttt</userid>
          <associatedDevices>
            <device>SEP001122334455</device>
            <device>SEP00AABBCCDDEE</device>
            <device>CSFTTTT</device>
          </associatedDevices>
          <department/>
        </user>
      </return>
    </axl:getUserResponse>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>""".encode()

OLD_STYLE_ERROR = f"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope {ENV}>
  <SOAP-ENV:Body>
    <axl:Error xmlns:axl="{AXL_NAMESPACE_1_0}" sequence="1234">
      <axl:code>-239</axl:code>
      <axl:message>Unique constraint (informix.x_user_userid) violated</axl:message>
      <request>getUser</request>
    </axl:Error>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>""".encode()

NESTED_OLD_STYLE_ERROR = f"""<SOAP-ENV:Envelope {ENV}><SOAP-ENV:Body>
<axl:getUserResponse xmlns:axl="{AXL_NAMESPACE_1_0}" sequence="7">
<axl:Error><code>5007</code><message>The specified User was not found</message>
<request>getUser</request></axl:Error>
</axl:getUserResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>""".encode()

FAULT_WITH_AXL_ERROR = f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NAMESPACE}">
  <soapenv:Body>
    <soapenv:Fault>
      <faultcode>soapenv:Client</faultcode>
      <faultstring>Item not valid: The specified User was not found</faultstring>
      <detail>
        <axlError>
          <axlcode>5007</axlcode>
          <axlmessage>Item not valid: The specified User was not found</axlmessage>
          <request>getUser</request>
        </axlError>
      </detail>
    </soapenv:Fault>
  </soapenv:Body>
</soapenv:Envelope>""".encode()

FAULT_WITHOUT_AXL_MESSAGE = f"""<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NAMESPACE}">
<soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode>
<faultstring>Cannot insert or update pattern</faultstring>
<detail><axlError><axlcode>4052</axlcode><request>addLine</request></axlError></detail>
</soapenv:Fault></soapenv:Body></soapenv:Envelope>""".encode()

PLAIN_FAULT = f"""<soapenv:Envelope xmlns:soapenv="{SOAP_ENV_NAMESPACE}">
<soapenv:Body><soapenv:Fault><faultcode>soapenv:Client</faultcode>
<faultstring>Unknown operation: getUserz</faultstring></soapenv:Fault></soapenv:Body>
</soapenv:Envelope>""".encode()

HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>Cisco Unified Presence - Login</title></head>
<body><form action="/ccmadmin/j_security_check">Please log in</form></body></html>"""

XML = {"content-type": "text/xml;charset=utf-8"}


def answer(content: bytes, status: int = 200, **headers: str) -> HttpResponse:
    return HttpResponse(status, content, {**XML, **headers})


def server(*answers: HttpResponse) -> MockTransport:
    """A transport answering ``answers`` in turn (the last one repeatedly)."""
    queue = list(answers)
    return MockTransport(lambda request: queue.pop(0) if len(queue) > 1 else queue[0])


def parse(content: bytes) -> etree._Element:
    return etree.fromstring(content)


def request_element(content: bytes) -> etree._Element:
    body = parse(content).find(f"{{{SOAP_ENV_NAMESPACE}}}Body")
    assert body is not None
    return body[0]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# --------------------------------------------------------------------------- versions


@pytest.mark.parametrize(
    ("version", "header"),
    [("6.0", '"CUCM:DB ver=6.0"'), ("1.0", '"CUCM:DB ver=1.0"'), ("8.5", '"CUCM:DB ver=8.5"')],
)
def test_soap_action_is_the_guides_header_value(version: str, header: str) -> None:
    assert soap_action(version) == header


def test_an_unversioned_request_has_no_soap_action() -> None:
    assert soap_action(None) is None


@pytest.mark.parametrize("bad", ["", "six", "6", '6.0"', "6.0\r\nX-Injected: 1", "6.0(1)"])
def test_a_malformed_version_is_refused_before_anything_is_sent(bad: str) -> None:
    with pytest.raises(ParameterError):
        soap_action(bad)
    with pytest.raises(ParameterError):
        AxlClient(BASE, username=USER, password=PASSWORD, version=bad, transport=server())


@pytest.mark.parametrize(
    ("version", "namespace"),
    [
        ("1.0", "http://www.cisco.com/AXL/1.0"),
        ("6.0", "http://www.cisco.com/AXL/1.0"),
        (None, "http://www.cisco.com/AXL/1.0"),
        ("7.0", "http://www.cisco.com/AXL/API/7.0"),
        ("8.5", "http://www.cisco.com/AXL/API/8.5"),
    ],
)
def test_namespace_per_version(version: str | None, namespace: str) -> None:
    assert axl_namespace(version) == namespace
    element = request_element(build_request("getUser", {"userid": "u"}, version=version))
    assert etree.QName(element).namespace == namespace


# --------------------------------------------------------------------------- requests


def test_request_is_the_guides_sample() -> None:
    content = build_request("getUser", {"userid": "tttt"}, sequence=1234)
    root = parse(content)
    assert root.tag == f"{{{SOAP_ENV_NAMESPACE}}}Envelope"
    assert root.prefix == "SOAP-ENV"
    assert [child.tag for child in root] == [f"{{{SOAP_ENV_NAMESPACE}}}Body"]
    element = request_element(content)
    assert element.tag == f"{{{AXL_NAMESPACE_1_0}}}getUser"
    assert element.prefix == "axl"
    assert element.get("sequence") == "1234"
    assert [(child.tag, child.text) for child in element] == [("userid", "tttt")]


def test_no_sequence_attribute_unless_given() -> None:
    element = request_element(build_request("getUser", {"userid": "tttt"}))
    assert dict(element.attrib) == {}


def test_nested_repeated_empty_and_typed_params() -> None:
    params = {
        "name": "SEP001122334455",
        "lines": {"line": [{"index": 1, "dirn": {"pattern": "1001"}}, {"index": 2}]},
        "enabled": True,
        "locked": False,
        "weight": 1.5,
        "description": None,
        "speeddials": ("100", "200"),
        "nothing": [],
    }
    element = request_element(build_request("addPhone", params))
    assert [child.tag for child in element] == [
        "name",
        "lines",
        "enabled",
        "locked",
        "weight",
        "description",
        "speeddials",
        "speeddials",
    ]
    lines = element.find("lines")
    assert lines is not None
    assert [line.findtext("index") for line in lines.findall("line")] == ["1", "2"]
    assert lines.findtext("line/dirn/pattern") == "1001"
    assert element.findtext("enabled") == "true"
    assert element.findtext("locked") == "false"
    assert element.findtext("weight") == "1.5"
    description = element.find("description")
    assert description is not None and description.text is None and len(description) == 0
    assert [s.text for s in element.findall("speeddials")] == ["100", "200"]
    assert all(
        etree.QName(child).namespace is None for child in element.iter("*") if child is not element
    )


def test_text_is_escaped() -> None:
    content = build_request("executeSQLQuery", {"sql": "select * from a where b<1 & c>'x'"})
    assert b"b&lt;1 &amp; c&gt;'x'" in content
    assert request_element(content).findtext("sql") == "select * from a where b<1 & c>'x'"


def test_namespace_override() -> None:
    element = request_element(
        build_request(
            "getUser", {"userid": "u"}, version="6.0", namespace="http://www.cisco.com/AXL/API/1.0"
        )
    )
    assert element.tag == "{http://www.cisco.com/AXL/API/1.0}getUser"


@pytest.mark.parametrize(
    ("operation", "params", "sequence"),
    [
        ("get User", {}, None),
        ("", {}, None),
        ("getUser", {"user id": "x"}, None),
        ("getUser", {"userid": object()}, None),
        ("getUser", {"userid": [["nested"]]}, None),
        ("getUser", {"userid": "bell\x07"}, None),
        ("getUser", {1: "x"}, None),
        ("getUser", {}, -1),
        ("getUser", {}, True),
    ],
)
def test_invalid_requests_are_refused(operation: str, params: Any, sequence: Any) -> None:
    with pytest.raises(ParameterError):
        build_request(operation, params, sequence=sequence)


# --------------------------------------------------------------------------- the client


def test_client_posts_with_the_versioned_soap_action() -> None:
    transport = server(answer(GET_USER_RESPONSE))
    with AxlClient(BASE, username=USER, password=PASSWORD, transport=transport) as client:
        result = client.call("getUser", {"userid": "tttt"}, sequence=1234)
    assert result.sequence == 1234
    (request,) = transport.requests
    assert request.method == "POST"
    assert request.url == URL
    assert request.headers == {
        "Content-Type": "text/xml; charset=utf-8",
        "Accept": "text/*",
        "SOAPAction": '"CUCM:DB ver=6.0"',
    }
    element = request_element(request.content)
    assert element.tag == f"{{{AXL_NAMESPACE_1_0}}}getUser"
    assert element.get("sequence") == "1234"


def test_client_version_and_namespace() -> None:
    transport = server(answer(GET_USER_RESPONSE))
    client = AxlClient(
        BASE + "/", username=USER, password=PASSWORD, version="8.5", transport=transport
    )
    assert client.version == "8.5"
    assert client.namespace == "http://www.cisco.com/AXL/API/8.5"
    assert client.url == URL
    client.call("getUser", {"userid": "tttt"})
    assert transport.requests[0].headers["SOAPAction"] == '"CUCM:DB ver=8.5"'
    assert etree.QName(request_element(transport.requests[0].content)).namespace == (
        "http://www.cisco.com/AXL/API/8.5"
    )
    custom = AxlClient(
        BASE + "/custom/axl",
        username=USER,
        password=PASSWORD,
        namespace="urn:test:axl",
        transport=transport,
    )
    assert custom.url == BASE + "/custom/axl"
    assert custom.namespace == "urn:test:axl"
    custom.call("getUser", {"userid": "tttt"})
    assert request_element(transport.requests[1].content).tag == "{urn:test:axl}getUser"
    with pytest.raises(AttributeError):
        client.version = "9.0"  # type: ignore[misc]


def test_an_invalid_base_url_is_refused() -> None:
    with pytest.raises(ValueError):
        AxlClient("cucm:8443", username=USER, password=PASSWORD, transport=server())


def test_unversioned_requests_send_no_soap_action_and_warn_once_per_client(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = server(answer(GET_USER_RESPONSE))
    with caplog.at_level(logging.WARNING, logger="ucxml.axl"):
        client = AxlClient(
            BASE, username=USER, password=PASSWORD, version=None, transport=transport
        )
        assert client.version is None
        assert client.namespace == AXL_NAMESPACE_1_0
        client.call("getUser", {"userid": "tttt"})
        client.call("getUser", {"userid": "tttt"})
        assert len(caplog.records) == 1
        AxlClient(BASE, username=USER, password=PASSWORD, version=None, transport=transport).call(
            "getUser", {"userid": "tttt"}
        )
    assert len(caplog.records) == 2
    record = caplog.records[0]
    assert record.levelno == logging.WARNING
    assert "reject" in record.getMessage() and "version" in record.getMessage()
    assert all("SOAPAction" not in r.headers for r in transport.requests)
    assert len(transport.requests) == 3


def test_versioned_requests_do_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ucxml.axl"):
        AxlClient(
            BASE, username=USER, password=PASSWORD, transport=server(answer(GET_USER_RESPONSE))
        ).call("getUser", {"userid": "tttt"})
    assert caplog.records == []


def test_the_client_builds_an_httpx_transport_with_basic_auth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[dict[str, Any]] = []

    class Recording(Transport):
        closed = 0

        def __init__(self, **kwargs: Any) -> None:
            made.append(kwargs)

        def send(self, request: HttpRequest) -> HttpResponse:
            return answer(GET_USER_RESPONSE)

        def close(self) -> None:
            Recording.closed += 1

    # Every sync client makes its httpx transport in the generated base module.
    monkeypatch.setattr(sys.modules[TransportOwner.__module__], "HttpxTransport", Recording)
    with AxlClient(
        BASE, username=USER, password=PASSWORD, timeout=5.0, ca_bundle="ca.pem"
    ) as client:
        assert client.call("getUser", {"userid": "tttt"}).sequence == 1234
    assert made == [
        {
            "username": USER,
            "password": PASSWORD,
            "timeout": 5.0,
            "verify": True,
            "ca_bundle": "ca.pem",
            "max_bytes": DEFAULT_MAX_BYTES,  # the answer cap: the reader's limit by default
        }
    ]
    assert Recording.closed == 1


def test_a_given_transport_is_not_closed() -> None:
    closed: list[bool] = []

    class Kept(MockTransport):
        def close(self) -> None:
            closed.append(True)

    with AxlClient(BASE, username=USER, password=PASSWORD, transport=Kept(lambda r: answer(b""))):
        pass
    assert closed == []


# --------------------------------------------------------------------------- answers


def test_get_user_response_to_dict_and_return_value() -> None:
    result = read_response(GET_USER_RESPONSE, status=200, operation="getUser")
    assert isinstance(result, AxlResponse)
    assert result.operation == "getUser"
    assert result.sequence == 1234
    assert result.element.tag == f"{{{AXL_NAMESPACE_1_0}}}getUserResponse"
    user = {
        "firstname": "Tara",
        "lastname": "Tttt",
        "userid": "tttt",
        "associatedDevices": {"device": ["SEP001122334455", "SEP00AABBCCDDEE", "CSFTTTT"]},
        "department": "",
    }
    assert result.return_value == {"user": user}
    assert result.to_dict() == {"return": {"user": user}}
    assert "element" not in repr(result) and "getUser" in repr(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.sequence = 1  # type: ignore[misc]


def test_return_value_text_and_absent() -> None:
    text = f"""<SOAP-ENV:Envelope {ENV}><SOAP-ENV:Body><axl:addUserResponse
    xmlns:axl="{AXL_NAMESPACE_1_0}"><return>{{AB12}}</return></axl:addUserResponse>
    </SOAP-ENV:Body></SOAP-ENV:Envelope>""".encode()
    assert read_response(text, status=200, operation="addUser").return_value == "{AB12}"
    empty = f"""<SOAP-ENV:Envelope {ENV}><SOAP-ENV:Body><axl:doAuthenticateUserResponse
    xmlns:axl="{AXL_NAMESPACE_1_0}"/></SOAP-ENV:Body></SOAP-ENV:Envelope>""".encode()
    result = read_response(empty, status=200, operation="doAuthenticateUser")
    assert result.return_value is None
    assert result.to_dict() == {}
    assert result.sequence is None


@pytest.mark.parametrize("status", [200, 500])
def test_old_style_error_is_an_axl_error(status: int) -> None:
    with pytest.raises(AxlError) as info:
        read_response(OLD_STYLE_ERROR, status=status, operation="getUser")
    error = info.value
    assert (error.code, error.request, error.status, error.style) == (
        "-239",
        "getUser",
        status,
        "error",
    )
    assert error.number == -239
    assert error.message == "Unique constraint (informix.x_user_userid) violated"
    assert "-239" in str(error)


def test_old_style_error_inside_the_response_element() -> None:
    with pytest.raises(AxlError) as info:
        read_response(NESTED_OLD_STYLE_ERROR, status=200, operation="getUser")
    error = info.value
    assert (error.code, error.message, error.request, error.style) == (
        "5007",
        "The specified User was not found",
        "getUser",
        "error",
    )


def test_fault_with_axl_error_is_an_axl_error() -> None:
    with pytest.raises(AxlError) as info:
        read_response(
            FAULT_WITH_AXL_ERROR, status=500, operation="getUser", content_type="text/xml"
        )
    error = info.value
    assert (error.code, error.request, error.status, error.style) == (
        "5007",
        "getUser",
        500,
        "fault",
    )
    assert error.number == 5007
    assert error.message == "Item not valid: The specified User was not found"


def test_fault_without_axl_message_uses_the_faultstring() -> None:
    with pytest.raises(AxlError) as info:
        read_response(FAULT_WITHOUT_AXL_MESSAGE, status=500, operation="addLine")
    assert (info.value.number, info.value.message, info.value.request) == (
        4052,
        "Cannot insert or update pattern",
        "addLine",
    )


def test_fault_without_axl_error_is_a_soap_fault() -> None:
    with pytest.raises(SoapFault) as info:
        read_response(PLAIN_FAULT, status=500, operation="getUserz")
    assert not isinstance(info.value, AxlError)
    assert info.value.code == "Client"
    assert info.value.reason == "Unknown operation: getUserz"


def test_http_599_is_a_throttling_axl_error() -> None:
    with pytest.raises(AxlError) as info:
        read_response(b"Maximum AXL Memory Allocation Consumed", status=599, operation="getUser")
    error = info.value
    assert (error.code, error.number, error.status, error.style) == ("", None, 599, "http")
    assert "599" in error.message and "Maximum AXL Memory" in error.message


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials(status: int) -> None:
    with pytest.raises(AuthenticationError) as info:
        read_response(HTML_PAGE, status=status, operation="getUser", content_type="text/html")
    assert info.value.status == status


def test_other_http_errors_without_a_fault_body() -> None:
    with pytest.raises(HttpStatusError) as info:
        read_response(HTML_PAGE, status=500, operation="getUser", content_type="text/html")
    assert type(info.value) is HttpStatusError
    assert info.value.status == 500
    assert "Cisco Unified Presence" in info.value.excerpt
    with pytest.raises(HttpStatusError) as empty:
        read_response(b"", status=503, operation="getUser")
    assert empty.value.status == 503


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", ""])
def test_an_html_page_with_200_is_malformed(content_type: str) -> None:
    with pytest.raises(MalformedResponseError) as info:
        read_response(HTML_PAGE, status=200, operation="getUser", content_type=content_type)
    assert "getUser" in str(info.value)
    assert "Cisco Unified Presence" in str(info.value)


def test_a_soap_body_labelled_html_is_malformed() -> None:
    with pytest.raises(MalformedResponseError) as info:
        read_response(GET_USER_RESPONSE, status=200, operation="getUser", content_type="text/html")
    assert "expected XML, got text/html" in str(info.value)


def test_truncated_xml_is_malformed_and_typed() -> None:
    truncated = GET_USER_RESPONSE[: len(GET_USER_RESPONSE) // 2]
    with pytest.raises(MalformedResponseError) as info:
        read_response(truncated, status=200, operation="getUser", content_type="text/xml")
    assert isinstance(info.value.__cause__, XmlError)
    assert not isinstance(info.value, etree.LxmlError)
    assert "unreadable" in str(info.value)
    assert len(str(info.value)) < 600


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"OK", "expected XML"),
        (b"<notsoap/>", "not a SOAP 1.1 envelope"),
        (f"<SOAP-ENV:Envelope {ENV}/>".encode(), "no Body"),
        (f"<SOAP-ENV:Envelope {ENV}><SOAP-ENV:Body/></SOAP-ENV:Envelope>".encode(), "empty Body"),
        (GET_USER_RESPONSE.replace(b"getUserResponse", b"getPhoneResponse"), "getPhoneResponse"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "unreadable"),
    ],
)
def test_other_unexpected_answers_are_malformed(content: bytes, words: str) -> None:
    with pytest.raises(MalformedResponseError) as info:
        read_response(content, status=200, operation="getUser")
    assert words in str(info.value)


def test_client_raises_the_typed_errors() -> None:
    transport = server(
        answer(FAULT_WITH_AXL_ERROR, 500),
        answer(b"", 599),
        answer(HTML_PAGE, 401, **{"content-type": "text/html"}),
    )
    # One answer per call: retries (which a 599 to getUser gets) are tested in tests/faults.
    client = AxlClient(BASE, username=USER, password=PASSWORD, transport=transport, retry=None)
    with pytest.raises(AxlError) as fault:
        client.call("getUser", {"userid": "nobody"})
    assert (fault.value.code, fault.value.style) == ("5007", "fault")
    with pytest.raises(AxlError) as busy:
        client.call("getUser", {"userid": "nobody"})
    assert (busy.value.status, busy.value.style) == (599, "http")
    with pytest.raises(AuthenticationError):
        client.call("getUser", {"userid": "nobody"})


# --------------------------------------------------------------------------- async


@pytest.mark.anyio
async def test_async_client_mirrors_the_sync_one(caplog: pytest.LogCaptureFixture) -> None:
    answers = [
        answer(GET_USER_RESPONSE),
        answer(OLD_STYLE_ERROR, 500),
        answer(PLAIN_FAULT, 500),
        answer(b"", 599),
        answer(HTML_PAGE, 200, **{"content-type": "text/html"}),
    ]

    async def handler(request: HttpRequest) -> HttpResponse:
        return answers.pop(0)

    transport = AsyncMockTransport(handler)
    async with AsyncAxlClient(
        BASE, username=USER, password=PASSWORD, transport=transport, retry=None
    ) as client:
        result = await client.call("getUser", {"userid": "tttt"}, sequence=1234)
        assert result.sequence == 1234
        assert result.return_value is not None and "user" in result.return_value
        with pytest.raises(AxlError) as old:
            await client.call("getUser", {"userid": "tttt"})
        assert (old.value.code, old.value.style) == ("-239", "error")
        with pytest.raises(SoapFault) as fault:
            await client.call("getUserz", {"userid": "tttt"})
        assert fault.value.code == "Client"
        with pytest.raises(AxlError) as busy:
            await client.call("getUser", {"userid": "tttt"})
        assert busy.value.status == 599
        with pytest.raises(MalformedResponseError):
            await client.call("getUser", {"userid": "tttt"})
    assert transport.requests[0].url == URL
    assert transport.requests[0].headers["SOAPAction"] == '"CUCM:DB ver=6.0"'
    assert request_element(transport.requests[0].content).get("sequence") == "1234"
    assert PASSWORD not in repr(client)


@pytest.mark.anyio
async def test_async_unversioned_client_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    transport = AsyncMockTransport(lambda request: answer(GET_USER_RESPONSE))
    client = AsyncAxlClient(
        BASE, username=USER, password=PASSWORD, version=None, transport=transport
    )
    with caplog.at_level(logging.WARNING, logger="ucxml.axl"):
        await client.call("getUser", {"userid": "tttt"})
        await client.call("getUser", {"userid": "tttt"})
    assert len(caplog.records) == 1
    assert all("SOAPAction" not in r.headers for r in transport.requests)


# --------------------------------------------------------------------------- secrets


def test_password_never_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    updated = f"""<SOAP-ENV:Envelope {ENV}><SOAP-ENV:Body><axl:updateUserResponse
    xmlns:axl="{AXL_NAMESPACE_1_0}"><return>{{AB12}}</return></axl:updateUserResponse>
    </SOAP-ENV:Body></SOAP-ENV:Envelope>""".encode()
    transport = server(answer(updated), answer(FAULT_WITH_AXL_ERROR, 500), answer(updated))
    with caplog.at_level(logging.DEBUG):
        client = AxlClient(BASE, username=USER, password=PASSWORD, transport=transport)
        text = repr(client)
        client.call("updateUser", {"userid": "tttt", "password": PASSWORD}, sequence=1)
        with pytest.raises(AxlError) as info:
            client.call("updateUser", {"userid": "tttt", "password": PASSWORD})
        unversioned = AxlClient(
            BASE, username=USER, password=PASSWORD, version=None, transport=transport
        )
        unversioned.call("updateUser", {"userid": "tttt", "password": PASSWORD})
    assert text == f"AxlClient({URL!r}, username={USER!r}, version='6.0')"
    assert PASSWORD not in repr(unversioned)
    assert PASSWORD.encode() in transport.requests[0].content  # it was sent...
    assert PASSWORD not in caplog.text  # ...but never logged
    assert PASSWORD not in str(info.value)
    assert PASSWORD not in repr(transport.requests[0])
    levels = {r.levelno for r in caplog.records if r.name == "ucxml.axl"}
    assert levels == {logging.DEBUG, logging.WARNING}
