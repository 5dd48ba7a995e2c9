"""Lossless reading, as a property: unknown content put into any valid message is kept.

For every request, response and document model of every XML API that tolerates unknown
content (manifest ``unknown``), hypothesis draws a valid instance, and unknown elements
(into elements that hold elements) and unknown attributes (on any element of the message)
are inserted at random places. Both readers (the fast path and xsdata's) must read it, and
``serialize`` must write it back canonically equal to what was read; each reader and
``ucxml.validate`` report each piece a schema wildcard does not take (the same count), and
``--strict`` makes them errors.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from click.testing import CliRunner
from fuzzlib import COUNTS, LONG
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_fuzz_roundtrip import SKIPPED  # fields that cannot round-trip, with the reason

import ucxml
from ucxml import DeviationWarning
from ucxml._cli import cli
from ucxml._documents import parse_generic, read_message
from ucxml._registry import api_names, binding

from canonical import canonical
from strategies import model_strategy

CASES = [
    (api, name, model)
    for api in api_names()
    if binding(api).info.envelope != "json" and "unknown" in binding(api).info.tolerances
    for name, model in sorted(
        {**binding(api).requests, **binding(api).responses, **binding(api).documents}.items()
    )
]


def _content(data: bytes) -> list[tuple[str, list[tuple[str, str]], str]]:
    """Every element of ``data`` (tag, attributes, text), whatever the order."""
    root = etree.fromstring(data)
    return sorted(
        (str(el.tag), sorted(el.attrib.items()), (el.text or "").strip())
        for el in root.iter()
        if isinstance(el.tag, str)
    )


def _holds_elements(el: etree._Element) -> bool:
    return any(isinstance(c.tag, str) for c in el) and not (el.text or "").strip()


def _mutated(wire: bytes, api: str, data: st.DataObject) -> tuple[bytes, int]:
    """``wire`` with unknown elements and attributes inserted under its message element."""
    message = read_message(wire, api)
    inside = [el for el in message.element.iter() if isinstance(el.tag, str)]
    parents = [el for el in inside if _holds_elements(el)]
    added = 0
    for number in range(data.draw(st.integers(1, 3), label="pieces")):
        if parents and data.draw(st.booleans(), label="element?"):
            parent = data.draw(st.sampled_from(parents), label="parent")
            namespace = etree.QName(parent).namespace
            local = f"uxUnknown{number}"
            child = etree.Element(f"{{{namespace}}}{local}" if namespace else local)
            child.text = data.draw(st.sampled_from(["1", "x y", ""]), label="text")
            children = [c for c in parent if isinstance(c.tag, str)]
            at = data.draw(st.integers(0, len(children)), label="position")
            if at < len(children):
                children[at].addprevious(child)
            else:
                children[-1].addnext(child)
        else:
            target = data.draw(st.sampled_from(inside), label="element")
            target.set(f"ux-unknown-{number}", data.draw(st.sampled_from(["1", "a&b"])))
        added += 1
    return etree.tostring(message.root.getroottree(), encoding="UTF-8", xml_declaration=True), added


@pytest.mark.parametrize(("api", "name", "model"), CASES, ids=[f"{a}-{n}" for a, n, _ in CASES])
@settings(
    max_examples=60 if LONG else 12,
    deadline=None,
    derandomize=not LONG,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_unknown_content_is_kept_in_place(
    api: str, name: str, model: type[Any], data: st.DataObject
) -> None:
    skip = SKIPPED.get(api, {})
    obj = data.draw(model_strategy(model, skip=skip, wildcards=True), label="message")
    wire = ucxml.serialize(obj)
    mutated, added = _mutated(wire, api, data)
    COUNTS["unknown-content mutants"] += 1
    counts = []
    for read in (ucxml.parse, parse_generic):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            back = read(mutated, api)
        unknown = [w for w in caught if "not in the schema of any known release" in str(w.message)]
        assert all(w.category is DeviationWarning for w in unknown)
        written = ucxml.serialize(back)
        if "order" in binding(api).info.tolerances:
            # The API's order tolerance puts children back in schema order (T-ORDER), and
            # an unknown element goes where the schema's wildcard is: the same content.
            assert _content(written) == _content(mutated), read.__name__
        else:
            assert canonical(written) == canonical(mutated), read.__name__
        counts.append(len(unknown))
    report = ucxml.validate(mutated, api=api)
    before = ucxml.validate(wire, api=api)
    # Unknown content is a warning, never an error: the verdict is the one on the original.
    # (This holds on attributes an ##other wildcard does not take: unqualified ones.)
    assert report.valid == before.valid, report
    # One warning per piece, the same from both readers and validate; a piece a wildcard
    # of the schema takes (SOAP's Detail, PIDF's extension points) is known, not warned.
    reported = len([i for i in report.warnings if i.code == "T-UNKNOWN"])
    assert counts[0] == counts[1] == reported <= added, (counts, reported, added)
    COUNTS["unknown pieces warned"] += reported


def test_strict_makes_unknown_content_an_error(tmp_path: Any) -> None:
    path = tmp_path / "answer.xml"
    # A CUCM-style answer with one field no release has.
    path.write_bytes(
        b"<response><deviceUserResults><device name='SEP1'><userID>jdoe</userID>"
        b"<vendorHint>7</vendorHint></device></deviceUserResults></response>"
    )
    tolerant = CliRunner().invoke(cli, ["validate", str(path)])
    strict = CliRunner().invoke(cli, ["validate", "--strict", str(path)])
    assert tolerant.exit_code == 0, tolerant.output
    assert "not in the schema of any known release" in tolerant.output
    assert strict.exit_code != 0, strict.output
