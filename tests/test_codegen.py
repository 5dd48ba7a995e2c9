"""The generator: committed output is reproduced byte for byte, and drift is caught."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ucxml.codegen import check
from ucxml.codegen.errata import ErrataError, parse_errata
from ucxml.codegen.manifest import ManifestError, load_manifest
from ucxml.codegen.pipeline import build

ROOT = Path(__file__).resolve().parents[1]


def test_committed_generated_tree_is_up_to_date() -> None:
    # The one build of the whole tree in the suite (`make test` runs `codegen --check` too,
    # but pytest alone must still catch a stale generated/).
    assert check(ROOT / "schemas/manifest.toml", ROOT / "generated") == []


def _cme_only(tmp: Path) -> Path:
    """A copy of schemas/cme/ under a manifest of the cme entry alone.

    The drift tests build this one API (the generator writes each API's folder on its own),
    not the whole tree again.
    """
    shutil.copytree(ROOT / "schemas" / "cme", tmp / "schemas" / "cme")
    text = (ROOT / "schemas" / "manifest.toml").read_text(encoding="utf-8")
    start = text.index("[apis.cme]")
    following = re.search(r"^\[apis\.(?!cme\b)", text[start:], re.MULTILINE)
    section = text[start : start + following.start()] if following else text[start:]
    manifest = tmp / "schemas" / "manifest.toml"
    manifest.write_text(section, encoding="utf-8")
    return manifest


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def cme_only_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tree the cme-only manifest generates, built once for the drift tests: checked
    against it, a drift is the only difference (against generated/, the other APIs' folders
    would show as stale and the exit code would be 1 anyway)."""
    tmp = tmp_path_factory.mktemp("cme-only")
    build(_cme_only(tmp), tmp / "generated")
    return tmp / "generated"


def test_a_one_api_manifest_generates_that_api_as_committed(cme_only_tree: Path) -> None:
    assert _files(cme_only_tree / "cme") == _files(ROOT / "generated" / "cme")


def test_changing_a_schema_without_regenerating_is_detected(
    tmp_path: Path, cme_only_tree: Path
) -> None:
    manifest = _cme_only(tmp_path)
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
    diffs = check(manifest, cme_only_tree)
    assert "differs: cme/models.py" in diffs
    assert "differs: cme/schema/cme.xsd" in diffs
    assert all(d.startswith("differs: cme/") for d in diffs), diffs


def test_check_generated_command_fails_on_drift(tmp_path: Path, cme_only_tree: Path) -> None:
    manifest = _cme_only(tmp_path)
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
            str(cme_only_tree),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "differs: cme/errata.py" in result.stdout
    assert [line.strip() for line in result.stdout.splitlines()[1:]] == ["differs: cme/errata.py"]


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


def _manifest_copy(tmp: Path, old: str, new: str) -> Path:
    """schemas/ copied to ``tmp`` with one edit of its manifest."""
    shutil.copytree(ROOT / "schemas", tmp / "schemas")
    manifest = tmp / "schemas" / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    manifest.write_text(text.replace(old, new), encoding="utf-8")
    return manifest


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('26 = "Busy', '026 = "Busy', "em.errors: code '026' is not a decimal integer"),
        ('26 = "Busy', 'x26 = "Busy', "em.errors: code 'x26' is not a decimal integer"),
        ('error_code_type = "int"', 'error_code_type = "number"', "em.error_code_type: expected"),
        ('"100-005" = "sign-out parameter invalid"', '"100-005" = " "', "huawei.errors.100-005"),
        ('"100-005" = "sign-out parameter invalid"', '"100-005" = 5', "huawei.errors.100-005"),
        ('"100-005" = "sign-out', '" 100-005" = "sign-out', "code ' 100-005' is empty or padded"),
    ],
)
def test_error_tables_are_checked(tmp_path: Path, old: str, new: str, words: str) -> None:
    with pytest.raises(ManifestError, match=re.escape(words)):
        load_manifest(_manifest_copy(tmp_path, old, new))


def test_error_tables_are_the_manifest_s_through_the_generated_registries() -> None:
    import importlib

    from ucxml import em, huawei

    apis = load_manifest(ROOT / "schemas" / "manifest.toml").apis
    for api in apis:
        registry = importlib.import_module(f"ucxml.generated.{api.name}.registry")
        assert dict(registry.ERROR_CODES) == api.errors, api.name
        assert list(registry.ERROR_CODES) == list(api.errors), api.name  # the manifest's order
    tables = {api.name: api.errors for api in apis}
    assert em.EM_ERROR_CODES is importlib.import_module("ucxml.generated.em.registry").ERROR_CODES
    assert (
        huawei.GATEWAY_ERROR_CODES
        is importlib.import_module("ucxml.generated.huawei.registry").ERROR_CODES
    )
    # EM's codes are the <error code="..."> numbers, Huawei's the retcode strings.
    assert em.EM_ERROR_CODES[26] == tables["em"][26] == "Busy, please try again"
    assert huawei.GATEWAY_ERROR_CODES["100-005"] == "sign-out parameter invalid"
    with pytest.raises(TypeError):
        em.EM_ERROR_CODES[26] = "changed"  # type: ignore[index]
