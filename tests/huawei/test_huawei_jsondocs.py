"""JSON bodies of the huawei API: detection, binding (parse_json) and validation (validate_json)."""

from __future__ import annotations

import json

import pytest

from ucxml._jsondocs import _dump, looks_like_json, parse_json, validate_json
from ucxml.errors import BindingError, UnknownApiError, UnknownMessageError
from ucxml.generated.huawei.models import (
    GatewayResponse,
    SignInRequest,
    SignInResponse,
    SignInResult,
)

SIGN_IN_REQUEST = b"""{
  "password": "Agent@1001",
  "phonenum": "88880001",
  "autoanswer": true,
  "autoenteridle": true,
  "releasephone": false,
  "agenttype": 4,
  "status": 4
}
"""
SIGN_IN_RESPONSE = b"""{
  "message": "success",
  "retcode": "0",
  "result": {
    "vdnid": "1",
    "workno": "1001",
    "mediatype": "TTF",
    "loginTime": 1700000000000,
    "isForceChange": false,
    "serverName": "AgentGateway0",
    "timeRemaining": -1
  }
}
"""
FAILURE = b'{"message": "agent not signed in", "retcode": "100-006", "result": null}'
DONE = b'{"message": "", "retcode": "0", "result": {}}'


# --------------------------------------------------------------------------- valid bodies


@pytest.mark.parametrize(
    ("body", "schema", "model"),
    [
        (SIGN_IN_REQUEST, "SignInRequest", SignInRequest),
        (SIGN_IN_RESPONSE, "SignInResponse", SignInResponse),
        (FAILURE, "GatewayResponse", GatewayResponse),
        (DONE, "GatewayResponse", GatewayResponse),
        (b'{"phonenum": "1"}', "SignInRequest", SignInRequest),
        (b'{"message": "x", "retcode": "0"}', "GatewayResponse", GatewayResponse),
    ],
)
def test_valid_bodies_are_detected_bound_and_valid(body: bytes, schema: str, model: type) -> None:
    report = validate_json(body, source="capture.json")
    assert (report.valid, report.api, report.message, report.source) == (
        True,
        "huawei",
        schema,
        "capture.json",
    )
    assert report.issues == ()
    parsed = parse_json(body)
    assert type(parsed) is model
    # A fixed point: the model written back is the body read.
    assert _dump(parsed) == {k: v for k, v in json.loads(body).items() if v is not None}


def test_snake_case_fields_keep_their_wire_names() -> None:
    parsed = parse_json(SIGN_IN_RESPONSE)
    assert isinstance(parsed, SignInResponse)
    assert parsed.result == SignInResult(
        vdnid="1",
        workno="1001",
        mediatype="TTF",
        login_time=1700000000000,
        is_force_change=False,
        server_name="AgentGateway0",
        time_remaining=-1,
    )
    assert _dump(parsed.result)["loginTime"] == 1700000000000


def test_text_and_bom_are_accepted() -> None:
    assert isinstance(parse_json(FAILURE.decode()), GatewayResponse)
    assert validate_json(b"\xef\xbb\xbf" + FAILURE).valid


def test_an_explicit_schema_wins_over_detection() -> None:
    parsed = parse_json(FAILURE, schema="SignInResponse")
    assert isinstance(parsed, SignInResponse) and parsed.result is None
    assert validate_json(FAILURE, schema="SignInResponse").message == "SignInResponse"
    with pytest.raises(UnknownMessageError, match="NoSuchThing"):
        validate_json(FAILURE, schema="NoSuchThing")
    with pytest.raises(UnknownMessageError):
        parse_json(FAILURE, schema="NoSuchThing")


def test_xml_apis_are_not_json_apis() -> None:
    with pytest.raises(UnknownApiError):
        parse_json(FAILURE, api="cme")
    with pytest.raises(UnknownApiError):
        validate_json(FAILURE, api="nope")


def test_looks_like_json() -> None:
    assert looks_like_json(b'  {"a": 1}')
    assert looks_like_json(b"\xef\xbb\xbf\n[1]")
    assert looks_like_json('{"a": 1}')
    assert not looks_like_json(b"<?xml version='1.0'?><a/>")
    assert not looks_like_json(b"")
    assert not looks_like_json(b"retcode=0")


# --------------------------------------------------------------------------- broken bodies


def test_wrong_types_are_reported_at_their_line_and_column() -> None:
    # Neither is another type's lexical form: a list for a string, an object for an int.
    body = SIGN_IN_RESPONSE.replace(b'"vdnid": "1"', b'"vdnid": [1]').replace(
        b'"retcode": "0"', b'"retcode": {}'
    )
    report = validate_json(body)
    assert not report.valid and report.message == "SignInResponse"
    found = {(i.path, i.line, i.column, i.message) for i in report.issues}
    assert found == {
        ("/retcode", 3, 3, "{} is not of type 'string'"),
        ("/result/vdnid", 5, 5, "[1] is not of type 'string'"),
    }
    with pytest.raises(BindingError) as info:
        parse_json(body)
    assert (info.value.path, info.value.line) == ("/retcode", 3)
    assert "expected string, got object" in str(info.value)


