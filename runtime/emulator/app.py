"""The combined emulator app: every emulated server at its real path, on one port.

Only the CME XML API exists so far (``/ios_xml_app/cme``); the other emulators join
:func:`create_app` as they are written.
"""

from __future__ import annotations

from typing import Final

from starlette.applications import Starlette

from ucxml.emulator.cme_app import CmeFaults, cme_routes
from ucxml.emulator.cme_state import CmeRouter

__all__ = ["DEMO_PASSWORD", "DEMO_PRIVILEGE", "DEMO_USER", "create_app", "demo_cme_router"]

DEMO_USER: Final = "admin"
"""XML API user seeded on the demo CME router."""
DEMO_PASSWORD: Final = "admin"
"""Password of :data:`DEMO_USER`."""
DEMO_PRIVILEGE: Final = 15
"""Privilege level of :data:`DEMO_USER`."""


def demo_cme_router() -> CmeRouter:
    """A CME router with the demo XML user and the demo configuration (``seed_demo``)."""
    router = CmeRouter(xml_users={DEMO_USER: (DEMO_PASSWORD, DEMO_PRIVILEGE)})
    router.seed_demo()
    return router


def create_app(*, cme: CmeRouter | None = None) -> Starlette:
    """The app of every emulator, each at its real path.

    ``cme`` is the CME router to serve (a :func:`demo_cme_router` when None).
    ``app.state.cme_router`` and ``app.state.cme_faults`` (:class:`CmeFaults`) give
    tests access to the CME emulator's state and fault injection.
    """
    router = cme if cme is not None else demo_cme_router()
    cme_faults = CmeFaults()
    app = Starlette(routes=[*cme_routes(router, faults=cme_faults)])
    app.state.cme_router = router
    app.state.cme_faults = cme_faults
    return app
