"""``ucxml.validate``: the verdict on one payload, with line, column, path and errata hints.

libxml2 (lxml's ``XMLSchema``) gives the verdict, and its error log explains a payload
that failed (:mod:`ucxml._schemaerrors`: plain words, the failing element's path and
column). Every issue's message is matched against the API's errata, so a capture that
reproduces a defect of Cisco's documentation is named as such.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import re
from urllib.parse import unquote

from lxml import etree

from ucxml import _unknown as unknown
from ucxml._detection import sniff
from ucxml._documents import Message, decode, json_api, read_message
from ucxml._jsondocs import looks_like_json, validate_json
from ucxml._payloads import split_capture
from ucxml._redaction import Redactor
from ucxml._registry import api_names, binding, erratum_for, erratum_text, lxml_schema
from ucxml._report import Issue, Report
from ucxml._safexml import Source, SourceLines, column_of, read_source
from ucxml._schemaerrors import schema_issues
from ucxml._tolerances import url_encoded_warning
from ucxml.errors import BindingError, InputFileError, UnknownApiError, XmlError

__all__ = ["validate", "validate_bytes", "validate_capture"]

#: At most this many schema errors are listed per payload, and twice as many warnings
#: (each repair already counts its own beyond a hundred); the rest are counted in one
#: last issue (a hostile payload can carry 35,000 of the same fault).
_LISTED = 100
#: Text longer than this is a payload rather than a file name; an error shows its start.
_PATH_MAX = 4096
_SHOWN_PAYLOAD = 40


def _listed(issues: list[Issue], unlisted: int = 0, *, limit: int = _LISTED) -> list[Issue]:
    """``issues`` cut to ``limit``, with one issue counting those left out."""
    if len(issues) > limit:
        unlisted += len(issues) - limit
        issues = issues[:limit]
    if not unlisted or not issues:
        return issues
    last = issues[-1]
    more = Issue(
        last.severity,
        f"{unlisted:,} more {last.severity}s in this payload are not listed",
        last.line,
        last.column,
        last.path,
        code=last.code,
    )
    return [*issues, more]


def _hinted(api: str | None, issue: Issue) -> Issue:
    if issue.hint:
        return issue  # named where the issue was made, from the validator's own words
    names = [api] if api else api_names()
    for name in names:
        hint = erratum_for(name, issue.message, issue.code)
        if hint:
            text = erratum_text(name, hint)
            return dataclasses.replace(issue, hint=hint, hint_text=text)
    return issue


def _explained(report: Report) -> Report:
    """``report`` with the text of every erratum its issues name (``Issue.hint_text``)."""
    if report.api is None or not any(i.hint and not i.hint_text for i in report.issues):
        return report
    api = report.api
    issues = tuple(
        dataclasses.replace(i, hint_text=erratum_text(api, i.hint))
        if i.hint and not i.hint_text
        else i
        for i in report.issues
    )
    return dataclasses.replace(report, issues=issues)


def _unknown_content(message: Message) -> list[Issue]:
    """Take what no known release has out of the tree (the schema would refuse it), with a
    warning each: it is read and kept, as the readers keep it."""
    api = binding(message.api)
    model = api.model_for(message.type_name, message.kind)
    if model is None or "unknown" not in api.info.tolerances:
        return []
    _, found = unknown.strip(message.element, model, message.data)
    return found


def _schema_issues(message: Message, lines: SourceLines) -> list[Issue]:
    schema = lxml_schema(message.api)
    target = message.document
    if schema.validate(target):
        return []
    log = schema.error_log
    listed = itertools.islice(log, _LISTED)
    issues = schema_issues(listed, target, lines, functools.partial(erratum_for, message.api))
    return _listed(issues, len(log) - len(issues))


_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def _encoded(message: Message, lines: SourceLines, data: bytes) -> list[Issue]:
    """Warnings for values a server sent URL-encoded (``em%40cisco.com``): valid, but noted."""
    names = binding(message.api).info.url_encoded
    if not names or (b"%" not in data and b"+" not in data):  # "+": UTF-7 shifts
        return []
    issues = []
    for el in message.element.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        values = []
        if local in names and el.text:
            values.append(el.text)
        # Keys, then get(): lxml's items() is quadratic in the number of attributes.
        values += [el.get(a) or "" for a in el.attrib if f"{local}@{a}" in names]
        for value in values:
            if _PERCENT.search(value):
                column = column_of(lines, el.sourceline, local)
                path = el.getroottree().getpath(el)
                decoded = unquote(value)
                issues.append(
                    url_encoded_warning(local, value, decoded, el.sourceline, column, path)
                )
    return issues


@functools.cache
def _params(api: str) -> frozenset[str]:
    return frozenset(op.params for op in binding(api).operations.values() if op.params)


def _label(message: Message) -> str | None:
    """The message's name: its type, and for a root carrying several operations, which."""
    api = binding(message.api)
    if api.model_for(message.type_name, message.kind) is None:
        return None
    params = _params(message.api)
    for child in message.element:
        if not isinstance(child.tag, str):
            continue
        local = child.tag.rpartition("}")[2]
        if local in params:
            return f"{message.type_name} {local}"
        if local == api.info.label and (child.text or "").strip():
            return (child.text or "").strip()
    return message.type_name


