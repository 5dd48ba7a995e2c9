"""``ucxml demo`` runs all three scenarios against the emulators and exits 0."""

from __future__ import annotations

import io

from rich.console import Console

from ucxml.demo import run_demo


def test_demo_runs_every_scenario() -> None:
    out = io.StringIO()
    status = run_demo(Console(file=out, width=200))
    text = out.getvalue()
    assert status == 0, text
    assert "exec_cli" in text and "CmeCliError: line 3" in text
    assert "EmError 18" in text and "em%40cisco.com" in text
    assert "force_logout_with_reason(reason=7): retcode 0" in text
    assert "GatewayError 100-006" in text
    assert "hint E05" in text
