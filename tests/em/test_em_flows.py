"""EmClient / AsyncEmClient against the EM emulator over real loopback HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ucxml.em import AsyncEmClient, DeviceState, EmClient, logout_all_action
from ucxml.emulator.em_app import create_em_app
from ucxml.emulator.em_state import EmService
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import EmError
from ucxml.transport import HttpRequest, HttpResponse, MockTransport

APP, CERT = "emapp", "emapp-secret"
AA, BB, CC = "SEP0011223344AA", "SEP0011223344BB", "SEP0011223344CC"


@dataclass
class Running:
    url: str
    service: EmService
    clock: list[float]


@pytest.fixture
def em_server() -> Iterator[Running]:
    clock = [1_700_000_000.0]
    service = EmService(clock=lambda: clock[0])
    service.seed_demo()
    with EmulatorServer(create_em_app(service)) as server:
        yield Running(server.base_url, service, clock)


def _client(running: Running, **kwargs: object) -> EmClient:
    options: dict[str, object] = {"app_id": APP, "app_certificate": CERT, "timeout": 5.0}
    options.update(kwargs)
    return EmClient(running.url, **options)  # type: ignore[arg-type]


def test_hot_desking_flow(em_server: Running) -> None:
    with _client(em_server) as em:
        em.login(AA, "jdoe", profile="jdoe-UDP-8845", duration=30)
        em.login(BB, "em@cisco.com")
        devices = em.device_user_query(AA, BB, CC, "SEP000000000000")
        assert [(d.device, d.state, d.user) for d in devices] == [
            (AA, DeviceState.LOGGED_IN, "jdoe"),
            (BB, DeviceState.LOGGED_IN, "em@cisco.com"),
            (CC, DeviceState.LOGGED_OUT, None),
            ("SEP000000000000", DeviceState.DOES_NOT_EXIST, None),
        ]
        assert devices[1].user_raw == "em%40cisco.com"
        users = em.user_devices_query("jdoe", "asmith", "ghost")
        assert [(u.user, u.exists, u.devices) for u in users] == [
            ("jdoe", True, (AA,)),
            ("asmith", True, ()),
            ("ghost", False, ()),
        ]
        assert em.check_user("jdoe").exists and not em.check_user("ghost").exists
        profiles = em.device_profile_query("jdoe")
        assert {p.name: p.default for p in profiles[0].profiles}["jdoe-UDP-8845"] is True
        em.logout(AA)
        assert em.device_user_query(AA)[0].state is DeviceState.LOGGED_OUT
        em.logout_all()
        assert em.device_user_query(BB)[0].state is DeviceState.LOGGED_OUT


def test_exclusive_duration_expires(em_server: Running) -> None:
    with _client(em_server) as em:
        em.login(AA, "jdoe", duration=10)
        em_server.clock[0] += 11 * 60
        assert em.device_user_query(AA)[0].state is DeviceState.LOGGED_OUT
        em.login(BB, "asmith", duration="indefinite")
        em_server.clock[0] += 10_000 * 60
        assert em.device_user_query(BB)[0].state is DeviceState.LOGGED_IN


def _code(call: object) -> int:
    assert callable(call)
    with pytest.raises(EmError) as info:
        call()
    assert info.value.meaning is not None
    assert info.value.code == str(info.value.number)  # the code as sent, and as a number
    assert info.value.number is not None
    return info.value.number


def test_error_codes(em_server: Running) -> None:
    with _client(em_server) as em:
        assert _code(lambda: em.login("SEP000000000000", "jdoe")) == 11
        em.login(AA, "jdoe")
        assert _code(lambda: em.login(AA, "asmith")) == 18
        assert _code(lambda: em.logout(CC)) == 19
        assert _code(lambda: em.login(CC, "ghost")) == 23
        assert _code(lambda: em.login(CC, "jdoe")) == 25
        em_server.service.busy = True
        assert _code(lambda: em.device_user_query(AA)) == 26
        em_server.service.busy = False
    with _client(em_server, app_certificate="wrong") as bad:
        assert _code(lambda: bad.logout_all()) == 3
        assert _code(lambda: bad.device_user_query(AA)) == 3


def test_v333_urls(em_server: Running) -> None:
    host = em_server.url.removeprefix("http://")
    with _client(em_server, call_manager_host=host, version="v333") as em:
        assert em.urls.login.endswith("/LoginService/login.asp")
        em.login(AA, "jdoe")
        assert em.device_user_query(AA)[0].user == "jdoe"
        em.logout(AA)


def test_metreos_action_against_the_emulator(em_server: Running) -> None:
    host = em_server.url.removeprefix("http://")
    with _client(em_server) as em:
        em.login(AA, "jdoe")
    result = logout_all_action(APP, CERT, call_manager_host=host, version="other")
    assert tuple(result) == (0, None) and result.success
    failed = logout_all_action(APP, "wrong", call_manager_host=host, version="other")
    assert failed.error_code == 3 and failed.error_message and not failed.success


def test_async_flow(em_server: Running) -> None:
    async def scenario() -> None:
        async with AsyncEmClient(
            em_server.url, app_id=APP, app_certificate=CERT, timeout=5.0
        ) as em:
            await em.login(AA, "jdoe")
            first, second = await asyncio.gather(
                em.device_user_query(AA), em.user_devices_query("jdoe")
            )
            assert first[0].state is DeviceState.LOGGED_IN
            assert second[0].devices == (AA,)
            with pytest.raises(EmError) as info:
                await em.login(AA, "asmith")
            assert info.value.code == "18"
            await em.logout_all()
            assert (await em.device_user_query(AA))[0].state is DeviceState.LOGGED_OUT

    asyncio.run(scenario())


# --------------------------------------------------------------------------- real CUCM shapes


def test_wrapped_answers_are_read_and_logged_once(
    em_server: Running, caplog: pytest.LogCaptureFixture
) -> None:
    """The emulator answers query results wrapped in <response>, as every real CUCM does:
    the client reads them, and logs the tolerance once per operation, not per answer."""
    with _client(em_server) as em, caplog.at_level(logging.DEBUG, logger="ucxml"):
        em.login(AA, "em@cisco.com")
        for _ in range(3):
            device = em.device_user_query(AA)[0]
            assert (device.user, device.last_login_user) == ("em@cisco.com", "em@cisco.com")
    wrapped = [r for r in caplog.records if "T-WRAPPER" in r.getMessage()]
    assert [r.levelno for r in wrapped] == [logging.WARNING, logging.DEBUG, logging.DEBUG]


def test_a_profile_query_with_an_unknown_user(em_server: Running) -> None:
    with _client(em_server) as em:
        jdoe, nobody = em.device_profile_query("jdoe", "nobody")
    assert jdoe.failure is None and jdoe.profiles
    assert nobody.failure is not None and nobody.failure.code == "23" and not nobody.profiles


def test_check_user_reads_a_user_id_as_exists() -> None:
    """CUCM 12 answers ``<exists>EMuser</exists>`` (the spec's trace): the user exists."""
    answers = {
        b"EMuser": True,
        b"true": True,
        b"t": True,
        b"false": False,
        b"no": False,
        b"0": False,
    }
    for text, expected in answers.items():
        body = (
            b'<response><checkUserResults><user id="EMuser"><exists>'
            + text
            + b"</exists></user></checkUserResults></response>"
        )

        def answer(request: HttpRequest, body: bytes = body) -> HttpResponse:
            return HttpResponse(200, body, {"content-type": "text/xml"})

        with EmClient(
            "http://ucm:8080", app_id=APP, app_certificate=CERT, transport=MockTransport(answer)
        ) as em:
            check = em.check_user("EMuser")
        assert (check.exists, check.exists_raw) == (expected, text.decode()), text
