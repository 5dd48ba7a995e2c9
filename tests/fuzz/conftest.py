"""The fuzz folder's run summary: how many cases ran (round trips, mutants, calls)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fuzzlib import COUNTS, LONG, RUN_SEED


@pytest.fixture(autouse=True)
def _quiet_client_log() -> Iterator[None]:
    """Clients log every tolerated deviation of an answer: thousands of mutants would flood."""
    logger = logging.getLogger("ucxml")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COUNTS:
        return
    mode = "long" if LONG else "bounded"
    counts = ", ".join(f"{value} {name}" for name, value in sorted(COUNTS.items()))
    terminalreporter.write_line(f"ucxml fuzz ({mode}, seed {RUN_SEED}): {counts}")
