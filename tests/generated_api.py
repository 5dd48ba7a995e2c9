"""An API package of one's own, generated into a folder as a user would, and registered."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import ucxml
from ucxml import _registry as registry


@contextlib.contextmanager
def registered_package(work: Path, manifest: str, package: str) -> Iterator[list[str]]:
    """Run ``python -m ucxml.codegen`` on ``work/manifest`` into the package ``package``
    (a folder of ``work``), put ``work`` on sys.path and register the package; yield the
    names of its APIs, and undo all of it after."""
    command = ["-m", "ucxml.codegen", "--manifest", manifest, "--out", package]
    done = subprocess.run(
        [sys.executable, *command, "--package", package],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(work))
    names = ucxml.register_api(package)
    try:
        yield names
    finally:
        for name in names:
            registry.unregister_api(name)
        sys.path.remove(str(work))
        for module in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[module]
