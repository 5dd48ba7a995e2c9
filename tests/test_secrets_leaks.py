"""Planted secrets never reach a log record, a repr, or an error's text.

Every client is driven through successful and failing flows (wrong credentials, HTTP
errors, HTML, garbage, truncated and dropped answers) against the emulators over real
HTTP (AXL through a mock transport: it has no emulator), with ALL logging captured at
DEBUG (ucxml, httpx, httpcore, uvicorn, the root). Then every formatted record, its args,
every repr of the clients, requests and models, and every str()/repr() of the errors
raised (their causes included) is searched for the planted secret strings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ucxml import validate_capture
from ucxml.axl import AxlClient
from ucxml.cme import CmeClient
from ucxml.cup import CupClient
from ucxml.em import EmClient
from ucxml.emulator import EmulatorServer, create_app
from ucxml.emulator.cme_state import CmeRouter
from ucxml.emulator.cup_state import EpasService
from ucxml.emulator.em_state import EmService
from ucxml.emulator.faults import Faults
from ucxml.emulator.huawei_state import AgentGateway
from ucxml.errors import UcxmlError
from ucxml.generated.cme import models as cme_models
from ucxml.generated.em import models as em_models
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient
from ucxml.transport import HttpRequest, HttpResponse, MockTransport

CME_USER, CME_PW = "xmlplant", "Cme-Plant-Pw-5581"
ISPASSWORD = "IsPw-Plant-7712"
EM_APP, EM_CERT = "plantapp", "Em-Plant-Cert-3391"
CUP_USER, CUP_PW = "plantuser", "Cup-Plant-Pw-4417"
HW_AGENT, HW_PW, HW_PHONE = 1201, "Hw-Plant-Pw-2209", "70021201"
AXL_PW = "Axl-Plant-Pw-6650"
WRONG = "Wrong-Plant-Pw-9034"
PLANTED = [CME_PW, ISPASSWORD, EM_CERT, CUP_PW, HW_PW, AXL_PW, WRONG]
#: What drives a client through one failure of the emulator.
FAULTS: list[dict[str, Any]] = [
    {"status": 500},
    {"status": 401},
    {"html": True},
    {"garbage": True},
    {"truncate": True},
    {"drop": True},
    {"no_xml": True},
]
LOGGERS = ("", "ucxml", "httpx", "httpcore", "uvicorn", "uvicorn.error", "asyncio", "h11")


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logs() -> Iterator[_Everything]:
    handler = _Everything()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def server() -> Iterator[tuple[str, Any]]:
    router = CmeRouter(xml_users={CME_USER: (CME_PW, 15)})
    router.seed_demo()
    em = EmService()
    em.seed_demo()
    em.add_app_user(EM_APP, EM_CERT, proxy_rights=True)
    cup = EpasService()
    cup.add_user(CUP_USER, CUP_PW)
    gateway = AgentGateway()
    gateway.add_agent(HW_AGENT, password=HW_PW, phone=HW_PHONE)
    gateway.add_agent(HW_AGENT + 1, password=HW_PW, phone=HW_PHONE + "2")
    app = create_app(cme=router, em=em, cup=cup, huawei=gateway)
    with EmulatorServer(app) as running:
        yield running.base_url, app.state


class _Seen:
    """Every text a user or a log could show, collected for the search."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.dynamic: list[str] = []  # session keys and GUIDs, known once issued

    def obj(self, *items: object) -> None:
        for item in items:
            self.texts.append(repr(item))
            self.texts.append(str(item))

    def error(self, exc: BaseException) -> None:
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            self.obj(current)
            self.texts.extend(str(a) for a in current.args)
            current = current.__cause__ or current.__context__

    def call(self, action: Callable[[], object]) -> object:
        try:
            result = action()
        except UcxmlError as exc:
            self.error(exc)
            return None
        self.obj(result)
        return result


def _with_faults(faults: Faults, seen: _Seen, action: Callable[[], object]) -> None:
    for fault in FAULTS:
        for name, value in fault.items():
            setattr(faults, name, value)
        try:
            seen.call(action)
        finally:
            faults.clear()


def _drive_cme(url: str, state: Any, seen: _Seen) -> None:
    with CmeClient(url, username=CME_USER, password=CME_PW, timeout=5.0) as cme:
        seen.obj(cme)
        seen.call(cme.get_global)
        seen.call(lambda: cme.update_user(user_id="peter", password=ISPASSWORD))
        seen.call(lambda: cme.update_user(user_id="nobody", password=ISPASSWORD))
        _with_faults(
            state.cme_faults, seen, lambda: cme.update_user(user_id="peter", password=ISPASSWORD)
        )
        seen.obj(cme_models.ISupdateUserParams(user_id="peter", password=ISPASSWORD))
    with CmeClient(url, username=CME_USER, password=WRONG, timeout=5.0) as bad:
        seen.obj(bad)
        seen.call(bad.get_global)


