"""AgentGatewayClient / AsyncAgentGatewayClient on the wire (MockTransport, no network).

The seed's interface exactly: ``DELETE
/agentgateway/resource/onlineagent/{agentid}/forcelogoutwithreason/{reason}`` with the
``Content-Type`` and ``Guid`` headers, agent IDs 101-999999 and reasons 1-255 checked
before anything is sent, ``retcode`` "0" or a :class:`GatewayError`.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Callable

import pytest

from ucxml.errors import (
    AuthenticationError,
    GatewayError,
    HttpStatusError,
    MalformedResponseError,
    ParameterError,
    ServerError,
)
from ucxml.generated.huawei.models import (
    GatewayResponse,
    SignInRequest,
    SignInResult,
    UpdateGuidResponse,
)
from ucxml.huawei import (
    CONTENT_TYPE,
    GATEWAY_ERROR_CODES,
    AgentGatewayClient,
    AsyncAgentGatewayClient,
)
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport

BASE = "https://cc-gateway:8043"
PREFIX = BASE + "/agentgateway/resource/onlineagent"
GUID = "JSESSIONID=4F1C0FFEE2B54D6E9A7C11D2D8A3B7E1.AgentGateway0"
NEW_GUID = "JSESSIONID=0DDBA11CAFE04B2A8E6F55C3A9D1E7F2.AgentGateway0"
PASSWORD = "Pa55-w0rd!"
SIGN_IN_RESULT = {
    "vdnid": "1",
    "workno": "1001",
    "mediatype": "TTF",
    "loginTime": 1700000000000,
    "isForceChange": False,
    "serverName": "AgentGateway0",
    "timeRemaining": 30,
}


def envelope(
    retcode: str = "0", message: str = "success", result: object = None, **headers: str
) -> HttpResponse:
    body = json.dumps({"message": message, "retcode": retcode, "result": result}).encode()
    return HttpResponse(200, body, {"content-type": "application/json;charset=UTF-8", **headers})


def gateway(*answers: HttpResponse) -> MockTransport:
    """A transport answering ``answers`` in turn (the last one repeatedly)."""
    queue = list(answers)

    def handler(request: HttpRequest) -> HttpResponse:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return MockTransport(handler)


def signed_in_client(transport: MockTransport) -> AgentGatewayClient:
    return AgentGatewayClient(BASE, guid=GUID, transport=transport)


# --------------------------------------------------------------------------- the seed


def test_force_logout_with_reason_request_is_the_seeds_interface() -> None:
    transport = gateway(envelope())
    client = signed_in_client(transport)
    result = client.force_logout_with_reason(agent_id=1001, reason=5)
    assert isinstance(result, GatewayResponse)
    assert (result.retcode, result.message) == ("0", "success")
    (request,) = transport.requests
    assert request.method == "DELETE"
    assert request.url == f"{PREFIX}/1001/forcelogoutwithreason/5"
    assert request.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert request.headers["Guid"] == GUID
    assert request.content == b""


def test_keyword_names_are_exactly_agent_id_and_reason() -> None:
    for cls in (AgentGatewayClient, AsyncAgentGatewayClient):
        parameters = list(inspect.signature(cls.force_logout_with_reason).parameters)
        assert parameters == ["self", "agent_id", "reason"]


@pytest.mark.parametrize(
    ("agent_id", "reason", "url_tail"),
    [
        (101, 1, "101/forcelogoutwithreason/1"),
        (999999, 255, "999999/forcelogoutwithreason/255"),
        ("59999", 128, "59999/forcelogoutwithreason/128"),
        ("00101", 7, "101/forcelogoutwithreason/7"),
    ],
)
def test_range_boundaries_are_accepted(agent_id: int | str, reason: int, url_tail: str) -> None:
    transport = gateway(envelope())
    signed_in_client(transport).force_logout_with_reason(agent_id=agent_id, reason=reason)
    assert transport.requests[0].url == f"{PREFIX}/{url_tail}"


@pytest.mark.parametrize(
    ("agent_id", "reason", "words"),
    [
        (100, 5, "101-999999"),
        (1000000, 5, "101-999999"),
        (0, 5, "101-999999"),
        (-101, 5, "101-999999"),
        ("100", 5, "101-999999"),
        (1001, 0, "1-255"),
        (1001, 256, "1-255"),
        (1001, -1, "1-255"),
        ("1e3", 5, "digits"),
        (" 1001", 5, "digits"),
        ("１００１", 5, "digits"),  # full-width digits are not ASCII
        (True, 5, "not bool"),
        (1001.0, 5, "not float"),
        (None, 5, "not NoneType"),
        (1001, True, "not bool"),
        (1001, "5", "not str"),
        (1001, 5.0, "not float"),
    ],
)
def test_out_of_range_is_refused_before_sending(
    agent_id: object, reason: object, words: str
) -> None:
    transport = gateway(envelope())
    client = signed_in_client(transport)
    with pytest.raises(ParameterError, match=words) as info:
        client.force_logout_with_reason(agent_id=agent_id, reason=reason)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert transport.requests == []


def test_agent_ids_above_the_documented_59999_warn(caplog: pytest.LogCaptureFixture) -> None:
    transport = gateway(envelope())
    client = signed_in_client(transport)
    with caplog.at_level(logging.WARNING, logger="ucxml"):
        client.force_logout_with_reason(agent_id=59999, reason=1)
        assert caplog.records == []
        client.force_logout_with_reason(agent_id=60000, reason=1)
    assert len(caplog.records) == 1
    assert "60000" in caplog.text and "59999" in caplog.text
    assert len(transport.requests) == 2


def test_failure_100_005_raises_with_code_message_and_meaning() -> None:
    transport = gateway(envelope("100-005", "sign out param is invalid"))
    with pytest.raises(GatewayError) as info:
        signed_in_client(transport).force_logout_with_reason(agent_id=1001, reason=9)
    error = info.value
    assert isinstance(error, ServerError)
    assert error.code == "100-005"
    assert error.text == "sign out param is invalid"
    assert error.meaning == GATEWAY_ERROR_CODES["100-005"] == "sign-out parameter invalid"
    assert "100-005" in str(error) and "sign out param is invalid" in str(error)


@pytest.mark.parametrize("code", ["000-002", "000-003", "100-006"])
def test_documented_failures_of_the_interface(code: str) -> None:
    transport = gateway(envelope(code, "refused"))
    with pytest.raises(GatewayError) as info:
        signed_in_client(transport).force_logout_with_reason(agent_id=1001, reason=9)
    assert info.value.code == code
    assert info.value.meaning == GATEWAY_ERROR_CODES[code]


def test_an_unknown_retcode_still_raises_with_its_code_and_message() -> None:
    transport = gateway(envelope("123-456", "brand new failure"))
    with pytest.raises(GatewayError) as info:
        signed_in_client(transport).force_logout_with_reason(agent_id=1001, reason=9)
    assert info.value.code == "123-456"
    assert info.value.meaning is None
    assert "123-456" in str(info.value) and "brand new failure" in str(info.value)


def test_every_documented_code_has_a_meaning() -> None:
    assert len(GATEWAY_ERROR_CODES) == 18
    assert GATEWAY_ERROR_CODES["100-006"] == "the agent is not signed in"
    assert GATEWAY_ERROR_CODES["000-003"].startswith("no permission")
    assert all(code.count("-") == 1 for code in GATEWAY_ERROR_CODES)


# --------------------------------------------------------------------------- the other endpoints


OPERATIONS: list[tuple[str, str, str]] = [
    ("logout", "DELETE", "/1001/logout"),
    ("force_logout", "DELETE", "/1001/forcelogout"),
    ("update_guid", "PUT", "/1001/updateGuid"),
]


@pytest.mark.parametrize(("method", "http_method", "tail"), OPERATIONS)
def test_body_less_operations(method: str, http_method: str, tail: str) -> None:
    transport = gateway(envelope(**{"set-guid": NEW_GUID}))
    client = signed_in_client(transport)
    result = getattr(client, method)(1001)
    assert isinstance(result, UpdateGuidResponse if method == "update_guid" else GatewayResponse)
    (request,) = transport.requests
    assert (request.method, request.url) == (http_method, PREFIX + tail)
    assert request.headers == {
        "Content-Type": CONTENT_TYPE,
        "Accept": "application/json",
        "Guid": GUID,
    }
    assert request.content == b""


@pytest.mark.parametrize(
    ("method", "tail"),
    [("sign_in", "/1001"), ("force_login", "/1001/forcelogin"), ("login_ex", "/1001/loginex")],
)
def test_sign_in_operations_send_the_body_and_keep_the_guid(method: str, tail: str) -> None:
    transport = gateway(envelope(result=SIGN_IN_RESULT, **{"Set-GUID": GUID}), envelope())
    client = AgentGatewayClient(BASE, transport=transport)
    assert client.guid is None
    result = getattr(client, method)(
        1001, "88880001", password=PASSWORD, autoanswer=False, agenttype=4, status=4
    )
    assert isinstance(result, SignInResult)
    assert (result.vdnid, result.workno, result.login_time) == ("1", "1001", 1700000000000)
    assert (result.is_force_change, result.server_name, result.time_remaining) == (
        False,
        "AgentGateway0",
        30,
    )
    sign_in = transport.requests[0]
    assert (sign_in.method, sign_in.url) == ("PUT", PREFIX + tail)
    assert sign_in.headers["Content-Type"] == CONTENT_TYPE
    assert "Guid" not in sign_in.headers
    assert json.loads(sign_in.content) == {
        "password": PASSWORD,
        "phonenum": "88880001",
        "autoanswer": False,
        "agenttype": 4,
        "status": 4,
    }
    assert client.guid == GUID
    client.force_logout_with_reason(agent_id=1001, reason=3)
    assert transport.requests[1].headers["Guid"] == GUID


def test_sign_in_without_options_sends_only_the_phone_number() -> None:
    transport = gateway(envelope(result=None, **{"set-guid": GUID}))
    result = AgentGatewayClient(BASE, transport=transport).sign_in("1001", "88880001")
    assert result == SignInResult()
    assert json.loads(transport.requests[0].content) == {"phonenum": "88880001"}


@pytest.mark.parametrize(
    ("phonenum", "options", "words"),
    [
        ("", {}, "phonenum"),
        (88880001, {}, "phonenum"),
        ("1" * 25, {}, "longer than 24"),
        ("88880001", {"autoanswer": "yes"}, "autoanswer must be a bool"),
        ("88880001", {"agenttype": -4}, "agenttype"),
        ("88880001", {"status": True}, "status"),
        ("88880001", {"password": 1234}, "password must be a string"),
    ],
)
def test_sign_in_arguments_are_checked_before_sending(
    phonenum: object, options: dict[str, object], words: str
) -> None:
    transport = gateway(envelope())
    client = AgentGatewayClient(BASE, transport=transport)
    with pytest.raises(ParameterError, match=words) as info:
        client.sign_in(1001, phonenum, **options)  # type: ignore[arg-type]
    assert "1234" not in str(info.value)
    assert transport.requests == []


@pytest.mark.parametrize("method", ["sign_in", "force_login", "login_ex"])
def test_a_misspelt_sign_in_option_is_refused_before_sending(method: str) -> None:
    transport = gateway(envelope())
    client = AgentGatewayClient(BASE, transport=transport)
    with pytest.raises(TypeError, match="unexpected keyword argument 'autoanwser'") as info:
        getattr(client, method)(1001, "88880001", autoanwser=True, password="Pw-99x")
    assert "autoanswer" in str(info.value)  # the names it takes
    assert "Pw-99x" not in str(info.value)
    assert transport.requests == []


def test_update_guid_replaces_the_guid_and_logout_forgets_it() -> None:
    transport = gateway(
        envelope(result=SIGN_IN_RESULT, **{"set-guid": GUID}),
        envelope(**{"set-guid": NEW_GUID}),
        envelope(),
        envelope(),
    )
    client = AgentGatewayClient(BASE, transport=transport)
    client.sign_in(1001, "88880001")
    client.update_guid(1001)
    assert client.guid == NEW_GUID
    client.logout(1001)
    assert transport.requests[2].headers["Guid"] == NEW_GUID
    assert client.guid is None
    client.force_logout(1002)
    assert "Guid" not in transport.requests[3].headers


def test_a_sign_out_of_another_agent_keeps_the_guid() -> None:
    transport = gateway(envelope(result=SIGN_IN_RESULT, **{"set-guid": GUID}), envelope())
    client = AgentGatewayClient(BASE, transport=transport)
    client.sign_in(1001, "88880001")
    client.force_logout(1002)
    assert client.guid == GUID


def test_a_sign_in_without_set_guid_keeps_the_given_guid() -> None:
    transport = gateway(envelope(result=SIGN_IN_RESULT))
    client = AgentGatewayClient(BASE, guid=GUID, transport=transport)
    client.sign_in(1001, "88880001")
    assert client.guid == GUID
    client.guid = NEW_GUID
    assert client.guid == NEW_GUID


def test_a_failed_sign_in_keeps_no_guid() -> None:
    transport = gateway(envelope("100-002", "already signed in", **{"set-guid": GUID}))
    client = AgentGatewayClient(BASE, transport=transport)
    with pytest.raises(GatewayError, match="100-002"):
        client.sign_in(1001, "88880001")
    assert client.guid is None


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://gw:8043", "https://gw:8043/agentgateway/resource/onlineagent/101/logout"),
        ("https://gw:8043/", "https://gw:8043/agentgateway/resource/onlineagent/101/logout"),
        (
            "https://gw:8043/agentgateway/resource/onlineagent",
            "https://gw:8043/agentgateway/resource/onlineagent/101/logout",
        ),
        ("http://proxy/cc1/", "http://proxy/cc1/agentgateway/resource/onlineagent/101/logout"),
    ],
)
def test_base_urls(base_url: str, expected: str) -> None:
    transport = gateway(envelope())
    AgentGatewayClient(base_url, transport=transport).logout(101)
    assert transport.requests[0].url == expected


def test_a_bad_base_url_is_refused() -> None:
    with pytest.raises(ValueError, match="base URL"):
        AgentGatewayClient("cc-gateway:8043")


# --------------------------------------------------------------------------- secrets


def test_the_guid_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    echo = f"GUID {GUID} is not valid"
    transport = gateway(
        envelope(result=SIGN_IN_RESULT, **{"set-guid": GUID}),
        envelope("000-003", echo),
        HttpResponse(500, echo.encode(), {"content-type": "text/plain"}, "Server Error"),
        HttpResponse(200, echo.encode(), {"content-type": "text/plain"}),
    )
    client = AgentGatewayClient(BASE, transport=transport)
    with caplog.at_level(logging.DEBUG, logger="ucxml"):
        client.sign_in(1001, "88880001", password=PASSWORD)
        errors = []
        for _ in range(3):
            with pytest.raises((GatewayError, HttpStatusError, MalformedResponseError)) as info:
                client.logout(1001)
            errors.append(info.value)
    assert client.guid == GUID
    assert GUID not in repr(client) and "'***'" in repr(client)
    assert GUID not in repr(transport.requests[1])
    for error in errors:
        assert GUID not in str(error) and GUID not in repr(error)
        assert "***" in str(error)
    assert GUID not in caplog.text and PASSWORD not in caplog.text
    assert "logout: DELETE" in caplog.text


def test_the_password_never_shows_outside_the_body() -> None:
    transport = gateway(envelope(result=SIGN_IN_RESULT))
    AgentGatewayClient(BASE, transport=transport).sign_in(1001, "8888", password=PASSWORD)
    request = transport.requests[0]
    assert PASSWORD not in repr(request)
    assert json.loads(request.content)["password"] == PASSWORD
    body = SignInRequest(phonenum="8888", password=PASSWORD)
    assert PASSWORD not in repr(body) and "password='***'" in repr(body)


def test_repr_without_guid() -> None:
    client = AgentGatewayClient(BASE + "/", transport=gateway(envelope()))
    assert repr(client) == "AgentGatewayClient('https://cc-gateway:8043', guid=None)"


# --------------------------------------------------------------------------- broken answers


def raw(status: int, body: bytes, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(status, body, {"content-type": content_type}, "Reason")


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        (raw(401, b""), AuthenticationError, "401"),
        (raw(403, b"forbidden"), AuthenticationError, "403"),
        (raw(503, b"busy", "text/plain"), HttpStatusError, "503"),
        (raw(200, b""), MalformedResponseError, "empty"),
        (raw(200, b"<html><body>error</body></html>", "text/html"), MalformedResponseError, "JSON"),
        (raw(200, b"retcode=0"), MalformedResponseError, "expected JSON"),
        (
            raw(200, b'{"message":"success","retcode":"0","res'),
            MalformedResponseError,
            "unreadable",
        ),
        (raw(200, b"[1, 2]"), MalformedResponseError, "envelope"),
        (raw(200, b'{"message":"success"}'), MalformedResponseError, "envelope"),
        (
            raw(200, b'{"message":"success","retcode":"0","result":null,"extra":1}'),
            MalformedResponseError,
            "unknown field 'extra'",
        ),
        (
            raw(200, b'{"message":true,"retcode":"0"}'),
            MalformedResponseError,
            "/message",
        ),
    ],
)
def test_broken_answers_raise_typed_errors(
    answer: HttpResponse, error: type[Exception], words: str
) -> None:
    client = signed_in_client(gateway(answer))
    with pytest.raises(error, match=words):
        client.force_logout(1001)


def test_unknown_sign_in_result_fields_are_not_dropped_silently() -> None:
    transport = gateway(envelope(result={**SIGN_IN_RESULT, "newField": 1}, **{"set-guid": GUID}))
    client = AgentGatewayClient(BASE, transport=transport)
    with pytest.raises(MalformedResponseError, match="newField"):
        client.sign_in(1001, "88880001")
    assert client.guid == GUID  # the gateway did sign the agent in


def test_a_retcode_sent_as_a_number_is_still_a_failure() -> None:
    client = signed_in_client(gateway(raw(200, b'{"message":"x","retcode":100}')))
    with pytest.raises(GatewayError) as info:
        client.logout(1001)
    assert info.value.code == "100"


# --------------------------------------------------------------------------- async


def test_async_client_mirrors_the_sync_one() -> None:
    answers: list[Callable[[], HttpResponse]] = [
        lambda: envelope(result=SIGN_IN_RESULT, **{"set-guid": GUID}),
        lambda: envelope(),
        lambda: envelope("100-006", "agent not logged in"),
    ]

    async def handler(request: HttpRequest) -> HttpResponse:
        await asyncio.sleep(0)
        return answers.pop(0)()

    transport = AsyncMockTransport(handler)

    async def scenario() -> None:
        async with AsyncAgentGatewayClient(BASE, transport=transport) as client:
            result = await client.sign_in(1001, "88880001", password=PASSWORD)
            assert result.workno == "1001"
            assert client.guid == GUID and GUID not in repr(client)
            done = await client.force_logout_with_reason(agent_id="1001", reason=255)
            assert done.retcode == "0"
            with pytest.raises(ParameterError):
                await client.force_logout_with_reason(agent_id=1001, reason=256)
            assert client.guid is None  # the session of 1001 has ended
            with pytest.raises(GatewayError) as info:
                await client.logout(1001)
            assert info.value.code == "100-006"

    asyncio.run(scenario())
    assert [r.method for r in transport.requests] == ["PUT", "DELETE", "DELETE"]
    assert transport.requests[1].url == f"{PREFIX}/1001/forcelogoutwithreason/255"
    assert transport.requests[1].headers["Guid"] == GUID
    assert "Guid" not in transport.requests[2].headers


def test_async_operations_exist_for_every_sync_one() -> None:
    public = {n for n in vars(AgentGatewayClient) if not n.startswith("_")}
    assert {"sign_in", "force_login", "login_ex", "logout", "force_logout"} <= public
    assert {"force_logout_with_reason", "update_guid", "get_agent_event", "events"} <= public
    assert callable(AgentGatewayClient.close) and callable(AsyncAgentGatewayClient.aclose)
    # close is aclose in the async twin; events makes a stream (async iteration), at once.
    assert not inspect.iscoroutinefunction(AsyncAgentGatewayClient.events)
    for name in public - {"close", "events"}:
        assert inspect.iscoroutinefunction(getattr(AsyncAgentGatewayClient, name)), name
