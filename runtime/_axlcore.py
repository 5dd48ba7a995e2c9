"""AXL without I/O (for :mod:`ucxml.axl`): versions, request documents, answers."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from lxml import etree

from ucxml._answers import check_answer
from ucxml._redaction import client_secrets, excerpt, scrub, scrub_error
from ucxml._safexml import parse_xml
from ucxml.errors import (
    AxlError,
    MalformedResponseError,
    ParameterError,
    SoapFault,
    XmlError,
)
from ucxml.transport import (
    HttpRequest,
    HttpResponse,
    check_base_url,
)

__all__ = [
    "AXL_NAMESPACE_1_0",
    "CONTENT_TYPE",
    "DEFAULT_ENDPOINT",
    "DEFAULT_VERSION",
    "QUERY_OPERATIONS",
    "QUERY_PREFIXES",
    "SOAP_ENV_NAMESPACE",
    "THROTTLED_STATUS",
    "AxlResponse",
    "AxlValue",
    "axl_namespace",
    "build_request",
    "is_query",
    "read_response",
    "soap_action",
]

logger = logging.getLogger("ucxml.axl")

SOAP_ENV_NAMESPACE: Final = "http://schemas.xmlsoap.org/soap/envelope/"
"""Namespace of the SOAP 1.1 envelope AXL uses."""
AXL_NAMESPACE_1_0: Final = "http://www.cisco.com/AXL/1.0"
"""Namespace of AXL 1.0 and 6.0 (identical schemas; the guide's versioned sample uses it)."""
DEFAULT_VERSION: Final = "6.0"
"""Schema version requested by default."""
DEFAULT_ENDPOINT: Final = "/axl/"
"""Path appended to a base URL that has none."""
CONTENT_TYPE: Final = "text/xml; charset=utf-8"
"""``Content-Type`` of every request."""
THROTTLED_STATUS: Final = 599
"""HTTP status of an AXL server that throttles requests (overload)."""
QUERY_PREFIXES: Final = ("get", "list")
"""AXL's naming rule: ``get*`` and ``list*`` requests only read (the others add, update,
remove, reset or run something), so they may be retried."""
QUERY_OPERATIONS: Final = frozenset({"executeSQLQuery"})
"""Read-only requests outside :data:`QUERY_PREFIXES` (``executeSQLUpdate`` is not one)."""

AxlValue: TypeAlias = "str | dict[str, AxlValue] | list[AxlValue]"
"""A value of :meth:`AxlResponse.to_dict`: text, nested elements, or a repeated element."""

_VERSION: Final = re.compile(r"\d{1,3}\.\d{1,3}")
_SAME_AS_1_0: Final = frozenset({"1.0", "6.0"})
_HTML: Final = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)


# --------------------------------------------------------------------------- versions


def is_query(operation: str) -> bool:
    """Whether the AXL request ``operation`` only reads (and may be retried)."""
    if operation in QUERY_OPERATIONS:
        return True
    for prefix in QUERY_PREFIXES:
        rest = operation.removeprefix(prefix)
        if rest != operation and rest[:1].isupper():  # getUser, not getter
            return True
    return False


def _checked_version(version: str) -> str:
    if not isinstance(version, str) or not _VERSION.fullmatch(version.strip()):
        raise ParameterError(
            f"AXL version must look like '6.0' or '8.5' (major.minor), got {version!r}"
        )
    return version.strip()


def soap_action(version: str | None) -> str | None:
    """The ``SOAPAction`` header value asking for schema ``version``, quotes included.

    ``soap_action("6.0")`` is ``'"CUCM:DB ver=6.0"'``; ``None`` (an unversioned request,
    answered with the server's oldest schema) gives ``None``: send no header.
    """
    if version is None:
        return None
    return f'"CUCM:DB ver={_checked_version(version)}"'


def axl_namespace(version: str | None) -> str:
    """The namespace of AXL requests of schema ``version``.

    ``http://www.cisco.com/AXL/1.0`` for 1.0, 6.0 and unversioned requests (the guide
    says 1.0 and 6.0(1) are identical), ``http://www.cisco.com/AXL/API/<version>`` for
    later versions (7.0, 8.5...).
    """
    if version is None:
        return AXL_NAMESPACE_1_0
    checked = _checked_version(version)
    if checked in _SAME_AS_1_0:
        return AXL_NAMESPACE_1_0
    return f"http://www.cisco.com/AXL/API/{checked}"


