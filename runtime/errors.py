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
    ├── TransportError              the HTTP exchange failed (``attempts`` made)
    │   ├── ConnectError            the server could not be reached
    │   │   └── TlsError            the TLS handshake failed (plain HTTP on the port, ...)
    │   │       └── TlsVerificationError   the server's TLS certificate was not trusted
    │   ├── RequestTimeoutError     no answer within the timeout
    │   ├── OutcomeUnknownError     a write was sent but its answer was lost: it may or
    │   │                           may not have been applied
    │   ├── HttpStatusError         a non-2xx answer (status, reason)
    │   │   └── AuthenticationError 401 / 403: wrong or missing credentials
    │   ├── MalformedResponseError  the answer is not the expected XML (truncated, HTML, ...)
    │   └── ResponseTooLargeError   the answer is over the size limit (declared, received,
    │                               decoded, a decompression bomb): not read further
    ├── ServerError                 the server answered with an error result
    │   ├── CmeError                the CME XML API reported a failure
    │   │   ├── CmeCliError         ISexecCLI stopped at a line (line, router text)
    │   │   ├── CmeSetResultError   ISsetResult / ISunsetResult false (error text, results)
    │   │   └── CmeSaveConfigError  ISSaveConfig answered "fail"
    │   ├── EmError                 Extension Mobility failure (code, text, documented meaning)
    │   ├── GatewayError            Huawei CC-Gateway retcode != "0" (code, message, meaning)
    │   │   └── EventPollingError   000-001: the agent's events were fetched the wrong way
    │   ├── SoapFault               a SOAP 1.2 / 1.1 fault (code, subcodes, reason)
    │   ├── AxlError                an AXL error, old <axl:Error> or Fault detail/axlError
    │   └── CupError                an EPAS (Presence SOAP) answer reported a failure (reason)
    │       ├── CupLoginError       login refused: wrong username/password
    │       ├── CupSessionError     session already established, expired or invalid
    │       └── CupItemError        a per-item answer failed (the typed items attached)
    ├── MessageFormatError          a SIP/HTTP/MIME message around a payload cannot be split
    ├── InputFileError              a payload file cannot be read (also OSError)
    └── ParameterError              an argument is out of its documented range (also ValueError)
        └── TlsConfigurationError   ``ca_bundle`` is missing, unreadable or holds no certificate

