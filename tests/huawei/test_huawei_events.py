"""Event polling under dynamic authentication (``AUTHMODE=2``), against the emulator.

The clients poll ``GET /agentgateway/resource/agentevent/{agentid}`` (sync and async);
every answer's ``Set-GUID`` replaces the GUID and the next request sends the new one (the
emulator refuses the old one, so each successful poll proves it too). The iterators stop
cleanly on ``close()`` (also from another thread), on leaving a ``with``, on the client's
close, on cancellation, and after the session's last event. The refreshed GUIDs never show
in a log, a repr or an error.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from ucxml._jsondocs import validate_json
from ucxml.emulator.app import create_app
from ucxml.emulator.huawei_app import EVENT_PATH
from ucxml.emulator.huawei_state import (
    DEMO_AGENT_ID,
    DEMO_AGENT_PASSWORD,
    DEMO_PHONE,
    DEMO_SECOND_AGENT_ID,
    AgentGateway,
    demo_agent_gateway,
)
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import EventPollingError, GatewayError, UcxmlError
from ucxml.generated.huawei.models import AgentEvent
from ucxml.huawei import (
    AGENT_EVENT_TYPES,
    GATEWAY_ERROR_CODES,
    SHUTDOWN_EVENT,
    AgentGatewayClient,
    AsyncAgentGatewayClient,
)
from ucxml.transport import (
    AsyncHttpxTransport,
    AsyncMockTransport,
    AsyncTransport,
    HttpRequest,
    HttpResponse,
    HttpxTransport,
    MockTransport,
    Transport,
)

EVENTS = 30
#: The state changes driven after the sign-in (whose two events come first).
UNKNOWN = "AgentEvent_Vendor_Extension"


@dataclass
class Exchange:
    guid_sent: str | None
    guid_set: str | None
    path: str
    retcode: str


@dataclass
class Recorder:
    """What each request sent in ``Guid`` and each answer set in ``Set-GUID``."""

    exchanges: list[Exchange] = field(default_factory=list)

    def note(self, request: HttpRequest, answer: HttpResponse) -> None:
        retcode = httpx.Response(200, content=answer.content).json().get("retcode", "?")
        self.exchanges.append(
            Exchange(
                request.headers.get("Guid"),
                answer.headers.get("set-guid"),
                httpx.URL(request.url).path,
                retcode,
            )
        )

    def polls(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.path.startswith(EVENT_PATH)]


class RecordingTransport(Transport):
    def __init__(self, recorder: Recorder) -> None:
        self.inner = HttpxTransport(timeout=5.0)
        self.recorder = recorder

    def send(self, request: HttpRequest) -> HttpResponse:
        answer = self.inner.send(request)
        self.recorder.note(request, answer)
        return answer

    def close(self) -> None:
        self.inner.close()


class AsyncRecordingTransport(AsyncTransport):
    def __init__(self, recorder: Recorder) -> None:
        self.inner = AsyncHttpxTransport(timeout=5.0)
        self.recorder = recorder

    async def send(self, request: HttpRequest) -> HttpResponse:
        answer = await self.inner.send(request)
        self.recorder.note(request, answer)
        return answer

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, AgentGateway]]:
    gateway = AgentGateway()
    with EmulatorServer(create_app(huawei=gateway)) as running:
        yield running.base_url, gateway


@pytest.fixture
def emulator(served: tuple[str, AgentGateway]) -> tuple[str, AgentGateway]:
    url, gateway = served
    for agent in demo_agent_gateway().agents():
        gateway.add_agent(agent.agent_id, password=agent.password, phone=agent.phone)
    return url, gateway


def drive(gateway: AgentGateway, agent: int) -> list[str]:
    """Queue the state changes after a sign-in; the event types every poll must give."""
    expected = ["AgentOther_InService", "AgentState_Ready"]
    while len(expected) < EVENTS:
        step = (len(expected) - 2) % 4
        if step == 0:
            gateway.set_state(agent, "Busy")
            expected.append("AgentState_Busy")
        elif step == 1:
            gateway.set_talking(agent, True)
            expected.append("AgentEvent_Talking")
        elif step == 2:
            gateway.set_talking(agent, False)
            expected.append("AgentState_Ready")
        else:
            gateway.push_event(agent, UNKNOWN, {"detail": {"n": len(expected)}, "list": [1]})
            expected.append(UNKNOWN)
    return expected


def check_polls(recorder: Recorder, first_guid: str, events: list[AgentEvent]) -> list[str]:
    """Every poll sent the GUID the previous answer set; every answer set a new one."""
    polls = recorder.polls()[: len(events)]
    assert len(polls) == EVENTS
    assert all(p.retcode == "0" for p in polls)
    sent = [p.guid_sent for p in polls]
    refreshed = [p.guid_set for p in polls]
    assert sent[0] == first_guid
    assert sent[1:] == refreshed[:-1]  # each request carries the GUID just refreshed
    guids = [g for g in refreshed if g]
    assert len(set(guids)) == EVENTS and first_guid not in guids  # changed on every poll
    return guids


def check_events(events: list[AgentEvent], expected: list[str]) -> None:
    assert [e.event_type for e in events] == expected
    assert {e.work_no for e in events} == {str(DEMO_AGENT_ID)}
    talking = [e for e in events if e.event_type == "AgentEvent_Talking"]
    assert talking and all(
        e.content is not None and e.content["called"] == DEMO_PHONE for e in talking
    )
    unknown = [e for e in events if e.event_type == UNKNOWN]
    assert unknown and UNKNOWN not in AGENT_EVENT_TYPES  # kept, with every member
    assert unknown[0].content == {"detail": {"n": 5}, "list": [1]}
    assert all(e.content is None for e in events if e.event_type.startswith("AgentState_"))


# --------------------------------------------------------------------------- the flows


def test_sync_flow_polls_30_events_with_the_guid_refreshed(
    emulator: tuple[str, AgentGateway],
) -> None:
    url, gateway = emulator
    recorder = Recorder()
    with AgentGatewayClient(url, transport=RecordingTransport(recorder)) as gw:
        gw.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
        first = gw.guid
        assert first is not None
        expected = drive(gateway, DEMO_AGENT_ID)
        events: list[AgentEvent] = []
        with gw.events(DEMO_AGENT_ID, interval=0.01) as stream:
            guard = threading.Timer(30, stream.close)  # a missing event fails, never hangs
            guard.start()
            for event in stream:
                events.append(event)
                if len(events) == EVENTS:
                    break
            guard.cancel()
        check_events(events, expected)
        guids = check_polls(recorder, first, events)
        assert gw.guid == guids[-1]
        assert gw.get_agent_event(DEMO_AGENT_ID) is None  # nothing waits: None, no error
        gw.logout(DEMO_AGENT_ID)  # sent with the latest GUID, which the gateway accepts
        assert recorder.exchanges[-1].guid_sent == recorder.polls()[-1].guid_set
        assert gw.guid is None
        # The session's last event still comes, with its last GUID; then the stream ends.
        rest = list(gw.events(DEMO_AGENT_ID, interval=0.01))
        assert [e.event_type for e in rest] == [SHUTDOWN_EVENT]
    assert gateway.agent(DEMO_AGENT_ID).signed_in is False


def test_async_flow_polls_30_events_with_the_guid_refreshed(
    emulator: tuple[str, AgentGateway],
) -> None:
    url, gateway = emulator
    recorder = Recorder()

    async def scenario() -> None:
        transport = AsyncRecordingTransport(recorder)
        async with AsyncAgentGatewayClient(url, transport=transport) as gw:
            await gw.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
            first = gw.guid
            assert first is not None
            expected = drive(gateway, DEMO_AGENT_ID)
            events: list[AgentEvent] = []
            async with gw.events(DEMO_AGENT_ID, interval=0.01) as stream:
                guard = asyncio.get_running_loop().call_later(30, stream.close)
                async for event in stream:
                    events.append(event)
                    if len(events) == EVENTS:
                        break
                guard.cancel()
            check_events(events, expected)
            guids = check_polls(recorder, first, events)
            assert gw.guid == guids[-1]
            await gw.force_logout(DEMO_AGENT_ID)
            assert recorder.exchanges[-1].guid_sent == guids[-1]
            rest = [e.event_type async for e in gw.events(DEMO_AGENT_ID, interval=0.01)]
            assert rest == [SHUTDOWN_EVENT]
        await transport.aclose()

    asyncio.run(scenario())


# --------------------------------------------------------------------------- clean stops


def test_close_from_another_thread_ends_a_wait_at_once(
    emulator: tuple[str, AgentGateway],
) -> None:
    url, _ = emulator
    with AgentGatewayClient(url, timeout=5.0) as gw:
        gw.sign_in(DEMO_SECOND_AGENT_ID, "88880002")
        stream = gw.events(DEMO_SECOND_AGENT_ID, interval=60.0)
        assert [next(stream).event_type, next(stream).event_type] == [
            "AgentOther_InService",
            "AgentState_Ready",
        ]
        threading.Timer(0.2, stream.close).start()
        started = time.monotonic()
        assert list(stream) == []  # the 60 s wait ended with close()
        assert time.monotonic() - started < 10
        assert stream.closed
        gw.logout(DEMO_SECOND_AGENT_ID)


def test_leaving_the_with_block_or_closing_the_client_stops_the_stream(
    emulator: tuple[str, AgentGateway],
) -> None:
    url, _ = emulator
    gw = AgentGatewayClient(url, timeout=5.0)
    gw.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
    with gw.events(DEMO_AGENT_ID, interval=0.01) as stream:
        assert next(stream).event_type == "AgentOther_InService"
    assert stream.closed
    with pytest.raises(StopIteration):
        next(stream)
    other = gw.events(DEMO_AGENT_ID, interval=60.0)
    assert not other.closed
    gw.logout(DEMO_AGENT_ID)
    gw.close()
    assert other.closed and list(other) == []


def test_an_error_of_a_poll_is_raised_from_the_iteration(
    emulator: tuple[str, AgentGateway],
) -> None:
    url, _ = emulator
    with AgentGatewayClient(url, timeout=5.0) as gw:
        stream = gw.events(DEMO_AGENT_ID, interval=0.01)
        with pytest.raises(GatewayError) as info:
            next(stream)  # never signed in
        assert info.value.code == "100-006"


def test_cancelling_the_async_iteration_closes_the_stream(
    emulator: tuple[str, AgentGateway],
) -> None:
    url, _ = emulator

    async def scenario() -> None:
        async with AsyncAgentGatewayClient(url, timeout=5.0) as gw:
            await gw.sign_in(DEMO_SECOND_AGENT_ID, "88880002")
            stream = gw.events(DEMO_SECOND_AGENT_ID, interval=60.0)
            seen: list[str] = []

            async def consume() -> None:
                async for event in stream:
                    seen.append(event.event_type)

            task = asyncio.create_task(consume())
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert stream.closed and seen == ["AgentOther_InService", "AgentState_Ready"]
            with pytest.raises(StopAsyncIteration):
                await stream.__anext__()

            # close() (or aclose()) from another task ends a wait at once.
            again = gw.events(DEMO_SECOND_AGENT_ID, interval=60.0)
            loop = asyncio.get_running_loop()
            loop.call_later(0.2, again.close)
            started = time.monotonic()
            assert [e async for e in again] == []
            assert time.monotonic() - started < 10
            waiting = gw.events(DEMO_SECOND_AGENT_ID, interval=60.0)
            loop.call_later(0.2, lambda: asyncio.ensure_future(gw.aclose()))
            assert [e async for e in waiting] == []  # the client's close stops it
            assert waiting.closed

    asyncio.run(scenario())


def test_the_interval_must_be_positive() -> None:
    with AgentGatewayClient("http://127.0.0.1:9") as gw:  # nothing is sent
        for bad in (0, -1, True, "1", float("nan")):
            with pytest.raises(ValueError, match="interval"):
                gw.events(DEMO_AGENT_ID, interval=bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- wire shapes


def test_000_001_is_a_typed_error() -> None:
    body = b'{"message": "wrong method", "retcode": "000-001", "event": null}'
    answer = HttpResponse(200, body, {"content-type": "application/json"})
    transport = MockTransport(lambda request: answer)
    with AgentGatewayClient("https://gw:8043", guid="G", transport=transport) as gw:
        with pytest.raises(EventPollingError) as info:
            gw.get_agent_event(DEMO_AGENT_ID)
        stream = gw.events(DEMO_AGENT_ID, interval=0.01)
        with pytest.raises(EventPollingError):
            next(stream)
    assert isinstance(info.value, GatewayError)
    assert info.value.code == "000-001"
    assert info.value.meaning == GATEWAY_ERROR_CODES["000-001"]
    assert transport.requests[0].method == "GET"
    assert transport.requests[0].url == f"https://gw:8043{EVENT_PATH}/{DEMO_AGENT_ID}"

    async def scenario() -> None:
        async_transport = AsyncMockTransport(lambda request: answer)
        async with AsyncAgentGatewayClient("https://gw:8043", transport=async_transport) as gw:
            with pytest.raises(EventPollingError):
                await gw.get_agent_event(DEMO_AGENT_ID)

    asyncio.run(scenario())


def test_the_emulator_answers_the_real_shapes(emulator: tuple[str, AgentGateway]) -> None:
    url, gateway = emulator
    base = f"{url}/agentgateway/resource"
    json_type = {"Content-Type": "application/json; charset=UTF-8"}
    with httpx.Client(timeout=5.0) as http:
        signed = http.put(
            f"{base}/onlineagent/{DEMO_AGENT_ID}",
            json={"phonenum": DEMO_PHONE, "password": DEMO_AGENT_PASSWORD, "status": "4"},
        )
        result = signed.json()["result"]
        assert isinstance(result["vdnid"], int) and result["mediatype"] == "TTF"
        assert isinstance(result["loginTime"], str) and result["isForceChange"] == "false"
        report = validate_json(signed.content)
        assert report.valid and {i.code for i in report.issues} == {"T-LEXICAL"}
        guid = signed.headers["set-guid"]
        polled = http.get(f"{base}/agentevent/{DEMO_AGENT_ID}", headers={**json_type, "Guid": guid})
        assert list(polled.json()) == ["message", "retcode", "event"]
        assert polled.json()["event"] == {
            "content": None,
            "eventType": "AgentOther_InService",
            "workNo": str(DEMO_AGENT_ID),
        }
        assert validate_json(polled.content).issues == ()
        fresh = polled.headers["set-guid"]
        assert fresh != guid
        stale = http.get(f"{base}/agentevent/{DEMO_AGENT_ID}", headers={**json_type, "Guid": guid})
        assert stale.json()["retcode"] == "000-003"  # the refreshed GUID replaced it
        wrong = http.post(f"{base}/agentevent/{DEMO_AGENT_ID}", headers={"Guid": fresh})
        assert wrong.json()["retcode"] == "000-001"
        renewed = http.put(
            f"{base}/onlineagent/{DEMO_AGENT_ID}/updateGuid", headers={**json_type, "Guid": fresh}
        )
        assert renewed.json()["result"] == {"guid": renewed.headers["set-guid"]}
        http.delete(
            f"{base}/onlineagent/{DEMO_AGENT_ID}/logout",
            headers={**json_type, "Guid": renewed.headers["set-guid"]},
        )
    assert [e.event_type for e in gateway.pending_events(DEMO_AGENT_ID)] == [
        "AgentState_Ready",
        SHUTDOWN_EVENT,
    ]


def test_an_update_guid_answer_without_set_guid_gives_the_result_guid() -> None:
    body = (
        b'{"result": {"guid": "NEW-GUID-FROM-BODY.AgentGateway1"},'
        b' "message": "success", "retcode": "0"}'
    )
    answer = HttpResponse(200, body, {"content-type": "application/json"})
    with AgentGatewayClient(
        "https://gw:8043", guid="OLD", transport=MockTransport(lambda r: answer)
    ) as gw:
        response = gw.update_guid(DEMO_AGENT_ID)
        assert gw.guid == "NEW-GUID-FROM-BODY.AgentGateway1"
        assert "NEW-GUID" not in repr(response) and "NEW-GUID" not in repr(gw)


# --------------------------------------------------------------------------- secrets

OLD_GUID = "JSESSIONID=0A1B2C3D4E5F60718293A4B5C6D7E8F9.AgentGateway0"
NEW_GUID = "JSESSIONID=F9E8D7C6B5A4938271605F4E3D2C1B0A.AgentGateway0"


def _shown(error: BaseException) -> list[str]:
    texts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        texts += [str(current), repr(current), *map(str, current.args)]
        current = current.__cause__ or current.__context__
    return texts


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    "echo",
    [
        b'{"message": "bad GUID %s (was %s)", "retcode": "000-003"}',
        b'{"message": "bad GUID %s (was %s)", "retcode": "0", "event": {"eventType": 5}',
        b'{"message": "%s %s", "retcode": "0", "event": {"eventType": ["x"]}}',
    ],
    ids=["gateway-error", "malformed", "unexpected"],
)
def test_a_refreshed_guid_never_shows(
    mode: str, echo: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """The GUID a poll set (and the one it replaced) is masked in errors, logs and reprs."""
    first = HttpResponse(
        200,
        b'{"message":"","retcode":"0","event":{"content":null,"eventType":"AgentState_Ready","workNo":291}}',
        {"content-type": "application/json", "set-guid": NEW_GUID},
    )
    second = HttpResponse(
        200, echo % (NEW_GUID.encode(), OLD_GUID.encode()), {"content-type": "application/json"}
    )
    answers = [first, second]

    def handler(request: HttpRequest) -> HttpResponse:
        return answers.pop(0)

    with caplog.at_level(logging.DEBUG):
        if mode == "sync":
            gw = AgentGatewayClient(
                "https://gw:8043", guid=OLD_GUID, transport=MockTransport(handler)
            )
            stream = gw.events(DEMO_AGENT_ID, interval=0.01)
            event = next(stream)
            assert gw.guid == NEW_GUID
            with pytest.raises(UcxmlError) as info:
                next(stream)
            shown = [repr(gw), repr(stream), repr(event), *_shown(info.value)]
        else:

            async def scenario() -> list[str]:
                gw = AsyncAgentGatewayClient(
                    "https://gw:8043", guid=OLD_GUID, transport=AsyncMockTransport(handler)
                )
                stream = gw.events(DEMO_AGENT_ID, interval=0.01)
                event = await stream.__anext__()
                assert gw.guid == NEW_GUID
                with pytest.raises(UcxmlError) as info:
                    await stream.__anext__()
                return [repr(gw), repr(stream), repr(event), *_shown(info.value)]

            shown = asyncio.run(scenario())
    shown += [record.getMessage() for record in caplog.records]
    for text in shown:
        assert NEW_GUID not in text and OLD_GUID not in text, text
        assert "F9E8D7C6B5A4938271605F4E3D2C1B0A" not in text
