"""One emulator's routes as an app of its own, its state on ``app.state``."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from ucxml.emulator.faults import Faults

__all__ = ["standalone_app"]


def standalone_app(routes: Sequence[BaseRoute], faults: Faults, **state: object) -> Starlette:
    """A Starlette app of ``routes``: ``app.state.faults`` is ``faults``, and each keyword of
    ``state`` an attribute of ``app.state``, so that tests reach what the routes serve."""
    app = Starlette(routes=list(routes))
    app.state.faults = faults
    for name, value in state.items():
        setattr(app.state, name, value)
    return app
