"""The top-level functions and the CLI handle Huawei JSON bodies as well as XML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ucxml
from ucxml.generated.huawei import models as hm

OK = b'{"message": "success", "retcode": "0", "result": null}'
BAD = b'{\n  "message": "x",\n  "retcode": 0\n}'


def test_parse_detect_serialize() -> None:
    obj = ucxml.parse(OK)
    assert isinstance(obj, hm.GatewayResponse) and obj.retcode == "0"
    assert ucxml.detect(OK) == "huawei"
    assert ucxml.parse(ucxml.serialize(obj)) == obj


def test_validate_reports_line_and_pointer() -> None:
    assert ucxml.validate(OK).valid
    report = ucxml.validate(BAD)
    assert not report.valid and report.api == "huawei"
    (issue,) = report.errors
    assert issue.line == 3 and issue.path == "/retcode"


def test_cli_walks_json_files(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_bytes(OK)
    (tmp_path / "bad.json").write_bytes(BAD)
    result = subprocess.run(
        [sys.executable, "-m", "ucxml", "validate", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    reports = {Path(r["path"]).name: r for r in json.loads(result.stdout)}
    assert reports["ok.json"]["valid"] and not reports["bad.json"]["valid"]
