"""Secrets never reach ``ucxml validate`` output unless ``--show-secrets`` asks for them.

Data: the captures under tests/captures/secrets/, whose ``expected.toml`` entries list the
planted ``secrets``; each capture fails validation in a way that quotes or labels them.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import ucxml
from ucxml import validate_capture
from ucxml._cli import cli
from ucxml._redaction import MASK, Redactor, find_secrets
from ucxml._validation import validate_bytes

CAPTURES = Path(__file__).resolve().parent / "captures"
ENTRIES: list[dict[str, Any]] = [
    e
    for e in tomllib.loads((CAPTURES / "expected.toml").read_text("utf-8"))["files"]
    if e.get("secrets")
]
FORMATS = ("text", "json", "junit")


def _validate(*args: str) -> str:
    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_the_secret_captures_are_there() -> None:
    assert len(ENTRIES) >= 6
    for entry in ENTRIES:
        assert (CAPTURES / entry["path"]).is_file()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["path"])
def test_cli_masks_planted_secrets(entry: dict[str, Any], fmt: str) -> None:
    path = str(CAPTURES / entry["path"])
    masked = _validate("--format", fmt, path)
    for secret in entry["secrets"]:
        assert secret not in masked, f"{secret!r} printed in {fmt}:\n{masked}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_secrets_reveals_what_was_masked(fmt: str) -> None:
    folder = str(CAPTURES / "secrets")
    masked = _validate("--format", fmt, folder)
    shown = _validate("--format", fmt, "--show-secrets", folder)
    planted = {s for e in ENTRIES for s in e["secrets"]}
    revealed = {s for s in planted if s in shown}
    # The header line, the excerpt, the boolean, the int and the query-string label.
    quoted = {"eG1sYXBpOkNtZS1CYXNpYy01MTUw", "Cme-Pw-", "Winter-2024!", "Em-Cert-9931"}
    assert quoted | {"Em-Cert-4242"} <= revealed
    assert not {s for s in planted if s in masked}
    assert MASK in masked and masked.count(MASK) > shown.count(MASK)


def test_json_output_stays_json_and_keeps_the_rest_of_the_message() -> None:
    out = json.loads(_validate("--format", "json", str(CAPTURES / "secrets")))
    messages = [i["message"] for r in out for i in r["issues"]]
    assert "login/@force: '***' is not a valid 'xs:boolean' value." in messages
    carriers = [r.get("carrier") or "" for r in out]
    assert any("%3CappCertificate%3E***%3C%2FappCertificate%3E" in c for c in carriers)


def test_python_api_masks_by_default_and_reveals_on_request() -> None:
    path = CAPTURES / "secrets" / "em-login-form-cert-in-duration.http"
    masked = validate_capture(path.read_bytes(), source=str(path))
    shown = validate_capture(path.read_bytes(), source=str(path), show_secrets=True)
    assert "Em-Cert-9931" not in json.dumps([r.to_dict() for r in masked])
    assert "Em-Cert-9931" in json.dumps([r.to_dict() for r in shown])
    assert [r.valid for r in masked] == [r.valid for r in shown] == [False]


def test_validate_masks_a_bare_document() -> None:
    document = (
        b'<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope" '
        b'xmlns="urn:cisco:epas:soap"><soapenv:Body><login force="Pw-of-lmartin-1">'
        b"<username>lmartin</username><password>Pw-of-lmartin-1</password></login>"
        b"</soapenv:Body></soapenv:Envelope>"
    )
    masked = ucxml.validate(document)
    assert not masked.valid
    assert "Pw-of-lmartin-1" not in repr(masked)
    assert "Pw-of-lmartin-1" in repr(validate_bytes(document, show_secrets=True))


def test_a_valid_em_query_string_label_hides_the_certificate() -> None:
    path = CAPTURES / "em" / "query-asp-get.http"
    reports = validate_capture(path.read_bytes())
    assert reports[0].carrier is not None and "GET /LoginService/query.asp?xml=" in (
        reports[0].carrier
    )
    assert "mce-2005" not in reports[0].carrier
    assert "mce-2005" in (validate_capture(path.read_bytes(), show_secrets=True)[0].carrier or "")


# --------------------------------------------------------------------------- the rule


def test_found_in_every_place_a_secret_lives() -> None:
    capture = (
        b"POST /x HTTP/1.1\r\nAuthorization: Basic dXNlcjpCYXNpYy1Qdy0x\r\n"
        b"Cookie: JSESSIONID=Cookie-Val-1; other=Cookie-Val-2\r\n"
        b"Set-Cookie: SID=Set-Cookie-1; Path=/EPASSoap\r\nGuid: JSESSIONID=Guid-Val-1\r\n\r\n"
        b"<r><ISpassword>Xml-Text-1</ISpassword><a appCertificate='Xml-Attr-1'/>"
        b"<epas:session-key><![CDATA[Cdata-Key-1]]></epas:session-key>"
        b'<property name="Directory.Password">Setting-1</property>'
        b"<password>a&amp;b-Escaped</password><password/></r>"
        b'{"password": "Json-\\"Str\\"-1", "guid": 987654}\n'
        b"xml=%3Cpassword%3EForm-Xml-1%3C%2Fpassword%3E&password=Form+Field-1\n"
    )
    found = find_secrets(capture)
    assert {
        "Basic-Pw-1",
        "Cookie-Val-1",
        "Cookie-Val-2",
        "Set-Cookie-1",
        "Guid-Val-1",
        "Xml-Text-1",
        "Xml-Attr-1",
        "Cdata-Key-1",
        "Setting-1",
        "a&b-Escaped",
        'Json-"Str"-1',
        "987654",
        "Form-Xml-1",
        "Form Field-1",
    } <= found
    # Names and harmless header parts are no secrets.
    assert not {"Basic", "/EPASSoap", "Path=/EPASSoap", "Directory.Password", ""} & found


def test_a_long_secret_is_masked_inside_other_text_and_in_its_encoded_forms() -> None:
    redactor = Redactor(frozenset({"Pa ss&w0rd/1"}))
    assert redactor.text("xPa ss&w0rd/1y") == "x***y"
    assert redactor.text("q=Pa%20ss%26w0rd%2F1") == "q=***"
    assert redactor.text("q=Pa+ss%26w0rd%2F1") == "q=***"
    assert redactor.text("<p>Pa ss&amp;w0rd/1</p>") == "<p>***</p>"
    assert redactor.text("value 'Pa ss&w0rd/1' is bad") == "value '***' is bad"


def test_a_short_secret_is_masked_only_where_it_stands_alone() -> None:
    redactor = Redactor(frozenset({"abc"}))
    assert redactor.text("'abc' is not a valid value") == "'***' is not a valid value"
    assert redactor.text("the abcde element, xabc") == "the abcde element, xabc"


def test_empty_and_blank_secrets_mask_nothing() -> None:
    redactor = Redactor(frozenset({"", "  "}))
    text = "Unexpected child with tag 'x' at position 1."
    assert redactor.text(text) == text
    assert not find_secrets(b"<password></password><password>   </password>")


def test_an_excerpt_cut_inside_a_secret_is_masked() -> None:
    redactor = Redactor(frozenset({"Cme-Pw-8842"}))
    assert (
        redactor.text("trailing data: '<ISpassword>Cme-Pw-'") == "trailing data: '<ISpassword>***'"
    )
    assert redactor.text("head Cme-Pw-88…") == "head ***…"
    # Not at an excerpt's end: text that merely starts like the secret is left alone.
    assert redactor.text("Cme-Pw- is the prefix") == "Cme-Pw- is the prefix"
