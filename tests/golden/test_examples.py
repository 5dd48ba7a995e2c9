"""Golden tests over every documented example and its corrected twin (data-driven).

Adding an example means adding a file pair under ``schemas/<api>/examples/``; the cases
below are collected from the folders and the API's ERRATA.md.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from lxml import etree

import ucxml
from ucxml import DeviationWarning
from ucxml._dialects import dialect_releases
from ucxml._envelopes import XSI_NS
from ucxml._registry import binding
from ucxml._safexml import parse_xml

from canonical import canonical

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
APIS = sorted(p.parent.parent.name for p in SCHEMAS.glob("*/examples/corrected"))


def _cases(kind: str) -> list[tuple[str, Path]]:
    return [
        (api, path)
        for api in APIS
        for path in sorted((SCHEMAS / api / "examples" / kind).glob("*"))
        if path.suffix in (".xml", ".json")
    ]


def _canonical_json(data: bytes) -> object:
    """The JSON value with null members dropped (absent and null mean the same here)."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(data))


CORRECTED = _cases("corrected")
DOCUMENTED = _cases("documented")
#: Real payloads from public pages (``../shared/realworld/``), verbatim with their source.
REALWORLD = _cases("realworld")


def _id(case: tuple[str, Path]) -> str:
    return f"{case[0]}/{case[1].name}"


def _quiet_parse(data: bytes, api: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviationWarning)
        return ucxml.parse(data, api=api)


def test_every_documented_example_has_a_corrected_twin() -> None:
    for api in APIS:
        folder = SCHEMAS / api / "examples" / "documented"
        if not folder.exists():
            continue
        documented = {p.name for p in folder.glob("*.xml")}
        corrected = {p.name for p in (SCHEMAS / api / "examples" / "corrected").glob("*.xml")}
        # Every documented example has a twin; APIs whose sources show few examples (EM)
        # have more corrected examples, written by ucxml from the wire facts.
        assert documented <= corrected, api
    assert len([c for c in DOCUMENTED if c[0] == "cme"]) == 38
    assert len([c for c in CORRECTED if c[0] == "cme"]) == 38


@pytest.mark.parametrize("case", CORRECTED, ids=_id)
def test_corrected_example_is_valid(case: tuple[str, Path]) -> None:
    api, path = case
    report = ucxml.validate(path, api=api)
    assert report.valid, [i.to_dict() for i in report.issues]
    # Only what real servers do (a D.. decision, e.g. URL-encoded user IDs) may be noted.
    assert all(i.hint and i.hint.startswith("D") for i in report.issues), report.issues
    assert report.api == api
    assert report.message is not None


@pytest.mark.parametrize("case", CORRECTED, ids=_id)
def test_corrected_example_round_trips(case: tuple[str, Path]) -> None:
    api, path = case
    data = path.read_bytes()
    obj = _quiet_parse(data, api)
    if path.suffix == ".json":
        out = ucxml.serialize(obj)
        assert _canonical_json(out) == _canonical_json(data)
    else:
        # The SOAP header blocks (EPAS session-key) travel with the body.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeviationWarning)
            envelope = ucxml.parse_envelope(data, api=api)
        assert envelope.body == obj
        out = ucxml.serialize(obj, header=envelope.header)
        assert canonical(out) == canonical(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeviationWarning)  # the example's own, checked above
            assert ucxml.parse_envelope(out, api=api) == envelope
    assert ucxml.serialize(_quiet_parse(out, api), **_header(out, api)) == out  # fixed point
    assert _quiet_parse(out, api) == obj


def _header(data: bytes, api: str) -> dict[str, object]:
    if data.lstrip()[:1] != b"<":
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviationWarning)
        return {"header": ucxml.parse_envelope(data, api=api).header}


def _example(api: str, file: str) -> Path:
    """The example an ERRATA ``files`` item names: ``realworld/x.xml`` or a documented one."""
    folder = SCHEMAS / api / "examples"
    return folder / file if "/" in file else folder / "documented" / file


def _errata_lines(api: str, name: str) -> dict[int, set[str]]:
    lines: dict[int, set[str]] = {}
    for entry in binding(api).errata:
        for file, line in entry.files:
            if file == name and line is not None:
                lines.setdefault(line, set()).add(entry.id)
    return lines


@pytest.mark.parametrize("case", DOCUMENTED, ids=_id)
def test_documented_example_is_read_or_rejected_as_the_errata_say(case: tuple[str, Path]) -> None:
    api, path = case
    report = ucxml.validate(path, api=api)
    named = _errata_lines(api, path.name)
    if report.valid:
        twin = path.parent.parent / "corrected" / path.name
        assert _quiet_parse(path.read_bytes(), api) == _quiet_parse(twin.read_bytes(), api)
        for issue in report.warnings:
            assert issue.hint is not None, f"unexplained warning: {issue}"
    else:
        assert report.errors, "invalid without errors"
        for issue in report.errors:
            assert issue.hint is not None, f"no erratum explains {issue}"
            assert issue.line in named and issue.hint in named[issue.line], (
                f"{issue.hint} at line {issue.line} is not listed for {path.name} in ERRATA.md"
            )
            assert issue.column is not None


