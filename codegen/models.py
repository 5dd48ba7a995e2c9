"""Stage 2: dataclass models from the API's schema, by xsdata used as a library.

xsdata's own generator configuration (naming conventions, substitutions, extensions) is a
data file named by the manifest. xsdata writes relative to the working directory and
imports what it wrote, so it runs in a scratch folder under a private package name; the
module source is then taken as it is.
"""

from __future__ import annotations

import ast
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from xsdata.codegen.transformer import ResourceTransformer
from xsdata.codegen.writer import CodeWriter
from xsdata.models.config import (
    GeneratorConfig,
    GeneratorSubstitution,
    NameCase,
    ObjectType,
    StructureStyle,
)
from xsdata.utils import package as xsdata_package

from ucxml.codegen.enums import member_names, rename_members, wire_bases
from ucxml.codegen.manifest import ApiSpec

__all__ = ["default_config", "generate_models"]

_SCRATCH_PACKAGE = "ucxml_codegen_scratch"


@contextlib.contextmanager
def _scratch_dir() -> Iterator[Path]:
    """Run inside a temporary folder with this interpreter's tools (ruff) on PATH."""
    old_cwd = Path.cwd()
    old_path = os.environ.get("PATH", "")
    old_sys_path = list(sys.path)
    with tempfile.TemporaryDirectory(prefix="ucxml-codegen-") as tmp:
        os.chdir(tmp)
        # xsdata memoises paths joined to the working directory; drop the previous run's.
        xsdata_package.package_path.cache_clear()
        xsdata_package.module_path.cache_clear()
        os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), old_path])
        try:
            yield Path(tmp)
        finally:
            os.chdir(old_cwd)
            os.environ["PATH"] = old_path
            sys.path[:] = old_sys_path
            for name in [m for m in sys.modules if m.split(".")[0] == _SCRATCH_PACKAGE]:
                del sys.modules[name]


def default_config() -> GeneratorConfig:
    """xsdata's configuration for an API whose manifest entry names none (``xsdata_config``):
    the bundled APIs' conventions (one module of slotted dataclasses, line length 100,
    ``mixedPascalCase`` classes, ``snake_case`` fields), without their per-API substitutions."""
    config = GeneratorConfig()
    config.output.max_line_length = 100
    config.output.format.slots = True
    config.output.structure_style = StructureStyle.SINGLE_PACKAGE
    config.conventions.class_name.case = NameCase.MIXED_PASCAL
    config.substitutions.substitution.append(
        GeneratorSubstitution(type=ObjectType.CLASS, search="(.*)Class$", replace="\\1Type")
    )
    return config


def generate_models(api: ApiSpec) -> str:
    """Return the source of ``generated/<api>/models.py`` (without the do-not-edit header)."""
    if api.xsdata_config is None:
        config = default_config()
    else:
        config = GeneratorConfig.read(api.xsdata_config)
    config.output.package = f"{_SCRATCH_PACKAGE}.{api.name}.models"
    main_schema = api.schemas[0].resolve().as_uri()
    with _scratch_dir() as tmp:
        transformer = ResourceTransformer(config=config)
        transformer.process_sources([main_schema])
        classes = transformer.analyze_classes(transformer.classes)
        rename_members(classes, member_names(api.schemas))
        CodeWriter.from_config(config).write(classes)
        module = tmp / _SCRATCH_PACKAGE / api.name / "models.py"
        return add_extra_fields(wire_bases(module.read_text(encoding="utf-8")))


#: The fields every generated model gets: what its element carried beyond the schema, and
#: the release detected in the message it was read from (not compared: the same content
#: from two releases is equal).
_EXTRA_FIELD = 'extra: Extra | None = field(default=None, repr=False, metadata={"type": "Ignore"})'
RELEASE_FIELD = (
    "release: str | None = field(\n"
    '    default=None, repr=False, compare=False, metadata={"type": "Ignore"}\n'
    ")"
)


def add_extra_fields(source: str) -> str:
    """``source`` with ``extra`` (:class:`ucxml.bindings.Extra`) and ``release`` fields on
    every dataclass.

    Readers keep in ``extra`` what a real server sent beyond the schema, and ``serialize``
    writes it back in place; ``release`` is the release detected in the message the model
    was read from. xsdata skips both (``Ignore``), so neither reaches the wire by itself.
    """
    added = add_fields(source, [_EXTRA_FIELD, *RELEASE_FIELD.split("\n")])
    if added == source:
        return source
    lines = added.splitlines()
    anchor = next(i for i, line in enumerate(lines) if line.startswith("from dataclasses "))
    lines.insert(anchor + 1, "\nfrom ucxml.bindings import Extra")
    return "\n".join(lines) + "\n"


def add_fields(source: str, field_lines: list[str]) -> str:
    """``source`` with ``field_lines`` appended to the body of every dataclass."""
    tree = ast.parse(source)
    lines = source.splitlines()
    ends: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            "dataclass" in ast.unparse(d) for d in node.decorator_list
        ):
            assert node.end_lineno is not None
            ends.append((node.end_lineno, node.col_offset + 4))
    if not ends:
        return source
    # Last class first; where a nested class ends on its outer class's last line, the
    # outer field goes in first so that the inner one lands above it, inside the inner.
    for end, indent in sorted(ends, key=lambda e: (e[0], -e[1]), reverse=True):
        lines[end:end] = [" " * indent + line for line in field_lines]
    return "\n".join(lines) + "\n"
