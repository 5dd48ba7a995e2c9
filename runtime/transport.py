"""HTTP transports: the only place ucxml talks to the network.

A client builds an :class:`HttpRequest` and hands it to a :class:`Transport` (or
:class:`AsyncTransport`); the httpx implementations add TLS verification (on by default,
optionally against a custom CA bundle), HTTP Basic auth and timeouts, and turn every
httpx failure into a :mod:`ucxml.errors` exception. :class:`MockTransport` answers from a
function, for tests and offline work.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import contextvars
import inspect
import logging
import queue
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx

from ucxml._answerbody import ACCEPT_ENCODING, CappedBody
from ucxml._async_closing import AsyncClosing
from ucxml._redaction import MASK, client_secrets, mask_http_traces, scrub
from ucxml._safexml import DEFAULT_MAX_BYTES
from ucxml.bindings import is_secret_name
from ucxml.errors import (
    ConnectError,
    MalformedResponseError,
    ParameterError,
    RequestTimeoutError,
    TlsConfigurationError,
    TlsError,
    TlsVerificationError,
    TransportError,
)
from ucxml.generated._sync.closing import Closing

__all__ = [
    "AsyncHttpxTransport",
    "AsyncMockTransport",
    "AsyncTransport",
    "HttpRequest",
    "HttpResponse",
    "HttpxTransport",
    "MockTransport",
    "Transport",
    "check_base_url",
    "send_deadline",
]

logger = logging.getLogger("ucxml")


def _secret_header(name: str) -> bool:
    return is_secret_name(name) or "cookie" in name.lower()


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request as a client builds it (the body is never logged or shown, nor the
    value of a header naming a secret: ``Guid``, ``Authorization``)."""

    method: str
    url: str
    content: bytes = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        shown = {k: MASK if _secret_header(k) else v for k, v in self.headers.items()}
        return f"HttpRequest(method={self.method!r}, url={self.url!r}, headers={shown!r})"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """An HTTP answer: status, reason phrase, headers (lower-case names) and body."""

    status: int
    content: bytes = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters, lower-cased."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def check_base_url(url: str, what: str = "base URL") -> SplitResult:
    """``url`` split, when it is ``http(s)://host[:port][/path]`` without credentials.

    Credentials in a URL (``https://user:password@host``) would show wherever the URL is
    shown (reprs, error texts, logs): they are refused, and never quoted in the error.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        shown = url if "@" not in url else "(a URL with credentials)"
        raise ParameterError(f"{what} must be http(s)://host[:port][/path], got {shown!r}")
    if "@" in parts.netloc:
        raise ParameterError(
            f"{what} must not carry credentials (user:password@host): "
            "pass username= and password= instead"
        )
    return parts


class Transport(Closing, abc.ABC):
    """Sends one request and returns the answer; raises :class:`TransportError` on failure."""

    @abc.abstractmethod
    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and return the complete answer."""

    def close(self) -> None:
        """Release connections (no-op by default)."""


