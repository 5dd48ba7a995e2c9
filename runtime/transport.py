"""HTTP transports: the only place ucxml talks to the network.

A client builds an :class:`HttpRequest` and hands it to a :class:`Transport` (or
:class:`AsyncTransport`); the httpx implementations add TLS verification (on by default,
optionally against a custom CA bundle), HTTP Basic auth and timeouts, and turn every
httpx failure into a :mod:`ucxml.errors` exception. :class:`MockTransport` answers from a
function, for tests and offline work.
"""

from __future__ import annotations

import abc
import inspect
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from ucxml.errors import ConnectError, MalformedResponseError, RequestTimeoutError, TransportError

__all__ = [
    "AsyncHttpxTransport",
    "AsyncMockTransport",
    "AsyncTransport",
    "HttpRequest",
    "HttpResponse",
    "HttpxTransport",
    "MockTransport",
    "Transport",
]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request as a client builds it (the body is never logged or shown)."""

    method: str
    url: str
    content: bytes = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)


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


class Transport(abc.ABC):
    """Sends one request and returns the answer; raises :class:`TransportError` on failure."""

    @abc.abstractmethod
    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and return the complete answer."""

    def close(self) -> None:  # noqa: B027 - a no-op default, not an abstract method
        """Release connections (no-op by default)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncTransport(abc.ABC):
    """Asynchronous twin of :class:`Transport`."""

    @abc.abstractmethod
    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and return the complete answer."""

    async def aclose(self) -> None:  # noqa: B027 - a no-op default, not an abstract method
        """Release connections (no-op by default)."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _ssl_context(verify: bool, ca_bundle: str | Path | None) -> ssl.SSLContext | bool:
    if ca_bundle is not None:
        return ssl.create_default_context(cafile=str(ca_bundle))
    return verify


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
    return {
        "auth": _auth(username, password),
        "timeout": _timeout(timeout),
        "verify": _ssl_context(verify, ca_bundle),
        "follow_redirects": False,
    }


def _convert(response: httpx.Response) -> HttpResponse:
    return HttpResponse(
        status=response.status_code,
        content=response.content,
        headers={k.lower(): v for k, v in response.headers.items()},
        reason=response.reason_phrase,
    )


def _error(exc: httpx.HTTPError, url: str) -> TransportError:
    """Map an httpx failure to ucxml's hierarchy (no request body or credentials in it)."""
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(
            f"no answer from {url} within the timeout ({type(exc).__name__})"
        )
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(f"cannot connect to {url}: {exc}")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.DecodingError):
        return MalformedResponseError(f"broken or truncated answer from {url}: {exc}")
    return TransportError(f"HTTP exchange with {url} failed: {type(exc).__name__}: {exc}")


class HttpxTransport(Transport):
    """Synchronous transport over ``httpx.Client`` (TLS verification on by default)."""

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self._client = client or httpx.Client(
            **_httpx_options(username, password, timeout, verify, ca_bundle)
        )

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` with httpx and return the answer."""
        try:
            response = self._client.request(
                request.method, request.url, content=request.content, headers=dict(request.headers)
            )
        except httpx.HTTPError as exc:
            raise _error(exc, request.url) from None
        return _convert(response)

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()


class AsyncHttpxTransport(AsyncTransport):
    """Asynchronous transport over ``httpx.AsyncClient`` (TLS verification on by default)."""

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float | httpx.Timeout = 30.0,
        verify: bool = True,
        ca_bundle: str | Path | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = client or httpx.AsyncClient(
            **_httpx_options(username, password, timeout, verify, ca_bundle)
        )

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` with httpx and return the answer."""
        try:
            response = await self._client.request(
                request.method, request.url, content=request.content, headers=dict(request.headers)
            )
        except httpx.HTTPError as exc:
            raise _error(exc, request.url) from None
        return _convert(response)

    async def aclose(self) -> None:
        """Close the underlying connection pool."""
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
