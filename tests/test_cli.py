"""``ucxml validate`` and ``ucxml apis`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
            assert set(issue) == {
                "severity",
                "line",
                "column",
                "path",
                "message",
                "hint",
                "hint_text",
                "code",
            }


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


SIP = ROOT / "schemas/pidf/examples/sip/corrected"


def _http_exchange() -> bytes:
    request = (EXAMPLES / "corrected/10-ISgetDevice-sccp-request.xml").read_bytes()
    answer = (EXAMPLES / "corrected/11-ISgetDevice-sccp-response.xml").read_bytes()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(answer), answer)
    return (
        b"POST /ios_xml_app/cme HTTP/1.1\r\nHost: router\r\nContent-Type: text/xml\r\n"
        b"Content-Length: %d\r\n\r\n%s"
        % (len(request), request)
        + b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunked
    )


def test_http_capture_from_stdin_gives_one_result_per_payload() -> None:
    result = _run("validate", "--format", "json", "-", stdin=_http_exchange())
    assert result.returncode == 0, result.stdout
    reports = json.loads(result.stdout)
    assert [(r["kind"], r["line"], r["message"]) for r in reports] == [
        ("http-request", 1, "ISgetDevice"),
        ("http-response", reports[1]["line"], "ISgetDeviceResponse"),
    ]
    assert reports[1]["line"] > 5 and reports[1]["offset"] > 100
    assert reports[0]["carrier"] == "POST /ios_xml_app/cme"


def test_truncated_capture_is_invalid_and_says_why() -> None:
    result = _run("validate", "--format", "json", "-", stdin=_http_exchange()[:-200])
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert reports[0]["valid"] and not reports[1]["valid"]
    assert (
        "chunk" in reports[1]["issues"][0]["message"]
        or "truncated" in reports[1]["issues"][0]["message"]
    )


def test_junit_has_one_case_per_payload_and_parses_back(tmp_path: Path) -> None:
    from lxml import etree

    capture = tmp_path / "exchange.http"
    capture.write_bytes(_http_exchange())
    broken = EXAMPLES / "documented/15-ISgetExtension-sccp-response.xml"
    result = _run("validate", "--format", "junit", str(capture), str(SIP), str(broken))
    assert result.returncode == 1
    suite = etree.fromstring(result.stdout.encode())
    cases = suite.findall("testcase")
    assert suite.get("tests") == str(len(cases)) == "8"  # 2 HTTP + 5 SIP payloads + 1 file
    assert suite.get("failures") == "1"
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 1 and failed[0].get("classname") == "cme"
    failure = failed[0].find("failure")
    assert failure is not None and failure.get("type") == "E05"
    assert "firstname" in (failure.text or "")


def test_unreadable_input_is_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    result = _run(
        "validate", "--format", "json", str(tmp_path / "missing.xml"), str(EXAMPLES / "corrected")
    )
    assert result.returncode == 2
    reports = json.loads(result.stdout)
    assert len(reports) == 39
    assert reports[-1]["path"].endswith("missing.xml") and not reports[-1]["valid"]


def test_text_output_ends_with_a_summary_by_api() -> None:
    result = _run("validate", str(SIP), str(EXAMPLES / "corrected/29-ISgetUser-response.xml"))
    assert result.returncode == 0
    assert "summary" in result.stdout
    assert (
        "sip-part NOTIFY sip:handset0@10.21.91.156:5060 part <971a00@10.89.51.203>" in result.stdout
    )
    lines = [line.split() for line in result.stdout.splitlines() if "│" in line]
    rows = {cells[0]: cells[2] for cells in (line for line in lines) if len(cells) > 2}
    assert rows.get("pidf") == "5" and rows.get("cme") == "1" and rows.get("all") == "6"


def test_progress_bar_only_on_a_terminal_for_large_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rich.progress
    from click.testing import CliRunner

    from ucxml import _cli as cli

    payload = (EXAMPLES / "corrected/29-ISgetUser-response.xml").read_bytes()
    for i in range(cli._PROGRESS_AFTER + 1):
        (tmp_path / f"{i:04d}.xml").write_bytes(payload)
    started: list[int] = []

    class Recording(rich.progress.Progress):
        def start(self) -> None:
            started.append(1)
            super().start()

    monkeypatch.setattr(rich.progress, "Progress", Recording)
    runner = CliRunner()
    result = runner.invoke(cli.cli, ["validate", "--format", "json", str(tmp_path)])
    assert result.exit_code == 0 and started == []  # piped: no progress bar
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    result = runner.invoke(cli.cli, ["validate", "--format", "json", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert started == [1]
    assert len(json.loads(result.output)) == cli._PROGRESS_AFTER + 1


def test_empty_input_is_invalid_and_payloadless_input_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"  \n")
    message = ROOT / "tests/captures/sip/message-text-plain.sip"
    result = _run("validate", str(empty), str(message))
    assert result.returncode == 1
    assert "empty input: no payload to validate" in result.stdout
    assert f"no XML or JSON payload in {message}" in result.stdout