class AsyncTransport(AsyncClosing, abc.ABC):
    """Asynchronous twin of :class:`Transport`."""

    @abc.abstractmethod
    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and return the complete answer."""

    async def aclose(self) -> None:
        """Release connections (no-op by default)."""


class _UnverifiedContext(ssl.SSLContext):
    """The TLS context of ``verify=False``: checks nothing, and says so once, naming the host.

    The warning is given at the first handshake, where the host is known (the transport
    is built before any URL); one context serves one client, so once per client.
    """

    _warned = False

    def _warn(self, host: str | bytes | None) -> None:
        if not self._warned:
            self._warned = True
            shown = host.decode() if isinstance(host, bytes) else host
            logger.warning(
                "TLS certificate verification is OFF for %s (verify=False): the server is "
                "not authenticated; pass ca_bundle= with its CA certificate instead",
                shown or "the server",
            )

    def wrap_socket(  # sync httpx
        self,
        sock: Any,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: str | bytes | None = None,
        session: Any = None,
    ) -> Any:
        self._warn(server_hostname)
        return super().wrap_socket(
            sock,
            server_side,
            do_handshake_on_connect,
            suppress_ragged_eofs,
            server_hostname,
            session,
        )

    def wrap_bio(  # async httpx (anyio passes these by position)
        self,
        incoming: Any,
        outgoing: Any,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: Any = None,
    ) -> Any:
        self._warn(server_hostname)
        return super().wrap_bio(incoming, outgoing, server_side, server_hostname, session)


_CA_HINT = "pass the PEM file of the CA that signed the server's certificate (or that certificate)"


def _ca_context(ca_bundle: str | Path) -> ssl.SSLContext:
    """A verifying context trusting ``ca_bundle``; TlsConfigurationError saying what is wrong."""
    shown = f"ca_bundle={str(ca_bundle)!r}"
    try:
        data = Path(ca_bundle).read_bytes()
    except FileNotFoundError:
        raise TlsConfigurationError(f"{shown}: file not found; {_CA_HINT}") from None
    except IsADirectoryError:
        raise TlsConfigurationError(f"{shown} is a folder, not a PEM file; {_CA_HINT}") from None
    except OSError as exc:
        raise TlsConfigurationError(
            f"{shown} cannot be read ({exc.strerror or exc}); {_CA_HINT}"
        ) from None
    # OpenSSL would say NO_CERTIFICATE_OR_CRL_FOUND, or nothing at all for a PEM file
    # that holds a certificate request: look first, and name the usual mistake.
    if b"-----BEGIN CERTIFICATE-----" not in data and b"-----BEGIN TRUSTED CERTIFICATE" not in data:
        if b"PRIVATE KEY-----" in data:
            problem = "holds no certificate (is it a private key?)"
        else:
            problem = "holds no certificate (no -----BEGIN CERTIFICATE----- block)"
        raise TlsConfigurationError(f"{shown} {problem}; {_CA_HINT}")
    try:
        return ssl.create_default_context(cafile=str(ca_bundle))
    except ssl.SSLError as exc:
        reason = exc.reason or exc.strerror or str(exc)
        raise TlsConfigurationError(
            f"{shown} holds no usable certificate ({reason}); {_CA_HINT}"
        ) from None


def _ssl_context(verify: bool, ca_bundle: str | Path | None) -> ssl.SSLContext | bool:
    """Verification on (httpx's default CA bundle), against ``ca_bundle``, or explicitly off."""
    if ca_bundle is not None:
        return _ca_context(ca_bundle)
    if verify is not False:
        return True
    context = _UnverifiedContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _auth(username: str | None, password: str | None) -> httpx.BasicAuth | None:
    if username is None:
        return None
    return httpx.BasicAuth(username, password or "")


def _timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def _httpx_options(
    username: str | None,
    password: str | None,
    timeout: float | httpx.Timeout,
    verify: bool,
    ca_bundle: str | Path | None,
) -> dict[str, Any]:
    """Keyword arguments of ``httpx.Client`` / ``httpx.AsyncClient`` for these settings."""
    mask_http_traces()  # httpcore's DEBUG trace would print Set-GUID / Set-Cookie values
    return {
        "auth": _auth(username, password),
        "timeout": _timeout(timeout),
        "verify": _ssl_context(verify, ca_bundle),
        "follow_redirects": False,
        # Only what ucxml._answerbody decodes (with its caps), whatever httpx could add.
        "headers": {"Accept-Encoding": ACCEPT_ENCODING},
    }


#: When the exchange in flight must be over (``time.monotonic()``), set around a send by
#: the retry loop: its deadline bounds the send in flight too (see :func:`send_deadline`).
_DEADLINE: ContextVar[float | None] = ContextVar("ucxml_send_deadline", default=None)


@contextlib.contextmanager
def send_deadline(at: float | None) -> Iterator[None]:
    """Within the block, a transport ends an exchange still running at ``at``
    (``time.monotonic()`` seconds; None: no deadline besides the transport's own)."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _total(timeout: float | httpx.Timeout) -> float | None:
    """The seconds a whole exchange may take: ``timeout`` itself when it is a number."""
    return None if isinstance(timeout, httpx.Timeout) else float(timeout)


class _Clock:
    """The deadline of one exchange: the transport's total and the retry loop's, whichever
    comes first; checked as each piece of the answer arrives."""

    __slots__ = ("limit", "until", "url")

    def __init__(self, total: float | None, url: str) -> None:
        own = None if total is None else time.monotonic() + total
        known = [t for t in (_DEADLINE.get(), own) if t is not None]
        self.until = min(known) if known else None
        self.limit = total
        self.url = url

    def check(self) -> None:
        """Raise the timeout when the deadline has passed."""
        if self.until is not None and time.monotonic() > self.until:
            raise self.error()

    def error(self) -> RequestTimeoutError:
        """The timeout of an exchange past its deadline."""
        failure = RequestTimeoutError(
            f"no complete answer from {self.url} within the time allowed for the whole "
            f"exchange ({self.limit:g} s, or the retry deadline): the server is too slow"
            if self.limit is not None
            else f"no complete answer from {self.url} before the retry deadline"
        )
        failure.sent = True
        return failure


class _Workers:
    """Daemon threads that run sync exchanges with a deadline (see ``HttpxTransport.send``):
    an idle one takes the next, else one more is started; they never hold up exit."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            start = self._idle == 0
            if not start:
                self._idle -= 1
        if start:
            threading.Thread(target=self._work, name="ucxml-exchange", daemon=True).start()
        self._jobs.put(job)

    def _work(self) -> None:
        while True:
            self._jobs.get()()  # each job hands its own outcome over; it never raises
            with self._lock:
                self._idle += 1


_WORKERS = _Workers()


def _convert(response: httpx.Response, content: bytes) -> HttpResponse:
    return HttpResponse(
        status=response.status_code,
        content=content,
        headers={k.lower(): v for k, v in response.headers.items()},
        reason=response.reason_phrase,
    )


def _capped(response: httpx.Response, url: str, max_bytes: int) -> CappedBody:
    """The reader of ``response``'s body: refuses a Content-Length over the cap at once."""
    headers = response.headers
    return CappedBody(
        url, headers.get("content-encoding", ""), headers.get("content-length"), max_bytes
    )


#: OpenSSL's words for a first answer that is not a TLS record: what a plain-HTTP server
#: sends back ("HTTP/1.1 400 ..."); 3.2 and later say RECORD_LAYER_FAILURE.
_PLAIN_HTTP_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL"}
)
#: Broken connections, not TLS verdicts: they stay (retryable) connection errors.
_NOT_TLS_VERDICTS = (ssl.SSLEOFError, ssl.SSLSyscallError, ssl.SSLZeroReturnError)


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The TLS failure behind ``exc`` (httpx wraps httpcore's error, which wraps ssl's)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return None if isinstance(current, _NOT_TLS_VERDICTS) else current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _tls_error(tls: ssl.SSLError, url: str) -> TlsError:
    parts = urlsplit(url)
    host = parts.hostname or url
    if isinstance(tls, ssl.SSLCertVerificationError):
        return TlsVerificationError(
            f"the TLS certificate of {host} is not trusted ({tls.verify_message or tls}); "
            "to trust it, pass ca_bundle='<PEM file of the CA that signed it>' (or the "
            "certificate itself); verify=False turns verification off (not recommended)"
        )
    if tls.reason in _PLAIN_HTTP_REASONS:
        return TlsError(
            f"the TLS handshake with {parts.netloc} failed ({tls.reason}): the server seems "
            f"to speak plain HTTP on that port, not HTTPS; use http://{parts.netloc} instead, "
            "or the server's HTTPS port"
        )
    return TlsError(f"the TLS handshake with {parts.netloc} failed: {tls}")


