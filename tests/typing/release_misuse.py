"""Client constructions mypy must reject: a release or an option that does not exist."""

from __future__ import annotations

from ucxml.cme import CmeClient
from ucxml.cup import AsyncCupClient, CupClient
from ucxml.em import EmClient
from ucxml.huawei import AgentGatewayClient


def misuse(release: str) -> None:
    CmeClient("https://router", release="15.0")  # no such CME release
    EmClient("https://ucm", app_id="a", app_certificate="c", release="5.0")  # nor EM
    CupClient("https://cup", release="9.0")  # nor EPAS
    AsyncCupClient("https://cup", release=release)  # any str is not a release name
    AgentGatewayClient("https://gw", release="newest")  # nor CC-Gateway
    CmeClient("https://router", timout=5)  # no such connection option
    EmClient("https://ucm", app_id="a", app_certificate="c", verify="yes")  # a bool
    CmeClient("https://router", release="12.x", retry=3)  # a RetryPolicy or None


def fine() -> None:
    CmeClient("https://router", release="auto", timeout=5, retry=None)
    EmClient("https://ucm", app_id="a", app_certificate="c", release="12.x", verify=False)
    CupClient("https://cup", release="latest", max_answer_bytes=1 << 20)
    AgentGatewayClient("https://gw", release="current", ca_bundle="ca.pem")
