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
from ucxml.emulator.em_app import (
    EM_LOGIN_PATH,
    EM_PATHS,
    EM_QUERY_PATH,
    EM_SERVLET_PATH,
    EmFaults,
    create_em_app,
    em_answer,
    em_routes,
)
from ucxml.emulator.em_state import (
    DEMO_EM_APP_CERTIFICATE,
    DEMO_EM_APP_ID,
    DEMO_EM_NOPROXY_APP_ID,
    DEMO_EM_NOPROXY_CERTIFICATE,
    AppCredentials,
    EmFailure,
    EmService,
)
from ucxml.emulator.server import EmulatorServer, serve

__all__ = [
    "CME_PATH",
    "DEMO_EM_APP_CERTIFICATE",
    "DEMO_EM_APP_ID",
    "DEMO_EM_NOPROXY_APP_ID",
    "DEMO_EM_NOPROXY_CERTIFICATE",
    "DEMO_PASSWORD",
    "DEMO_PRIVILEGE",
    "DEMO_USER",
    "EM_LOGIN_PATH",
    "EM_PATHS",
    "EM_QUERY_PATH",
    "EM_SERVLET_PATH",
    "AppCredentials",
    "CmeFaults",
    "CmeRouter",
    "CmeService",
    "EmFailure",
    "EmFaults",
    "EmService",
    "EmulatorServer",
    "SipConfig",
    "cme_routes",
    "create_app",
    "create_cme_app",
    "create_em_app",
    "em_answer",
    "em_routes",
    "serve",
]
