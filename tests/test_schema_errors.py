"""libxml2's schema errors as issues: the failing element located, its reason in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

import ucxml
from ucxml import Issue

EXAMPLES = Path(__file__).resolve().parent.parent / "schemas"
RLMI = (EXAMPLES / "pidf/examples/corrected/03-notify-rlmi-list.xml").read_bytes()
CONTACTS = (EXAMPLES / "cup/examples/corrected/27-get-contact-list-response.xml").read_bytes()


def _errors(data: bytes) -> list[Issue]:
    report = ucxml.validate(data)
    assert not report.valid, report
    return [i for i in report.issues if i.severity == "error"]


def test_default_namespace_path_names_every_step() -> None:
    # libxml2 writes "/*/*[2]/*" for elements of a default namespace. A <name> after the
    # <instance> is out of RFC 4662's order (an unknown element would be kept instead).
    data = RLMI.replace(
        b'state="active"/>\n  </resource>\n  <resource uri="sip:scalar2',
        b'state="active"/><name>x</name>\n  </resource>\n  <resource uri="sip:scalar2',
    )
    [error] = _errors(data)
    assert error.path == "/list/resource[1]/name"
    assert error.line == 4
    assert error.column == RLMI.splitlines()[3].index(b"/>") + 3
    assert error.message.startswith("name: This element is not expected")


def test_column_of_a_repeated_name_on_one_line_is_the_failing_one() -> None:
    # Every documented EPAS example is one line: the second persona-id is the bad one.
    line = (
        b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
        b'<epas:get-contact-list-resp xmlns:epas="urn:cisco:epas:soap"><epas:group name="a" '
        b'index="1"><epas:persona-id index="1" nickname="" display-on-phone="true">u1'
        b'</epas:persona-id><epas:persona-id index="2" nickname="" display-on-phone="maybe">u2'
        b"</epas:persona-id></epas:group></epas:get-contact-list-resp></env:Body></env:Envelope>"
    )
    [error] = _errors(line)
    second = line.index(b"<epas:persona-id", line.index(b"<epas:persona-id") + 1)
    assert (error.line, error.column) == (1, second + 1)
    assert error.path.endswith("/epas:group/epas:persona-id[2]")
    assert error.message.startswith("epas:persona-id/@display-on-phone: 'maybe' is not a valid")


@pytest.mark.parametrize(
    ("old", "new", "wanted"),
    [
        # An enumeration: the set of allowed values, no "[facet ...]" jargon.
        (
            b"<ISSaveConfigResult>success<",
            b"<ISSaveConfigResult>later<",
            "ISSaveConfigResult: The value 'later' is not one of the allowed values "
            "{'success', 'fail', 'delay'}.",
        ),
        # Child elements inside a simple value.
        (
            b"<ISSaveConfigResult>success<",
            b"<ISSaveConfigResult><x/>success<",
            "ISSaveConfigResult: child elements are not allowed here: "
            "the element holds a simple value.",
        ),
    ],
)
def test_reasons_are_reworded(old: bytes, new: bytes, wanted: str) -> None:
    path = EXAMPLES / "cme/examples/corrected/05-ISSaveConfig-response-success.xml"
    data = path.read_bytes()
    assert old in data
    error = _errors(data.replace(old, new))[0]
    assert error.message == wanted
    assert error.path == "/SOAP-ENV:Envelope/SOAP-ENV:Body/axl/response/ISSaveConfigResult"
    assert (error.line, error.column) == (6, 9)


def test_namespaces_are_written_with_the_payload_prefixes() -> None:
    # A known element in another namespace: a namespace error (not content of a release).
    data = CONTACTS.replace(b"<epas:group ", b'<other:group xmlns:other="urn:x"/><epas:group ', 1)
    errors = _errors(data)
    assert errors[0].message.startswith("other:group: This element is not expected")
    assert "{urn:cisco:epas:soap}" not in " ".join(e.message for e in errors)


def test_hints_match_libxml2_wording() -> None:
    # Example 60 answers with an unqualified <rule> (cup E10); libxml2 reports it.
    documented = EXAMPLES / "cup/examples/documented/60-get-acl-response.xml"
    report = ucxml.validate(documented, api="cup")
    hinted = [i for i in report.errors if i.hint == "E10"]
    assert hinted and hinted[0].message.startswith("rule: This element is not expected")


def test_many_errors_on_one_line_each_point_at_their_own_element() -> None:
    head = (
        b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
        b'<epas:get-contact-list-resp xmlns:epas="urn:cisco:epas:soap">'
        b'<epas:group name="a" index="1">'
    )
    item = b'<epas:persona-id index="%d" nickname="" display-on-phone="maybe">u</epas:persona-id>'
    tail = b"</epas:group></epas:get-contact-list-resp></env:Body></env:Envelope>"
    data = head + b"".join(item % i for i in range(500)) + tail
    errors = _errors(data)
    listed = [e for e in errors if "not listed" not in e.message]
    assert len(listed) == 100 and errors[-1].message.startswith("400 more errors")
    starts = [at for at in range(len(data)) if data.startswith(b"<epas:persona-id", at)]
    assert [e.column for e in listed] == [at + 1 for at in starts[:100]]
    assert [e.path.rsplit("[", 1)[1] for e in listed] == [f"{i}]" for i in range(1, 101)]
