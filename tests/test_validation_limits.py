"""A payload with thousands of the same issue lists the first hundred and counts the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

import ucxml

EXAMPLE = (
    Path(__file__).resolve().parent.parent
    / "schemas/cme/examples/corrected/02-ISexecCLI-response-success.xml"
).read_bytes()
TAG = b"<ISexecCLIResponse>"


def _with_attributes(attributes: bytes) -> bytes:
    return EXAMPLE.replace(TAG, b"<ISexecCLIResponse " + attributes + b">")


@pytest.mark.parametrize("count", [99, 100, 101, 250])
def test_unknown_attributes_beyond_a_hundred_are_counted(count: int) -> None:
    """Each unknown attribute is a kept-content warning (an error with --strict); past a
    hundred, the rest are counted in one more warning of the same code."""
    report = ucxml.validate(_with_attributes(b" ".join(b'u%d="1"' % i for i in range(count))))
    assert report.valid
    unknown = [i for i in report.warnings if i.code == "T-UNKNOWN"]
    listed = [i for i in unknown if "not in the schema of any known release" in i.message]
    assert [i.message.split("'")[1] for i in listed] == [f"u{i}" for i in range(min(count, 100))]
    summary = [i for i in unknown if "not listed" in i.message]
    if count > 100:
        assert [s.message for s in summary] == [
            f"{count - 100:,} more warnings in this payload are not listed"
        ]
    else:
        assert summary == []


#: An API that tolerates attributes run together (ERRATA pidf E01); CME does not.
GLUED_BASE = (
    Path(__file__).resolve().parent.parent
    / "schemas/pidf/examples/corrected/02-notify-presence.xml"
).read_bytes()
GLUED_TAG = b'<tuple xmlns="urn:ietf:params:xml:ns:pidf" id="t31"'


@pytest.mark.parametrize("count", [3, 100, 101, 400])
def test_run_together_attributes_beyond_a_hundred_are_counted(count: int) -> None:
    glued = b' g="1"' + b"".join(b'a%d="1"' % i for i in range(count))
    data = GLUED_BASE.replace(GLUED_TAG, GLUED_TAG + glued)
    report = ucxml.validate(data)
    warnings = [i for i in report.issues if i.severity == "warning"]
    listed = [w for w in warnings if w.code == "T-GLUED" and w.message.startswith("attribute ")]
    assert len(listed) == min(count, 100)
    assert listed[0].message == "attribute 'a0' run together with the previous one"
    assert {w.code for w in warnings if "run together" in w.message} == {"T-GLUED"}
    at = data.index(b'a0="1"')  # where a0 starts in the original
    line = data.count(b"\n", 0, at) + 1
    assert (listed[0].line, listed[0].column) == (line, at - data.rfind(b"\n", 0, at))
    rest = [w.message for w in warnings if "more attributes run together" in w.message]
    assert rest == (
        [f"{count - 100:,} more attributes run together with the previous one"]
        if count > 100
        else []
    )


def test_run_together_attributes_are_an_error_where_not_tolerated() -> None:
    """CME's manifest does not switch the glued-attributes tolerance on."""
    report = ucxml.validate(_with_attributes(b'g="1"a0="1"'))
    assert not report.valid
    assert any("not tolerated in cme payloads" in i.message for i in report.errors), report
