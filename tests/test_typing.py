"""mypy pins the clients' signatures and return types (reveal-type style tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mypy_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A symlink tree with the installed package layout, which mypy can follow."""
    base = tmp_path_factory.mktemp("typecheck")
    pkg = base / "ucxml"
    pkg.mkdir()
    for entry in (ROOT / "runtime").iterdir():
        (pkg / entry.name).symlink_to(entry)
    (pkg / "generated").symlink_to(ROOT / "generated")
    (pkg / "codegen").symlink_to(ROOT / "codegen")
    return base


def _mypy(mypy_path: Path, file: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(mypy_path)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(mypy_path / ".mypy_cache"),
            str(ROOT / "tests/typing" / file),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=mypy_path,
    )


@pytest.mark.parametrize(
    "file",
    [
        "cme_client_types.py",
        "em_client_types.py",
        "presence_types.py",
        "first_hour_types.py",
        "huawei_client_types.py",
        "axl_client_types.py",
    ],
)
def test_client_return_types(mypy_path: Path, file: str) -> None:
    result = _mypy(mypy_path, file)
    assert result.returncode == 0, result.stdout + result.stderr


def test_misuse_is_rejected(mypy_path: Path) -> None:
    result = _mypy(mypy_path, "cme_client_misuse.py")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if ": error:" in line]
    flagged = {int(line.split(":")[1]) for line in lines}
    assert flagged == {9, 10, 11, 12, 13}, result.stdout


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("huawei_client_misuse.py", {10, 11, 12, 13, 14, 15, 16, 17, 21, 23}),
        ("axl_client_misuse.py", {9, 10, 11, 12, 13, 14, 19}),
        ("release_misuse.py", {12, 13, 14, 15, 16, 17, 18, 19}),
    ],
)
def test_client_misuse_is_rejected(mypy_path: Path, file: str, expected: set[int]) -> None:
    result = _mypy(mypy_path, file)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if ": error:" in line]
    flagged = {int(line.split(":")[1]) for line in lines}
    assert flagged == expected, result.stdout
