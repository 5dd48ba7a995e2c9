"""What real servers send beside the schema, read anyway: the tolerances, in one place.

Each tolerance is a named handler with a stable warning code. An API switches a handler
on with its manifest key ``tolerances`` (a list of names); whatever a tolerance reads is
reported as a warning carrying its code (``Issue.code``), and ERRATA entries match that
code (``match: `code T-ALIAS: 'firstname'` ``), not the wording. Both readers (the whole
tree one and the fast path) and ``ucxml validate`` make their warnings here, so each
sentence is written once.

The catalogue, in the order the reader applies them:

==================  ===============  ==================================================
name                code             what is read
==================  ===============  ==================================================
external-doctype    T-DOCTYPE        a DOCTYPE with only a SYSTEM/PUBLIC identifier (never
                                     fetched; an internal subset is still refused)
glued-attributes    T-GLUED          attributes run together (``a="1"b="2"``)
prefixes            T-PREFIX         well-known prefixes used without a declaration
soap11              T-SOAP11         a SOAP 1.1 envelope where the API speaks SOAP 1.2
bare                T-BARE           a CME ``<request>``/``<response>`` without envelope
wrapper             T-WRAPPER        a message wrapped in an element (EM ``<response>``)
aliases             T-ALIAS          another spelling of an element name
order               T-ORDER          children in another order than the schema's
type-aliases        T-TYPE-ALIAS     another spelling of an ``xsi:type``
url-encoded         T-URL-ENCODED    values sent URL-encoded (``em%40cisco.com``)
header-blocks       T-HEADER         SOAP header blocks of another namespace (WS-Addressing)
                                     that are not ``mustUnderstand``, ignored and kept
lexical             T-LEXICAL        JSON: a number or boolean sent as a string (``"4"``,
                                     ``"false"``), a string sent as a number (``1``)
local-time          T-LOCAL-TIME     PIDF: an ``xs:dateTime`` without a time zone, kept
draft-namespaces    T-DRAFT-NS       PIDF: an element of a pre-RFC draft namespace (RPID's
                                     ``…:pidf:status:rpid``), kept as sent
unknown             T-UNKNOWN        elements and attributes no known release has: kept
                                     on the model (``model.extra``), written back in place
==================  ===============  ==================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from ucxml._report import Issue
from ucxml.errors import ForbiddenXmlError, XmlSyntaxError

__all__ = [
    "NOT_IN_SCHEMA",
    "TOLERANCES",
    "Tolerance",
    "alias_warning",
    "bare_warning",
    "by_code",
    "check_enabled",
    "doctype_warning",
    "draft_namespace_warning",
    "glued_warning",
    "header_block_warning",
    "lexical_warning",
    "local_time_warning",
    "order_warning",
    "prefix_warning",
    "soap11_warning",
    "type_alias_warning",
    "unknown_warning",
    "url_encoded_warning",
    "wrapper_warning",
]


@dataclass(frozen=True, slots=True)
class Tolerance:
    """One tolerated deviation: its manifest name, warning code and what it reads."""

    name: str
    code: str
    summary: str


TOLERANCES: tuple[Tolerance, ...] = (
    Tolerance(
        "external-doctype",
        "T-DOCTYPE",
        "a DOCTYPE with only an external identifier, ignored and never fetched",
    ),
    Tolerance("glued-attributes", "T-GLUED", "attributes run together, separated"),
    Tolerance("prefixes", "T-PREFIX", "well-known prefixes used without a declaration"),
    Tolerance("soap11", "T-SOAP11", "a SOAP 1.1 envelope read as SOAP 1.2"),
    Tolerance("bare", "T-BARE", "a message without its envelope"),
    Tolerance("wrapper", "T-WRAPPER", "a message wrapped in another element, unwrapped"),
    Tolerance("aliases", "T-ALIAS", "another spelling of an element, read as the schema's"),
    Tolerance("order", "T-ORDER", "children out of schema order, read in order"),
    Tolerance("type-aliases", "T-TYPE-ALIAS", "another spelling of an xsi:type"),
    Tolerance("url-encoded", "T-URL-ENCODED", "a value sent URL-encoded, read decoded"),
    # --- SOAP header blocks the API does not define (EPAS) -----------------------------
    Tolerance(
        "header-blocks",
        "T-HEADER",
        "a SOAP header block of another namespace, not mustUnderstand: ignored, kept",
    ),
    # --- JSON readers (ucxml._jsondocs) -------------------------------------------------
    Tolerance(
        "lexical",
        "T-LEXICAL",
        'a JSON value in another lexical type ("4" for 4, 1 for "1"), read as the typed one',
    ),
    # --- PIDF: local times and draft namespaces --------------------------------------
    Tolerance("local-time", "T-LOCAL-TIME", "a date and time without a time zone, kept as sent"),
    Tolerance(
        "draft-namespaces", "T-DRAFT-NS", "an element of a pre-RFC draft namespace, kept as sent"
    ),
    Tolerance(
        "unknown",
        "T-UNKNOWN",
        "an element or attribute no known release has, kept on the model (model.extra)",
    ),
)

_BY_NAME = {t.name: t for t in TOLERANCES}
_BY_CODE = {t.code: t for t in TOLERANCES}


def by_code(code: str) -> Tolerance | None:
    """The tolerance whose warnings carry ``code`` (None for another code)."""
    return _BY_CODE.get(code)


def _code(name: str) -> str:
    return _BY_NAME[name].code


def check_enabled(api: str, enabled: tuple[str, ...], warnings: tuple[Issue, ...]) -> None:
    """Refuse a payload read with a parse-time tolerance that ``api`` does not switch on.

    The XML parser applies some tolerances before the API is known (a DOCTYPE, glued
    attributes); once it is, a warning of a tolerance the API's manifest does not list
    becomes the error it would be without the tolerance.
    """
    for issue in warnings:
        tolerance = by_code(issue.code) if issue.code else None
        if tolerance is None or tolerance.name in enabled:
            continue
        if tolerance.name == "external-doctype":
            raise ForbiddenXmlError(
                f"a DOCTYPE is not allowed in {api} payloads (DTDs and entities are refused)",
                line=issue.line,
                column=issue.column,
            )
        raise XmlSyntaxError(
            f"{issue.message} (not tolerated in {api} payloads)",
            line=issue.line,
            column=issue.column,
        )


# --------------------------------------------------------------------------- the warnings


def doctype_warning(identifier: str, line: int, column: int) -> Issue:
    """A DOCTYPE with only an external identifier (``SYSTEM "…"``), not fetched."""
    return Issue(
        "warning",
        f"DOCTYPE with external identifier {identifier} ignored (never fetched)",
        line,
        column,
        code=_code("external-doctype"),
    )


def glued_warning(message: str, line: int, column: int) -> Issue:
    """Attributes run together (the message names the attribute or counts them)."""
    return Issue("warning", message, line, column, code=_code("glued-attributes"))


def prefix_warning(prefix: str, uri: str, line: int, column: int) -> Issue:
    """A well-known prefix used without a declaration."""
    return Issue(
        "warning",
        f"undeclared prefix '{prefix}' read as {uri}",
        line,
        column,
        code=_code("prefixes"),
    )


def soap11_warning(line: int | None, path: str) -> Issue:
    """A SOAP 1.1 envelope read as SOAP 1.2."""
    message = "SOAP 1.1 envelope read as SOAP 1.2"
    return Issue("warning", message, line, 1, path, code=_code("soap11"))


def bare_warning(name: str, line: int | None, path: str) -> Issue:
    """A CME message without its SOAP envelope and ``<axl>``."""
    message = f"bare <{name}> without SOAP-ENV:Envelope/SOAP-ENV:Body/axl"
    return Issue("warning", message, line, 1, path, code=_code("bare"))


def wrapper_warning(
    wrapper: str, name: str, line: int | None, column: int | None, path: str
) -> Issue:
    """A message wrapped in ``<wrapper>``, read as the bare message."""
    message = f"<{name}> wrapped in <{wrapper}>, read as the bare <{name}>"
    return Issue("warning", message, line, column, path, code=_code("wrapper"))


def alias_warning(name: str, target: str, line: int | None, column: int | None, path: str) -> Issue:
    """An element spelled ``name``, read as the schema's ``target``."""
    message = f"element '{name}' read as '{target}'"
    return Issue("warning", message, line, column, path, code=_code("aliases"))


