"""Regressions the fuzzers found: each input of ``regressions/`` and what readers must do.

``regressions/expected.toml`` names, per input, the entry points that read it and the
expected outcome (typed error, model, validation verdict); adding a regression is adding
a file and an entry.
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import ucxml
from ucxml import errors, pidf, uccn, validate_capture
from ucxml._documents import parse_generic
from ucxml._sip import parse_sip

HERE = Path(__file__).resolve().parent / "regressions"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads((HERE / "expected.toml").read_text())

CALLS: dict[str, Callable[[bytes], Any]] = {
    "parse": ucxml.parse,
    "parse[uccn]": lambda d: ucxml.parse(d, api="uccn"),
    "parse_generic": parse_generic,
    "iter_records": lambda d: list(ucxml.iter_records(d, api="cme")),
    "validate": ucxml.validate,
    "validate[uccn]": lambda d: ucxml.validate(d, api="uccn"),
    "validate_capture": validate_capture,
    "uccn.parse_notification": uccn.parse_notification,
    "pidf.read": pidf.read,
    "pidf.split_rlmi": pidf.split_rlmi,
    "sip.parts": lambda d: parse_sip(d).parts(),
}

CASES = [
    pytest.param(
        name,
        call,
        marks=[pytest.mark.xfail(strict=True, reason=entry["xfail"])] if "xfail" in entry else [],
        id=f"{name}-{call}",
    )
    for name, entry in EXPECTED.items()
    for call in entry["calls"]
]


@pytest.mark.parametrize(("name", "call"), CASES)
def test_regression(name: str, call: str) -> None:
    entry = EXPECTED[name]
    data = (HERE / entry["file"]).read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ucxml.DeviationWarning)
        if call.startswith("validate"):
            result = CALLS[call](data)
            for report in result if isinstance(result, list) else [result]:
                assert report.valid is entry["valid"], report.issues
        elif "raises" in entry:
            with pytest.raises(getattr(errors, entry["raises"])):
                CALLS[call](data)
        else:
            result = CALLS[call](data)
            assert type(result).__name__ == entry["type"]


def test_every_file_has_an_entry() -> None:
    files = {p.name for p in HERE.iterdir() if p.name != "expected.toml"}
    assert files == {e["file"] for e in EXPECTED.values()}
    assert all(set(e["calls"]) <= set(CALLS) for e in EXPECTED.values())
