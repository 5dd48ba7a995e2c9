"""Stage 1: read ``schemas/manifest.toml`` into typed records."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ucxml._envelopes import envelope_styles
from ucxml._tolerances import TOLERANCES
from ucxml.codegen.wsdl import (
    WsdlError,
    inline_schemas,
    operation_tables,
    read_wsdl,
    wsdl_endpoints,
)

__all__ = ["ApiSpec", "Manifest", "OperationSpec", "load_manifest"]


@dataclass(frozen=True)
class OperationSpec:
    """One operation: wire name, request/response type names, Python method name."""

    name: str
    request: str
    response: str
    method: str
    doc: str = ""
    #: For APIs whose request root carries several operations (EM): the root's field that
    #: holds this operation's parameters; the client fills in the other root fields.
    params: str | None = None
    #: For REST APIs (Huawei): HTTP method and path template.
    http_method: str | None = None
    path: str | None = None
    #: A read-only query the clients may resend after a transient failure.
    idempotent: bool = False
    #: How the method's selectors combine (a paragraph of the method's docstring).
    filters: str = ""
    #: Failures the server reports for this operation: ``"CmeCliError: why"`` entries.
    raises: tuple[str, ...] = ()
    #: The SOAP action the WSDL's binding gives the operation (``soapAction``).
    action: str | None = None


@dataclass(frozen=True)
class ApiSpec:
    """One API entry of the manifest, paths resolved against the manifest's folder."""

    name: str
    title: str
    schemas: tuple[Path, ...]
    xsdata_config: Path | None
    envelope: str
    endpoints: tuple[str, ...]
    roots: tuple[str, ...]
    operations: tuple[OperationSpec, ...]
    errata: Path | None = None
    examples: Path | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    type_aliases: dict[str, str] = field(default_factory=dict)
    #: "xml" (XSD/WSDL through xsdata) or "openapi" (through datamodel-code-generator).
    kind: str = "xml"
    #: How a message element selects its model: "xsi:type" or "root" (element name).
    dispatch: str = "xsi:type"
    #: Classes of documents that are neither request nor response (a SIP NOTIFY body).
    documents: tuple[str, ...] = ()
    #: Classes of fault bodies any operation may answer with (SOAP 1.2 ``Fault``).
    faults: tuple[str, ...] = ()
    #: Classes of the envelope's header blocks (EPAS ``session-key``).
    headers: tuple[str, ...] = ()
    #: Prefixes written on output ({prefix: namespace}).
    namespaces: dict[str, str] = field(default_factory=dict)
    #: Local name of a child element whose text names the message (UCCN ``action``).
    label: str | None = None
    #: Child order a reader restores, with a warning, for elements that real servers write
    #: in another order ({parent: [child, ..., "*" for any other child]}).
    order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Values servers send URL-encoded (``userID``, ``user@id``): reported with a warning.
    url_encoded: tuple[str, ...] = ()
    #: The tolerances the readers apply for this API (see :mod:`ucxml._tolerances`).
    tolerances: tuple[str, ...] = ()
    #: Elements a message may arrive wrapped in ({wrapper: [message, ...]}).
    wrappers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Failures the server may report for any operation (``"SoapFault: why"`` entries).
    raises: tuple[str, ...] = ()
    #: The API's releases, oldest first (``[[apis.<api>.releases]]``).
    releases: tuple[ReleaseSpec, ...] = ()
    #: A module with the API's own reader behaviour: a module of the runtime by its name
    #: (``_pidf_hooks``: ``runtime/_pidf_hooks.py``), any other by its dotted name.
    hooks: str | None = None
    #: The dotted module of the API's hand-written client (``ucxml.em``); None: the
    #: generator writes ``<api>/client.py`` (see :mod:`ucxml.codegen.clients`).
    client: str | None = None
    #: The Content-Type of the generated client's requests (default: by envelope style).
    content_type: str | None = None
    #: Whether the schemas declare the envelope style's document element (set by the
    #: generator's roots stage, :mod:`ucxml.codegen.roots`).
    validates_envelope: bool = True
    #: ``module.function`` the generated client calls with (operation, request, result)
    #: after each answer, to raise the typed error of a failure the server reported.
    result_check: str | None = None
    #: The WSDL 1.1 file whose ``portType`` gives the operations (see :mod:`.wsdl`); their
    #: ``request``/``response`` are its elements (``{ns}local``) until the models stage
    #: binds them to the generated classes.
    wsdl: Path | None = None
    #: The documented text of each error code the service answers (``[apis.<api>.errors]``),
    #: codes as ints or strings by :attr:`error_code_type`.
    errors: dict[int | str, str] = field(default_factory=dict)
    #: ``"int"`` or ``"str"``: the type the service's error codes are compared as.
    error_code_type: str = "str"
    #: What the generated clients' docstrings say of the API beyond the template's words
    #: (``[apis.<api>.client_doc]``: ``summary`` and arguments, see :data:`CLIENT_DOC_KEYS`).
    client_doc: dict[str, str] = field(default_factory=dict)
    #: The schemas a WSDL entry with no ``schemas`` list embeds (``wsdl:types``), as
    #: ``(file name, document)`` pairs; the pipeline writes them into the package's
    #: ``schema/`` folder and makes them :attr:`schemas` (main one first).
    inline_schemas: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class ReleaseSpec:
    """One ``[[apis.<api>.releases]]`` entry (see :class:`ucxml.bindings.Release`)."""

    name: str
    doc: str
    default: bool = False
    endpoints: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    params: dict[str, int | str] = field(default_factory=dict)
    #: The release's dialect (see :class:`ucxml.bindings.Release`).
    form: str = "envelope"
    results: dict[str, str] = field(default_factory=dict)
    containers: tuple[tuple[str, str, str, str], ...] = ()
    spellings: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Manifest:
    """The whole manifest: its folder and its APIs, in file order."""

    root: Path
    apis: tuple[ApiSpec, ...]


