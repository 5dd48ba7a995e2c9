"""Stage 2-5 for REST/JSON APIs: an OpenAPI 3.1 document -> ``generated/<api>/``.

The models come from datamodel-code-generator used as a library, configured by the
``[tool.datamodel-codegen]`` table of the project's ``pyproject.toml`` (its own format);
this module only forces what the runtime depends on: OpenAPI input, dataclass output,
no timestamp, and a ``metadata={"name": <JSON name>}`` on every field (the runtime's JSON
binder maps snake_case fields to the wire names with it, as xsdata's metadata does for
XML). Classes with a secret property (``format: password`` or ``x-ucxml-secret: true``)
get :func:`ucxml.bindings.redact_secrets`. The document itself ships as sorted JSON, so
the runtime validates without a YAML parser. Everything is deterministic.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ucxml.codegen.errata import parse_errata
from ucxml.codegen.manifest import ApiSpec, OperationSpec
from ucxml.codegen.models import RELEASE_FIELD, add_fields
from ucxml.codegen.render import HEADER, CodegenError, Renderer

__all__ = ["RestOperation", "generate_openapi", "load_document", "parameter_ranges"]

_TOOL = "datamodel-codegen"
_SECRET_MARK = "x-ucxml-secret"
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: Options the runtime relies on, whatever the project table says.
_FORCED: dict[str, Any] = {
    "input_file_type": "openapi",
    "output_model_type": "dataclasses.dataclass",
    "disable_timestamp": True,
    "field_extra_keys_without_x_prefix": {"x-metadata"},
}
_DECORATOR = re.compile(r"^(@dataclass\b.*\n)(class (\w+)\b)", re.MULTILINE)


@dataclass(frozen=True)
class RestOperation:
    """One manifest operation checked against the document (what the templates need)."""

    spec: OperationSpec
    http_method: str
    path: str


def load_document(path: Path) -> dict[str, Any]:
    """Read an OpenAPI document (YAML or JSON) as plain data."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not str(data.get("openapi", "")).startswith("3."):
        raise CodegenError(f"{path}: not an OpenAPI 3 document")
    return data


def _project_table(start: Path) -> Path | None:
    """The folder of the closest ``pyproject.toml`` with a ``[tool.datamodel-codegen]`` table.

    Searched from the schema's folder upwards, then beside this package (a source
    checkout), so a copy of ``schemas/`` elsewhere is generated with the same options.
    """
    candidates = [start, *start.parents, Path(__file__).resolve().parent.parent]
    for folder in candidates:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            if isinstance(data.get("tool", {}).get(_TOOL), dict):
                return folder
    return None


def _object_schemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema object with ``properties`` under ``node`` (depth first, in order)."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield node
        for value in node.values():
            yield from _object_schemas(value)
    elif isinstance(node, list):
        for item in node:
            yield from _object_schemas(item)


