"""The ``lexical`` tolerance (``T-LEXICAL``): JSON values sent in another type's lexical form.

Each case is one body with one value as the real gateway sends it (``"status": "4"``,
``"vdnid": 1``): the validator accepts it with one warning at the value's line, column
and pointer, explained by an erratum; the reader gives the documented type; the writer
writes the documented type (write strictly). The near misses below are not lexical forms
of the documented type and stay errors. Adding a case is adding a row.
"""

from __future__ import annotations

import json
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import ucxml
from ucxml import DeviationWarning
from ucxml import _cli as cli
from ucxml._jsondocs import dump_json, json_tolerances, parse_json, read_json, validate_json
from ucxml._tolerances import TOLERANCES, by_code
from ucxml.errors import BindingError

ROOT = Path(__file__).resolve().parents[2]

#: (body, JSON pointer, the value as sent, the typed value read, erratum).
READ: list[tuple[bytes, str, bytes, Any, str]] = [
    (b'{"phonenum": "1", "status": "4"}', "/status", b'"4"', 4, "D07"),
    (b'{"phonenum": "1", "agenttype": "4"}', "/agenttype", b'"4"', 4, "D07"),
    (b'{"phonenum": "1", "releasephone": "false"}', "/releasephone", b'"false"', False, "D07"),
    (b'{"phonenum": "1", "releasephone": "true"}', "/releasephone", b'"true"', True, "D07"),
    (b'{"phonenum": "1", "autoanswer": "true"}', "/autoanswer", b'"true"', True, "D07"),
    (b'{"phonenum": "1", "autoenteridle": "false"}', "/autoenteridle", b'"false"', False, "D07"),
    (b'{"phonenum": 6001}', "/phonenum", b"6001", "6001", "D08"),
    (
        b'{"message": "", "retcode": "0", "result": {"loginTime": "1471585949806"}}',
        "/result/loginTime",
        b'"1471585949806"',
        1471585949806,
        "D07",
    ),
    (
        b'{"message": "", "retcode": "0", "result": {"isForceChange": "false"}}',
        "/result/isForceChange",
        b'"false"',
        False,
        "D07",
    ),
    (
        b'{"message": "", "retcode": "0", "result": {"timeRemaining": "9"}}',
        "/result/timeRemaining",
        b'"9"',
        9,
        "D07",
    ),
    (
        b'{"message": "", "retcode": "0", "result": {"timeRemaining": "-1"}}',
        "/result/timeRemaining",
        b'"-1"',
        -1,
        "D07",
    ),
    (
        b'{"message": "", "retcode": "0", "result": {"vdnid": 1, "workno": "291"}}',
        "/result/vdnid",
        b"1",
        "1",
        "D08",
    ),
    (
        b'{"message": "", "retcode": "0", "result": {"workno": 291}}',
        "/result/workno",
        b"291",
        "291",
        "D08",
    ),
    (
        b'{"message": "", "retcode": "0",\n'
        b' "event": {"eventType": "AgentState_Ready", "workNo": 291}}',
        "/event/workNo",
        b"291",
        "291",
        "D08",
    ),
]

#: Bodies whose value is no lexical form of the documented type: errors, not read.
REFUSED: list[tuple[bytes, str]] = [
    (b'{"phonenum": "1", "status": "4.0"}', "/status"),
    (b'{"phonenum": "1", "status": " 4"}', "/status"),
    (b'{"phonenum": "1", "status": ""}', "/status"),
    (b'{"phonenum": "1", "status": "+4"}', "/status"),
    (b'{"phonenum": "1", "status": "\\u0664"}', "/status"),  # ARABIC-INDIC DIGIT FOUR
    (b'{"phonenum": "1", "status": true}', "/status"),
    (b'{"phonenum": "1", "releasephone": "False"}', "/releasephone"),
    (b'{"phonenum": "1", "releasephone": "1"}', "/releasephone"),
    (b'{"phonenum": "1", "releasephone": 0}', "/releasephone"),
    (b'{"phonenum": true}', "/phonenum"),
    (b'{"phonenum": 1.5}', "/phonenum"),
    (b'{"message": "", "retcode": "0", "result": {"vdnid": [1]}}', "/result/vdnid"),
    # Never read from another form: the success decider and the secrets.
    (b'{"message": "", "retcode": 0}', "/retcode"),
    (b'{"phonenum": "1", "password": 1234}', "/password"),
    (b'{"message": "", "retcode": "0", "result": {"guid": 5}}', "/result/guid"),
]


def _ids(case: tuple[Any, ...]) -> str:
    return f"{case[1]}={case[2].decode()}"


