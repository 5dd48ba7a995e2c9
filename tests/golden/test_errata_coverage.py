"""Every erratum whose ``match`` names a message is matched by something ucxml reports.

An erratum's ``match`` patterns are matched against the reader's and libxml2's wording;
when that wording changes, the hint silently stops firing (as ERRATA S01 did for the SIP
examples). The corpus is every example of every API (documented, corrected, SIP) and every
capture of ``tests/captures/``; a tolerance whose documented example fails earlier has a
trigger capture in ``tests/captures/errata/``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from ucxml.registry import api_names, binding
from ucxml.validation import validate_capture

ROOT = Path(__file__).resolve().parents[2]
_NOT_PAYLOADS = {"expected.toml", "README.md", ".gitattributes", "ERRATA.md"}


def _corpus() -> list[Path]:
    files = [p for p in (ROOT / "schemas").rglob("*") if "examples" in p.parts]
    files += list((ROOT / "tests" / "captures").rglob("*"))
    return sorted(p for p in files if p.is_file() and p.name not in _NOT_PAYLOADS)


@functools.cache
def _fired() -> frozenset[tuple[str | None, str]]:
    """(API, erratum id) of every hint the corpus produces (API None: not detected)."""
    fired = set()
    for path in _corpus():
        for report in validate_capture(path.read_bytes(), source=str(path)):
            fired.update((report.api, i.hint) for i in report.issues if i.hint)
    return frozenset(fired)


ERRATA = [
    pytest.param(api, entry.id, id=f"{api}-{entry.id}")
    for api in api_names()
    for entry in binding(api).errata
    if entry.match
]


def test_the_corpus_is_found() -> None:
    assert len(_corpus()) > 200
    assert len(ERRATA) > 20


@pytest.mark.parametrize(("api", "erratum"), ERRATA)
def test_every_erratum_match_fires(api: str, erratum: str) -> None:
    fired = _fired()
    assert (api, erratum) in fired or ((None, erratum) in fired and _only_in(erratum, api)), (
        f"{api} {erratum}: its match patterns match no message that ucxml reports for the "
        "examples and captures; fix the pattern (or the reader's wording), or add a capture "
        "to tests/captures/errata/ that shows the deviation"
    )


def _only_in(erratum: str, api: str) -> bool:
    """An undetected payload's hint belongs to ``api`` when no other API has that id."""
    return [a for a in api_names() if any(e.id == erratum for e in binding(a).errata)] == [api]
