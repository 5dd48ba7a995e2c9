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

from ucxml import validate_capture
from ucxml._registry import api_names, binding, erratum_text

ROOT = Path(__file__).resolve().parents[2]
_NOT_PAYLOADS = {"expected.toml", "README.md", ".gitattributes", "ERRATA.md"}


def _corpus() -> list[Path]:
    files = [p for p in (ROOT / "schemas").rglob("*") if "examples" in p.parts]
    files += list((ROOT / "tests" / "captures").rglob("*"))
    return sorted(p for p in files if p.is_file() and p.name not in _NOT_PAYLOADS)


@functools.cache
def _fired() -> frozenset[tuple[str | None, str]]:
    """(API, erratum id) of every hint the corpus produces.

    The hint of a payload whose API was not detected belongs to the API whose erratum of
    that id has that text (ids repeat across APIs: cme and em both have an E02).
    """
    fired = set()
    for path in _corpus():
        for report in validate_capture(path.read_bytes(), source=str(path)):
            for issue in report.issues:
                if issue.hint and report.api is None:
                    fired.update(
                        (api, issue.hint)
                        for api in api_names()
                        if erratum_text(api, issue.hint) == issue.hint_text
                    )
                elif issue.hint:
                    fired.add((report.api, issue.hint))
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
    assert (api, erratum) in fired, (
        f"{api} {erratum}: its match patterns match no message that ucxml reports for the "
        "examples and captures; fix the pattern (or the reader's wording), or add a capture "
        "to tests/captures/errata/ that shows the deviation"
    )
