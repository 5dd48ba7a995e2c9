"""The shared client path with a mock transport: what is sent, and every answer it refuses."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

import ucxml
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.errors import AuthenticationError, HttpStatusError, MalformedResponseError
from ucxml.generated.cme import models as m
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport

EXAMPLES = Path(__file__).resolve().parents[1] / "schemas/cme/examples"


def _answer(body: bytes, status: int = 200, ctype: str = "text/xml") -> MockTransport:
    return MockTransport(lambda _: HttpResponse(status, body, {"content-type": ctype}))


def test_request_is_a_declared_valid_envelope() -> None:
    transport = _answer((EXAMPLES / "corrected/29-ISgetUser-response.xml").read_bytes())
    with CmeClient("https://router:8443", transport=transport) as cme:
        user = cme.get_user("peter").user
    assert user.user_tag == 6
    (sent,) = transport.requests
    assert sent.method == "POST" and sent.url == "https://router:8443/ios_xml_app/cme"
    assert sent.headers["Content-Type"].startswith("text/xml")
    assert ucxml.validate(sent.content).valid
    assert ucxml.parse(sent.content) == m.ISgetUser(get_user=m.ISgetUserParams(user_id="peter"))


def test_documented_bare_answer_is_read_with_logged_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = _answer((EXAMPLES / "documented/29-ISgetUser-response.xml").read_bytes())
    with (
        caplog.at_level(logging.WARNING, logger="ucxml"),
        CmeClient("http://r", transport=transport) as cme,
    ):
        assert cme.get_user("peter").user.user_id == "peter"
    assert any("bare <response>" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("body", "status", "ctype", "error"),
    [
        (b"", 200, "text/xml", MalformedResponseError),
        (b"<html><body>Login</body></html>", 200, "text/html", MalformedResponseError),
        (b"OK", 200, "text/plain", MalformedResponseError),
        (
            b"<response xsi:type='ISgetUserResponse'><ISuser>",
            200,
            "text/xml",
            MalformedResponseError,
        ),
        (b"forbidden", 403, "text/plain", AuthenticationError),
        (b"Internal error", 500, "text/plain", HttpStatusError),
    ],
)
def test_refused_answers(body: bytes, status: int, ctype: str, error: type[Exception]) -> None:
    with CmeClient("http://r", transport=_answer(body, status, ctype)) as cme, pytest.raises(error):
        cme.get_user("peter")


def test_answer_of_another_operation_is_refused() -> None:
    body = (EXAMPLES / "corrected/23-ISgetEvtCounts-response.xml").read_bytes()
    with (
        CmeClient("http://r", transport=_answer(body)) as cme,
        pytest.raises(MalformedResponseError, match="expected ISgetUserResponse"),
    ):
        cme.get_user("peter")


def test_answer_that_is_a_request_is_refused() -> None:
    body = (EXAMPLES / "corrected/28-ISgetUser-request.xml").read_bytes()
    with (
        CmeClient("http://r", transport=_answer(body)) as cme,
        pytest.raises(MalformedResponseError, match="request"),
    ):
        cme.get_user("peter")


def test_unknown_element_in_answer_is_kept_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Read tolerantly, lose nothing: a later release's element is kept on the model."""
    body = (EXAMPLES / "corrected/29-ISgetUser-response.xml").read_bytes()
    body = body.replace(b"</ISuser>", b"<ISuserExtra>1</ISuserExtra></ISuser>")
    with CmeClient("http://r", transport=_answer(body)) as cme, caplog.at_level("WARNING"):
        answer = cme.get_user("peter")
    extra = answer.user.extra
    assert extra is not None and [u.xml for u in extra.elements] == ["<ISuserExtra>1</ISuserExtra>"]
    assert any(
        "ISuserExtra" in r.getMessage() and "T-UNKNOWN" in r.getMessage() for r in caplog.records
    )


def test_an_element_in_the_wrong_namespace_is_still_refused() -> None:
    """Known name, other namespace: a namespace error, not content of a later release."""
    body = (EXAMPLES / "corrected/29-ISgetUser-response.xml").read_bytes()
    body = body.replace(b"<ISuserTag>", b'<ISuserTag xmlns="urn:other">', 1)
    with (
        CmeClient("http://r", transport=_answer(body)) as cme,
        pytest.raises(MalformedResponseError, match="ISuserTag"),
    ):
        cme.get_user("peter")


def test_async_client_with_async_handler() -> None:
    body = (EXAMPLES / "corrected/31-ISupdateUser-response-success.xml").read_bytes()

    async def handler(request: HttpRequest) -> HttpResponse:
        assert b"ISupdateUser" in request.content
        return HttpResponse(200, body, {"content-type": "text/xml"})

    async def run() -> m.ISupdateUserResponse:
        async with AsyncCmeClient("http://r", transport=AsyncMockTransport(handler)) as cme:
            return await cme.update_user(user_id="peter", password="abc")

    assert asyncio.run(run()).set_result is True


def test_password_never_in_request_repr() -> None:
    request = HttpRequest("POST", "http://r", b"<ISpassword>abc</ISpassword>")
    assert "abc" not in repr(request)
