"""Every Python block of the README and every docstring example runs as written.

A new user copies them first. Each block runs in a fresh namespace, from the repository's
root, against a fresh emulator (``ucxml.emulator``) started by the fixture: the snippets
are written for ``ucxml emulate --port 8080``, so the test only swaps the base URL
``http://127.0.0.1:8080`` for the fixture's own port. A snippet that raises fails its test.

Docstring examples are the reST literal blocks introduced by a paragraph that begins
with (or has a sentence beginning with) ``Example`` and ends in ``::``, in the docstrings
of every module of ``ucxml`` and of
their public classes and functions.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import os
import pkgutil
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import ucxml
from ucxml.emulator import EmulatorServer, create_app

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = "http://127.0.0.1:8080"
_FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)
# An example paragraph: "Example::", "... needs. Example::" or "Example (for ...)::".
_INTRO = re.compile(r"(^|\. )Examples?\b")


def _readme_blocks() -> Iterator[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 2
        yield f"README.md:{line}", match.group(1)


def _literal_blocks(doc: str) -> Iterator[str]:
    """The literal blocks that follow an ``Example::`` line of a docstring."""
    lines = inspect.cleandoc(doc).splitlines()
    paragraph = ""
    for index, line in enumerate(lines):
        if not line.strip():
            paragraph = ""
            continue
        paragraph = paragraph or line
        if not (line.rstrip().endswith("::") and (_INTRO.search(paragraph) or _INTRO.search(line))):
            continue
        block = []
        for following in lines[index + 1 :]:
            if following.strip() and not following.startswith((" ", "\t")):
                break
            block.append(following)
        code = textwrap.dedent("\n".join(block)).strip("\n")
        if code:
            yield code + "\n"


def _modules() -> Iterator[object]:
    yield ucxml
    for info in pkgutil.walk_packages(ucxml.__path__, "ucxml."):
        if info.name.startswith(("ucxml.generated", "ucxml.codegen")) or info.name.endswith(
            "__main__"
        ):
            continue
        yield importlib.import_module(info.name)


def _docstring_examples() -> Iterator[tuple[str, str]]:
    for module in _modules():
        name = getattr(module, "__name__", "?")
        owners: list[tuple[str, object]] = [(name, module)]
        for attribute in getattr(module, "__all__", ()):
            value = getattr(module, attribute, None)
            if getattr(value, "__module__", None) == name:
                owners.append((f"{name}.{attribute}", value))
                if inspect.isclass(value):
                    owners += [
                        (f"{name}.{attribute}.{m}", f)
                        for m, f in vars(value).items()
                        if not m.startswith("_") and callable(f)
                    ]
        for where, owner in owners:
            for index, code in enumerate(_literal_blocks(getattr(owner, "__doc__", None) or "")):
                yield f"{where} example {index + 1}", code


README = list(_readme_blocks())
DOCSTRINGS = list(_docstring_examples())


def test_snippets_are_found() -> None:
    assert len(README) >= 4
    found = {where.split(" example")[0] for where, _ in DOCSTRINGS}
    for module in ("ucxml.cme", "ucxml.em", "ucxml.cup", "ucxml.huawei", "ucxml.pidf"):
        assert module in found, f"no docstring example found in {module}"


@pytest.fixture
def emulator_url() -> Iterator[str]:
    with EmulatorServer(create_app()) as server:
        yield server.base_url


def _run(where: str, code: str, base_url: str) -> str:
    code = code.replace(BASE_URL, base_url)
    out = io.StringIO()
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, where, "exec"), {"__name__": "__snippet__"})
    finally:
        os.chdir(previous)
    return out.getvalue()


@pytest.mark.parametrize(("where", "code"), README, ids=[w for w, _ in README])
def test_readme_block_runs(where: str, code: str, emulator_url: str) -> None:
    printed = _run(where, code, emulator_url)
    if "print(" in code:
        assert printed.strip(), f"{where} printed nothing"


@pytest.mark.parametrize(("where", "code"), DOCSTRINGS, ids=[w for w, _ in DOCSTRINGS])
def test_docstring_example_runs(where: str, code: str, emulator_url: str) -> None:
    printed = _run(where, code, emulator_url)
    if "print(" in code:
        assert printed.strip(), f"{where} printed nothing"
