"""Packaging: the wheel builds without setuptools' warnings, ships every data file and the
license, and the editable install of ``make venv`` is visible to mypy.

The wheel is built from a copy of the project's files (as listed by git, untracked ones too)
by calling setuptools' PEP 517 hook the way pip does, without build isolation (the dev extra
installs setuptools), so it runs offline in a few seconds.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The three source folders and where their files land in the wheel (pyproject's package-dir).
PACKAGE_DIRS = {"runtime": "ucxml", "generated": "ucxml/generated", "codegen": "ucxml/codegen"}

# What setuptools prints for a data folder that is not a listed package: the old
# "Installing ... as data is deprecated" and, since setuptools 69, "Package would be ignored".
SETUPTOOLS_DATA_WARNINGS = re.compile(r"would be ignored|as data is deprecated|is absent from")


def _git_files(*args: str) -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", *args],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:  # pragma: no cover - not a clone
        pytest.skip(f"the project's files are listed by git: {exc}")
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "MYPYPATH"}}
    env.update(extra)
    return env


class Built:
    def __init__(self, wheel: Path, output: str) -> None:
        self.wheel = wheel
        self.output = output
        with zipfile.ZipFile(wheel) as archive:
            self.names = set(archive.namelist())
            self.dist_info = next(n.split("/")[0] for n in self.names if ".dist-info/" in n)
            self.metadata = archive.read(f"{self.dist_info}/METADATA").decode()
            self.license = (
                archive.read(f"{self.dist_info}/licenses/LICENSE").decode()
                if f"{self.dist_info}/licenses/LICENSE" in self.names
                else None
            )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    source = tmp_path_factory.mktemp("source")
    for name in _git_files("--cached", "--others", "--exclude-standard"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, setuptools.build_meta as backend; print(backend.build_wheel(sys.argv[1]))",
            str(out),
        ],
        cwd=source,
        env=_clean_env(PYTHONWARNINGS="always"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    (wheel,) = out.glob("*.whl")
    return Built(wheel, output)


def test_wheel_builds_without_setuptools_data_warnings(built: Built) -> None:
    found = sorted(
        {
            line.strip()
            for line in built.output.splitlines()
            if SETUPTOOLS_DATA_WARNINGS.search(line)
        }
    )
    assert not found, "\n".join(found)
    assert not re.search(r"\w*Warning:", built.output), built.output[-4000:]


def test_wheel_holds_every_file_of_the_package_folders(built: Built) -> None:
    expected = set()
    for name in _git_files(*PACKAGE_DIRS):
        folder, _, rest = name.partition("/")
        if Path(rest).name.startswith("."):  # .gitattributes: git's, not the runtime's
            continue
        expected.add(f"{PACKAGE_DIRS[folder]}/{rest}")
    # The runtime reads these through importlib.resources: schemas, examples, captures.
    assert any(n.endswith(".xsd") for n in expected) and any(
        "demo_captures/" in n for n in expected
    )
    missing = sorted(expected - built.names)
    assert not missing, f"{len(missing)} files left out of the wheel, e.g. {missing[:10]}"
    for needed in (
        "ucxml/py.typed",
        "ucxml/generated/py.typed",
        "ucxml/generated/huawei/schema/agentgateway.json",
        "ucxml/generated/cup/schema/epas.wsdl",
        "ucxml/codegen/templates/registry.py.jinja2",
    ):
        assert needed in built.names
    strays = sorted(n for n in built.names if not n.startswith(("ucxml/", built.dist_info + "/")))
    assert not strays, strays


def test_wheel_metadata_carries_the_apache_license(built: Built) -> None:
    assert "License-Expression: Apache-2.0" in built.metadata.splitlines()
    assert "License-File: LICENSE" in built.metadata.splitlines()
    assert built.license is not None, f"no LICENSE in {built.dist_info}/licenses/"
    assert built.license == (ROOT / "LICENSE").read_text()
    assert "Apache License" in built.license and "Version 2.0, January 2004" in built.license


def test_mypy_finds_the_installed_ucxml(tmp_path: Path) -> None:
    """A user's script type-checks against the package that ``make venv`` installed.

    setuptools' default editable install is an import hook that mypy cannot follow
    ("Cannot find implementation or library stub for module named 'ucxml'"); the strict
    mode's link tree is a plain folder on sys.path.
    """
    (tmp_path / "mypy.ini").write_text("[mypy]\n")  # not the project's configuration
    script = tmp_path / "script.py"
    script.write_text(
        "from ucxml.cme import CmeClient\n"
        "reveal_type(CmeClient)\n"
        "reveal_type(CmeClient.get_device)\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--config-file",
            "mypy.ini",
            "script.py",
        ],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert "Cannot find implementation" not in output, output
    assert result.returncode == 0, output
    # The class the facade exports is the generated one; its options are typed, each.
    assert re.search(
        r'Revealed type is "def \(base_url: str, \*, username: str \| None =.*'
        r"'timeout'\?: float, 'verify'\?: bool.*\) -> ucxml\.generated\.cme\.client\.CmeClient\"",
        output,
    ), output
    assert "-> ucxml.generated.cme.models.ISgetDeviceResponse" in output, output


def test_every_module_of_the_clone_is_installed() -> None:
    """The strict editable install links the files that existed when it was made: a module
    added since is not importable until ``make`` (any target) links the tree again."""
    stale = []
    for name in _git_files("--cached", "--others", "--exclude-standard", *PACKAGE_DIRS):
        path = Path(name)
        if path.suffix != ".py":
            continue
        parts = [*PACKAGE_DIRS[path.parts[0]].split("/"), *path.parts[1:-1]]
        if path.stem != "__init__":
            parts.append(path.stem)
        if importlib.util.find_spec(".".join(parts)) is None:
            stale.append(name)
    assert not stale, f"not installed (run `make venv` to link them): {stale}"


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed (no index: offline); the wheel's
    dependencies come from this test's own environment, added after the venv's own
    site-packages, so ``ucxml`` itself can only be the installed wheel."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages") and "__editable__" not in p]
    (Path(own) / "ucxml-test-deps.pth").write_text("\n".join(deps) + "\n")
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", built.wheel],
        capture_output=True,
        text=True,
        env=_clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return venv


def _run_installed(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "ucxml"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,  # not the clone: its folders must not stand in for the installed package
        env=_clean_env(NO_COLOR="1", COLUMNS="120"),
        timeout=300,
    )


def test_the_installed_wheel_runs_version_validate_and_demo(
    installed: Path, tmp_path: Path
) -> None:
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import ucxml; print(ucxml.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(),
        check=True,
    ).stdout.strip()
    assert where.startswith(str(installed)), where  # the wheel's copy, not the clone

    version = _run_installed(installed, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == "ucxml, version 0.1.0", version

    # A bundled example, read from the installed package: the validator's schemas come
    # from there too.
    example = (
        Path(where).parent / "generated/cme/examples/documented/02-ISexecCLI-response-success.xml"
    )
    assert example.is_file()
    valid = _run_installed(installed, "validate", "--format", "json", str(example), cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert '"valid": true' in valid.stdout and '"api": "cme"' in valid.stdout, valid.stdout
    broken = tmp_path / "broken.xml"
    broken.write_bytes(example.read_bytes().replace(b"</ISexecCLIResponse>", b""))
    refused = _run_installed(installed, "validate", str(broken), cwd=tmp_path)
    assert refused.returncode != 0 and "broken.xml" in refused.stdout + refused.stderr

    demo = _run_installed(installed, "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "Traceback" not in demo.stdout + demo.stderr