# --------------------------------------------------------------------------- requests


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ParameterError(
        f"AXL parameter values must be str, int, float, bool, None, a mapping or a list, "
        f"not {type(value).__name__}"
    )


def _add(parent: etree._Element, name: object, value: object) -> None:
    """Append ``value`` to ``parent`` as the element(s) ``name``."""
    if not isinstance(name, str):
        raise ParameterError(f"AXL parameter names must be strings, not {type(name).__name__}")
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, list | tuple):
                raise ParameterError(f"AXL parameter {name!r}: a list cannot hold a list")
            _add(parent, name, item)
        return
    try:
        child = etree.SubElement(parent, name)
        if isinstance(value, Mapping):
            for key, item in value.items():
                _add(child, key, item)
        elif value is not None:
            child.text = _text(value)
    except ValueError as exc:  # invalid tag name or text that XML cannot carry
        raise ParameterError(f"AXL parameter {name!r}: {exc}") from None


def build_request(
    operation: str,
    params: Mapping[str, object] | None = None,
    *,
    version: str | None = DEFAULT_VERSION,
    namespace: str | None = None,
    sequence: int | None = None,
) -> bytes:
    """The SOAP 1.1 envelope of the AXL request ``operation`` (UTF-8 bytes).

    ``params`` become unqualified child elements of ``<axl:operation>`` in order: str,
    int, float and bool values become text (bools ``true``/``false``), a mapping nested
    elements, a list or tuple the element repeated (an empty list: no element), ``None``
    an empty element. ``namespace`` overrides :func:`axl_namespace` of ``version``;
    ``sequence`` (an int >= 0) is echoed by the server in its answer.
    """
    if not isinstance(operation, str) or not operation:
        raise ParameterError("the AXL operation must be a non-empty string")
    if namespace is not None and (not isinstance(namespace, str) or not namespace.strip()):
        raise ParameterError("namespace must be a non-empty string")
    if sequence is not None and (
        isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0
    ):
        raise ParameterError(f"sequence must be an int >= 0, got {sequence!r}")
    if params is not None and not isinstance(params, Mapping):
        raise ParameterError(f"params must be a mapping, not {type(params).__name__}")
    uri = namespace.strip() if namespace is not None else axl_namespace(version)
    envelope = etree.Element(
        etree.QName(SOAP_ENV_NAMESPACE, "Envelope"), nsmap={"SOAP-ENV": SOAP_ENV_NAMESPACE}
    )
    body = etree.SubElement(envelope, etree.QName(SOAP_ENV_NAMESPACE, "Body"))
    try:
        request = etree.SubElement(body, etree.QName(uri, operation), nsmap={"axl": uri})
    except ValueError as exc:
        raise ParameterError(f"invalid AXL operation {operation!r}: {exc}") from None
    if sequence is not None:
        request.set("sequence", str(sequence))
    for name, value in (params or {}).items():
        _add(request, name, value)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


