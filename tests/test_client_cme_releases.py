"""CmeClient ``release=``: the dialect requests are written in, and ``"auto"``.

The router here is the emulator's service run in-process behind a mock transport, so the
bytes each request carried can be looked at.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from ucxml import serialize
from ucxml._documents import decode, read_message
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER
from ucxml.emulator.cme_app import CmeService
from ucxml.emulator.cme_state import CmeRouter
from ucxml.errors import ParameterError
from ucxml.generated.cme import models as m
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport

ROUTERS = ("2008", "12.x")
CLIENTS = ("2008", "12.x", "auto")


def _service() -> CmeService:
    router = CmeRouter(xml_users={DEMO_USER: (DEMO_PASSWORD, 15)})
    router.exec_cli(["ephone-dn 1", "number 2001", "ephone 1", "mac-address 000D.BC80.EB51"])
    return CmeService(router)


def _router(release: str) -> MockTransport:
    service = _service()
    written = None if release == "2008" else release

    def answer(request: HttpRequest) -> HttpResponse:
        model = decode(read_message(request.content, "cme"))
        body = serialize(service.answer(model), release=written)
        return HttpResponse(200, body, {"content-type": "text/xml"})

    return MockTransport(answer)


def _form(content: bytes) -> str:
    """How a request was written: the 2008 envelope or the bare 12.x form."""
    if b"SOAP-ENV:Envelope" in content and b"xsi:type=" in content:
        return "2008"
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<request><IS'), content
    assert b"xsi:type" not in content and b"Envelope" not in content
    return "12.x"


@pytest.mark.parametrize(("router", "client"), list(itertools.product(ROUTERS, CLIENTS)))
def test_requests_follow_release_and_answers_say_theirs(router: str, client: str) -> None:
    transport = _router(router)
    with CmeClient("http://cme", release=client, transport=transport) as cme:  # type: ignore[arg-type]
        assert cme.release == client
        first = cme.get_device(dev_name=["all"])
        second = cme.get_extension(ext_number=["all"])
        third = cme.get_user("nobody")
    # The answers: the same typed models whichever dialect answered, each saying which.
    assert [d.dev_id for d in first.device] == [1]
    assert [e.ext_number for e in second.extension] == ["2001"]
    assert third.user.user_type is m.UserType.INVALID_CME_USER
    assert {first.release, second.release, third.release} == {router}
    forms = [_form(r.content) for r in transport.requests]
    if client == "auto":
        # The first request in the default (2008) form; then the router's own.
        assert forms == ["2008", router, router]
    else:
        assert forms == [client] * 3


def test_auto_decides_once_and_says_so() -> None:
    transport = _router("12.x")
    with CmeClient("http://cme", release="auto", transport=transport) as cme:
        assert cme.release == "auto"
        cme.get_global()
        assert cme.release == "12.x"
        cme.get_presence_global()
        assert cme.release == "12.x"


def test_auto_learns_from_a_streamed_answer_too() -> None:
    transport = _router("12.x")
    with CmeClient("http://cme", release="auto", transport=transport) as cme:
        assert [d.dev_id for d in cme.get_device(dev_name=["all"], stream=True)] == [1]
        assert cme.release == "12.x"
        cme.get_global()
    assert [_form(r.content) for r in transport.requests] == ["2008", "12.x"]


def test_an_answer_shared_by_two_methods_is_read_as_the_one_awaited() -> None:
    # A bare <response><ISsetResult> (no xsi:type) fits both ISsetKeyPhonesResponse and
    # ISupdateUserResponse: the client knows which one it waits for.
    bare = b"<response><ISsetResult>true</ISsetResult></response>"
    transport = MockTransport(lambda r: HttpResponse(200, bare, {"content-type": "text/xml"}))
    with CmeClient("http://cme", release="12.x", transport=transport) as cme:
        assert isinstance(cme.update_user(user_id="u", password="p"), m.ISupdateUserResponse)
        assert isinstance(cme.set_key_phones(["SEP000DBC80EB51"]), m.ISsetKeyPhonesResponse)


def test_an_unknown_release_is_refused_before_anything_is_sent() -> None:
    transport = _router("2008")
    with pytest.raises(ParameterError, match=r"'2008', '12\.x', not '11'"):
        CmeClient("http://cme", release="11", transport=transport)  # type: ignore[arg-type]
    assert transport.requests == []


def test_async_client_follows_the_same_rules() -> None:
    sync = _router("12.x")

    async def scenario() -> list[str | None]:
        transport = AsyncMockTransport(sync.handler)
        async with AsyncCmeClient("http://cme", release="auto", transport=transport) as cme:
            first = await cme.get_device(dev_id=[1])
            second = await cme.get_user("nobody")
            assert cme.release == "12.x"
        assert [_form(r.content) for r in transport.requests] == ["2008", "12.x"]
        return [first.release, second.release]

    assert asyncio.run(scenario()) == ["12.x", "12.x"]