def _error(exc: httpx.HTTPError, url: str, secrets: frozenset[str] = frozenset()) -> TransportError:
    """Map an httpx failure to ucxml's hierarchy (no request body or credentials in it)."""
    error = _mapped(exc, url)
    # h11 quotes a malformed header line of the answer, which may echo Authorization.
    error.args = (scrub(str(error), secrets),)
    return error


def _mapped(exc: httpx.HTTPError, url: str) -> TransportError:
    tls = _tls_failure(exc) if isinstance(exc, httpx.ConnectError) else None
    if tls is not None:
        return _tls_error(tls, url)
    if isinstance(exc, httpx.PoolTimeout):
        # Nothing left: the wait was for a connection of the client's own pool.
        pool = RequestTimeoutError(
            f"no free connection to {url} within the pool timeout: every connection of "
            "this client is busy (nothing was sent; not the server's doing)"
        )
        pool.sent = False
        return pool
    if isinstance(exc, httpx.TimeoutException):
        timeout = RequestTimeoutError(
            f"no answer from {url} within the timeout ({type(exc).__name__})"
        )
        # Connect and pool timeouts strike before any byte leaves; write and read ones after.
        timeout.sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
        return timeout
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(f"cannot connect to {url}: {exc}")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.DecodingError):
        return MalformedResponseError(f"broken or truncated answer from {url}: {exc}")
    failure = TransportError(f"HTTP exchange with {url} failed: {type(exc).__name__}: {exc}")
    # A read, write or close error breaks a connection the request was written to; the
    # rest (unsupported scheme, local protocol error, proxy refusal) fail before sending.
    failure.sent = isinstance(exc, httpx.NetworkError)
    return failure


