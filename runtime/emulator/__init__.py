"""Local emulators of the supported UC servers (wire-level, for tests and demos)."""

from __future__ import annotations

from ucxml.emulator.app import DEMO_PASSWORD, DEMO_PRIVILEGE, DEMO_USER, create_app
from ucxml.emulator.cme_app import (
    CME_PATH,
    CmeFaults,
    CmeService,
    SipConfig,
    cme_routes,
    create_cme_app,
)
from ucxml.emulator.cme_state import CmeRouter
from ucxml.emulator.server import EmulatorServer, serve

__all__ = [
    "CME_PATH",
    "DEMO_PASSWORD",
    "DEMO_PRIVILEGE",
    "DEMO_USER",
    "CmeFaults",
    "CmeRouter",
    "CmeService",
    "EmulatorServer",
    "SipConfig",
    "cme_routes",
    "create_app",
    "create_cme_app",
    "serve",
]