class ManifestError(ValueError):
    """The manifest is missing a key or names a file that does not exist."""


def _path(root: Path, value: object, key: str) -> Path:
    if not isinstance(value, str):
        raise ManifestError(f"{key}: expected a path string")
    path = root / value
    if not path.exists():
        raise ManifestError(f"{key}: {path} does not exist")
    return path


def _flag(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ManifestError(f"{key}: expected true or false")
    return value


def _raises(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and ": " in v and v.split(": ", 1)[0].isidentifier() for v in value
    ):
        raise ManifestError(f'{key}.raises: expected a list of "ErrorName: when" strings')
    return tuple(value)


#: The manifest key holding each data-bearing tolerance's table.
_TOLERANCE_DATA = {
    "prefixes": "prefixes",
    "aliases": "aliases",
    "type_aliases": "type-aliases",
    "order": "order",
    "url_encoded": "url-encoded",
    "wrappers": "wrapper",
}


def _tolerances(entry: dict[str, object], api: str) -> tuple[str, ...]:
    """The ``tolerances`` list, checked: known names, in the reader's order, and every
    table of a tolerance (``aliases``...) switched on by its name."""
    value = entry.get("tolerances", [])
    known = [t.name for t in TOLERANCES]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{api}.tolerances: expected a list of tolerance names")
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ManifestError(f"{api}.tolerances: unknown {unknown}; known: {known}")
    for key, tolerance in _TOLERANCE_DATA.items():
        if entry.get(key) and tolerance not in value:
            raise ManifestError(f"{api}: {key} is set but tolerance {tolerance!r} is not on")
    return tuple(sorted(value, key=known.index))


# A marker: ``code T-X``, ``name``, ``name@attr`` or ``@attr`` (XML names, ``{ns}`` allowed).
_MARKER = re.compile(
    r"code T-[A-Z0-9-]+|(?:\{[^}]+\})?[A-Za-z_][\w.-]*(?:@[A-Za-z_][\w.:-]*)?|@[A-Za-z_][\w.:-]*"
)
_RELEASE_KEYS = {
    "name",
    "doc",
    "default",
    "endpoints",
    "markers",
    "params",
    "form",
    "results",
    "containers",
    "spellings",
}
_FORMS = ("envelope", "named")
# A container: ``parent/container/item`` or ``parent/container/item=field``.
_CONTAINER = re.compile(r"([\w.-]+)/([\w.-]+)/([\w.-]+)(?:=([\w.-]+))?")
# A spelling: ``parent/wire`` (the key; the value is the shared model's element name).
_SPELLING = re.compile(r"([\w.-]+)/([\w.-]+)")


def _dialect(release: dict[str, Any], where: str) -> dict[str, Any]:
    """A release's dialect keys, checked (see :class:`ucxml.bindings.Release`)."""
    form = release.get("form", "envelope")
    if form not in _FORMS:
        raise ManifestError(f"{where}: form must be one of {_FORMS}, not {form!r}")
    results = release.get("results", {})
    if not isinstance(results, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in results.items()
    ):
        raise ManifestError(f"{where}: results must map wrapper elements to response types")
    containers = []
    for item in release.get("containers", []):
        found = _CONTAINER.fullmatch(item) if isinstance(item, str) else None
        if found is None:
            raise ManifestError(f"{where}: container {item!r} is not parent/container/item[=field]")
        parent, container, element, target = found.groups()
        containers.append((parent, container, element, target or element))
    spellings = []
    for key, shared in dict(release.get("spellings", {})).items():
        found = _SPELLING.fullmatch(key)
        if found is None or not isinstance(shared, str):
            raise ManifestError(f'{where}: spelling {key!r} is not parent/wire = "element"')
        spellings.append((found.group(1), found.group(2), shared))
    return {
        "form": form,
        "results": dict(results),
        "containers": tuple(containers),
        "spellings": tuple(spellings),
    }


def _releases(entry: dict[str, Any], api: str) -> tuple[ReleaseSpec, ...]:
    """The ``releases`` list, checked: unique names, one default, known marker codes."""
    value = entry.get("releases", [])
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ManifestError(f"{api}.releases: expected [[apis.{api}.releases]] tables")
    codes = {t.code for t in TOLERANCES}
    out: list[ReleaseSpec] = []
    for release in value:
        where = f"{api}.releases.{release.get('name', '?')}"
        extra = set(release) - _RELEASE_KEYS
        if extra or not isinstance(release.get("name"), str) or not release.get("doc"):
            raise ManifestError(f"{where}: needs name and doc; unknown keys {sorted(extra)}")
        markers = tuple(release.get("markers", ()))
        for marker in markers:
            if not isinstance(marker, str) or not _MARKER.fullmatch(marker):
                raise ManifestError(f"{where}: marker {marker!r} is not code/name/@attr")
            if marker.startswith("code ") and marker[5:] not in codes:
                raise ManifestError(f"{where}: marker {marker!r} names no tolerance code")
        out.append(
            ReleaseSpec(
                name=release["name"],
                doc=release["doc"],
                default=_flag(release.get("default", False), where),
                endpoints=tuple(release.get("endpoints", ())),
                markers=markers,
                params=dict(release.get("params", {})),
                **_dialect(release, where),
            )
        )
    names = [r.name for r in out]
    if len(set(names)) != len(names):
        raise ManifestError(f"{api}.releases: a name is repeated in {names}")
    if out and sum(r.default for r in out) != 1:
        raise ManifestError(f"{api}.releases: exactly one release must be the default")
    return tuple(out)


def _dotted(value: object) -> bool:
    return isinstance(value, str) and all(part.isidentifier() for part in value.split("."))


def _hooks(entry: dict[str, Any], api: str) -> str | None:
    value = entry.get("hooks")
    if value is None:
        return None
    if not isinstance(value, str) or not _dotted(value):
        raise ManifestError(f"{api}.hooks: expected a module name (of the runtime, or dotted)")
    module = value if "." in value else f"ucxml.{value}"
    try:
        found = importlib.util.find_spec(module)
    except ImportError:
        found = None
    if found is None:
        raise ManifestError(f"{api}.hooks: there is no module {module}")
    return value


def _text(entry: dict[str, Any], key: str, api: str, *, dotted: bool = False) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or (dotted and not _dotted(value)):
        what = "a dotted module name" if dotted else "a string"
        raise ManifestError(f"{api}.{key}: expected {what}")
    return value


def _result_check(entry: dict[str, Any], api: str) -> str | None:
    value = _text(entry, "result_check", api, dotted=True)
    if value is not None and "." not in value:
        raise ManifestError(f"{api}.result_check: expected module.function")
    return value


_ERROR_CODE_TYPES = ("int", "str")
# TOML keys are strings: an int code is written in its one decimal spelling, so no two keys
# ("26", "026") stand for the same code.
_INT_CODE = re.compile(r"-?(?:0|[1-9][0-9]*)")


def _errors(entry: dict[str, Any], api: str) -> tuple[dict[int | str, str], str]:
    """The ``errors`` table and its code type, checked: codes of that type, non-empty texts."""
    kind = entry.get("error_code_type", "str")
    if kind not in _ERROR_CODE_TYPES:
        raise ManifestError(f"{api}.error_code_type: expected one of {_ERROR_CODE_TYPES}")
    table = entry.get("errors", {})
    if not isinstance(table, dict):
        raise ManifestError(f'{api}.errors: expected a table of code = "documented text"')
    if "error_code_type" in entry and not table:
        raise ManifestError(f"{api}: error_code_type is set but there is no errors table")
    errors: dict[int | str, str] = {}
    for code, text in table.items():
        if kind == "int" and not _INT_CODE.fullmatch(code):
            raise ManifestError(
                f'{api}.errors: code {code!r} is not a decimal integer (error_code_type = "int")'
            )
        if kind == "str" and (not code or code != code.strip()):
            raise ManifestError(f"{api}.errors: code {code!r} is empty or padded with spaces")
        if not isinstance(text, str) or not text.strip():
            raise ManifestError(f"{api}.errors.{code}: expected the code's documented text")
        errors[int(code) if kind == "int" else code] = text
    return errors, kind


def _envelope(entry: dict[str, Any], api: str) -> str:
    """The entry's envelope style, which must be a registered one (ucxml._envelopes)."""
    style = str(entry.get("envelope"))
    if style not in envelope_styles():
        raise ManifestError(
            f"{api}.envelope: {style!r} is no envelope style; one of {sorted(envelope_styles())}"
        )
    return style


#: The keys of an ``[apis.<api>]`` entry; any other is refused (a misspelt key is no
#: silent default).
API_KEYS: Final = frozenset(
    {
        "aliases", "client", "client_doc", "content_type", "dispatch", "documents",
        "endpoints", "envelope", "errata", "error_code_type", "errors", "examples",
        "faults", "headers", "hooks", "kind", "label", "namespaces", "operations", "order",
        "prefixes", "raises", "releases", "result_check", "roots", "schemas", "title",
        "tolerances", "type_aliases", "url_encoded", "wrappers", "wsdl", "xsdata_config",
    }
)  # fmt: skip
#: The keys of an ``[[apis.<api>.operations]]`` table (a WSDL's tables, overrides included).
OPERATION_KEYS: Final = frozenset(
    {
        "name", "request", "response", "method", "doc", "params", "http_method", "path",
        "idempotent", "filters", "raises", "action",
    }
)  # fmt: skip
#: What ``client_doc`` may say: the class's summary, and the text of these arguments.
CLIENT_DOC_KEYS: Final = frozenset({"summary", "base_url", "username", "password", "endpoint"})


def _refuse_unknown(keys: Iterable[str], known: frozenset[str], where: str) -> None:
    unknown = sorted(set(keys) - known)
    if unknown:
        raise ManifestError(f"{where}: unknown keys {unknown} (known: {', '.join(sorted(known))})")


def _checked_operations(tables: list[dict[str, Any]], api: str) -> list[dict[str, Any]]:
    for op in tables:
        _refuse_unknown(op, OPERATION_KEYS, f"{api}.operations.{op.get('name', '?')}")
    return tables


def _client_doc(entry: dict[str, Any], api: str) -> dict[str, str]:
    table = entry.get("client_doc", {})
    if not isinstance(table, dict) or not all(
        isinstance(v, str) and v.strip() for v in table.values()
    ):
        raise ManifestError(f'{api}.client_doc: expected a table of name = "text"')
    _refuse_unknown(table, CLIENT_DOC_KEYS, f"{api}.client_doc")
    if '"""' in "".join(table.values()) or "\\" in "".join(table.values()):
        raise ManifestError(f"{api}.client_doc: a text holds a triple quote or a backslash")
    return dict(table)


def load_manifest(path: Path) -> Manifest:
    """Parse and check the manifest at ``path``."""
    root = path.parent
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    apis = []
    for name, entry in data.get("apis", {}).items():
        try:
            _refuse_unknown(entry, API_KEYS, name)
            wsdl = _path(root, entry["wsdl"], f"{name}.wsdl") if "wsdl" in entry else None
            tables = entry.get("operations", [])
            errors, error_code_type = _errors(entry, name)
            inline: tuple[tuple[str, bytes], ...] = ()
            endpoints = tuple(entry.get("endpoints", ()))
            if wsdl is not None:
                # The SOAP version of the envelope style picks the binding to read.
                envelope = _envelope(entry, name)
                try:
                    tables = operation_tables(read_wsdl(wsdl, envelope), tables, name)
                    if "schemas" not in entry:
                        inline = inline_schemas(wsdl)
                    if "endpoints" not in entry:
                        endpoints = wsdl_endpoints(wsdl, envelope)
                except WsdlError as exc:
                    raise ManifestError(str(exc)) from None
                if "schemas" not in entry and not inline:
                    raise ManifestError(
                        f"{name}: the WSDL embeds no schema (wsdl:types); list its schema "
                        "files (schemas = [...])"
                    )
            ops = tuple(
                OperationSpec(
                    name=op["name"],
                    request=op["request"],
                    response=op["response"],
                    method=op["method"],
                    doc=op.get("doc", ""),
                    params=op.get("params"),
                    http_method=op.get("http_method"),
                    path=op.get("path"),
                    idempotent=_flag(op.get("idempotent", False), f"{name}.{op['name']}"),
                    filters=op.get("filters", ""),
                    raises=_raises(op.get("raises", []), f"{name}.{op['name']}"),
                    action=op.get("action"),
                )
                for op in _checked_operations(tables, name)
            )
            apis.append(
                ApiSpec(
                    name=name,
                    title=entry["title"],
                    # A WSDL that embeds its schemas needs no list: they are ``inline``.
                    schemas=tuple(_path(root, s, f"{name}.schemas") for s in entry["schemas"])
                    if not inline
                    else (),
                    xsdata_config=_path(root, entry["xsdata_config"], f"{name}.xsdata_config")
                    if "xsdata_config" in entry
                    else None,
                    envelope=_envelope(entry, name),
                    endpoints=endpoints,
                    roots=tuple(entry.get("roots", ())),
                    operations=ops,
                    errata=_path(root, entry["errata"], f"{name}.errata")
                    if "errata" in entry
                    else None,
                    examples=_path(root, entry["examples"], f"{name}.examples")
                    if "examples" in entry
                    else None,
                    prefixes=dict(entry.get("prefixes", {})),
                    aliases=dict(entry.get("aliases", {})),
                    type_aliases=dict(entry.get("type_aliases", {})),
                    kind=entry.get("kind", "xml"),
                    # A WSDL's messages are its operations' elements, told apart by name.
                    dispatch=entry.get("dispatch", "root" if wsdl is not None else "xsi:type"),
                    documents=tuple(entry.get("documents", ())),
                    faults=tuple(entry.get("faults", ())),
                    headers=tuple(entry.get("headers", ())),
                    namespaces=dict(entry.get("namespaces", {})),
                    label=entry.get("label"),
                    order={k: tuple(v) for k, v in entry.get("order", {}).items()},
                    url_encoded=tuple(entry.get("url_encoded", ())),
                    tolerances=_tolerances(entry, name),
                    wrappers={k: tuple(v) for k, v in entry.get("wrappers", {}).items()},
                    raises=_raises(entry.get("raises", []), name),
                    releases=_releases(entry, name),
                    hooks=_hooks(entry, name),
                    client=_text(entry, "client", name, dotted=True),
                    content_type=_text(entry, "content_type", name),
                    result_check=_result_check(entry, name),
                    wsdl=wsdl,
                    errors=errors,
                    error_code_type=error_code_type,
                    client_doc=_client_doc(entry, name),
                    inline_schemas=inline,
                )
            )
        except KeyError as exc:
            raise ManifestError(f"api {name!r}: missing key {exc}") from None
    return Manifest(root=root, apis=tuple(apis))
