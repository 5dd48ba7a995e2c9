"""ucxml: typed, schema-first bindings for the XML and HTTP interfaces of UC systems.

Top level: :func:`parse`, :func:`serialize`, :func:`detect`, :func:`validate`,
:func:`register_api` (the bindings of an API generated into a package of your own) and the
exception hierarchy rooted at :class:`UcxmlError`. Typed clients live in the per-API
modules (``ucxml.cme.CmeClient`` ...). Names load on first use, so ``import ucxml``
stays cheap and one API's bindings never import another's.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

# The exceptions are plain classes with no dependencies: imported eagerly, all of them.
from ucxml import errors as _errors
from ucxml.errors import *  # noqa: F403 - the names of its __all__, exported from here

if TYPE_CHECKING:
    from ucxml._documents import (
        DeviationWarning,
        Envelope,
        detect,
        iter_records,
        parse,
        parse_envelope,
        serialize,
    )
    from ucxml._registry import register_api
    from ucxml._report import Issue, Report, Severity
    from ucxml._validation import validate, validate_capture
    from ucxml.retry import RetryPolicy

__version__ = "0.1.0"

# Names whose modules pull in lxml, xsdata and the generated bindings: loaded on first use.
_LAZY = {
    "parse": "ucxml._documents",
    "serialize": "ucxml._documents",
    "detect": "ucxml._documents",
    "DeviationWarning": "ucxml._documents",
    "iter_records": "ucxml._documents",
    "parse_envelope": "ucxml._documents",
    "Envelope": "ucxml._documents",
    "validate": "ucxml._validation",
    "validate_capture": "ucxml._validation",
    "Issue": "ucxml._report",
    "Report": "ucxml._report",
    "Severity": "ucxml._report",
    "RetryPolicy": "ucxml.retry",
    "register_api": "ucxml._registry",
}

__all__ = [
    *_errors.__all__,
    "DeviationWarning",
    "Envelope",
    "Issue",
    "Report",
    "RetryPolicy",
    "Severity",
    "__version__",
    "detect",
    "iter_records",
    "parse",
    "parse_envelope",
    "register_api",
    "serialize",
    "validate",
    "validate_capture",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _submodules():
        return importlib.import_module(f"ucxml.{name}")
    raise AttributeError(f"module 'ucxml' has no attribute {name!r}")


def _submodules() -> set[str]:
    """The public modules of the package (``ucxml._validation``...), found on disk, so that
    ``import ucxml; ucxml._validation`` works for each without importing any up front."""
    here = globals()["__path__"]  # the package's own (ruff cannot tell it from a star import)
    return {m.name for m in pkgutil.iter_modules(here) if not m.name.startswith("_")}


def __dir__() -> list[str]:
    return sorted({*__all__, *_submodules()})