def _column(lines: SourceLines, line: int | None, path: str) -> int | None:
    """Column of the element a path like ``/env:Envelope/env:Body`` ends at, on ``line``."""
    step = path.rsplit("/", 1)[-1].split("[", 1)[0].rpartition(":")[2]
    if not step or step == "*" or line is None:
        return None
    return column_of(lines, line, step)


def validate_bytes(
    data: bytes,
    api: str | None = None,
    *,
    source: str | None = None,
    bind: bool = True,
    show_secrets: bool = False,
) -> Report:
    """Validate one payload given as bytes; see :func:`validate`."""
    report = _explained(_validate_bytes(data, api, source=source, bind=bind))
    if show_secrets or not report.issues:
        return report  # nothing of the payload is quoted: no need to look for secrets
    return Redactor.of(data).report(report)


def _validate_bytes(data: bytes, api: str | None, *, source: str | None, bind: bool) -> Report:
    """The verdict on one payload, secrets not yet masked."""
    if looks_like_json(data):
        try:
            name = json_api(api)
        except UnknownApiError as exc:
            return Report(source, api, None, (Issue("error", exc.message),))
        return validate_json(data, name, source=source)
    lines = SourceLines(data)
    try:
        message = read_message(data, api)
    except XmlError as exc:
        guess = api or sniff(data)
        issue = Issue("error", exc.message, exc.line, exc.column)
        return Report(source, guess, None, (_hinted(guess, issue),))
    except UnknownApiError as exc:
        column = _column(lines, exc.line, exc.path)
        issue = Issue("error", f"API not detected: {exc.message}", exc.line, column, exc.path)
        return Report(source, api, None, (_hinted(api, issue),))
    except BindingError as exc:
        found = api or exc.api
        issue = Issue("error", exc.message, exc.line, _column(lines, exc.line, exc.path), exc.path)
        earlier = [
            _hinted(found, w)
            for w in _listed([w for w in exc.warnings if isinstance(w, Issue)], limit=2 * _LISTED)
        ]
        return Report(source, found, None, (*earlier, _hinted(found, issue)))
    label = _label(message)  # before binding, which consumes the tree
    issues = [_hinted(message.api, w) for w in _listed(list(message.warnings), limit=2 * _LISTED)]
    issues += [_hinted(message.api, i) for i in _listed(_unknown_content(message))]
    issues += _schema_issues(message, lines)  # hinted from libxml2's own words
    issues += [_hinted(message.api, i) for i in _encoded(message, lines, data)]
    if bind and all(i.severity != "error" for i in issues):
        # The schema accepted it; binding must too, or a field would be lost.
        try:
            decode(message)
        except BindingError as exc:
            column = _column(lines, exc.line, exc.path)
            issues.append(
                _hinted(message.api, Issue("error", exc.message, exc.line, column, exc.path))
            )
    return Report(source, message.api, label, tuple(issues), release=message.release)


