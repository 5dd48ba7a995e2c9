"""Validation results: one :class:`Report` per payload, made of :class:`Issue` records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Issue", "Report", "Severity"]

#: How grave an :class:`Issue` is: an error makes the payload invalid, a warning does not.
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: ``severity`` is ``"error"`` or ``"warning"``; ``hint`` names an erratum.

    ``hint_text`` is that erratum's explanation (its title and why ucxml reads the payload
    as it does), so a reader need not look the id up in the API's ``ERRATA.md``.
    """

    severity: Severity
    message: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    hint: str | None = None
    hint_text: str | None = None
    #: The stable code of a tolerated deviation (``T-ALIAS``...; see :mod:`ucxml._tolerances`).
    code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``ucxml validate --format json``."""
        return {
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
            "hint_text": self.hint_text,
            "code": self.code,
        }


@dataclass(frozen=True, slots=True)
class Report:
    """The verdict on one payload: detected API and message, and every issue found."""

    source: str | None
    api: str | None
    message: str | None
    issues: tuple[Issue, ...] = field(default_factory=tuple)
    #: Where the payload sits in its capture: what carried it (``http-response``, ``sip-part``,
    #: ``em-form``...), a label (``POST /axl/``, ``NOTIFY sip:…``), the capture line and byte
    #: offset of the carrier. None for a payload validated on its own.
    kind: str | None = None
    carrier: str | None = None
    line: int | None = None
    offset: int | None = None
    #: The API release the payload shows (:mod:`ucxml._releases`); None when the API names
    #: no releases or the payload was not read that far.
    release: str | None = None

    @property
    def valid(self) -> bool:
        """True when no issue is an error (warnings allowed)."""
        return not any(i.severity == "error" for i in self.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues of severity ``error``."""
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """The issues of severity ``warning``."""
        return tuple(i for i in self.issues if i.severity == "warning")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``ucxml validate --format json``."""
        data: dict[str, Any] = {
            "path": self.source,
            "api": self.api,
            "message": self.message,
            "release": self.release,
            "valid": self.valid,
            "issues": [i.to_dict() for i in self.issues],
        }
        if self.kind is not None:
            data.update(kind=self.kind, carrier=self.carrier, line=self.line, offset=self.offset)
        return data
