"""The real CC-Gateway payloads of ``schemas/huawei/examples/realworld/`` (data-driven).

``tests/golden`` judges each one (detected without ``--api``, accepted with explained
warnings, or rejected as ERRATA says). Here: each keeps its source line, each accepted one
reads to one typed model that writes the documented types and reads back unchanged, and
the one page printed broken has a twin that differs only by the two fixes E01 names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ucxml
from ucxml._jsondocs import dump_json, read_json, validate_json
from ucxml.generated.huawei.models import SignInResponse

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "schemas" / "huawei" / "examples" / "realworld"
SHARED = ROOT.parent / "shared" / "realworld" / "huawei"
PAYLOADS = sorted(FOLDER.glob("*.json"))
BROKEN = [p for p in PAYLOADS if "NOT-VALID" in p.name]
READABLE = [p for p in PAYLOADS if p not in BROKEN]


def test_the_payloads_are_found() -> None:
    assert len(PAYLOADS) == 9 and len(BROKEN) == 1


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: p.name)
def test_each_payload_names_its_source(path: Path) -> None:
    source = path.with_suffix(".src.txt")
    assert source.read_text("utf-8").startswith("source: ")
    if SHARED.is_dir():  # copied verbatim from the collection
        assert path.read_bytes() == (SHARED / path.name).read_bytes()
        assert source.read_bytes() == (SHARED / source.name).read_bytes()


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_a_real_payload_reads_to_one_model_written_strictly(path: Path) -> None:
    data = path.read_bytes()
    report = validate_json(data)
    model, tolerated = read_json(data, schema=report.message)
    assert [i.path for i in tolerated] == [i.path for i in report.warnings]
    written = dump_json(model)
    # What ucxml writes is the documented form: valid without a single warning...
    assert validate_json(written, schema=report.message).issues == ()
    # ...and it is the same message: every member is kept (null ones aside).
    again, none = read_json(written, schema=report.message)
    assert none == [] and again == model
    sent = {k: v for k, v in json.loads(data).items() if v is not None}
    assert set(json.loads(written)) == set(sent)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_the_broken_page_has_a_twin_with_exactly_the_erratum_fixes(path: Path) -> None:
    twin = path.parent / "corrected" / path.name
    fixed = path.read_text("utf-8").replace("result:", '"result":').replace('"msg"', '"message"')
    assert json.loads(twin.read_bytes()) == json.loads(fixed)
    report = ucxml.validate(twin)
    assert report.valid and report.issues == () and report.message == "SignInResponse"
    model = ucxml.parse(twin, type=SignInResponse)
    # An older sign-in answer: no serverName, no timeRemaining, and that is fine.
    assert model.result is not None
    assert model.result.mediatype == "TTT" and model.result.server_name is None
    assert model.result.time_remaining is None