def validate(
    data: Source, api: str | None = None, *, bind: bool = True, show_secrets: bool = False
) -> Report:
    """Validate a payload (bytes, XML text or a path) against its API's corrected schema.

    Returns a :class:`ucxml.Report` whose ``valid`` is False when any issue is an
    error; tolerated deviations are warnings. ``api`` is detected when None. With
    ``bind`` (the default) a payload the schema accepts is also bound to the generated
    models, which proves ucxml can read it whole; ``bind=False`` stops at the schema's
    verdict (libxml2 speed, what ``ucxml validate`` does unless given ``--bind``).

    Values the payload holds under a secret name (passwords, certificates, session keys,
    GUIDs, credentials of HTTP headers) are masked as ``***`` wherever the report would
    quote them (:mod:`ucxml._redaction`); ``show_secrets=True`` keeps them.
    """
    raw, source = _read(data)
    return validate_bytes(raw, api, source=source, bind=bind, show_secrets=show_secrets)


def _read(data: Source) -> tuple[bytes, str | None]:
    """:func:`read_source`, a file that cannot be read raising :class:`InputFileError`."""
    try:
        return read_source(data)
    except OSError as exc:
        raise _input_file_error(data, exc) from None


def _input_file_error(data: Source, exc: OSError) -> InputFileError:
    shown = os.fsdecode(data) if isinstance(data, str | os.PathLike) else repr(data)
    if isinstance(data, str) and (
        len(data) > _PATH_MAX or "\n" in data or looks_like_json(data.encode("utf-8", "replace"))
    ):
        # Not a file name but a payload that does not start with '<' (JSON, a capture):
        # only its start is shown, its secrets masked.
        shown = f"{Redactor.of(data).text(data[:_SHOWN_PAYLOAD])}…"
        reason = (
            "no such file; a payload given as text must be XML starting with '<' "
            "(pass JSON or a capture as bytes)"
        )
        return InputFileError(shown, reason, errno=exc.errno)
    if isinstance(exc, FileNotFoundError):
        reason = "no such file"
    elif isinstance(exc, IsADirectoryError):
        reason = "it is a folder, not a file (`ucxml validate FOLDER` walks folders)"
    elif isinstance(exc, PermissionError):
        reason = "permission denied (the file is not readable)"
    else:
        reason = exc.strerror or str(exc)
    return InputFileError(shown, reason, errno=exc.errno)


def _shifted(issue: Issue, by: int) -> Issue:
    if issue.line is None or by == 0:
        return issue
    return dataclasses.replace(issue, line=issue.line + by)


def validate_capture(
    data: bytes,
    api: str | None = None,
    *,
    source: str | None = None,
    bind: bool = True,
    show_secrets: bool = False,
) -> list[Report]:
    """Validate every payload of a capture (HTTP or SIP messages, EM forms, bare documents).

    One :class:`ucxml.Report` per payload found (see :mod:`ucxml._payloads`), with
    the carrier's kind, label, line and offset; issue lines are lines of the capture where
    the payload is the capture's own bytes, lines of the decoded payload otherwise. A
    carrier that could not be taken apart gives a report with one error. Secrets are masked
    as by :func:`validate` unless ``show_secrets``; those of the whole capture (headers
    included) are masked in every report of it.
    """
    reports: list[Report] = []
    decoded: list[bytes] = []  # payloads that are not the capture's own bytes
    if not data.strip():
        issue = Issue("error", "empty input: no payload to validate", 1, None)
        return [Report(source, None, None, (issue,), "empty", None, 1, 0)]
    for payload in split_capture(data):
        carrier = payload.label or None
        if payload.error is not None:
            # No API is known yet: the errata of every API are asked (SIP errata, ERRATA S01).
            issues: tuple[Issue, ...] = (
                _hinted(api, Issue("error", payload.error, payload.line, None)),
            )
            name, message, release = None, None, None
        else:
            report = _explained(_validate_bytes(payload.data, api, source=source, bind=bind))
            if payload.body_line is None:
                decoded.append(payload.data)
            shift = payload.body_line - 1 if payload.body_line is not None else 0
            issues = tuple(_shifted(i, shift) for i in report.issues)
            name, message, release = report.api, report.message, report.release
        reports.append(
            Report(
                source,
                name,
                message,
                issues,
                payload.kind,
                carrier,
                payload.line,
                payload.offset,
                release,
            )
        )
    if show_secrets or not any(r.issues or r.carrier for r in reports):
        return reports
    redactor = Redactor.of(data, *decoded)
    return [redactor.report(r) for r in reports]