def _drive_em(url: str, state: Any, seen: _Seen) -> None:
    with EmClient(url, app_id=EM_APP, app_certificate=EM_CERT, timeout=5.0) as em:
        seen.obj(em, em.urls)
        seen.call(lambda: em.login("SEP0011223344AA", "jdoe"))
        seen.call(lambda: em.device_user_query("SEP0011223344AA", "SEP0011223344BB"))
        seen.call(lambda: em.login("SEP0011223344AA", "asmith"))  # another user logged in
        seen.call(lambda: em.logout("SEP0011223344AA"))
        _with_faults(state.em_faults, seen, lambda: em.check_user("jdoe"))
        seen.obj(em_models.AppInfo(app_id=EM_APP, app_certificate=EM_CERT))
    with EmClient(url, app_id=EM_APP, app_certificate=WRONG, timeout=5.0) as bad:
        seen.obj(bad)
        seen.call(lambda: bad.check_user("jdoe"))


def _drive_cup(url: str, state: Any, seen: _Seen) -> None:
    with CupClient(url, username=CUP_USER, password=CUP_PW, timeout=5.0) as cup:
        seen.obj(cup)
        assert cup._session_key is not None
        seen.dynamic.append(cup._session_key)
        seen.call(cup.get_contact_list)
        _with_faults(state.cup_faults, seen, cup.get_contact_list)
        state.cup_faults.database_down = True
        seen.call(cup.get_contact_list)
        state.cup_faults.clear()
        seen.obj(cup)
    bad = CupClient(url, username=CUP_USER, password=WRONG, timeout=5.0)
    seen.obj(bad)
    seen.call(bad.login)
    bad.close()


def _drive_huawei(url: str, state: Any, seen: _Seen) -> None:
    with AgentGatewayClient(url, timeout=5.0) as gateway:
        seen.call(lambda: gateway.sign_in(HW_AGENT, HW_PHONE, password=WRONG))
        seen.call(lambda: gateway.sign_in(HW_AGENT, HW_PHONE, password=HW_PW))
        assert gateway.guid is not None
        seen.dynamic.append(gateway.guid)
        seen.obj(gateway)
        _with_faults(state.huawei_faults, seen, lambda: gateway.update_guid(HW_AGENT))
        seen.call(lambda: gateway.logout(HW_AGENT))

    async def asynchronous() -> None:
        async with AsyncAgentGatewayClient(url, timeout=5.0) as gateway:
            try:
                await gateway.sign_in(HW_AGENT + 1, HW_PHONE + "2", password=HW_PW)
                assert gateway.guid is not None
                seen.dynamic.append(gateway.guid)
                seen.obj(gateway)
                await gateway.logout(HW_AGENT + 1)
            except UcxmlError as exc:
                seen.error(exc)

    asyncio.run(asynchronous())


def _drive_axl(seen: _Seen) -> None:
    answers = iter(
        [
            HttpResponse(401, b"", {}, "Unauthorized"),
            HttpResponse(500, b"<html>AXL broke</html>", {"content-type": "text/html"}),
            HttpResponse(599, b"throttled", {}),
            HttpResponse(200, b"<not xml", {"content-type": "text/xml"}),
        ]
    )

    def handler(request: HttpRequest) -> HttpResponse:
        seen.obj(request)
        return next(answers)

    transport = MockTransport(handler)
    with AxlClient(
        "https://cucm.example.com:8443", username="axladmin", password=AXL_PW, transport=transport
    ) as axl:
        seen.obj(axl)
        for _ in range(4):
            seen.call(lambda: axl.call("updateUser", {"userid": "tttt", "password": AXL_PW}))
    seen.obj(*transport.requests)


def _search(logs: _Everything, seen: _Seen, secrets: list[str]) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts = list(seen.texts)
    for record in logs.records:
        texts.append(formatter.format(record))
        texts.append(repr(record.args))
        texts.append(str(record.msg))
    return [
        f"{secret!r} in {text[:300]!r}" for text in texts for secret in secrets if secret in text
    ]


def test_no_secret_in_logs_reprs_or_errors(
    server: tuple[str, Any], logs: _Everything, tmp_path: Path
) -> None:
    url, state = server
    seen = _Seen()
    _drive_cme(url, state, seen)
    _drive_em(url, state, seen)
    _drive_cup(url, state, seen)
    _drive_huawei(url, state, seen)
    _drive_axl(seen)
    captures = Path(__file__).resolve().parent / "captures" / "secrets"
    for capture in sorted(captures.iterdir()):
        seen.obj(*validate_capture(capture.read_bytes(), source=capture.name))
    # The flows ran and were logged: the search below is not vacuous.
    assert len(logs.records) > 20
    assert len(seen.dynamic) == 3
    assert any("401" in t or "Unauthorized" in t or "credentials" in t for t in seen.texts)
    leaks = _search(logs, seen, PLANTED + seen.dynamic)
    assert not leaks, "\n".join(leaks[:20])


def test_the_search_finds_a_planted_leak(logs: _Everything) -> None:
    # The same search flags a secret that does reach a log record or an error.
    logging.getLogger("ucxml").debug("sent %s", {"password": CUP_PW})
    seen = _Seen()
    seen.error(UcxmlError(f"bad {EM_CERT}"))
    leaks = _search(logs, seen, PLANTED)
    assert any(CUP_PW in leak for leak in leaks)
    assert any(EM_CERT in leak for leak in leaks)
