"""Every exception ucxml raises, in one hierarchy rooted at :class:`UcxmlError`.

::

    UcxmlError
    ├── XmlError                    a payload could not be read as XML
    │   ├── XmlSyntaxError          not well-formed (line, column)
    │   ├── ForbiddenXmlError       DOCTYPE, entity declarations: refused, never expanded
    │   └── XmlLimitError           larger or deeper than the configured limits
    ├── BindingError                well-formed, but not a message of the API (path, line)
    │   ├── UnknownApiError         no supported API recognises the payload
    │   └── UnknownMessageError     the API has no message of that name / xsi:type
    ├── TransportError              the HTTP exchange failed
    │   ├── ConnectError            the server could not be reached
    │   ├── RequestTimeoutError     no answer within the timeout
    │   ├── HttpStatusError         a non-2xx answer (status, reason)
    │   │   └── AuthenticationError 401 / 403: wrong or missing credentials
    │   └── MalformedResponseError  the answer is not the expected XML (truncated, HTML, ...)
    ├── ServerError                 the server answered with an error result
    │   ├── CmeError                the CME XML API reported a failure
    │   │   ├── CmeCliError         ISexecCLI stopped at a line (line, router text)
    │   │   ├── CmeSetResultError   ISsetResult / ISunsetResult false (error text, results)
    │   │   └── CmeSaveConfigError  ISSaveConfig answered "fail"
    │   ├── EmError                 Extension Mobility failure (code, text, documented meaning)
    │   └── GatewayError            Huawei CC-Gateway retcode != "0" (code, message, meaning)
    └── ParameterError              an argument is out of its documented range (also ValueError)

Messages carry what helps a reader find the problem (line, column, path, status, the
server's text) and never a password, certificate, session key or GUID.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AuthenticationError",
    "BindingError",
    "CmeCliError",
    "CmeError",
    "CmeSaveConfigError",
    "CmeSetResultError",
    "ConnectError",
    "EmError",
    "ForbiddenXmlError",
    "GatewayError",
    "HttpStatusError",
    "MalformedResponseError",
    "ParameterError",
    "RequestTimeoutError",
    "ServerError",
    "TransportError",
    "UcxmlError",
    "UnknownApiError",
    "UnknownMessageError",
    "XmlError",
    "XmlLimitError",
    "XmlSyntaxError",
]


class UcxmlError(Exception):
    """Base of every ucxml exception."""


class XmlError(UcxmlError):
    """A payload could not be read as XML."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        self.message = message
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"{where}{message}")


class XmlSyntaxError(XmlError):
    """The payload is not well-formed XML."""


class ForbiddenXmlError(XmlError):
    """The payload uses a construct the hardened parser refuses (DOCTYPE, entities)."""


class XmlLimitError(XmlError):
    """The payload exceeds the size or depth limit."""


class BindingError(UcxmlError):
    """Well-formed XML that is not a valid message of the API (unknown element, bad value)."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        where = " ".join(
            p for p in (f"at {path}" if path else "", f"(line {line})" if line else "") if p
        )
        super().__init__(f"{message} {where}".rstrip())


class UnknownApiError(BindingError):
    """No supported API recognises the payload."""


class UnknownMessageError(BindingError):
    """The API has no message of that name or xsi:type."""


class TransportError(UcxmlError):
    """The HTTP exchange with the server failed."""


class ConnectError(TransportError):
    """The server could not be reached (refused, DNS, TLS handshake)."""


class RequestTimeoutError(TransportError):
    """The server did not answer within the timeout."""


class HttpStatusError(TransportError):
    """The server answered with a non-2xx HTTP status."""

    def __init__(self, status: int, reason: str = "", *, excerpt: str = ""):
        self.status = status
        self.reason = reason
        self.excerpt = excerpt
        text = f"HTTP {status}{' ' + reason if reason else ''}"
        super().__init__(f"{text}: {excerpt}" if excerpt else text)


class AuthenticationError(HttpStatusError):
    """The server refused the credentials (HTTP 401 or 403)."""


class MalformedResponseError(TransportError):
    """The answer is not the XML message expected (truncated, not XML, wrong message)."""


class ServerError(UcxmlError):
    """The server understood the request and answered with an error result."""


class CmeError(ServerError):
    """A CME XML API call reported a failure."""


class CmeCliError(CmeError):
    """``ISexecCLI`` stopped at ``line`` (1-based); the lines before it were applied."""

    def __init__(self, line: int, error: str):
        self.line = line
        self.error = error
        super().__init__(f"CLI line {line} failed: {error.strip() or '(no text)'}")


class CmeSetResultError(CmeError):
    """``ISsetResult`` / ``ISunsetResult`` was false for at least one item."""

    def __init__(
        self,
        operation: str,
        error: str = "",
        *,
        results: Sequence[bool] = (),
        items: Sequence[str] = (),
    ):
        self.operation = operation
        self.error = error
        self.results = tuple(results)
        self.items = tuple(items)
        failed = [
            self.items[i] if i < len(self.items) else str(i + 1)
            for i, ok in enumerate(self.results)
            if not ok
        ]
        detail = error.strip() or (f"failed for {', '.join(failed)}" if failed else "failed")
        super().__init__(f"{operation}: {detail}")


class CmeSaveConfigError(CmeError):
    """``ISSaveConfig`` answered ``fail``: the running configuration was not saved."""

    def __init__(self) -> None:
        super().__init__("ISSaveConfig: the router could not save the running configuration")


class EmError(ServerError):
    """An Extension Mobility answer reported a failure.

    ``code`` is the server's numeric code, ``text`` its own wording and ``meaning`` the
    documented meaning of the code (None for a code the table does not know).
    """

    def __init__(self, code: int, text: str = "", meaning: str | None = None):
        self.code = code
        self.text = text
        self.meaning = meaning
        label = meaning or "undocumented code"
        detail = f": {text.strip()}" if text.strip() and text.strip() != meaning else ""
        super().__init__(f"EM error {code} ({label}){detail}")


class GatewayError(ServerError):
    """A Huawei CC-Gateway answer had ``retcode`` other than ``"0"``.

    ``code`` is the retcode (e.g. ``"100-006"``), ``text`` the server's message and
    ``meaning`` the documented meaning (None for an undocumented code).
    """

    def __init__(self, code: str, text: str = "", meaning: str | None = None):
        self.code = code
        self.text = text
        self.meaning = meaning
        label = meaning or "undocumented code"
        detail = f": {text.strip()}" if text.strip() and text.strip() != meaning else ""
        super().__init__(f"gateway error {code} ({label}){detail}")


class ParameterError(UcxmlError, ValueError):
    """An argument is outside its documented range; nothing was sent."""
