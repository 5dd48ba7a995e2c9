"""A base URL with credentials in it is refused by every client, without quoting them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ucxml.axl import AxlClient
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import CupClient
from ucxml.em import EmClient
from ucxml.errors import ParameterError
from ucxml.huawei import AgentGatewayClient

SECRET = "Url-Pw-7731"
URL = f"https://admin:{SECRET}@127.0.0.1:8443"

CLIENTS: dict[str, Callable[[str], Any]] = {
    "cme": lambda url: CmeClient(url, username="u", password="p"),
    "cme-async": lambda url: AsyncCmeClient(url, username="u", password="p"),
    "em": lambda url: EmClient(url, app_id="app", app_certificate="cert"),
    "cup": lambda url: CupClient(url, username="u", password="p"),
    "huawei": lambda url: AgentGatewayClient(url),
    "axl": lambda url: AxlClient(url, username="u", password="p"),
}


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_credentials_in_the_url_are_refused_unquoted(name: str) -> None:
    with pytest.raises(ParameterError, match="must not carry credentials") as info:
        CLIENTS[name](URL)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_a_malformed_url_with_credentials_is_not_quoted(name: str) -> None:
    with pytest.raises(ParameterError) as info:
        CLIENTS[name](f"ftp://admin:{SECRET}@host")
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_a_plain_url_is_accepted(name: str) -> None:
    client = CLIENTS[name]("https://127.0.0.1:8443")
    assert "127.0.0.1:8443" in repr(client)
