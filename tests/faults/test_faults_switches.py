"""The emulators' fault switches on the wire (plain HTTP, no ucxml client involved)."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from ucxml import serialize
from ucxml._documents import decode, read_message
from ucxml.emulator.cme_app import CmeFaults
from ucxml.emulator.cup_app import CupFaults
from ucxml.emulator.em_app import EmFaults
from ucxml.emulator.em_state import DEMO_EM_APP_CERTIFICATE, DEMO_EM_APP_ID
from ucxml.generated.em import models as em

if TYPE_CHECKING:  # annotations only: which "conftest" is imported depends on the run
    from conftest import Emulators

CME = "/ios_xml_app/cme"
EM = "/emservice/EMServiceServlet"


def em_post(url: str, message: Any) -> httpx.Response:
    form = urlencode({"xml": serialize(message).decode()})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return httpx.post(url + EM, content=form, headers=headers, timeout=5)


def app_info() -> em.AppInfo:
    return em.AppInfo(app_id=DEMO_EM_APP_ID, app_certificate=DEMO_EM_APP_CERTIFICATE)


QUERIES = {
    "deviceUserQuery": (
        em.Query(app_info=app_info(), device_user_query=em.DeviceUserQuery(device_name=["X"])),
        em.DeviceUserResults,
    ),
    "userDevicesQuery": (
        em.Query(app_info=app_info(), user_devices_query=em.UserDevicesQuery(user_id=["jdoe"])),
        em.UserDevicesResults,
    ),
    "checkUser": (
        em.Query(app_info=app_info(), check_user=em.CheckUser(user_id="jdoe")),
        em.CheckUserResults,
    ),
    "deviceProfileQuery": (
        em.Query(app_info=app_info(), device_profile_query=em.DeviceProfileQuery(user_id=["jdoe"])),
        em.DeviceProfileResults,
    ),
    "logoutAll": (em.Request(app_info=app_info(), logout_all=em.LogoutAll()), em.Response),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_em_busy_is_error_26_in_the_answer_element(emulators: Emulators, name: str) -> None:
    message, answer_type = QUERIES[name]
    emulators.em.busy = True
    response = em_post(emulators.url, message)
    assert response.status_code == 200
    answer = decode(read_message(response.content, "em"))
    assert type(answer) is answer_type
    assert answer.failure is not None and answer.failure.error is not None
    assert (answer.failure.error.code, answer.failure.error.value) == (
        26,
        "Busy, please try again",
    )
    emulators.em.clear()
    normal = decode(read_message(em_post(emulators.url, message).content, "em"))
    assert normal.failure is None


def test_fail_times_limits_the_faults_and_requests_are_counted(emulators: Emulators) -> None:
    faults = emulators.cme
    faults.status, faults.fail_times = 503, 2
    statuses = [httpx.post(emulators.url + CME, content=b"<x/>").status_code for _ in range(4)]
    assert statuses[:2] == [503, 503]
    assert 503 not in statuses[2:]  # answered normally (401: no credentials)
    assert faults.requests == 4 and faults.fail_times == 0


def test_status_body_retry_after_and_content_type(emulators: Emulators) -> None:
    faults = emulators.cme
    faults.status, faults.retry_after = 503, 2
    with_body = httpx.post(emulators.url + CME, content=b"<x/>")
    assert with_body.text.startswith("503 Service Unavailable")
    assert with_body.headers["retry-after"] == "2"
    faults.status_body = False
    bare = httpx.post(emulators.url + CME, content=b"<x/>")
    assert (bare.status_code, bare.content) == (503, b"")
    faults.clear()
    faults.content_type = "application/octet-stream"
    retyped = httpx.post(emulators.url + CME, content=b"<x/>")
    assert retyped.headers["content-type"] == "application/octet-stream"


def test_drop_closes_the_connection_without_a_byte(emulators: Emulators) -> None:
    emulators.cme.drop = True
    parts = urlsplit(emulators.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        body = b"<x/>"
        sock.sendall(
            b"POST "
            + CME.encode()
            + b" HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        assert sock.recv(4096) == b""
    assert emulators.cme.requests == 1


def test_cup_database_down_obeys_fail_times(emulators: Emulators) -> None:
    emulators.cup.database_down, emulators.cup.fail_times = True, 1
    url = emulators.url + "/EPASSoap/service"
    first = httpx.post(url, content=b"", headers={"Content-Type": "application/soap+xml"})
    assert first.status_code == 500 and b"Could not connect to database." in first.content
    second = httpx.post(url, content=b"", headers={"Content-Type": "application/soap+xml"})
    assert b"Could not connect to database." not in second.content


@pytest.mark.parametrize(
    ("faults", "switch", "value"),
    [
        (CmeFaults(), "drop", True),
        (CmeFaults(), "content_type", "text/html"),
        (EmFaults(), "busy", True),
        (CupFaults(), "expire_sessions", True),
        (CupFaults(), "database_down", True),
    ],
)
def test_every_switch_arms_and_clears(faults: Any, switch: str, value: Any) -> None:
    assert not faults.armed()
    faults.status_body, faults.fail_times, faults.retry_after = False, 3, 1.0
    assert not faults.armed(), "bookkeeping alone injects nothing"
    setattr(faults, switch, value)
    faults.requests = 7
    assert faults.armed()
    faults.clear()
    assert not faults.armed()
    assert (faults.requests, faults.fail_times, faults.status_body) == (0, None, True)
