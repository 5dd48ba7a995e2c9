"""Every real CUCM answer of ``schemas/em/examples/realworld/`` fed to the typed client.

Data-driven: a new ``*-response*.xml`` there is picked up, and the call it answers is told
by its result element. Each answer gives a typed result carrying the release it showed, or
the typed error it means; none aborts reading. Sync and async clients agree.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ucxml._releases import releases
from ucxml.em import AsyncEmClient, EmClient
from ucxml.errors import EmError, MalformedResponseError, UcxmlError
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport

FOLDER = Path(__file__).resolve().parents[2] / "schemas" / "em" / "examples" / "realworld"
ANSWERS = sorted(FOLDER.glob("*response*.xml"))
_RESULT = re.compile(rb"<(?!\?|!)(?:response>\s*<)?([A-Za-z]+)")

#: The client call each result element answers: (method, arguments).
CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "deviceUserResults": ("device_user_query", ("SEP402CF4915265",)),
    "userDevicesResults": ("user_devices_query", ("em@cisco.com",)),
    "deviceProfileResults": ("device_profile_query", ("em@cisco.com",)),
    "checkUserResults": ("check_user", ("EMuser",)),
    "success": ("logout", ("SEP402CF4915265",)),
    "failure": ("logout", ("SEP402CF4915265",)),
    # The lower-cased page (ERRATA D14): its call, refused as malformed, never bound.
    "results": ("device_profile_query", ("john",)),
}


def _result_element(data: bytes) -> str:
    body = re.sub(rb"<!--.*?-->", b"", data, flags=re.DOTALL)
    body = re.sub(rb"<\?.*?\?>", b"", body, flags=re.DOTALL).strip()
    match = _RESULT.match(body)
    assert match, body[:80]
    return match.group(1).decode()


def _answer(data: bytes) -> Callable[[HttpRequest], HttpResponse]:
    return lambda _: HttpResponse(200, data, {"content-type": "text/xml"})


def _sync(data: bytes, method: str, args: tuple[str, ...]) -> Any:
    with EmClient(
        "https://ucm:8443",
        app_id="emapp",
        app_certificate="s3cr3t",
        release="12.x",
        transport=MockTransport(_answer(data)),
    ) as em:
        return getattr(em, method)(*args)


def _async(data: bytes, method: str, args: tuple[str, ...]) -> Any:
    async def run() -> Any:
        async with AsyncEmClient(
            "https://ucm:8443",
            app_id="emapp",
            app_certificate="s3cr3t",
            release="12.x",
            transport=AsyncMockTransport(_answer(data)),
        ) as em:
            return await getattr(em, method)(*args)

    return asyncio.run(run())


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "result", call()
    except UcxmlError as exc:
        return type(exc).__name__, (getattr(exc, "code", None), str(exc))


def test_the_answers_are_found() -> None:
    assert len(ANSWERS) >= 11
    assert {_result_element(p.read_bytes()) for p in ANSWERS} <= set(CALLS)


@pytest.mark.parametrize("path", ANSWERS, ids=lambda p: p.name)
def test_a_real_answer_gives_a_typed_result(path: Path) -> None:
    data = path.read_bytes()
    element = _result_element(data)
    method, args = CALLS[element]
    kind, value = _outcome(lambda: _sync(data, method, args))
    assert (kind, value) == _outcome(lambda: _async(data, method, args))
    if element == "failure":
        with pytest.raises(EmError) as raised:
            _sync(data, method, args)
        assert raised.value.code == "3" and raised.value.meaning
        return
    if element == "results":
        with pytest.raises(MalformedResponseError):
            _sync(data, method, args)
        return
    assert kind == "result", value
    if element == "success":
        assert value is None  # logout answers nothing but success
        return
    items = value if isinstance(value, list) else [value]
    known = {r.name for r in releases("em")}
    assert items and all(item.release in known and item.raw is not None for item in items)