def order_warning(
    parent: str, wanted: str, line: int | None, column: int | None, path: str
) -> Issue:
    """Children of ``parent`` out of schema order, read in the order ``wanted``."""
    message = f"children of <{parent}> out of schema order, read as {wanted}"
    return Issue("warning", message, line, column, path, code=_code("order"))


def type_alias_warning(raw: str, name: str, line: int | None, path: str) -> Issue:
    """An ``xsi:type`` spelled ``raw``, read as ``name``."""
    message = f"xsi:type '{raw}' read as '{name}'"
    return Issue("warning", message, line, None, path, code=_code("type-aliases"))


def url_encoded_warning(
    name: str, value: str, decoded: str, line: int | None, column: int | None, path: str
) -> Issue:
    """A value the server sent URL-encoded."""
    message = f"{name} {value!r} is URL-encoded (read as {decoded!r})"
    return Issue("warning", message, line, column, path, code=_code("url-encoded"))


# --------------------------------------------------------------------------- SOAP headers


def header_block_warning(name: str, line: int | None, path: str) -> Issue:
    """A SOAP header block ``name`` the API does not define, not ``mustUnderstand``: ignored."""
    message = f"SOAP header block <{name}> not understood, ignored (not mustUnderstand)"
    return Issue("warning", message, line, None, path, code=_code("header-blocks"))


