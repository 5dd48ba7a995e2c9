"""Pinned types of the AXL clients and the sans-I/O functions; checked by mypy in
tests/test_typing.py."""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

from lxml import etree

from ucxml.axl import (
    AsyncAxlClient,
    AxlClient,
    AxlResponse,
    AxlValue,
    axl_namespace,
    build_request,
    is_query,
    read_response,
    soap_action,
)
from ucxml.retry import RetryPolicy
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport


def _answer(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, b"", {"content-type": "text/xml"})


def constructors() -> None:
    plain = AxlClient("https://cucm:8443", username="admin", password="secret")
    assert_type(plain, AxlClient)
    axl = AxlClient(
        "https://cucm:8443/axl/",
        username="admin",
        password="secret",
        version="8.5",
        namespace="http://www.cisco.com/AXL/API/8.5",
        timeout=5.0,
        verify=False,
        ca_bundle=Path("ca.pem"),
        max_answer_bytes=1 << 20,
        transport=MockTransport(_answer),
        retry=RetryPolicy(attempts=1),
    )
    assert_type(axl, AxlClient)
    unversioned = AxlClient("https://cucm", username="a", password="b", version=None, retry=None)
    assert_type(unversioned, AxlClient)
    aplain = AsyncAxlClient("https://cucm:8443", username="admin", password="secret")
    assert_type(aplain, AsyncAxlClient)
    aaxl = AsyncAxlClient(
        "https://cucm:8443",
        username="admin",
        password="secret",
        version=None,
        namespace=None,
        timeout=5.0,
        verify=True,
        ca_bundle="ca.pem",
        max_answer_bytes=1 << 20,
        transport=AsyncMockTransport(_answer),
        retry=None,
    )
    assert_type(aaxl, AsyncAxlClient)


def answer_types(answer: AxlResponse) -> None:
    assert_type(answer.operation, str)
    assert_type(answer.element, etree._Element)
    assert_type(answer.sequence, int | None)
    assert_type(answer.to_dict(), dict[str, AxlValue])
    assert_type(answer.return_value, AxlValue | None)
    value = answer.return_value
    if isinstance(value, dict):
        assert_type(value, dict[str, AxlValue])
    elif isinstance(value, list):
        assert_type(value, list[AxlValue])
    elif value is not None:
        assert_type(value, str)


def sync_types(axl: AxlClient) -> None:
    assert_type(axl.call("getUser", {"userid": "tttt"}), AxlResponse)
    assert_type(axl.call("getUser", {"userid": "tttt"}, sequence=1234), AxlResponse)
    assert_type(axl.call("listPhone", None, idempotent=True), AxlResponse)
    assert_type(axl.call("getOSVersion"), AxlResponse)
    nested = {"name": "SEP0011223344AA", "lines": {"line": [{"index": 1}, {"index": 2}]}}
    assert_type(axl.call("updatePhone", nested, sequence=1, idempotent=False), AxlResponse)
    assert_type(axl.url, str)
    assert_type(axl.version, str | None)
    assert_type(axl.namespace, str)
    assert_type(axl.close(), None)


def sync_context(base_url: str) -> None:
    with AxlClient(base_url, username="admin", password="secret") as axl:
        assert_type(axl, AxlClient)
        assert_type(axl.call("getUser", {"userid": "tttt"}).return_value, AxlValue | None)


async def async_types(axl: AsyncAxlClient) -> None:
    assert_type(await axl.call("getUser", {"userid": "tttt"}), AxlResponse)
    assert_type(await axl.call("getUser", {"userid": "tttt"}, sequence=1234), AxlResponse)
    assert_type(await axl.call("listPhone", None, idempotent=True), AxlResponse)
    assert_type(await axl.call("executeSQLUpdate", {"sql": "x"}, idempotent=False), AxlResponse)
    assert_type(axl.url, str)
    assert_type(axl.version, str | None)
    assert_type(axl.namespace, str)
    assert_type(await axl.aclose(), None)


async def async_context(base_url: str) -> None:
    async with AsyncAxlClient(base_url, username="admin", password="secret") as axl:
        assert_type(axl, AsyncAxlClient)
        answer = await axl.call("getUser", {"userid": "tttt"})
        assert_type(answer.to_dict(), dict[str, AxlValue])


def functions(content: bytes) -> None:
    assert_type(is_query("getUser"), bool)
    assert_type(soap_action("8.5"), str | None)
    assert_type(soap_action(None), str | None)
    assert_type(axl_namespace("8.5"), str)
    assert_type(axl_namespace(None), str)
    assert_type(build_request("getUser", {"userid": "tttt"}), bytes)
    assert_type(build_request("getUser", None, version=None, namespace="urn:x", sequence=1), bytes)
    assert_type(read_response(content, status=200, operation="getUser"), AxlResponse)
    assert_type(
        read_response(
            content,
            status=200,
            operation="getUser",
            content_type="text/xml",
            secrets=frozenset({"secret"}),
        ),
        AxlResponse,
    )
