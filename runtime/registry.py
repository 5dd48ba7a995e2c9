"""Runtime view of the generated APIs: lazy loading, compiled schemas, errata, model lookup.

Each API's generated package is imported only when first asked for, and each compiled
schema is built once per process.
"""

from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

from lxml import etree

from ucxml.bindings import ApiInfo, Erratum, Operation
from ucxml.errors import UnknownApiError
from ucxml.generated import APIS

__all__ = [
    "ApiBinding",
    "api_names",
    "api_of",
    "binding",
    "erratum_for",
    "erratum_text",
    "lxml_schema",
]


@dataclass(frozen=True)
class ApiBinding:
    """Everything generated for one API, loaded."""

    info: ApiInfo
    requests: dict[str, type[Any]]
    responses: dict[str, type[Any]]
    operations: dict[str, Operation]
    errata: tuple[Erratum, ...]
    models: ModuleType
    #: Documents that are neither request nor response (UCCN, PIDF), by element name.
    documents: dict[str, type[Any]]
    #: SOAP header blocks by element name.
    headers: dict[str, type[Any]]

    @property
    def schema_path(self) -> Path:
        """Path of the API's main schema, shipped inside the generated package."""
        return Path(str(resources.files(self.info.package).joinpath(self.info.schema)))

    def model_for(self, type_name: str, kind: str) -> type[Any] | None:
        """The model selected by ``type_name`` for a ``request``, ``response`` or ``document``."""
        if kind == "request":
            return self.requests.get(type_name)
        if kind == "response":
            return self.responses.get(type_name)
        return self.documents.get(type_name)

    def kind_of(self, type_name: str) -> str | None:
        """Whether ``type_name`` is a ``request``, ``response`` or ``document`` (None: neither)."""
        for kind, table in (
            ("request", self.requests),
            ("response", self.responses),
            ("document", self.documents),
        ):
            if type_name in table:
                return kind
        return None


def api_names() -> list[str]:
    """Names of every API with generated bindings."""
    return list(APIS)


@functools.cache
def binding(api: str) -> ApiBinding:
    """Load (once) the generated bindings of ``api``."""
    if api not in APIS:
        raise UnknownApiError(f"unknown API {api!r}; supported: {', '.join(APIS)}")
    package = APIS[api]
    registry = importlib.import_module(f"{package}.registry")
    errata = importlib.import_module(f"{package}.errata")
    models = importlib.import_module(f"{package}.models")
    return ApiBinding(
        info=registry.API,
        requests=registry.REQUEST_TYPES,
        responses=registry.RESPONSE_TYPES,
        operations=registry.OPERATIONS,
        errata=errata.ERRATA,
        models=models,
        documents=getattr(registry, "DOCUMENT_TYPES", {}),
        headers=getattr(registry, "HEADER_TYPES", {}),
    )


def api_of(obj: object) -> str:
    """The API whose generated models define ``type(obj)``."""
    module = type(obj).__module__
    for name, package in APIS.items():
        if module == package or module.startswith(package + "."):
            return name
    raise UnknownApiError(f"{type(obj).__qualname__} is not a generated ucxml model")


@functools.cache
def lxml_schema(api: str) -> etree.XMLSchema:
    """The API's schema compiled by libxml2 (used for the validation verdict)."""
    path = binding(api).schema_path
    return etree.XMLSchema(etree.parse(str(path)))


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(pattern: str, message: str, code: str | None) -> bool:
    """Whether an ERRATA ``match:`` pattern fits an issue.

    ``code T-ALIAS`` fits every issue of that tolerance code, ``code T-ALIAS: <regex>``
    those whose message the regex also finds; any other pattern is a regex on the message.
    """
    wanted = _CODED.match(pattern)
    if wanted is None:
        return _compiled(pattern).search(message) is not None
    if code != wanted.group(1):
        return False
    return wanted.group(2) is None or _compiled(wanted.group(2)).search(message) is not None


#: ``code <CODE>`` or ``code <CODE>: <regex>`` in an ERRATA ``match:`` list.
_CODED = re.compile(r"\Acode ([A-Z][A-Z0-9-]*)(?:: (.+))?\Z", re.S)


def erratum_for(api: str, message: str, code: str | None = None) -> str | None:
    """Id of the first erratum of ``api`` that matches an issue's ``message`` and ``code``."""
    key = (api, message, code)
    if key in _HINTS:
        return _HINTS[key]
    found = None
    for entry in binding(api).errata:
        if any(_matches(p, message, code) for p in entry.match):
            found = entry.id
            break
    # A folder of captures repeats the same few messages; long ones are not kept.
    if len(message) <= _HINTED_LENGTH and len(_HINTS) < _HINTED_COUNT:
        _HINTS[key] = found
    return found


@functools.cache
def erratum_text(api: str, erratum: str) -> str | None:
    """The explanation of erratum ``erratum`` of ``api``: its kind, title and why."""
    for entry in binding(api).errata:
        if entry.id == erratum:
            kind = "known documentation defect" if entry.id[:1] == "E" else "design decision"
            why = entry.why.rstrip(".")
            return f"{kind}: {entry.title} — {why}." if why and why != "-" else entry.title
    return None


_HINTS: dict[tuple[str, str, str | None], str | None] = {}
_HINTED_LENGTH = 512
_HINTED_COUNT = 4096
