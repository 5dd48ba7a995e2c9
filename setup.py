"""The one input of the build that is computed: the package list, found on disk.

``pyproject.toml`` holds everything else and maps the three source folders onto one import
package (``runtime/`` is ``ucxml``, ``generated/`` is ``ucxml.generated``, ``codegen/`` is
``ucxml.codegen``). setuptools' own finder names packages after their folders, so it cannot
follow that mapping; this lists every folder below the three that holds a file, data folders
(schemas, examples, captures, templates) included, since setuptools ships data only from a
listed package's own folder. A new API's generated folders are picked up with no edit here.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup

ROOTS = {"runtime": "ucxml", "generated": "ucxml.generated", "codegen": "ucxml.codegen"}


def packages(here: Path) -> list[str]:
    """Dotted names of the folders below ``ROOTS`` (in ``here``) that hold at least one file."""
    found = []
    for folder, package in ROOTS.items():
        root = here / folder
        for path in sorted([root, *root.rglob("*")]):
            parts = path.relative_to(root).parts
            if not path.is_dir() or any(p.startswith((".", "__")) for p in parts):
                continue  # __pycache__, editor and tool folders
            if any(child.is_file() and not child.name.startswith(".") for child in path.iterdir()):
                found.append(".".join((package, *parts)))
    return found


setup(packages=packages(Path(__file__).resolve().parent))
