"""``ucxml demo`` runs every scenario against the emulators and exits 0."""

from __future__ import annotations

import io
import re

from rich.console import Console

from ucxml._demo import run_demo


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
    assert "nobody" in text and "Contact does not exist in." in text
    assert "publish_pres_status(open, vacation): status 0" in text
    assert "insert-contact: Jack in General" in text
    assert "sip:scalar2@cisco.com -> open, available" in text
    assert re.search(r"Presence \(EPAS session, UCCN dispatch, RLMI split\)\s+│ ok", text)
    assert "10/11 valid" in text and "invalid (E05)" in text