READ_IDS = [_ids(c) for c in READ]
CASE = ("body", "pointer", "sent", "typed", "erratum")


def _at(data: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        data = data[part]
    return data


def _position(body: bytes, pointer: str, sent: bytes) -> tuple[int, int]:
    """Where the value ``sent`` of the member ``pointer`` starts (1-based)."""
    key = f'"{pointer.rsplit("/", 1)[-1]}"'.encode()
    index = body.index(sent, body.index(key) + len(key))
    line_start = body.rfind(b"\n", 0, index) + 1
    return body.count(b"\n", 0, index) + 1, index - line_start + 1


@pytest.mark.parametrize(CASE, READ, ids=READ_IDS)
def test_a_lexical_form_is_a_warning_at_the_value(
    body: bytes, pointer: str, sent: bytes, typed: Any, erratum: str
) -> None:
    report = ucxml.validate(body)
    assert report.valid and report.api == "huawei", [i.to_dict() for i in report.issues]
    (issue,) = report.issues
    line, column = _position(body, pointer, sent)
    assert (issue.severity, issue.code, issue.path) == ("warning", "T-LEXICAL", pointer)
    assert (issue.line, issue.column) == (line, column)
    assert issue.hint == erratum and issue.hint_text
    assert json.dumps(typed) in issue.message


@pytest.mark.parametrize(CASE, READ, ids=READ_IDS)
def test_the_model_holds_the_typed_value_and_writes_the_documented_type(
    body: bytes, pointer: str, sent: bytes, typed: Any, erratum: str
) -> None:
    model, tolerated = read_json(body)
    (issue,) = tolerated
    assert (issue.code, issue.path) == ("T-LEXICAL", pointer)
    written = json.loads(dump_json(model))
    value = _at(written, pointer)
    assert value == typed and type(value) is type(typed)
    # Written strictly: what is written reads back without a warning, to the same model.
    again, none = read_json(dump_json(model))
    assert none == [] and again == model
    assert validate_json(dump_json(model)).issues == ()


@pytest.mark.parametrize(CASE, READ, ids=READ_IDS)
def test_parse_warns_what_it_tolerated(
    body: bytes, pointer: str, sent: bytes, typed: Any, erratum: str
) -> None:
    with pytest.warns(DeviationWarning, match="sent as a JSON"):
        model = ucxml.parse(body)
    assert model == read_json(body)[0]


@pytest.mark.parametrize(("body", "pointer"), REFUSED, ids=[f"{p}={b!r}" for b, p in REFUSED])
def test_a_near_miss_stays_an_error(body: bytes, pointer: str) -> None:
    report = validate_json(body)
    assert not report.valid
    assert [i.path for i in report.errors] == [pointer]
    assert not any(i.code == "T-LEXICAL" for i in report.issues)
    with warnings.catch_warnings(), pytest.raises(BindingError) as info:
        warnings.simplefilter("error", DeviationWarning)
        parse_json(body)
    assert info.value.path == pointer


def test_strict_makes_the_warning_an_error(tmp_path: Path) -> None:
    path = tmp_path / "signin.json"
    path.write_bytes(READ[0][0])
    runner = CliRunner()
    relaxed = runner.invoke(cli.cli, ["validate", "--format", "json", str(path)])
    strict = runner.invoke(cli.cli, ["validate", "--strict", "--format", "json", str(path)])
    assert relaxed.exit_code == 0, relaxed.output
    assert strict.exit_code != 0
    (report,) = json.loads(strict.output)
    assert [(i["severity"], i["code"]) for i in report["issues"]] == [("error", "T-LEXICAL")]


def test_the_tolerance_is_catalogued_and_switched_on_by_the_manifest() -> None:
    tolerance = by_code("T-LEXICAL")
    assert tolerance is not None and tolerance.name == "lexical"
    assert tolerance in TOLERANCES
    manifest = tomllib.loads((ROOT / "schemas" / "manifest.toml").read_text("utf-8"))
    assert tuple(manifest["apis"]["huawei"]["tolerances"]) == json_tolerances("huawei")
    assert "lexical" in json_tolerances("huawei")


def test_several_values_are_each_reported_in_document_order() -> None:
    body = (ROOT / "schemas/huawei/examples/realworld/signin-response-success.json").read_bytes()
    report = validate_json(body)
    assert report.valid and report.message == "SignInResponse"
    assert [(i.line, i.path) for i in report.issues] == [
        (5, "/result/vdnid"),
        (8, "/result/loginTime"),
        (9, "/result/isForceChange"),
        (11, "/result/timeRemaining"),
    ]
    assert {i.hint for i in report.issues} == {"D07", "D08"}
