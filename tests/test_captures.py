"""Real-looking captures, split into payloads and validated (data: tests/captures/).

Adding a capture means adding its file and its entry in ``tests/captures/expected.toml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from ucxml import validate_capture

FOLDER = Path(__file__).resolve().parent / "captures"
EXPECTED: list[dict[str, Any]] = tomllib.loads((FOLDER / "expected.toml").read_text("utf-8"))[
    "files"
]


def test_every_capture_file_has_expectations() -> None:
    listed = {entry["path"] for entry in EXPECTED}
    present = {
        str(p.relative_to(FOLDER))
        for p in FOLDER.rglob("*")
        if p.is_file() and p.name not in ("expected.toml", "README.md", ".gitattributes")
    }
    assert listed == present


@pytest.mark.parametrize("entry", EXPECTED, ids=lambda e: e["path"])
def test_capture_is_split_and_judged_as_expected(entry: dict[str, Any]) -> None:
    path = FOLDER / entry["path"]
    reports = validate_capture(path.read_bytes(), source=str(path))
    expected = entry.get("payloads", [])
    got = [(r.kind, r.line) for r in reports]
    assert got == [(p["kind"], p["line"]) for p in expected], [r.to_dict() for r in reports]
    for report, want in zip(reports, expected, strict=True):
        detail = report.to_dict()
        assert report.valid == want["valid"], detail
        if want.get("error"):
            assert not report.valid
            text = " ".join(i.message for i in report.errors).lower()
            assert all(word.lower() in text for word in want["error"].split()), detail
            continue
        if "api" in want:
            assert report.api == want["api"], detail
        if "message" in want:
            assert report.message == want["message"], detail
        hints = {i.hint for i in report.issues if i.hint}
        assert set(want.get("hints", [])) <= hints, detail
        for issue in report.errors:
            assert issue.line is not None, detail
