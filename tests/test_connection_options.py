"""The connection options every client takes: named once, each reaching the client, and a
name that is none of them refused (a misspelt ``timout=`` is not silently ignored)."""

from __future__ import annotations

import asyncio
import typing
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import pytest

import ucxml.client
from ucxml._options import Connection
from ucxml.axl import AsyncAxlClient, AxlClient
from ucxml.client import ConnectionOptions
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import AsyncCupClient, CupClient
from ucxml.em import AsyncEmClient, EmClient
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient
from ucxml.retry import DEFAULT_RETRY, RetryPolicy

URL = "https://127.0.0.1:8443"

CLIENTS: dict[str, Callable[..., Any]] = {
    "cme": lambda **o: CmeClient(URL, username="u", password="p", **o),
    "cme-async": lambda **o: AsyncCmeClient(URL, username="u", password="p", **o),
    "em": lambda **o: EmClient(URL, app_id="app", app_certificate="cert", **o),
    "em-async": lambda **o: AsyncEmClient(URL, app_id="app", app_certificate="cert", **o),
    "cup": lambda **o: CupClient(URL, username="u", password="p", **o),
    "cup-async": lambda **o: AsyncCupClient(URL, username="u", password="p", **o),
    "huawei": lambda **o: AgentGatewayClient(URL, **o),
    "huawei-async": lambda **o: AsyncAgentGatewayClient(URL, **o),
    "axl": lambda **o: AxlClient(URL, username="u", password="p", **o),
    "axl-async": lambda **o: AsyncAxlClient(URL, username="u", password="p", **o),
}


def _close(client: Any) -> None:
    if hasattr(client, "aclose"):
        asyncio.run(client.aclose())
    else:
        client.close()


def test_the_options_are_named_once() -> None:
    typed = set(typing.get_type_hints(ConnectionOptions))
    assert typed == {f.name for f in fields(Connection)}
    assert typed == {"timeout", "verify", "ca_bundle", "max_answer_bytes", "retry"}
    doc = ucxml.client.__doc__ or ""
    assert all(f"``{name}``" in doc for name in typed), doc


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_a_misspelt_option_is_refused(name: str) -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'timout'") as info:
        CLIENTS[name](timout=5)
    assert "timeout" in str(info.value)  # the names it takes


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_every_option_reaches_the_client(name: str) -> None:
    policy = RetryPolicy(attempts=2)
    client = CLIENTS[name](
        timeout=7.5, verify=True, ca_bundle=None, max_answer_bytes=4321, retry=policy
    )
    try:
        assert client._retry is policy
        assert client._transport._max_bytes == 4321
        assert client._transport._total == 7.5
    finally:
        _close(client)


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_the_defaults(name: str) -> None:
    client = CLIENTS[name]()
    try:
        assert client._retry is DEFAULT_RETRY
        assert client._transport._max_bytes == Connection().max_answer_bytes
        assert client._transport._total == 30.0
    finally:
        _close(client)


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_retry_none_is_kept_not_defaulted(name: str) -> None:
    client = CLIENTS[name](retry=None)
    try:
        assert client._retry is None
    finally:
        _close(client)
