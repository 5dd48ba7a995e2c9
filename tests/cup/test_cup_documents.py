"""EPAS messages through the generic API: detection, envelope, header blocks, faults."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import ucxml
from ucxml import DeviationWarning
from ucxml.errors import BindingError, UnknownMessageError
from ucxml.generated.cup import models as m

EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "cup" / "examples"
ALL = sorted(EXAMPLES.glob("*/*.xml"))


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_message_is_detected_as_cup_without_help(path: Path) -> None:
    report = ucxml.validate(path)
    assert report.api == "cup", report.issues


def test_header_blocks_are_typed_and_written_back() -> None:
    data = (EXAMPLES / "corrected" / "26-get-contact-list-request.xml").read_bytes()
    envelope = ucxml.parse_envelope(data)
    assert isinstance(envelope.body, m.GetContactList)
    (key,) = envelope.header
    assert isinstance(key, m.SessionKey) and key.value
    assert key.value not in repr(envelope)
    out = ucxml.serialize(envelope.body, header=envelope.header)
    assert b"session-key" in out and key.value.encode() in out
    assert ucxml.parse_envelope(out) == envelope
    assert b"session-key" not in ucxml.serialize(envelope.body)


def test_soap_11_envelope_is_read_with_a_warning() -> None:
    data = (
        b'<SOAP:Envelope xmlns:SOAP="http://schemas.xmlsoap.org/soap/envelope/" '
        b'xmlns:epas="urn:cisco:epas:soap"><SOAP:Header><epas:session-key>k</epas:session-key>'
        b"</SOAP:Header><SOAP:Body><epas:get-user-config/></SOAP:Body></SOAP:Envelope>"
    )
    with pytest.warns(DeviationWarning, match="SOAP 1.1 envelope read as SOAP 1.2"):
        envelope = ucxml.parse_envelope(data)
    assert envelope.body == m.GetUserConfig()
    assert envelope.header == (m.SessionKey(value="k"),)


def test_fault_is_a_typed_response() -> None:
    fault = ucxml.parse(EXAMPLES / "corrected" / "10-fault-database-failure.xml")
    assert isinstance(fault, m.Fault)
    assert fault.code.value.value.text.endswith("Receiver")
    assert fault.reason.text[0].value == "Could not connect to database."


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        (b"<epas:no-such-op/>", UnknownMessageError, "no message <no-such-op>"),
        (b"<epas:login/><epas:logout/>", BindingError, "holds 2 elements"),
    ],
)
def test_bodies_that_are_not_one_known_message(
    body: bytes, error: type[Exception], words: str
) -> None:
    data = (
        b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
        b'xmlns:epas="urn:cisco:epas:soap"><env:Body>' + body + b"</env:Body></env:Envelope>"
    )
    with warnings.catch_warnings(), pytest.raises(error, match=words):
        warnings.simplefilter("ignore", DeviationWarning)
        ucxml.parse(data, api="cup")


def test_unknown_header_block_is_refused_not_dropped() -> None:
    data = (
        b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
        b'xmlns:epas="urn:cisco:epas:soap"><env:Header><epas:trace-id>1</epas:trace-id>'
        b"</env:Header><env:Body><epas:get-user-config/></env:Body></env:Envelope>"
    )
    with pytest.raises(BindingError, match="unknown SOAP header block <trace-id>"):
        ucxml.parse_envelope(data)


def test_example_8_is_named_as_a_documentation_defect() -> None:
    report = ucxml.validate(EXAMPLES / "documented" / "08-soap-header.xml")
    assert report.api == "cup"
    assert [i.hint for i in report.errors] == ["E04"]
    assert {i.hint for i in report.warnings} == {"E01"}