def test_unknown_fields_are_errors_never_dropped() -> None:
    body = SIGN_IN_RESPONSE.replace(b'"vdnid": "1",', b'"vdnid": "1", "skill": [1, 2],')
    report = validate_json(body)
    (issue,) = report.issues
    assert (issue.path, issue.line, issue.column) == ("/result/skill", 5, 19)
    assert "unknown field 'skill'" in issue.message
    with pytest.raises(BindingError, match="unknown field 'skill' of SignInResult") as info:
        parse_json(body)
    assert info.value.path == "/result/skill"


def test_ranges_and_required_fields() -> None:
    body = (
        b'{\n  "password": "x",\n  "agenttype": -1,\n  "phonenum": "1234567890123456789012345"\n}'
    )
    report = validate_json(body)
    assert report.message == "SignInRequest"
    assert {(i.path, i.line) for i in report.issues} == {("/agenttype", 3), ("/phonenum", 4)}
    missing = validate_json(b'{"password": "x", "autoanswer": true}')
    (issue,) = missing.issues
    assert (issue.path, issue.line, issue.column) == ("", 1, 1)
    assert issue.message == "'phonenum' is a required property"
    with pytest.raises(BindingError, match="missing required field 'phonenum'"):
        parse_json(b'{"password": "x", "autoanswer": true}')


def test_secrets_are_never_quoted() -> None:
    # A number where the password string goes is not read as a string (no guess for a
    # secret): an error, never quoted.
    for body in (
        b'{"phonenum": "1", "password": 9876543210}',
        b'{"phonenum": "1", "password": [9876543210]}',
    ):
        (issue,) = validate_json(body).issues
        assert issue.severity == "error" and issue.code is None
    assert issue.path == "/password" and "9876543210" not in issue.message
    with pytest.raises(BindingError) as info:
        parse_json(body)
    assert "9876543210" not in str(info.value)
    nested = b'{"message": "", "retcode": "0", "result": {"guid": "JSESSIONID=SECRET"}}'
    for issue in validate_json(nested, schema="SignInResponse").issues:
        assert "SECRET" not in issue.message


@pytest.mark.parametrize(
    ("body", "line", "column"),
    [
        (b'{"message": "x",\n "retcode": }', 2, 13),
        (b'{"message": "x"', 1, 16),
        (b"", 1, 1),
        (b'{"message": NaN, "retcode": "0"}', None, None),
    ],
)
def test_malformed_json(body: bytes, line: int | None, column: int | None) -> None:
    report = validate_json(body)
    (issue,) = report.issues
    assert report.message is None and not report.valid
    assert issue.message.startswith("malformed JSON")
    assert (issue.line, issue.column) == (line, column)
    with pytest.raises(BindingError, match="malformed JSON") as info:
        parse_json(body)
    assert info.value.line == line


def test_bytes_that_are_not_utf8() -> None:
    report = validate_json(b'{"message": "\xff"}')
    assert "not UTF-8" in report.issues[0].message
    with pytest.raises(BindingError, match="not UTF-8"):
        parse_json(b'{"message": "\xff"}')


def test_repeated_keys_are_reported() -> None:
    body = b'{"message": "a",\n "retcode": "0",\n "message": "b"}'
    report = validate_json(body)
    (issue,) = report.issues
    assert (issue.path, issue.line, issue.column) == ("/message", 3, 2)
    with pytest.raises(BindingError, match="repeated key") as info:
        parse_json(body)
    assert info.value.path == "/message"


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"{}", b'{"colour": "red"}', b"42"])
def test_bodies_of_no_message(body: bytes) -> None:
    report = validate_json(body)
    assert report.message is None and not report.valid
    assert "not a message of the huawei API" in report.issues[0].message
    with pytest.raises(UnknownMessageError):
        parse_json(body)


def test_deep_nesting_is_refused() -> None:
    body = b'{"message": "", "retcode": "0", "result": ' + b'{"a": ' * 100 + b"1" + b"}" * 101
    report = validate_json(body)
    assert not report.valid and "nested" in report.issues[0].message
    with pytest.raises(BindingError, match="nested"):
        parse_json(body)


def test_json_pointer_escapes() -> None:
    body = b'{"message": "", "retcode": "0", "result": null, "a/b~c": 1}'
    (issue,) = validate_json(body).issues
    assert issue.path == "/a~1b~0c"