Messages carry what helps a reader find the problem (line, column, path, status, the
server's text) and never a password, certificate, session key or GUID.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

__all__ = [
    "AuthenticationError",
    "AxlError",
    "AxlErrorStyle",
    "BindingError",
    "CmeCliError",
    "CmeError",
    "CmeSaveConfigError",
    "CmeSetResultError",
    "ConnectError",
    "CupError",
    "CupItemError",
    "CupLoginError",
    "CupSessionError",
    "EmError",
    "EventPollingError",
    "ForbiddenXmlError",
    "GatewayError",
    "HttpStatusError",
    "InputFileError",
    "MalformedResponseError",
    "MessageFormatError",
    "OutcomeUnknownError",
    "ParameterError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerError",
    "SessionState",
    "SoapFault",
    "TlsConfigurationError",
    "TlsError",
    "TlsVerificationError",
    "TransportError",
    "UcxmlError",
    "UnknownApiError",
    "UnknownMessageError",
    "XmlError",
    "XmlLimitError",
    "XmlSyntaxError",
]


class UcxmlError(Exception):
    """Base of every ucxml exception.

    Each survives ``pickle`` and ``copy`` (a process pool hands it to the parent) with its
    type, attributes and text: it is rebuilt from its state, never by calling its
    ``__init__`` again with the finished text.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        if isinstance(self, OSError):  # errno, strerror and filename are not in __dict__
            state.update(errno=self.errno, strerror=self.strerror, filename=self.filename)
        return (_rebuilt, (type(self), self.args), state)


def _rebuilt(cls: type[UcxmlError], args: tuple[Any, ...]) -> UcxmlError:
    """An error of ``cls`` with ``args`` and no ``__init__`` run (see ``__reduce__``)."""
    error = cls.__new__(cls, *args)
    error.args = args  # OSError's __new__ leaves them to an overridden __init__
    return error


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
        #: The API the payload was read as, when the failure came after detection.
        self.api: str | None = None
        #: Tolerated deviations met before the failure (``ucxml._report.Issue`` items).
        self.warnings: tuple[object, ...] = ()
        where = " ".join(
            p for p in (f"at {path}" if path else "", f"(line {line})" if line else "") if p
        )
        super().__init__(f"{message} {where}".rstrip())


class UnknownApiError(BindingError):
    """No supported API recognises the payload."""


class UnknownMessageError(BindingError):
    """The API has no message of that name or xsi:type."""


class TransportError(UcxmlError):
    """The HTTP exchange with the server failed.

    ``attempts`` is how many times the request was sent before giving up (1 when it was
    not retried); ``sent`` is False when the failure is known to have happened before
    any byte of the request reached the server (connection refused, DNS, TLS).
    """

    attempts: int = 1
    sent: bool = True


class ConnectError(TransportError):
    """The server could not be reached (refused, DNS, TLS handshake): nothing was sent."""

    sent = False


class TlsError(ConnectError):
    """The TLS handshake failed (nothing was sent); never retried, resending cannot fix it.

    The commonest cause is an ``https://`` URL on a port that speaks plain HTTP.
    """


class TlsVerificationError(TlsError):
    """The server's TLS certificate could not be verified (nothing was sent)."""


class RequestTimeoutError(TransportError):
    """The server did not answer within the timeout."""


class OutcomeUnknownError(TransportError):
    """A request that changes state was sent, but its answer was lost.

    The server may or may not have applied it; ucxml never resends such a request.
    ``operation`` names it and ``cause`` is the transport failure that lost the answer.
    """

    def __init__(self, operation: str, cause: TransportError):
        self.operation = operation
        self.cause = cause
        self.attempts = cause.attempts
        super().__init__(
            f"{operation}: the request was sent but its answer was lost ({cause}); "
            "the outcome is unknown: check the server's state before repeating it"
        )


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


class ResponseTooLargeError(TransportError):
    """The answer is over the client's size limit (``max_answer_bytes``): its declared
    ``Content-Length``, the bytes received, or what they decompress to (a decompression
    bomb, or more layers of ``Content-Encoding`` than are read). Reading stopped there."""


class ServerError(UcxmlError):
    """The server understood the request and answered with an error result.

    ``attempts`` is how many times the request was sent before giving up (1 when it was
    not retried; a query answered "busy" may be retried, see :mod:`ucxml.retry`).
    """

    attempts: int = 1
    #: The error code exactly as the server sent it (``"18"``, ``"-239"``, ``"100-006"``,
    #: ``"Sender"``); ``""`` when the answer carries no code.
    code: str = ""

    @property
    def number(self) -> int | None:
        """``code`` as an integer when it is one (EM ``18``, AXL ``-239``), else None."""
        return int(self.code) if _NUMERIC.fullmatch(self.code) else None


_NUMERIC = re.compile(r"[+-]?[0-9]+")


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
        self.code = "fail"  # the status the router answered
        super().__init__("ISSaveConfig: the router could not save the running configuration")


def _documented(what: str, code: int | str, text: str, meaning: str | None) -> str:
    """The text of an error whose code has a documented meaning: the meaning, then the
    server's own wording where it says more."""
    label = meaning or "undocumented code"
    detail = f": {text.strip()}" if text.strip() and text.strip() != meaning else ""
    return f"{what} {code} ({label}){detail}"


class EmError(ServerError):
    """An Extension Mobility answer reported a failure.

    ``code`` is the server's code as sent (``"18"``; :attr:`number` gives ``18``), ``text``
    its own wording and ``meaning`` the documented meaning of the code (None for a code the
    table does not know).
    """

    def __init__(self, code: int | str, text: str = "", meaning: str | None = None):
        self.code = str(code)
        self.text = text
        self.meaning = meaning
        super().__init__(_documented("EM error", code, text, meaning))


class GatewayError(ServerError):
    """A Huawei CC-Gateway answer had ``retcode`` other than ``"0"``.

    ``code`` is the retcode (e.g. ``"100-006"``), ``text`` the server's message and
    ``meaning`` the documented meaning (None for an undocumented code).
    """

    def __init__(self, code: str, text: str = "", meaning: str | None = None):
        self.code = code
        self.text = text
        self.meaning = meaning
        super().__init__(_documented("gateway error", code, text, meaning))


class EventPollingError(GatewayError):
    """The gateway answered ``000-001`` to an event poll: the events were fetched the wrong
    way (another method or path, or the gateway pushes them instead of being polled)."""


class SoapFault(ServerError):
    """The server answered with a SOAP fault.

    ``code`` is the fault code's local name (``Sender``, ``Receiver``, ``VersionMismatch``,
    ``MustUnderstand``, ``DataEncodingUnknown``; SOAP 1.1 ``Client``/``Server``),
    ``subcodes`` the local names of the nested subcodes, ``reason`` the reason text.
    """

    def __init__(self, code: str, reason: str = "", *, subcodes: Sequence[str] = ()):
        self.code = code
        self.reason = reason
        self.subcodes = tuple(subcodes)
        chain = "/".join((code, *self.subcodes))
        super().__init__(f"SOAP fault {chain}: {reason.strip() or '(no reason)'}")


#: Which of AXL's error forms an :class:`AxlError` came from.
AxlErrorStyle = Literal["error", "fault", "http"]
#: Why an EPAS session is unusable (:attr:`CupSessionError.state`).
SessionState = Literal["established", "expired", "missing"]


class AxlError(ServerError):
    """An AXL request failed; both error styles of AXL servers map to this one error.

    ``code`` is the AXL error code as sent (``"-239"``, ``"5007"``...; :attr:`number` gives
    it as an int; ``""`` when the server gave only a fault), ``message`` the server's text,
    ``request`` the AXL request name it names, ``status`` the HTTP status (599 when the
    server throttles), ``style`` ``"error"`` for the old ``<axl:Error>`` body, ``"fault"``
    for a SOAP fault with ``detail/axlError``, ``"http"`` for an HTTP-level refusal.
    """

    def __init__(
        self,
        code: int | str | None,
        message: str = "",
        *,
        request: str | None = None,
        status: int | None = None,
        style: AxlErrorStyle = "fault",
    ):
        self.code = "" if code is None else str(code).strip()
        self.message = message
        self.request = request
        self.status = status
        self.style = style
        what = f"AXL error {self.code}" if self.code else "AXL error"
        on = f" in {request}" if request else ""
        super().__init__(f"{what}{on}: {message.strip() or '(no message)'}")


class CupError(ServerError):
    """An EPAS (Cisco Unified Presence SOAP) answer reported a failure; ``reason`` is its text."""

    def __init__(self, operation: str, reason: str = ""):
        self.operation = operation
        self.reason = reason
        super().__init__(f"{operation}: {reason.strip() or 'failed'}")


class CupLoginError(CupError):
    """``login`` was refused (``Wrong username/password``)."""


class CupSessionError(CupError):
    """The session is not usable: already established elsewhere, expired or unknown.

    ``state`` is ``"established"`` (a session exists: log in with ``force=True``),
    ``"expired"`` or ``"missing"`` (no session key: call ``login()`` first).
    """

    def __init__(self, operation: str, reason: str = "", *, state: SessionState = "expired"):
        self.state = state
        super().__init__(operation, reason)
        advice = _SESSION_ADVICE.get(state)
        if advice:
            # ``reason`` stays the server's own words; the text says what to do about them.
            self.args = (f"{self.args[0]}; {advice}",)


_SESSION_ADVICE = {
    "established": (
        "the user has a session already: log in with login(force=True) to end it and take "
        "over, or create the client with relogin=True to do so automatically"
    ),
    "expired": (
        "the session has ended (expired, logged out, or taken over by a forced login "
        "elsewhere): log in again with login(force=True), or create the client with "
        "relogin=True to log in again and resend, once per call"
    ),
}


class CupItemError(CupError):
    """A per-item EPAS answer failed for at least one item; ``items`` holds every result."""

    def __init__(self, operation: str, reason: str = "", *, items: Sequence[object] = ()):
        self.items = tuple(items)
        super().__init__(operation, reason)


class MessageFormatError(UcxmlError):
    """A message around a payload (SIP, HTTP, MIME multipart) cannot be split without guessing.

    ``line`` is the 1-based line of the message where the problem shows, when known.
    """

    def __init__(self, message: str, *, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class InputFileError(UcxmlError, OSError):
    """A payload file could not be read: missing, a folder, or not readable.

    Also an :class:`OSError` (``errno``, ``strerror`` and ``filename`` are set), so code
    that catches I/O errors keeps working.
    """

    def __init__(self, path: str, reason: str, *, errno: int | None = None):
        super().__init__(f"cannot read {path!r}: {reason}")
        self.errno = errno
        self.strerror = reason
        self.filename = path

    def __str__(self) -> str:
        # OSError's own form ("[Errno 2] ...") would drop the sentence made above.
        return str(self.args[0])


class ParameterError(UcxmlError, ValueError):
    """An argument is outside its documented range; nothing was sent."""


class TlsConfigurationError(ParameterError):
    """A TLS setting cannot be used (``ca_bundle`` missing, unreadable, no certificate in it).

    Raised by the client's constructor, before anything is sent.
    """