def test_every_listed_error_is_reproduced() -> None:
    for api in APIS:
        for entry in binding(api).errata:
            if entry.severity != "error":
                continue
            for file, line in entry.files:
                path = _example(api, file)
                assert path.exists(), f"{entry.id} names missing {file}"
                report = ucxml.validate(path, api=api)
                assert any(i.line == line and i.hint == entry.id for i in report.errors), (
                    f"{entry.id}: {file}:{line} not reported"
                )


def test_every_listed_warning_is_reproduced_where_the_file_parses() -> None:
    for api in APIS:
        for entry in binding(api).errata:
            if entry.severity != "warning":
                continue
            for file, line in entry.files:
                path = _example(api, file)
                if line is None or not path.exists():
                    continue
                report = ucxml.validate(path, api=api)
                if report.valid:
                    assert any(i.line == line and i.hint == entry.id for i in report.warnings), (
                        f"{entry.id}: {file}:{line} warning not reported"
                    )


def _printed_broken(path: Path) -> bool:
    """Whether the page printed the payload broken (its source line says so)."""
    source = path.with_suffix(".src.txt")
    first = (source if source.exists() else path).read_bytes().split(b"\n", 1)[0]
    return b"NOT well-formed" in first or b"NOT-VALID" in path.name.encode()


@pytest.mark.parametrize("case", REALWORLD, ids=_id)
def test_realworld_payload_is_judged_right(case: tuple[str, Path]) -> None:
    """Without ``--api``: a real payload is detected and accepted, each warning explained;
    one that ERRATA lists as broken (or whose page printed it broken) is rejected with a
    line and the hint ERRATA names for that line."""
    api, path = case
    report = ucxml.validate(path)
    listed = {
        (line, entry.id)
        for entry in binding(api).errata
        if entry.severity == "error"
        for file, line in entry.files
        if file == f"realworld/{path.name}"
    }
    if not listed and not _printed_broken(path):
        assert report.valid, [i.to_dict() for i in report.issues]
        assert report.api == api
        for issue in report.warnings:
            assert issue.hint is not None and issue.hint_text, f"unexplained warning: {issue}"
        return
    assert not report.valid, f"{path.name}: broken, yet accepted"
    for issue in report.errors:
        assert issue.line is not None and issue.hint is not None, issue
        assert (issue.line, issue.hint) in listed, f"{issue} is not listed in ERRATA.md"
    if _printed_broken(path):
        assert (path.parent / "corrected" / path.name).exists(), "no corrected twin"


def _readable(path: Path) -> Path:
    """A real payload, or its corrected twin when the page printed it broken."""
    twin = path.parent / "corrected" / path.name
    return twin if twin.exists() else path


#: The real payloads of APIs whose releases shape messages otherwise (CME 12.x): each is
#: written back in the release it showed (see ``ucxml._dialects``).
DIALECT_CASES = [(api, _readable(path)) for api, path in REALWORLD if dialect_releases(api)]


def _message_canonical(data: bytes, api: str, *, whole: bool = False) -> bytes:
    """Canonical XML of the message element alone (no envelope, no ``xsi:type``), the
    undeclared prefixes the API tolerates declared: the content a release's form holds.
    ``whole``: of the whole document instead (envelope and ``xsi:type`` included)."""
    root = parse_xml(data, prefixes=dict(binding(api).info.prefixes)).root
    element = next(el for el in root.iter("request", "response"))
    if element.tag == "request":
        for params in element:  # element-only content: blank text there is layout
            if not len(params) and not (params.text or "").strip():
                params.text = None
    if whole:
        return canonical(etree.tostring(root))
    element.attrib.pop(f"{{{XSI_NS}}}type", None)
    return canonical(etree.tostring(element))


@pytest.mark.parametrize("case", DIALECT_CASES, ids=_id)
def test_realworld_payload_round_trips_in_the_release_it_shows(case: tuple[str, Path]) -> None:
    """Read a real payload (its corrected twin if printed broken) and write it back in the
    release it showed: the same message content, canonically; byte-for-byte canonical
    when it was read with no tolerated deviation; and read again, the same object."""
    api, path = case
    data = path.read_bytes()
    report = ucxml.validate(data, api=api)
    assert report.valid, [i.to_dict() for i in report.issues]
    obj = _quiet_parse(data, api)
    release = obj.release  # type: ignore[attr-defined]
    assert release == report.release
    out = ucxml.serialize(obj, release=release)
    assert _message_canonical(out, api) == _message_canonical(data, api)
    if not report.warnings:
        assert _message_canonical(out, api, whole=True) == _message_canonical(data, api, whole=True)
    again = _quiet_parse(out, api)
    assert again == obj
    assert again.release == release  # type: ignore[attr-defined]


def test_the_realworld_folders_are_found() -> None:
    assert len([c for c in REALWORLD if c[0] == "em"]) == 24
    assert len([c for c in REALWORLD if c[0] == "cup"]) == 4
    assert len([c for c in REALWORLD if c[0] == "huawei"]) == 9
    assert len([c for c in REALWORLD if c[0] == "cme"]) == 35
    assert len(DIALECT_CASES) == 35
