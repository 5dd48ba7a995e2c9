"""Smoke tests of ``benchmarks/validation.py`` on a tiny folder of captures.

They run the measuring code and check its results (the verdicts of ucxml and xmlschema
agree on every file, the report carries the two targets with numbers); nothing here
compares a time with a threshold.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from benchmarks.__main__ import main
from benchmarks.targets import validation_targets
from benchmarks.validation import (
    Capture,
    ValidationReport,
    build_folder,
    format_validation,
    measure_validation,
    profile_ucxml,
)

TINY = 30
TARGETS = {"validate vs xmlschema", "validate vs parse"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> list[Capture]:
    return build_folder(tmp_path_factory.mktemp("captures"), TINY)


@pytest.fixture(scope="module")
def report(folder: list[Capture]) -> ValidationReport:
    return measure_validation(folder)


def test_folder_is_mixed_and_deterministic(folder: list[Capture], tmp_path: Path) -> None:
    assert len(folder) == TINY
    assert len({c.path.name for c in folder}) == TINY
    assert all(c.path.read_bytes() and c.size == len(c.path.read_bytes()) for c in folder)
    assert len({c.api for c in folder}) >= 4
    assert "huawei" in {c.api for c in folder}
    assert any(not c.expect_valid for c in folder)
    assert any(c.expect_valid for c in folder)
    # The same seed gives the same bytes, in a fresh folder.
    again = build_folder(tmp_path, TINY)
    assert [c.path.read_bytes() for c in again] == [c.path.read_bytes() for c in folder]
    assert [dataclasses.replace(c, path=Path(c.path.name)) for c in again] == [
        dataclasses.replace(c, path=Path(c.path.name)) for c in folder
    ]


def test_verdicts_agree_on_every_file(report: ValidationReport, folder: list[Capture]) -> None:
    assert report.disagreements == []
    assert report.unexpected == []
    assert report.ok
    ucxml = report.ucxml.verdicts
    peer = report.peer.verdicts
    assert ucxml is not None and peer is not None
    assert ucxml == peer == report.libxml2.verdicts == [c.expect_valid for c in folder]
    assert report.parse.verdicts is None


def test_loops_cover_the_whole_folder(report: ValidationReport, folder: list[Capture]) -> None:
    total = sum(c.size for c in folder)
    for key in ("ucxml", "xmlschema", "parse", "libxml2"):
        loop = report.loops[key]
        assert loop.files == TINY
        assert loop.nbytes == total
        assert loop.seconds > 0 and loop.rate > 0
        assert set(loop.by_group) == {c.group for c in folder}
        assert sum(loop.by_group.values()) <= loop.seconds
    assert math.isfinite(report.speedup) and report.speedup > 0
    assert math.isfinite(report.over_parse) and report.over_parse > 0
    assert math.isfinite(report.verdict_over_parse) and report.verdict_over_parse > 0
    data = report.to_dict()
    assert data["files"] == TINY and data["bytes"] == total
    assert set(data["loops"]) == {"ucxml", "xmlschema", "parse", "libxml2"}
    json.dumps(data)


def test_report_has_the_two_targets(report: ValidationReport) -> None:
    targets = validation_targets(report)
    assert {t.name for t in targets} == TARGETS
    for target in targets:
        assert target.ratio is not None and math.isfinite(target.ratio) and target.ratio > 0
        assert "payloads/s" in target.ours
        assert isinstance(target.met, bool)
    table = format_validation(report)
    assert "payloads/s" in table and "0 disagreements" in table


def test_a_wrong_verdict_is_a_result_check_failure(folder: list[Capture]) -> None:
    flipped = [dataclasses.replace(folder[0], expect_valid=not folder[0].expect_valid)]
    result = measure_validation(flipped + folder[1:3])
    assert not result.ok
    assert [d.path for d in result.unexpected] == [folder[0].path.name]
    assert "unexpected:" in format_validation(result)


def test_validation_only_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "validation.json"
    status = main(["--validation-only", "--captures", str(TINY), "--quiet", "--json", str(out)])
    assert status == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    targets = {t["name"]: t for t in result["targets"]}
    assert set(targets) == TARGETS
    for target in targets.values():
        assert isinstance(target["ratio"], float) and target["ratio"] > 0
    assert result["validation"]["files"] == TINY
    assert result["validation"]["disagreements"] == []
    printed = capsys.readouterr().out
    assert "validate vs xmlschema" in printed and "validate vs parse" in printed


def test_profile_names_the_stages(folder: list[Capture]) -> None:
    summary = profile_ucxml(folder[:10], top=5)
    assert "validate_bytes (total)" in summary
    assert "read_message" in summary
