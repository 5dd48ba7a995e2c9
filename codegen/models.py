"""Stage 2: dataclass models from the API's schema, by xsdata used as a library.

xsdata's own generator configuration (naming conventions, substitutions, extensions) is a
data file named by the manifest. xsdata writes relative to the working directory and
imports what it wrote, so it runs in a scratch folder under a private package name; the
module source is then taken as it is.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from xsdata.codegen.transformer import ResourceTransformer
from xsdata.codegen.writer import CodeWriter
from xsdata.models.config import GeneratorConfig
from xsdata.utils import package as xsdata_package

from ucxml.codegen.enums import member_names, rename_members, wire_bases
from ucxml.codegen.manifest import ApiSpec

__all__ = ["generate_models"]

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


def generate_models(api: ApiSpec) -> str:
    """Return the source of ``generated/<api>/models.py`` (without the do-not-edit header)."""
    if api.xsdata_config is None:
        raise ValueError(f"api {api.name!r} has no xsdata_config")
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
        return wire_bases(module.read_text(encoding="utf-8"))
