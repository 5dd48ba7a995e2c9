"""The sans-I/O part every typed client shares: request building, answer checking.

:class:`ClientCore` builds an operation's HTTP request and reads its answer; the client
shells (:mod:`ucxml._async_client` and its sync twin, exported by :mod:`ucxml.client`)
add the transport, the retries and the lifecycle. No I/O here, so both twins import it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from ucxml import _fastpath as fastpath
from ucxml import _records as record_reader
from ucxml._answers import check_answer
from ucxml._documents import decode_reporting, read_message, serialize
from ucxml._envelopes import EnvelopeFormat, envelope_format
from ucxml._outgoing import check_request
from ucxml._redaction import (
    SecretSet,
    client_secrets,
    excerpt,
    find_secrets,
    scrub,
    scrub_error,
)
from ucxml._registry import binding
from ucxml._releases import AUTO, get_release, sniff_release
from ucxml._report import Issue
from ucxml._safexml import parse_xml
from ucxml.bindings import Operation
from ucxml.errors import (
    BindingError,
    MalformedResponseError,
    SoapFault,
    UcxmlError,
    XmlError,
)
from ucxml.transport import (
    HttpRequest,
    HttpResponse,
    check_base_url,
)

__all__ = ["AnswerReader", "ClientCore"]

T = TypeVar("T")
logger = logging.getLogger("ucxml")


class AnswerReader(Protocol):
    """What reads an operation's HTTP answer into its typed result (a client's core)."""

    def response(self, operation: Operation, response_type: type[T], answer: HttpResponse) -> T:
        """Bind ``answer`` to ``response_type``; raise a typed error when it cannot be."""
        ...


def _reading(
    reader: AnswerReader, operation: Operation, response_type: type[T], http: HttpRequest
) -> Callable[[HttpResponse], T]:
    """``reader.response`` for the answer to ``http``, its errors masking the request's secrets."""

    def read(answer: HttpResponse) -> T:
        try:
            return reader.response(operation, response_type, answer)
        except UcxmlError as exc:
            _mask_request_secrets(exc, http)
            raise

    return read


def _mask_request_secrets(error: UcxmlError, http: HttpRequest) -> None:
    """Mask in ``error`` (and its causes) the secrets ``http`` carried (the router echoes
    a new password). A function of its own: the secrets found die with its frame, never
    sitting in a frame of the traceback."""
    # Found only on failure: a successful answer costs no scan of the request.
    secrets = find_secrets(http.content)
    forms = client_secrets(*secrets) if secrets else frozenset()
    cause: BaseException | None = error
    while forms and cause is not None:  # the kept cause quotes the answer too
        scrub_error(cause, forms)
        cause = cause.__cause__


