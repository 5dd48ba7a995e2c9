"""The generator: committed output is reproduced byte for byte, and drift is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ucxml.codegen import check
from ucxml.codegen.errata import ErrataError, parse_errata
from ucxml.codegen.manifest import ManifestError, load_manifest

ROOT = Path(__file__).resolve().parents[1]


def test_committed_generated_tree_is_up_to_date() -> None:
    assert check(ROOT / "schemas/manifest.toml", ROOT / "generated") == []


def _copy_schemas(tmp: Path) -> Path:
    shutil.copytree(ROOT / "schemas", tmp / "schemas")
    return tmp / "schemas/manifest.toml"


def test_changing_a_schema_without_regenerating_is_detected(tmp_path: Path) -> None:
    manifest = _copy_schemas(tmp_path)
    xsd = tmp_path / "schemas/cme/cme.xsd"
    text = xsd.read_text()
    marker = '<xs:element name="ISDevCodec" type="xs:string" minOccurs="0"/>'
    assert marker in text
    xsd.write_text(
        text.replace(
            marker,
            marker + '\n      <xs:element name="ISDevVendor" type="xs:string" minOccurs="0"/>',
        )
    )
    diffs = check(manifest, ROOT / "generated")
    assert "differs: cme/models.py" in diffs
    assert "differs: cme/schema/cme.xsd" in diffs


def test_check_generated_command_fails_on_drift(tmp_path: Path) -> None:
    manifest = _copy_schemas(tmp_path)
    errata = tmp_path / "schemas/cme/ERRATA.md"
    errata.write_text(errata.read_text().replace("## D10 —", "## D99 —"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ucxml.codegen",
            "--check",
            "--manifest",
            str(manifest),
            "--out",
            str(ROOT / "generated"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "differs: cme/errata.py" in result.stdout


def test_errata_grammar_is_enforced(tmp_path: Path) -> None:
    path = tmp_path / "ERRATA.md"
    path.write_text(
        "# x\n\n## E01 — t\n- severity: error\n- files: -\n- match: -\n- wrong: w\n- fix: f\n"
    )
    with pytest.raises(ErrataError, match="lacks why"):
        parse_errata(path)
    path.write_text(
        "## E01 — t\n- severity: bad\n- files: -\n- match: -\n- wrong: w\n- fix: f\n- why: y\n"
    )
    with pytest.raises(ErrataError, match="unknown severity"):
        parse_errata(path)
    path.write_text(
        "## E01 — t\n- severity: error\n- files: `a.xml:3`, `b.xml`\n- match: `x(`\n"
        "- wrong: w\n- fix: f\n- why: y\n"
    )
    with pytest.raises(ErrataError, match="bad match pattern"):
        parse_errata(path)


def test_errata_files_are_parsed() -> None:
    entries = {e.id: e for e in parse_errata(ROOT / "schemas/cme/ERRATA.md")}
    assert ("05-ISSaveConfig-response-success.xml", 5) in entries["E04"].files
    assert entries["E01"].files == (("all", None),)


def test_manifest_errors_are_named(tmp_path: Path) -> None:
    path = tmp_path / "manifest.toml"
    path.write_text('[apis.x]\ntitle = "X"\nschemas = ["missing.xsd"]\n')
    with pytest.raises(ManifestError, match="does not exist"):
        load_manifest(path)


def test_every_operation_has_sync_and_async_stubs() -> None:
    from ucxml.generated.cme import OPERATIONS, AsyncCmeOperations, CmeOperations

    assert len(OPERATIONS) == 22  # the 2008 guide's 15 and the seven of CME 12.x
    for op in OPERATIONS.values():
        assert callable(getattr(CmeOperations, op.method))
        assert callable(getattr(AsyncCmeOperations, op.method))


def test_generated_python_files_carry_the_do_not_edit_header() -> None:
    for path in (ROOT / "generated").rglob("*.py"):
        assert "DO NOT EDIT" in path.read_text().splitlines()[1], path