def _with_wire_names(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` whose properties carry ``x-metadata: {name: <JSON name>}``."""
    copied = copy.deepcopy(dict(document))
    for schema in _object_schemas(copied.get("components", {}).get("schemas", {})):
        for name, prop in schema["properties"].items():
            if isinstance(prop, dict):
                prop.setdefault("x-metadata", {"name": name})
    return copied


def _secret_classes(document: Mapping[str, Any]) -> set[str]:
    """Component schemas (by name) with a property marked secret."""
    found = set()
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        for prop in (schema.get("properties") or {}).values():
            if isinstance(prop, dict) and (
                prop.get("format") == "password" or prop.get(_SECRET_MARK) is True
            ):
                found.add(schema.get("title", name))
    return found


def _models_source(api: ApiSpec, document: Mapping[str, Any]) -> str:
    from datamodel_code_generator import generate, load_pyproject_config

    folder = _project_table(api.schemas[0].parent)
    header = HEADER.format(api=api.name) + (
        f'"""Dataclass models of the {api.title}, from {api.schemas[0].name}'
        ' by datamodel-code-generator."""'
    )
    config = load_pyproject_config(
        folder if folder is not None else api.schemas[0].parent,
        overrides={**_FORCED, "custom_file_header": header},
    )
    source = generate(_with_wire_names(document), config=config)
    if not isinstance(source, str):
        raise CodegenError(f"{api.name}: datamodel-code-generator wrote several modules")
    # Each model carries the release detected in the body it was read from (not sent).
    source = add_fields(source, RELEASE_FIELD.split("\n"))
    secrets = _secret_classes(document)
    if secrets:
        source = _DECORATOR.sub(
            lambda m: ("@redact_secrets\n" if m.group(3) in secrets else "") + m.group(0), source
        )
        source = source.replace(
            "\nfrom dataclasses import",
            "\nfrom ucxml.bindings import redact_secrets\nfrom dataclasses import",
            1,
        )
    return source


def _classes(source: str) -> list[str]:
    tree = ast.parse(source)
    return sorted(node.name for node in tree.body if isinstance(node, ast.ClassDef))


def _routes(document: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """operationId -> (HTTP method, path template), from the document's paths."""
    routes = {}
    for path, item in (document.get("paths") or {}).items():
        for method in _HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and "operationId" in operation:
                routes[operation["operationId"]] = (method.upper(), path)
    return routes


def _operations(
    api: ApiSpec, document: Mapping[str, Any], classes: list[str]
) -> list[RestOperation]:
    """Check each manifest operation against the document and the models."""
    routes = _routes(document)
    ops = []
    for spec in api.operations:
        for type_name in (spec.request, spec.response):
            if type_name not in classes:
                raise CodegenError(f"{api.name}.{spec.name}: no model named {type_name}")
        if spec.name not in routes:
            raise CodegenError(
                f"{api.name}.{spec.name}: no operationId {spec.name!r} in the document"
            )
        method, path = routes[spec.name]
        if spec.http_method is not None and spec.http_method.upper() != method:
            raise CodegenError(
                f"{api.name}.{spec.name}: manifest says {spec.http_method}, the document {method}"
            )
        if spec.path is not None and spec.path != path:
            raise CodegenError(
                f"{api.name}.{spec.name}: manifest path {spec.path!r}, the document {path!r}"
            )
        ops.append(RestOperation(spec, method, path))
    return ops


#: The JSON Schema keywords that bound a parameter's value (3.1's numeric exclusive forms).
_RANGE_KEYWORDS = (
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
)


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    """``node`` with its local ``$ref`` followed; 3.1 lets keywords beside a ``$ref`` add to
    (and override) the target's, so they are kept."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise CodegenError(f"$ref {ref!r}: only local, non-circular references are read")
        seen.add(ref)
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise CodegenError(f"$ref {ref!r} points to nothing")
            target = target[part]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **siblings} if isinstance(target, dict) else target
    return node


def _bounds(document: Mapping[str, Any], schema: Any, where: str) -> dict[str, int | float]:
    schema = _resolve(document, schema)
    if not isinstance(schema, dict):
        return {}
    found: dict[str, int | float] = {}
    for keyword in _RANGE_KEYWORDS:
        if keyword in schema:
            value = schema[keyword]
            if isinstance(value, bool) or not isinstance(value, int | float):
                # OpenAPI 3.0's boolean exclusiveMinimum, or a typo: no number to check against.
                raise CodegenError(f"{where}: {keyword} must be a number, not {value!r}")
            found[keyword] = value
    return found


def _inputs(
    document: Mapping[str, Any], item: Mapping[str, Any], operation: Mapping[str, Any]
) -> Iterator[tuple[str, Any]]:
    """(name, schema) of an operation's parameters (its own over its path's) and of the
    members of its JSON request body."""
    params: dict[tuple[str, str], Any] = {}
    for node in (*item.get("parameters", ()), *operation.get("parameters", ())):
        param = _resolve(document, node)
        if not isinstance(param, dict) or not {"name", "in"} <= param.keys():
            raise CodegenError(f"a parameter without name and in: {node!r}")
        params[(param["name"], param["in"])] = param.get("schema")
    for (name, _), schema in params.items():
        yield name, schema
    body = _resolve(document, operation.get("requestBody") or {})
    for media in (body.get("content") or {}).values():
        schema = _resolve(document, media.get("schema") or {})
        for name, prop in (schema.get("properties") or {}).items():
            yield name, prop


def parameter_ranges(document: Mapping[str, Any]) -> dict[str, dict[str, int | float]]:
    """The bounds (``minimum``, ``maxLength``...) of every bounded operation input, by name.

    The clients check arguments against these before sending; keyed by name alone, so a
    name the document bounds differently in two places (or bounds in one only) is refused.
    """
    seen: dict[str, tuple[dict[str, int | float], str]] = {}
    for path, item in (document.get("paths") or {}).items():
        for method in _HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {path}"
            for name, schema in _inputs(document, item, operation):
                bounds = _bounds(document, schema, f"{where}: {name}")
                first = seen.setdefault(name, (bounds, where))
                if first[0] != bounds:
                    raise CodegenError(
                        f"parameter {name!r} is bounded {first[0]} in {first[1]} "
                        f"but {bounds} in {where}: one name, one range"
                    )
    return {name: bounds for name, (bounds, _) in sorted(seen.items()) if bounds}


def _render(renderer: Renderer, template: str, api: ApiSpec, **context: object) -> str:
    body = renderer.env.get_template(template).render(api=api, **context)
    return renderer.header(api.name) + body


def generate_openapi(api: ApiSpec, renderer: Renderer) -> dict[str, str]:
    """The files of ``generated/<api>/`` (relative path -> text) for an OpenAPI API."""
    document = load_document(api.schemas[0])
    models = _models_source(api, document)
    classes = _classes(models)
    ops = _operations(api, document, classes)
    requests = sorted({op.spec.request for op in ops})
    responses = sorted({op.spec.response for op in ops})
    schema_name = api.schemas[0].with_suffix(".json").name
    files = {
        "models.py": models,
        f"schema/{schema_name}": json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
        + "\n",
        "registry.py": _render(
            renderer,
            "openapi_registry.py.jinja2",
            api,
            ops=ops,
            requests=requests,
            responses=responses,
            imports=sorted(set(requests) | set(responses)),
            schema=f"schema/{schema_name}",
            ranges=parameter_ranges(document),
        ),
        "errata.py": renderer.render_errata(api, parse_errata(api.errata) if api.errata else ()),
        "__init__.py": _render(renderer, "openapi_init.py.jinja2", api, models=classes),
    }
    return files
