"""``ucxml validate``'s output streams, ``--quiet`` and the counting of repeated warnings."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from ucxml import Issue, Report
from ucxml._cli import _print_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "schemas/cme/examples"
#: A valid request with two warnings (the undeclared xsi prefix, the bare <request>).
WARNED = EXAMPLES / "documented/08-ISgetGlobal-request.xml"
INVALID = EXAMPLES / "documented/15-ISgetExtension-sccp-response.xml"
XSI_WARNING = "undeclared prefix 'xsi' read as http://www.w3.org/2001/XMLSchema-instance"
COPIES = 42


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ucxml", "validate", *args], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """42 copies of a payload with warnings, and one invalid payload."""
    root = tmp_path_factory.mktemp("captures")
    for i in range(COPIES):
        shutil.copy(WARNED, root / f"{i:02d}-getglobal.xml")
    shutil.copy(INVALID, root / "99-broken.xml")
    return root


# --------------------------------------------------------------------------- streams


def test_an_io_error_goes_to_stderr_and_stdout_keeps_the_results(tmp_path: Path) -> None:
    missing = str(tmp_path / "nonexistent.xml")
    result = _run(missing)
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr and missing in result.stderr
    assert "no such file" not in result.stdout and missing not in result.stdout
    assert "could not be read" in result.stderr
    assert "summary" in result.stdout  # the results (none) still go to stdout


def test_an_io_error_beside_valid_inputs_goes_to_stderr_in_every_format(tmp_path: Path) -> None:
    missing = str(tmp_path / "nonexistent.xml")
    good = str(EXAMPLES / "corrected/29-ISgetUser-response.xml")
    text = _run(good, missing)
    assert text.returncode == 2
    assert "✓ valid" in text.stdout and "no such file" not in text.stdout
    assert "no such file or folder" in text.stderr
    for fmt in ("json", "junit"):
        result = _run("--format", fmt, good, missing)
        assert result.returncode == 2
        assert f"{missing}: no such file or folder" in result.stderr, fmt
    reports = json.loads(_run("--format", "json", good, missing).stdout)  # still complete
    assert [r["valid"] for r in reports] == [True, False]


def test_usage_errors_go_to_stderr() -> None:
    result = _run("--api", "nope", str(WARNED))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown API 'nope'" in result.stderr


# --------------------------------------------------------------------------- repeats


def test_a_warning_of_many_payloads_is_printed_once_then_counted(folder: Path) -> None:
    result = _run(str(folder))
    assert result.returncode == 1
    out = result.stdout
    assert out.count(XSI_WARNING) == 1
    assert out.count("bare <request> without SOAP-ENV:Envelope") == 1
    assert out.count(f"… and the same warning in {COPIES - 1} more payloads") == 2
    # every payload still has its own line, and says it had warnings shown above
    assert out.count("✓ valid") == COPIES
    assert out.count("(2 repeated warnings)") == COPIES - 1
    assert "✗ invalid" in out and "16:29" in out and "hint E05" in out
    rows = {c[0]: c for c in (line.split() for line in out.splitlines() if "│" in line)}
    total = [cell for cell in rows["all"] if cell != "│"]
    assert total == ["all", str(COPIES + 1), str(COPIES), "1", str(COPIES)]  # the summary stays


def test_json_and_junit_keep_every_issue_of_every_payload(folder: Path) -> None:
    from lxml import etree

    reports = json.loads(_run("--format", "json", str(folder)).stdout)
    assert len(reports) == COPIES + 1
    messages = [i["message"] for r in reports for i in r["issues"]]
    assert messages.count(XSI_WARNING) == COPIES
    suite = etree.fromstring(_run("--format", "junit", str(folder)).stdout.encode())
    outs = [case.findtext("system-out") or "" for case in suite.findall("testcase")]
    assert sum(XSI_WARNING in out for out in outs) == COPIES


def test_quiet_prints_only_invalid_payloads_and_their_errors(folder: Path) -> None:
    result = _run("--quiet", str(folder))
    assert result.returncode == 1
    out = result.stdout
    assert "✓ valid" not in out
    assert "warning" not in out.replace("warnings", "")  # the summary's column stays
    assert out.count("✗ invalid") == 1 and "99-broken.xml" in out
    assert "error 16:29" in out and "hint E05" in out
    assert "summary" in out
    assert "warnings" in out  # the summary table's column


def test_quiet_leaves_the_machine_formats_complete(folder: Path) -> None:
    reports = json.loads(_run("--quiet", "--format", "json", str(folder)).stdout)
    assert len(reports) == COPIES + 1
    assert sum(1 for r in reports if r["valid"]) == COPIES


def _report(source: str, *messages: str, api: str = "cme") -> Report:
    issues = tuple(Issue("warning", m, 1, 1, "/request") for m in messages)
    return Report(source, api, "ISgetGlobal", issues)


def _text(reports: list[Report], *, quiet: bool = False) -> str:
    out, err = io.StringIO(), io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    _print_text(console, reports, [], errors=Console(file=err, color_system=None), quiet=quiet)
    return out.getvalue()


def test_warnings_that_differ_only_in_quoted_values_or_numbers_are_grouped() -> None:
    reports = [
        _report("a.xml", "userID 'jdoe%40x' is URL-encoded (read as 'jdoe@x')"),
        _report("b.xml", "userID 'asmith%40x' is URL-encoded (read as 'asmith@x')"),
        _report("c.xml", "userID 'bob%40x' is URL-encoded (read as 'bob@x')"),
        _report("d.xml", "<axl> holds 3 elements, expected <request> or <response>"),
        _report("e.xml", "<axl> holds 4 elements, expected <request> or <response>"),
    ]
    text = _text(reports)
    assert text.count("is URL-encoded") == 1 and "'jdoe%40x'" in text
    assert "… and the same warning, with other names or values, in 2 more payloads" in text
    assert text.count("<axl> holds") == 1
    assert "in 1 more payload " in text or "in 1 more payload (" in text


def test_different_warnings_are_not_grouped_and_single_ones_not_counted() -> None:
    text = _text([_report("a.xml", "first thing"), _report("b.xml", "second thing")])
    assert "first thing" in text and "second thing" in text
    assert "… and" not in text and "repeated" not in text


def test_text_output_prints_the_erratum_of_an_undetected_payload() -> None:
    """A glued SIP message has no API (nothing could be read), yet its erratum is known:
    the text output gives the hint and its explanation, as the JSON output does."""
    sip = ROOT / "schemas/pidf/examples/sip/documented/01-subscribe.sip"
    result = _run(str(sip))
    assert result.returncode == 1
    assert "hint S01" in result.stdout
    assert "Headers and body glued on one line" in result.stdout