# --------------------------------------------------------------------------- JSON readers

#: How a JSON type is named in the lexical warnings.
_JSON_KINDS = {"integer": "an integer", "boolean": "a boolean", "string": "a string"}


def lexical_warning(
    name: str,
    sent: str,
    wanted: str,
    shown: str | None,
    line: int | None,
    column: int | None,
    path: str,
) -> Issue:
    """A JSON value of type ``sent`` (``"string"``, ``"number"``) read as ``wanted``.

    ``shown`` is the value as read, in JSON (None for a secret: never quoted).
    """
    kind = _JSON_KINDS.get(wanted, wanted)
    value = f": {shown}" if shown is not None else " (value not shown: a secret)"
    message = f"{name!r} sent as a JSON {sent}, read as {kind}{value}"
    return Issue("warning", message, line, column, path, code=_code("lexical"))


# --------------------------------------------------------------------------- PIDF


def local_time_warning(
    name: str, value: str, line: int | None, column: int | None, path: str
) -> Issue:
    """A date and time ``value`` of ``name`` (element or ``@attribute``) without a zone."""
    message = f"{name} {value!r} has no time zone (kept as sent, a local time)"
    return Issue("warning", message, line, column, path, code=_code("local-time"))


def draft_namespace_warning(
    name: str, namespace: str, registered: str, line: int | None, column: int | None, path: str
) -> Issue:
    """Element ``name`` in the draft ``namespace`` of what is now ``registered``."""
    message = (
        f"<{name}> in the draft namespace {namespace} (registered: {registered}), kept as sent"
    )
    return Issue("warning", message, line, column, path, code=_code("draft-namespaces"))


# --------------------------------------------------------------------------- unknown content

#: The words every unknown-content warning carries (tests and users search for them).
NOT_IN_SCHEMA = "not in the schema of any known release"


def unknown_warning(what: str, line: int | None, column: int | None, path: str) -> Issue:
    """``what`` (``element <x>``, ``attribute 'y' on <x>``) is in no known release: kept."""
    message = f"{what} is {NOT_IN_SCHEMA} (kept)"
    return Issue("warning", message, line, column, path, code=_code("unknown"))
