"""EPAS ``relogin=True`` under concurrency, failure and cancellation (issue 19, items 5-6).

A fake EPAS of the test's own (a transport handler) keeps one valid session key, as the
real one does for a user: every forced login replaces it and knocks the old one out.
After the session expires, many callers at once must cause one re-login, not one each
(which knocked each other's keys out: 45-49 of 50 async calls failed); a failed or
cancelled re-login must leave the client able to recover on a later call.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ucxml.cup import AsyncCupClient, CupClient
from ucxml.errors import CupLoginError, CupSessionError
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport

EXAMPLES = Path(__file__).resolve().parents[2] / "schemas/cup/examples/corrected"
CONTACTS = (EXAMPLES / "27-get-contact-list-response.xml").read_bytes()
LOGOUT = (EXAMPLES / "17-logout-response.xml").read_bytes()
_KEY = re.compile(rb"session-key[^>]*>\s*([^<\s]+)")
_SOAP = {"content-type": "application/soap+xml"}
EXPIRED = (
    b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
    b"<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason>"
    b'<env:Text xml:lang="en">Session expired or invalid session key.</env:Text>'
    b"</env:Reason></env:Fault></env:Body></env:Envelope>"
)


def _login_answer(key: str) -> bytes:
    return (
        '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
        '<epas:login-resp xmlns:epas="urn:cisco:epas:soap"><epas:success>'
        f"<epas:session-key>{key}</epas:session-key></epas:success></epas:login-resp>"
        "</env:Body></env:Envelope>"
    ).encode()


class FakeEpas:
    """One user's sessions: a login makes a new key valid and the old one invalid."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: str | None = None
        self.logins = 0
        self.refuse_logins = 0  # the next this many logins fail (server trouble)
        self.answered = 0

    def expire(self) -> None:
        with self.lock:
            self.key = None

    def answer(self, request: HttpRequest) -> HttpResponse:
        with self.lock:
            if b":login " in request.content or b":login>" in request.content:
                if self.refuse_logins:
                    self.refuse_logins -= 1
                    return HttpResponse(503, b"busy", {"content-type": "text/plain"})
                self.logins += 1
                self.key = f"key-{self.logins}"
                return HttpResponse(200, _login_answer(self.key), _SOAP)
            sent = _KEY.search(request.content)
            if self.key is None or sent is None or sent.group(1).decode() != self.key:
                return HttpResponse(400, EXPIRED, _SOAP)
            self.answered += 1
            logout = b":logout" in request.content
            return HttpResponse(200, LOGOUT if logout else CONTACTS, _SOAP)


def _client(epas: FakeEpas) -> CupClient:
    return CupClient(
        "https://cup:8443",
        username="u",
        password="p",
        relogin=True,
        transport=MockTransport(epas.answer),
        retry=None,
    )


def _async_client(
    handler: Callable[[HttpRequest], Awaitable[HttpResponse]],
) -> AsyncCupClient:
    return AsyncCupClient(
        "https://cup:8443",
        username="u",
        password="p",
        relogin=True,
        transport=AsyncMockTransport(handler),
        retry=None,
    )


def test_threads_meeting_one_expiry_log_in_again_once() -> None:
    epas = FakeEpas()
    with _client(epas) as cup:
        assert epas.logins == 1
        epas.expire()
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda _: cup.get_contact_list(), range(48)))
    assert len(results) == 48 and all(r.group is not None for r in results)
    assert epas.logins == 2  # one re-login for the one expiry, not one per thread


def test_async_calls_meeting_one_expiry_log_in_again_once() -> None:
    epas = FakeEpas()

    async def answer(request: HttpRequest) -> HttpResponse:
        await asyncio.sleep(0.001)  # a network's worth of interleaving between the calls
        return epas.answer(request)

    async def run() -> list[object]:
        async with _async_client(answer) as cup:
            epas.expire()
            return await asyncio.gather(*(cup.get_contact_list() for _ in range(50)))

    assert len(asyncio.run(run())) == 50
    assert epas.logins == 2


def test_a_failed_relogin_is_recovered_from_on_a_later_call() -> None:
    epas = FakeEpas()
    with _client(epas) as cup:
        epas.expire()
        epas.refuse_logins = 1
        with pytest.raises(Exception) as first:  # the server's 503 to the re-login
            cup.get_contact_list()
        assert not isinstance(first.value, CupSessionError) or first.value.state != "missing"
        assert cup.get_contact_list().group is not None  # it used to stay "missing" forever
    assert epas.logins == 2


def test_a_missing_session_is_logged_into_with_relogin() -> None:
    epas = FakeEpas()
    cup = _client(epas)  # not entered: never logged in
    assert cup.get_contact_list().group is not None and epas.logins == 1
    plain = CupClient(
        "https://cup:8443", username="u", password="p", transport=MockTransport(epas.answer)
    )
    with pytest.raises(CupSessionError, match="call login"):
        plain.get_contact_list()


def test_a_cancelled_relogin_leaves_the_client_usable() -> None:
    epas = FakeEpas()
    gate = asyncio.Event()

    async def slow(request: HttpRequest) -> HttpResponse:
        if b":login" in request.content and epas.logins >= 1:
            await gate.wait()  # the re-login hangs until cancelled
        return epas.answer(request)

    async def run() -> None:
        async with _async_client(slow) as cup:
            epas.expire()
            task = asyncio.create_task(cup.get_contact_list())
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            gate.set()
            assert (await cup.get_contact_list()).group is not None

    asyncio.run(run())
    assert epas.logins == 2


def test_a_wrong_password_on_relogin_is_a_login_error() -> None:
    epas = FakeEpas()
    with _client(epas) as cup:
        epas.expire()
        cup._password = None  # type: ignore[assignment]
        with pytest.raises(CupLoginError):
            cup.get_contact_list()