class ClientCore:
    """Builds the HTTP request of an operation and interprets the answer (no I/O).

    ``secrets`` are the client's own (see :func:`ucxml._redaction.client_secrets`): every
    error text and log line made from an answer masks them, since a server may echo the
    request. A client whose secrets change (a session key) assigns the attribute anew.
    """

    def __init__(
        self,
        api: str,
        base_url: str,
        endpoint: str,
        content_type: str,
        *,
        secrets: Collection[str] = (),
        release: str | None = None,
    ) -> None:
        self.api = api
        parts = check_base_url(base_url)
        has_path = parts.path not in ("", "/")
        self.url = base_url if has_path else base_url.rstrip("/") + endpoint
        self.content_type = content_type
        #: The API's envelope style, which says how a request names its operation.
        self.style = envelope_format(binding(api).info.envelope)
        self.secrets = SecretSet(secrets)
        #: (operation, tolerance code) pairs already logged as warnings (see ``_warn``).
        self._tolerated: set[tuple[str, str | None]] = set()
        if release is not None and release != AUTO:
            get_release(api, release)  # an unknown name raises ParameterError
        #: The release requests are written in (None: the API's shared form), and whether
        #: the first answer is still to decide it (``release="auto"``).
        self.release: str | None = None if release == AUTO else release
        self.auto = release == AUTO

    def learn(self, release: str | None) -> None:
        """Follow the release an answer showed, if this client's release is ``"auto"``."""
        if self.auto and release is not None:
            self.release, self.auto = release, False

    def scrub(self, text: str) -> str:
        """``text`` (made from an answer) with the client's secrets masked."""
        return scrub(text, self.secrets)

    def excerpt(self, content: bytes) -> str:
        """The start of an answer body for an error text, the client's secrets masked."""
        return excerpt(content, self.secrets)

    def _unreadable(
        self, what: str, operation: Operation, exc: UcxmlError
    ) -> MalformedResponseError:
        """The error of an answer the reader refused; ``exc`` (kept as cause) is masked."""
        scrub_error(exc, self.secrets)
        return MalformedResponseError(f"{operation.name}: {what}: {exc}")

    def _warn(self, operation: Operation, warnings: Iterable[Issue]) -> None:
        """Log what the reader tolerated in an answer.

        A tolerance (``Issue.code``) is logged as a warning the first time an operation's
        answer shows it, then at DEBUG level: a real server that always answers that way
        (EM results wrapped in ``<response>``) must not fill the log.
        """
        for issue in warnings:
            key = (operation.name, issue.code)
            level = logging.WARNING
            if issue.code is not None:
                if key in self._tolerated:
                    level = logging.DEBUG
                self._tolerated.add(key)
            logger.log(
                level,
                "%s answer, line %s: %s%s",
                operation.name,
                issue.line,
                self.scrub(issue.message),
                f" [{issue.code}]" if issue.code else "",
            )

    def request(self, operation: Operation, body: Any) -> HttpRequest:
        """The HTTP request carrying ``body`` (a request model) for ``operation``."""
        content = serialize(body, release=self.release)
        check_request(operation, body, content)
        return self.post(operation, content)

    def post(self, operation: Operation, content: bytes, accept: str = "text/xml") -> HttpRequest:
        """The POST of the written request ``content``, named as the envelope style names
        an operation (its media type, its SOAP action).

        Args:
            operation: the operation sent.
            content: the request document, checked and serialized.
            accept: the media types the answer may come in.
        """
        headers = self.style.request_headers(self.content_type, operation.action)
        return HttpRequest(
            method="POST", url=self.url, content=content, headers={**headers, "Accept": accept}
        )

    def response(self, operation: Operation, response_type: type[T], answer: HttpResponse) -> T:
        """Bind ``answer`` to ``response_type``; raise a typed error when it cannot be."""
        result, type_name = self.answer(operation, answer, response_type.__name__)
        self.learn(getattr(result, "release", None))
        if not isinstance(result, response_type):
            raise MalformedResponseError(
                f"{operation.name}: expected {response_type.__name__}, got {type_name}"
            )
        return result

    def answer(
        self, operation: Operation, answer: HttpResponse, expected: str | None = None
    ) -> tuple[Any, str]:
        """Check the HTTP answer and bind its body to whichever response model it is
        (``expected``: the one awaited, for an answer whose shape several share)."""
        self.content(operation, answer)
        if self.style.streams:  # the style's streaming reader binds it (bounded memory)
            return self._streamed(operation, answer.content, expected)
        try:
            message = read_message(answer.content, self.api)
        except (XmlError, BindingError) as exc:
            self._raise_fault(answer.content)  # a fault no model of the API describes
            raise self._unreadable("unreadable answer", operation, exc) from exc
        self._warn(operation, message.warnings)
        if message.kind != "response":
            raise MalformedResponseError(f"{operation.name}: the answer is a {message.kind}")
        try:
            result, found = decode_reporting(message)
        except BindingError as exc:
            raise self._unreadable("unexpected answer", operation, exc) from exc
        self._warn(operation, found)
        return result, message.type_name

    def records(self, operation: Operation, content: bytes, record_type: type[T]) -> Iterator[T]:
        """Yield the ``record_type`` records of an answer's body one by one (flat memory).

        An answer that breaks off, or holds anything but records of that type, raises
        :class:`~ucxml.errors.MalformedResponseError` after the records before the fault.
        """
        if self.auto:
            self.learn(sniff_release(self.api, content))
        if self.style.streams:
            records = fastpath.iter_records(self.api, content)
        else:  # an element-dispatched style: the generic record reader
            records = record_reader.iter_records(
                self.api, content, lambda found: self._warn(operation, found)
            )
        try:
            for record in records:
                if not isinstance(record, record_type):
                    raise MalformedResponseError(
                        f"{operation.name}: expected {record_type.__name__} records, "
                        f"got {type(record).__name__}"
                    )
                yield record
        except (XmlError, BindingError) as exc:
            raise self._unreadable("unreadable answer", operation, exc) from exc

    def content(self, operation: Operation, answer: HttpResponse) -> bytes:
        """The body of a successful XML answer; a typed error for any other answer
        (:func:`ucxml._answers.check_answer`; SOAP servers answer a fault with a 500)."""
        return check_answer(
            answer,
            operation.name,
            expect="XML",
            secrets=self.secrets,
            source=self.url,
            carried=lambda failed: self._raise_fault(failed.content),
        )

    def _raise_fault(self, content: bytes) -> None:
        """Raise the SOAP fault ``content`` carries, as the API's envelope style reads it
        (its texts masked of the client's secrets); return when it carries none."""
        if type(self.style).fault is EnvelopeFormat.fault or content.lstrip()[:1] != b"<":
            return
        try:
            root = parse_xml(content).root
        except XmlError:
            return
        fault = self.style.fault(root)
        if fault is not None:
            raise SoapFault(
                self.scrub(fault.code), self.scrub(fault.reason), subcodes=fault.subcodes
            )

    def _streamed(
        self, operation: Operation, content: bytes, expected: str | None = None
    ) -> tuple[Any, str]:
        """Read an xsi:type answer while it streams (bounded memory for huge answers)."""
        api = binding(self.api)
        try:
            result, warnings = fastpath.stream_parse(self.api, content, expected=expected)
        except (XmlError, BindingError) as exc:
            raise self._unreadable("unreadable answer", operation, exc) from exc
        self._warn(operation, warnings)
        for name, model in api.responses.items():
            if type(result) is model:
                return result, name
        kind = "request" if type(result) in api.requests.values() else "message"
        raise MalformedResponseError(f"{operation.name}: the answer is a {kind}")


class _ClientState:
    """What both client bases hold besides the transport: the core and the user name."""

    def __init__(self, core: ClientCore, username: str | None) -> None:
        self._core = core
        self._username = username

    @property
    def url(self) -> str:
        """The service URL requests are posted to."""
        return self._core.url

    @property
    def release(self) -> str | None:
        """The API release requests are written in: the one given, the one the first
        answer showed (``release="auto"``; ``"auto"`` until then), or None (the shared
        form, the API's default)."""
        return AUTO if self._core.auto else self._core.release

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r}, username={self._username!r})"
