"""``ucxml validate`` and ``ucxml apis`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas/cme/examples"


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ucxml", *args],
        capture_output=True,
        text=True,
        input=stdin.decode() if stdin is not None else None,
    )


def test_documented_examples_json_names_every_defect() -> None:
    result = _run("validate", "--format", "json", str(EXAMPLES / "documented"))
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert len(reports) == 38
    invalid = [r for r in reports if not r["valid"]]
    assert len(invalid) == 9
    for report in invalid:
        assert report["api"] == "cme"
        for issue in report["issues"]:
            assert issue["line"] and issue["column"] and issue["hint"], report
            assert set(issue) == {"severity", "line", "column", "path", "message", "hint"}


def test_corrected_examples_are_valid() -> None:
    result = _run("validate", "--format", "json", str(EXAMPLES / "corrected"))
    assert result.returncode == 0, result.stdout
    assert all(r["valid"] and r["issues"] == [] for r in json.loads(result.stdout))


def test_text_format_shows_line_hint_and_summary() -> None:
    result = _run("validate", str(EXAMPLES / "documented/15-ISgetExtension-sccp-response.xml"))
    assert result.returncode == 1
    assert "16:29" in result.stdout
    assert "hint E05" in result.stdout
    assert "summary" in result.stdout


def test_strict_turns_warnings_into_errors() -> None:
    path = str(EXAMPLES / "documented/08-ISgetGlobal-request.xml")
    assert _run("validate", path).returncode == 0
    assert _run("validate", "--strict", path).returncode == 1


def test_io_and_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run("validate", str(tmp_path / "missing.xml")).returncode == 2
    assert _run("validate", "--api", "nope", str(EXAMPLES / "corrected")).returncode == 2
    assert _run("validate").returncode == 2


def test_stdin() -> None:
    data = (EXAMPLES / "corrected/29-ISgetUser-response.xml").read_bytes()
    result = _run("validate", "--format", "json", "-", stdin=data)
    assert result.returncode == 0
    assert json.loads(result.stdout)[0]["message"] == "ISgetUserResponse"


def test_apis_lists_the_operations() -> None:
    result = _run("apis")
    assert result.returncode == 0
    for method in ("exec_cli", "get_device", "get_presence_global"):
        assert method in result.stdout
    for document in ("UPCConfigChange", "RlmiList", "Presence"):
        assert document in result.stdout
