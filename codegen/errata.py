"""Stage 4: parse an API's ERRATA.md (a fixed markdown grammar) into records.

Grammar: ``## <ID> — <title>`` headings, each followed by the bullets ``severity``,
``files``, ``match``, ``wrong``, ``fix``, ``why`` in that order. ``files`` lists
backticked ``name.xml:LINE`` (or ``name.xml``) items, ``-`` or ``all``; ``match`` lists
backticked regular expressions separated by ``; `` or is ``-``; a pattern ``code T-ALIAS``
(or ``code T-ALIAS: <regex>``) matches the warnings of that tolerance code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ucxml._tolerances import by_code

__all__ = ["ErrataError", "ErratumSpec", "parse_errata"]

_HEADING = re.compile(r"^## ([A-Z]\d{2,3}) — (.+?)\s*$")
_BULLET = re.compile(r"^- (severity|files|match|wrong|fix|why): (.*)$")
#: ``code T-ALIAS`` or ``code T-ALIAS: <regex>``: an issue of that tolerance (ucxml._tolerances).
_CODED = re.compile(r"\Acode ([A-Z][A-Z0-9-]*)(?:: (.+))?\Z", re.S)
_KEYS = ("severity", "files", "match", "wrong", "fix", "why")
_SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class ErratumSpec:
    """One erratum as read from the markdown file."""

    id: str
    title: str
    severity: str
    files: tuple[tuple[str, int | None], ...]
    match: tuple[str, ...]
    wrong: str
    fix: str
    why: str


class ErrataError(ValueError):
    """ERRATA.md does not follow the grammar."""


def _files(value: str) -> tuple[tuple[str, int | None], ...]:
    if value.strip() in ("-", "all"):
        return ((value.strip(), None),)
    items = []
    for raw in re.findall(r"`([^`]+)`", value):
        name, _, line = raw.partition(":")
        items.append((name, int(line) if line else None))
    return tuple(items)


def _patterns(value: str) -> tuple[str, ...]:
    if value.strip() == "-":
        return ()
    patterns = tuple(re.findall(r"`([^`]+)`", value))
    for pattern in patterns:
        coded = _CODED.match(pattern)
        if coded is not None:
            if by_code(coded.group(1)) is None:
                raise re.error(f"unknown tolerance code {coded.group(1)!r}")
            pattern = coded.group(2) or ""
        re.compile(pattern)
    return patterns


def parse_errata(path: Path) -> tuple[ErratumSpec, ...]:
    """Read every entry of ``path``; raise :class:`ErrataError` on a grammar violation."""
    entries: list[ErratumSpec] = []
    current: tuple[str, str] | None = None
    values: dict[str, str] = {}

    def close(lineno: int) -> None:
        if current is None:
            return
        missing = [k for k in _KEYS if k not in values]
        if missing:
            raise ErrataError(f"{path}:{lineno}: {current[0]} lacks {', '.join(missing)}")
        if values["severity"] not in _SEVERITIES:
            raise ErrataError(f"{path}: {current[0]}: unknown severity {values['severity']!r}")
        try:
            patterns = _patterns(values["match"])
        except re.error as exc:
            raise ErrataError(f"{path}: {current[0]}: bad match pattern: {exc}") from None
        entries.append(
            ErratumSpec(
                id=current[0],
                title=current[1],
                severity=values["severity"],
                files=_files(values["files"]),
                match=patterns,
                wrong=values["wrong"],
                fix=values["fix"],
                why=values["why"],
            )
        )

    lines = path.read_text(encoding="utf-8").splitlines()
    for lineno, line in enumerate(lines, 1):
        heading = _HEADING.match(line)
        if heading:
            close(lineno)
            current, values = (heading.group(1), heading.group(2)), {}
            continue
        bullet = _BULLET.match(line)
        if bullet and current is not None:
            values[bullet.group(1)] = bullet.group(2).strip()
    close(len(lines))
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise ErrataError(f"{path}: duplicate erratum ids")
    return tuple(entries)
