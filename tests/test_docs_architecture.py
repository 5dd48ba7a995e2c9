"""docs/architecture.md states the public surface: its list and ``ucxml.__all__`` agree."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from pathlib import Path

import ucxml

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def _section(marker: str = "public-surface") -> str:
    text = DOC.read_text(encoding="utf-8")
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    assert begin in text and end in text, f"{DOC.name} lost its public-surface markers"
    return text.split(begin, 1)[1].split(end, 1)[0]


def test_the_documented_top_level_names_are_exactly_all() -> None:
    documented = re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", _section())
    assert len(documented) == len(set(documented)), "a name is listed twice"
    assert set(documented) == set(ucxml.__all__), (
        f"documented only: {sorted(set(documented) - set(ucxml.__all__))}; "
        f"in __all__ only: {sorted(set(ucxml.__all__) - set(documented))}"
    )


def test_the_documented_public_modules_are_exactly_the_package_s() -> None:
    """The facade: the modules the page calls public are those without a leading underscore."""
    documented = set(re.findall(r"`ucxml\.([a-z_]+)`", _section("public-modules")))
    on_disk = {m.name for m in pkgutil.iter_modules(ucxml.__path__) if m.name != "__main__"}
    public = {name for name in on_disk if not name.startswith("_")}
    assert documented == public, (
        f"documented only: {sorted(documented - public)}; "
        f"public only: {sorted(public - documented)}"
    )
    # an imported private module is an attribute too (Python sets it); dir() lists the public
    assert set(dir(ucxml)) & on_disk == public


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # the parent is a module, not a package
        return False


def test_the_dotted_names_the_page_cites_exist() -> None:
    cited = set(re.findall(r"`(ucxml(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", DOC.read_text("utf-8")))
    assert "ucxml.cme.CmeClient" in cited
    # ``ucxml.apis`` is the entry-point group's name, not a module.
    for name in sorted(cited - {"ucxml.apis"}):
        module, _, attr = name.rpartition(".")
        try:
            found = hasattr(importlib.import_module(module), attr)
        except ImportError:
            found = False
        # a module not imported yet is no attribute of its package
        found = found or _is_module(name)
        assert found, f"{DOC.name} cites {name}, which does not exist"