class HttpxTransport(Transport):
    """Synchronous transport over ``httpx.Client`` (TLS verification on by default).

    Each answer's body is streamed and held to ``max_bytes`` (received and decoded: see
    :mod:`ucxml._answerbody`); past it :class:`~ucxml.errors.ResponseTooLargeError`.
    """

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        client: httpx.Client | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self._client = client or httpx.Client(
            **_httpx_options(username, password, timeout, verify, ca_bundle)
        )
        self._secrets = client_secrets(username=username, password=password)
        self._max_bytes = max_bytes
        self._total = _total(timeout)

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` with httpx and return the answer (its body capped; the whole
        exchange bounded by ``timeout`` seconds, and by the retry deadline)."""
        clock = _Clock(self._total, request.url)
        if clock.until is None:
            return self._exchange(request, clock)
        # The exchange runs on a worker thread, so that the caller waits no longer than
        # its deadline while a server drips the answer's head (a blocking read cannot be
        # bounded); left to run, it ends at its next piece. Daemon threads: an abandoned
        # exchange never holds up the interpreter's exit.
        outcome: list[HttpResponse | BaseException] = []
        done = threading.Event()
        context = contextvars.copy_context()

        def run() -> None:
            try:
                outcome.append(context.run(self._exchange, request, clock))
            except BaseException as exc:  # handed to the caller, whatever it is
                outcome.append(exc)
            finally:
                done.set()

        _WORKERS.submit(run)
        if not done.wait(max(clock.until - time.monotonic(), 0.0)):
            raise clock.error()
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _exchange(self, request: HttpRequest, clock: _Clock) -> HttpResponse:
        try:
            with self._client.stream(
                request.method, request.url, content=request.content, headers=dict(request.headers)
            ) as response:
                clock.check()
                body = _capped(response, request.url, self._max_bytes)
                for raw in response.iter_raw():
                    clock.check()
                    body.feed(raw)
                answer = _convert(response, body.finish())
        except httpx.HTTPError as exc:
            failure = _error(exc, request.url, self._secrets)
        else:
            return answer
        raise failure  # out of the except block: httpx's unmasked error is not its context

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()


class AsyncHttpxTransport(AsyncTransport):
    """Asynchronous transport over ``httpx.AsyncClient`` (TLS verification on by default;
    answers capped as by :class:`HttpxTransport`)."""

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        client: httpx.AsyncClient | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self._client = client or httpx.AsyncClient(
            **_httpx_options(username, password, timeout, verify, ca_bundle)
        )
        self._secrets = client_secrets(username=username, password=password)
        self._max_bytes = max_bytes
        self._total = _total(timeout)
        self._inflight: set[asyncio.Future[HttpResponse]] = set()

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` with httpx and return the answer (as the sync transport).

        The exchange runs in a task of its own, shielded: a caller cancelled while the
        answer arrives stops waiting at once, and the exchange still ends as usual,
        giving its connection back (cancelled inside httpcore, it kept the pool slot for
        good: httpcore#1093, every later call then failing with a pool timeout).
        """
        clock = _Clock(self._total, request.url)
        task = asyncio.ensure_future(self._exchange(request, clock))
        self._inflight.add(task)
        task.add_done_callback(self._settled)
        if clock.until is None:
            return await asyncio.shield(task)
        try:
            # The call's deadline holds while the answer's head arrives too: the caller
            # stops waiting; the exchange, left uncancelled, ends at its next piece.
            return await asyncio.wait_for(asyncio.shield(task), clock.until - time.monotonic())
        except TimeoutError:
            failure = clock.error()
        raise failure  # out of the except block: no TimeoutError as its context

    def _settled(self, task: asyncio.Future[HttpResponse]) -> None:
        self._inflight.discard(task)
        if not task.cancelled():
            task.exception()  # an abandoned exchange's failure is not "never retrieved"

    async def _exchange(self, request: HttpRequest, clock: _Clock) -> HttpResponse:
        try:
            async with self._client.stream(
                request.method, request.url, content=request.content, headers=dict(request.headers)
            ) as response:
                clock.check()
                body = _capped(response, request.url, self._max_bytes)
                async for raw in response.aiter_raw():
                    clock.check()
                    body.feed(raw)
                answer = _convert(response, body.finish())
        except httpx.HTTPError as exc:
            failure = _error(exc, request.url, self._secrets)
        else:
            return answer
        raise failure  # out of the except block: httpx's unmasked error is not its context

    async def aclose(self) -> None:
        """Close the underlying connection pool (exchanges their callers left are ended)."""
        for task in list(self._inflight):
            task.cancel()
        await asyncio.gather(*self._inflight, return_exceptions=True)
        await self._client.aclose()


class MockTransport(Transport):
    """Answers every request by calling ``handler``; records the requests (for tests)."""

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse]) -> None:
        self.handler = handler
        self.requests: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        """Record ``request`` and return the handler's answer."""
        self.requests.append(request)
        return self.handler(request)


class AsyncMockTransport(AsyncTransport):
    """Asynchronous twin of :class:`MockTransport` (the handler may be sync or async)."""

    def __init__(
        self, handler: Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]
    ) -> None:
        self.handler = handler
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Record ``request`` and return the handler's answer (awaited if needed)."""
        self.requests.append(request)
        result = self.handler(request)
        if inspect.isawaitable(result):
            return await result
        return result
