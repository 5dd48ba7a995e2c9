# unasync: """Context management by ``close``, written from :mod:`ucxml._async_closing`."""
"""Async context management by ``aclose``: what every closable async object inherits.

Transports, clients and event streams all close on leaving their block; this mixin says so
once. ``python -m ucxml.codegen`` writes its synchronous twin
(``ucxml.generated._sync.closing``) from this module.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

__all__ = ["AsyncClosing"]


class AsyncClosing:
    # unasync: """Closed by leaving its ``with`` block: ``__exit__`` calls :meth:`close`."""
    """Closed by leaving its ``async with`` block: ``__aexit__`` awaits :meth:`aclose`."""

    async def aclose(self) -> None:
        """Release what the object holds (nothing by default)."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
