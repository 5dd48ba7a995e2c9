"""Fault tests: one emulator of every API over loopback HTTP, its fault switches cleared."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ucxml.emulator.app import create_app
from ucxml.emulator.cme_app import CmeFaults
from ucxml.emulator.cup_app import CupFaults
from ucxml.emulator.cup_state import EpasService
from ucxml.emulator.em_app import EmFaults
from ucxml.emulator.faults import Faults
from ucxml.emulator.huawei_app import GatewayFaults
from ucxml.emulator.server import EmulatorServer


@dataclass
class Emulators:
    """The running emulators: base URL, each API's fault switch, the EPAS service."""

    url: str
    cme: CmeFaults
    em: EmFaults
    cup: CupFaults
    huawei: GatewayFaults
    cup_service: EpasService

    def faults(self, api: str) -> Faults:
        """The fault switch of ``api``."""
        switch: Faults = getattr(self, api)
        return switch

    def clear(self) -> None:
        """Every fault off, every EPAS session ended."""
        for api in ("cme", "em", "cup", "huawei"):
            self.faults(api).clear()
        self.cup_service.expire_all()


@pytest.fixture(scope="session")
def emulators() -> Iterator[Emulators]:
    app = create_app()
    with EmulatorServer(app) as server:
        state = app.state
        yield Emulators(
            server.base_url,
            state.cme_faults,
            state.em_faults,
            state.cup_faults,
            state.huawei_faults,
            state.cup_service,
        )


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    # Only tests that use the emulators get them started and cleaned.
    if "emulators" not in request.fixturenames:
        yield
        return
    running: Emulators = request.getfixturevalue("emulators")
    running.clear()
    yield
    running.clear()
