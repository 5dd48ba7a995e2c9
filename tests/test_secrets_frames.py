"""No plaintext secret in the frames or the chain of an error (issue 19, item 9).

A reporter that captures locals (Sentry, rich's ``show_locals``) reprs every local of
every frame of a traceback; one that walks ``__context__`` finds errors raised ``from
None``. Each client call that carries a secret fails here against a real loopback socket
(refused, or a 500 answer), sync and async: no frame of ucxml's code shows the secret in
the repr of a local, and no httpx error (its request holds the Authorization header) is
anywhere in the chain.
"""

from __future__ import annotations

import asyncio
import base64
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from ucxml.axl import AsyncAxlClient, AxlClient
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import AsyncCupClient, CupClient
from ucxml.em import AsyncEmClient, EmClient
from ucxml.errors import UcxmlError
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient

from loopback import loopback, read_request

PASSWORD = "Frame-Secret-Pw-7731"
NEW_PASSWORD = "New-Frame-Secret-4419"
CERTIFICATE = "Frame-App-Cert-5520"
SECRETS = (
    PASSWORD,
    NEW_PASSWORD,
    CERTIFICATE,
    base64.b64encode(f"admin:{PASSWORD}".encode()).decode(),
)


def _refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(params=["refused", "http-500"])
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "refused":
        yield _refused_url()
        return

    def fail(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\noops")

    with loopback(fail) as served:
        yield served


SYNC: dict[str, Callable[[str], object]] = {
    "axl call": lambda url: AxlClient(url, username="admin", password=PASSWORD, timeout=2).call(
        "updateUser", {"userid": "jdoe", "password": NEW_PASSWORD}
    ),
    "cme update_user": lambda url: CmeClient(
        url, username="admin", password=PASSWORD, timeout=2
    ).update_user(user_id="jdoe", password=NEW_PASSWORD),
    "em login": lambda url: EmClient(
        url, app_id="emapp", app_certificate=CERTIFICATE, timeout=2
    ).login("SEP0011223344AA", "jdoe"),
    "cup login": lambda url: CupClient(url, timeout=2).login(username="jdoe", password=PASSWORD),
    "huawei sign_in": lambda url: AgentGatewayClient(url, timeout=2).sign_in(
        1001, "3001", password=PASSWORD
    ),
}

ASYNC: dict[str, Callable[[str], Awaitable[object]]] = {
    "axl call": lambda url: AsyncAxlClient(
        url, username="admin", password=PASSWORD, timeout=2
    ).call("updateUser", {"userid": "jdoe", "password": NEW_PASSWORD}),
    "cme update_user": lambda url: AsyncCmeClient(
        url, username="admin", password=PASSWORD, timeout=2
    ).update_user(user_id="jdoe", password=NEW_PASSWORD),
    "em login": lambda url: AsyncEmClient(
        url, app_id="emapp", app_certificate=CERTIFICATE, timeout=2
    ).login("SEP0011223344AA", "jdoe"),
    "cup login": lambda url: AsyncCupClient(url, timeout=2).login(
        username="jdoe", password=PASSWORD
    ),
    "huawei sign_in": lambda url: AsyncAgentGatewayClient(url, timeout=2).sign_in(
        1001, "3001", password=PASSWORD
    ),
}


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]


def _leaks(error: BaseException) -> list[str]:
    found = []
    for current in _chain(error):
        module = type(current).__module__
        if not module.startswith("ucxml"):
            found.append(f"{module}.{type(current).__name__} in the chain")
        tb = current.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            if "/ucxml/" in frame.f_code.co_filename:
                for name, value in frame.f_locals.items():
                    shown = repr(value)
                    if any(s in shown for s in SECRETS):
                        found.append(f"{frame.f_code.co_name}: {name}")
            tb = tb.tb_next
    return found


def _failure(call: Callable[[], Any]) -> UcxmlError:
    with pytest.raises(UcxmlError) as raised:
        call()
    return raised.value


@pytest.mark.parametrize("name", SYNC)
def test_a_failed_call_keeps_its_secrets_out_of_frames_and_chain(url: str, name: str) -> None:
    error = _failure(lambda: SYNC[name](url))
    assert _leaks(error) == []


@pytest.mark.parametrize("name", ASYNC)
def test_a_failed_async_call_keeps_its_secrets_out_of_frames_and_chain(url: str, name: str) -> None:
    error = _failure(lambda: asyncio.run(_awaited(ASYNC[name](url))))
    assert _leaks(error) == []


async def _awaited(call: Awaitable[object]) -> object:
    return await call
