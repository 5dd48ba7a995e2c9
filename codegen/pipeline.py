"""Stage 6: assemble, format and write (or compare) the whole ``generated/`` tree."""

from __future__ import annotations

import dataclasses
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ucxml.codegen.errata import parse_errata
from ucxml.codegen.inspect import inspect_models
from ucxml.codegen.manifest import Manifest, load_manifest
from ucxml.codegen.models import generate_models
from ucxml.codegen.render import BUNDLED_PACKAGE, Renderer
from ucxml.codegen.roots import with_roots
from ucxml.codegen.unasync import write_sync_twins
from ucxml.codegen.wsdl import bind_operations

__all__ = ["build", "check", "generate"]

_IGNORED = {"__pycache__"}


def _ruff(*args: str) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff) if ruff.exists() else "ruff", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        # ruff names the generated file and line that a template got wrong.
        raise RuntimeError(f"ruff {args[0]} failed on generated code:\n{done.stdout}{done.stderr}")


def _format(folder: Path, package: str = BUNDLED_PACKAGE) -> None:
    """Sort imports and format like the project (line length 100, Python 3.11)."""
    common = ["--line-length", "100", "--target-version", "py311", "--no-cache"]
    # Isolated from the user's configuration, but ucxml (and the output's own top-level
    # package) is first-party as in the project.
    first = sorted({"ucxml", package.split(".")[0]})
    isort = ["--config", f"lint.isort.known-first-party = {first}"]
    select = ["--select", "I,F401", "--fix", "--quiet"]
    _ruff("check", "--isolated", *common, *isort, *select, str(folder))
    _ruff("format", "--isolated", *common, "--quiet", str(folder))


def _api_files(manifest: Manifest, renderer: Renderer, out: Path) -> None:
    for api in manifest.apis:
        folder = out / api.name
        folder.mkdir(parents=True)
        if api.kind == "openapi":
            # REST/JSON APIs: datamodel-code-generator and their own templates.
            from ucxml.codegen.openapi import generate_openapi

            for name, text in generate_openapi(api, renderer).items():
                path = folder / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            continue
        schema_dir = folder / "schema"
        schema_dir.mkdir()
        if api.inline_schemas:
            # Written where the package ships its schemas, read from there by xsdata; the
            # path is absolute because the models stage runs in a scratch folder.
            written = []
            for name, document in api.inline_schemas:
                (schema_dir / name).write_bytes(document)
                written.append((schema_dir / name).resolve())
            api = dataclasses.replace(api, schemas=tuple(written))
        source = generate_models(api)
        classes = inspect_models(source)
        api = bind_operations(api, classes)  # the WSDL's elements, as the generated classes
        api = with_roots(api)  # an XSD API's: its first schema's global elements
        ops = renderer.operations(api, classes)
        for schema in api.schemas if not api.inline_schemas else ():
            shutil.copyfile(schema, schema_dir / schema.name)
        files = {
            "__init__.py": renderer.render_api_init(api, classes),
            "models.py": renderer.render_models(api, source),
            "operations.py": renderer.render_operations(api, ops, classes),
            "registry.py": renderer.render_registry(api, classes, f"schema/{api.schemas[0].name}"),
            "fastpath.py": renderer.render_fastpath(api, classes),
            "errata.py": renderer.render_errata(
                api, parse_errata(api.errata) if api.errata else ()
            ),
        }
        if (client := renderer.render_client(api)) is not None:
            files["client.py"] = client
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        if api.examples is not None:
            for kind in ("documented", "corrected"):
                src = api.examples / kind
                if src.is_dir():
                    dest = folder / "examples" / kind
                    dest.mkdir(parents=True)
                    for example in sorted(src.iterdir()):
                        if example.is_file():
                            shutil.copyfile(example, dest / example.name)


def build(manifest_path: Path, out: Path, package: str = BUNDLED_PACKAGE) -> None:
    """Generate the complete tree into the empty (or missing) folder ``out``, a package
    imported as ``package`` (ucxml's own bindings: ``ucxml.generated``)."""
    manifest = load_manifest(manifest_path.resolve())
    out.mkdir(parents=True, exist_ok=True)
    name = f"{manifest_path.resolve().parent.name}/{manifest_path.name}"
    renderer = Renderer(package=package, manifest=name)
    (out / "__init__.py").write_text(renderer.render_package_init(manifest.apis), "utf-8")
    (out / "py.typed").write_text("", encoding="utf-8")
    _api_files(manifest, renderer, out)
    if package == BUNDLED_PACKAGE:  # ucxml's own sync client shells, from the async ones
        write_sync_twins(out)
    _format(out, package)


def _tree(root: Path) -> set[str]:
    files = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _IGNORED]
        for name in filenames:
            files.add(str((Path(dirpath) / name).relative_to(root)))
    return files


def _differences(expected: Path, actual: Path) -> list[str]:
    want, have = _tree(expected), _tree(actual)
    diffs = [f"missing: {p}" for p in sorted(want - have)]
    diffs += [f"not generated (stale): {p}" for p in sorted(have - want)]
    diffs += [
        f"differs: {p}"
        for p in sorted(want & have)
        if not filecmp.cmp(expected / p, actual / p, shallow=False)
    ]
    return diffs


def generate(manifest_path: Path, out: Path, package: str = BUNDLED_PACKAGE) -> list[str]:
    """Regenerate ``out`` (the package ``package``) from the manifest; return the relative
    paths written."""
    with tempfile.TemporaryDirectory(prefix="ucxml-generated-") as tmp:
        staged = Path(tmp) / "generated"
        build(manifest_path, staged, package)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(staged, out)
        return sorted(_tree(out))


def check(manifest_path: Path, out: Path, package: str = BUNDLED_PACKAGE) -> list[str]:
    """Regenerate into a temporary folder; return the differences with ``out`` (empty: ok)."""
    with tempfile.TemporaryDirectory(prefix="ucxml-check-") as tmp:
        staged = Path(tmp) / "generated"
        build(manifest_path, staged, package)
        return _differences(staged, out)