# --------------------------------------------------------------------------- answers


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _children(element: etree._Element) -> list[etree._Element]:
    """The element children (comments and processing instructions skipped)."""
    return [child for child in element if isinstance(child.tag, str)]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child whose local name is ``name`` (qualified or not)."""
    return next((c for c in _children(element) if _local(c) == name), None)


def _child_text(element: etree._Element, name: str) -> str | None:
    child = _child(element, name)
    return None if child is None else (child.text or "").strip()


def _value(element: etree._Element) -> AxlValue:
    children = _children(element)
    if not children:
        return element.text or ""
    result: dict[str, AxlValue] = {}
    for child in children:
        name, value = _local(child), _value(child)
        if name not in result:
            result[name] = value
            continue
        seen = result[name]
        if isinstance(seen, list):
            seen.append(value)
        else:
            result[name] = [seen, value]
    return result


@dataclass(frozen=True, slots=True)
class AxlResponse:
    """A successful AXL answer: the ``<axl:xxxResponse>`` element and its ``sequence``."""

    operation: str
    element: etree._Element = field(repr=False)
    sequence: int | None = None

    def to_dict(self) -> dict[str, AxlValue]:
        """The response's children as nested dicts of strings (repeated names: lists).

        Attributes (``uuid``...) are left out; read them from :attr:`element`.
        """
        value = _value(self.element)
        return value if isinstance(value, dict) else {}

    @property
    def return_value(self) -> AxlValue | None:
        """The ``<return>`` child as a dict (or its text when it has no children), or None."""
        found = _child(self.element, "return")
        return None if found is None else _value(found)


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _old_style(error: etree._Element, status: int, secrets: Collection[str]) -> AxlError:
    """``<axl:Error><axl:code/><axl:message/><request/></axl:Error>`` as an AxlError."""
    return AxlError(
        _int(_child_text(error, "code")),
        scrub(_child_text(error, "message") or "", secrets),
        request=scrub(_child_text(error, "request") or "", secrets) or None,
        status=status,
        style="error",
    )


def _fault(fault: etree._Element, status: int, secrets: Collection[str]) -> AxlError | SoapFault:
    """A SOAP 1.1 fault as an AxlError (with ``detail/axlError``) or a SoapFault."""
    code = (_child_text(fault, "faultcode") or "").rpartition(":")[2] or "Server"
    reason = scrub(_child_text(fault, "faultstring") or "", secrets)
    detail = _child(fault, "detail")
    axl = _child(detail, "axlError") if detail is not None else None
    if axl is None:
        return SoapFault(scrub(code, secrets), reason)
    return AxlError(
        _int(_child_text(axl, "axlcode")),
        scrub(_child_text(axl, "axlmessage") or "", secrets) or reason,
        request=scrub(_child_text(axl, "request") or "", secrets) or None,
        status=status,
        style="fault",
    )


def _error_in(
    body: etree._Element, status: int, secrets: Collection[str]
) -> AxlError | SoapFault | None:
    """The error an AXL Body carries (fault, old-style Error at any of its places), if any."""
    first = next(iter(_children(body)), None)
    if first is None:
        return None
    if _local(first) == "Fault" and etree.QName(first).namespace == SOAP_ENV_NAMESPACE:
        return _fault(first, status, secrets)
    if _local(first) == "Error":
        return _old_style(first, status, secrets)
    nested = _child(first, "Error")
    return _old_style(nested, status, secrets) if nested is not None else None


def _body(content: bytes, operation: str, secrets: Collection[str]) -> etree._Element:
    """The SOAP 1.1 Body of ``content``; MalformedResponseError when there is none."""
    if not content.strip():
        raise MalformedResponseError(f"{operation}: empty answer")
    if _HTML.match(content) or content.lstrip()[:1] != b"<":
        raise MalformedResponseError(f"{operation}: expected XML, got: {excerpt(content, secrets)}")
    try:
        parsed = parse_xml(content)
    except XmlError as exc:
        scrub_error(exc, secrets)  # kept as the cause
        raise MalformedResponseError(
            f"{operation}: unreadable answer ({exc}): {excerpt(content, secrets)}"
        ) from exc
    for issue in parsed.warnings:
        logger.warning(
            "%s answer, line %s: %s", operation, issue.line, scrub(issue.message, secrets)
        )
    root = parsed.root
    if not isinstance(root.tag, str) or etree.QName(root) != etree.QName(
        SOAP_ENV_NAMESPACE, "Envelope"
    ):
        raise MalformedResponseError(f"{operation}: the answer is not a SOAP 1.1 envelope")
    body = next(
        (c for c in _children(root) if etree.QName(c) == etree.QName(SOAP_ENV_NAMESPACE, "Body")),
        None,
    )
    if body is None:
        raise MalformedResponseError(f"{operation}: the SOAP envelope has no Body")
    return body


def read_response(
    content: bytes,
    *,
    status: int,
    operation: str,
    content_type: str = "",
    secrets: Collection[str] = (),
    reason: str = "",
) -> AxlResponse:
    """Read the answer to the AXL request ``operation``; raise a typed error on failure.

    Raises :class:`~ucxml.errors.AxlError` for both AXL error styles (``style="error"``
    or ``"fault"``) and for HTTP 599 (``style="http"``), :class:`~ucxml.errors.SoapFault`
    for a fault without ``detail/axlError``, :class:`~ucxml.errors.AuthenticationError`
    for 401/403, :class:`~ucxml.errors.HttpStatusError` for another non-2xx status without
    an error body, :class:`~ucxml.errors.MalformedResponseError` for an answer that is not
    the SOAP response (HTML, not XML, empty, truncated, another element). ``secrets``
    (see :func:`ucxml._redaction.client_secrets`) are masked in every error text, which
    may quote the answer (and ``reason``, the HTTP reason phrase). The checks of the
    HTTP answer are every client's (:func:`ucxml._answers.check_answer`).
    """
    answer = HttpResponse(status, content, {"content-type": content_type}, reason)

    def carried(failed: HttpResponse) -> None:
        if failed.status == THROTTLED_STATUS:
            said = f": {excerpt(content, secrets)}" if content.strip() else ""
            raise AxlError(
                None,
                f"the server is throttling AXL requests (HTTP 599), retry later{said}",
                status=status,
                style="http",
            )
        if "html" in failed.content_type:
            return
        try:
            found = _error_in(_body(content, operation, secrets), status, secrets)
        except MalformedResponseError:
            return  # no SOAP body: the status error says more
        if found is not None:
            raise found

    check_answer(answer, operation, expect="XML", secrets=secrets, carried=carried)
    body = _body(content, operation, secrets)
    error = _error_in(body, status, secrets)
    if error is not None:
        raise error
    first = next(iter(_children(body)), None)
    expected = f"{operation}Response"
    if first is None or _local(first) != expected:
        got = scrub(_local(first), secrets) if first is not None else "an empty Body"
        raise MalformedResponseError(f"{operation}: expected {expected}, got {got}")
    return AxlResponse(operation, first, _int(first.get("sequence")))


# --------------------------------------------------------------------------- the clients


class _AxlState:
    """What both clients share: URL, version, namespace, request building (no I/O)."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        version: str | None,
        namespace: str | None,
    ) -> None:
        parts = check_base_url(base_url)
        has_path = parts.path not in ("", "/")
        self._url = base_url if has_path else base_url.rstrip("/") + DEFAULT_ENDPOINT
        self._username = username
        self._secrets = client_secrets(username=username, password=password)
        self._soap_action = soap_action(version)  # checks the version
        self._version = None if version is None else version.strip()
        if namespace is not None and (not isinstance(namespace, str) or not namespace.strip()):
            raise ParameterError("namespace must be a non-empty string")
        self._namespace = namespace.strip() if namespace is not None else axl_namespace(version)
        self._warned = False

    @property
    def url(self) -> str:
        """The AXL service URL requests are posted to."""
        return self._url

    @property
    def version(self) -> str | None:
        """The schema version requested (None: unversioned, the server's oldest schema)."""
        return self._version

    @property
    def namespace(self) -> str:
        """The namespace of the request elements."""
        return self._namespace

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._url!r}, username={self._username!r}, "
            f"version={self._version!r})"
        )

    def _request(
        self, operation: str, params: Mapping[str, object] | None, sequence: int | None
    ) -> HttpRequest:
        content = build_request(
            operation, params, namespace=self._namespace, sequence=sequence, version=self._version
        )
        headers = {"Content-Type": CONTENT_TYPE, "Accept": "text/*"}
        if self._soap_action is not None:
            headers["SOAPAction"] = self._soap_action
        elif not self._warned:
            self._warned = True
            logger.warning(
                "AXL requests to %s carry no schema version: the server applies its oldest "
                "schema, and later releases may reject unversioned requests",
                self._url,
            )
        logger.debug("%s: POST %s (SOAPAction %s)", operation, self._url, self._soap_action)
        return HttpRequest("POST", self._url, content, headers)

    def _read(self, operation: str, answer: HttpResponse) -> AxlResponse:
        return read_response(
            answer.content,
            status=answer.status,
            operation=operation,
            content_type=answer.headers.get("content-type", ""),
            secrets=self._secrets,
            reason=answer.reason,
        )
