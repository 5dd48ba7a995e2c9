"""Running an emulator app over real HTTP with uvicorn.

:class:`EmulatorServer` serves an app from a background thread for the length of a
``with`` block (tests, demos); :func:`serve` runs one in the foreground until Ctrl-C
(``ucxml emulate``).  Both bind the listening socket themselves, so port 0 picks a free
port that is known before the first request, and both refuse to listen on anything but
a loopback address unless ``allow_remote=True``.  :class:`AccessLog` wraps an app to log
one line per request (``ucxml emulate --log-requests``).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final
from urllib.parse import quote

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import LOGGING_CONFIG

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "AccessLog",
    "EmulatorServer",
    "PortInUseError",
    "serve",
]

DEFAULT_HOST: Final = "127.0.0.1"
"""Address the emulators listen on by default (loopback)."""
DEFAULT_PORT: Final = 8080
"""Port :func:`serve` listens on by default."""

_START_TIMEOUT: Final = 10.0
_STOP_TIMEOUT: Final = 5.0
_GRACEFUL_SHUTDOWN: Final = 1
_ADDRESS_IN_USE: Final = frozenset(
    {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}
)
#: Longest path an access-log line shows (longer ones are cut, with "…").
_LOGGED_PATH: Final = 200
#: Characters an access-log line shows as they are; everything else is percent-encoded.
_PATH_SAFE: Final = "/:@!$&'()*+,;=-._~%{}"


class PortInUseError(OSError):
    """The port asked for is already in use on that address (``errno`` EADDRINUSE)."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"port {port} on {host} is already in use")
        self.host = host
        self.port = port

    def __str__(self) -> str:
        return str(self.strerror)


def _check_port(port: int) -> int:
    """``port`` if it is a TCP port number (0: any free one); ValueError otherwise."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port {port!r} is not a TCP port number (0-65535; 0 picks a free one)")
    return port


def _bind_address(host: str, allow_remote: bool) -> str:
    """The address to bind for ``host``; refuse non-loopback hosts unless allowed."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        if not allow_remote:
            raise ValueError(
                f"host {host!r} is not a loopback address; pass allow_remote=True to listen on it"
            ) from None
        return name
    if not address.is_loopback and not allow_remote:
        raise ValueError(
            f"host {host!r} is not a loopback address; pass allow_remote=True to listen on it"
        )
    return str(address)


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0 picks a free one).

    Raises:
        ValueError: ``port`` is outside 0-65535.
        PortInUseError: Something already listens there.
        OSError: Any other reason the address cannot be bound.
    """
    _check_port(port)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        if hasattr(socket, "SO_REUSEADDR") and not hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in _ADDRESS_IN_USE:
            raise PortInUseError(host, port) from exc
        raise
    except BaseException:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket, scheme: str = "http") -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def _config(
    app: ASGIApp, *, log_config: bool, tls: tuple[str, str] | None = None
) -> uvicorn.Config:
    certfile, keyfile = tls if tls is not None else (None, None)
    return uvicorn.Config(
        app,
        log_config=LOGGING_CONFIG if log_config else None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
    )


def _logged_path(scope: Scope) -> str:
    """The request's path as an access log shows it: printable, bounded, no query string."""
    raw = scope.get("raw_path")
    text = raw.decode("latin-1") if isinstance(raw, bytes) else str(scope.get("path", ""))
    text = quote(text.partition("?")[0], safe=_PATH_SAFE)
    if len(text) > _LOGGED_PATH:
        text = text[:_LOGGED_PATH] + "…"
    # The query string may hold secrets (EM xml=, CallManager 3.3 passwords): never shown.
    return text + ("?…" if scope.get("query_string") else "")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class AccessLog:
    """ASGI middleware: one line per HTTP request, ``METHOD /path STATUS 1.2 ms``.

    Only the method, the path, the status (``-`` when no answer was sent, as with the
    ``drop`` fault) and the time to answer are logged: never a body, a header
    (``Authorization``, ``Cookie``, ``Guid``) or the query string, which shows as ``?…``.

    Args:
        app: The ASGI app to wrap.
        write: Where each line goes (default: standard error).
    """

    def __init__(self, app: ASGIApp, write: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.write = write if write is not None else _stderr

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            method = str(scope.get("method", "-"))
            shown = "-" if status is None else str(status)
            self.write(f"{method} {_logged_path(scope)} {shown} {elapsed:.1f} ms")


class EmulatorServer:
    """Serve ``app`` over HTTP from a background thread, as a context manager.

    ::

        with EmulatorServer(create_app()) as server:
            httpx.post(server.base_url + "/ios_xml_app/cme", ...)

    Args:
        app: The ASGI app (e.g. :func:`ucxml.emulator.create_app`).
        host: Address to listen on; must be loopback unless ``allow_remote``.
        port: Port to listen on (0-65535); 0 (the default) picks a free one.
        allow_remote: Allow a non-loopback ``host``.
        ssl_certfile: Serve HTTPS with this PEM certificate (with ``ssl_keyfile``), for
            tests of TLS verification.
        ssl_keyfile: The PEM private key of ``ssl_certfile``.
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        allow_remote: bool = False,
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
    ) -> None:
        if (ssl_certfile is None) != (ssl_keyfile is None):
            raise ValueError("give both ssl_certfile and ssl_keyfile, or neither")
        self._tls = (ssl_certfile, ssl_keyfile) if ssl_certfile and ssl_keyfile else None
        self.app = app
        self.host = _bind_address(host, allow_remote)
        self._requested_port = _check_port(port)
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        state = self.base_url if self.running else "stopped"
        return f"EmulatorServer({state})"

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def port(self) -> int:
        """The port the server listens on (known once started)."""
        if self._socket is None:
            raise RuntimeError("the server is not started")
        return int(self._socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        """``http(s)://host:port`` of the running server, without a trailing slash."""
        if self._socket is None:
            raise RuntimeError("the server is not started")
        return _url(self._socket, "https" if self._tls else "http")

    def start(self) -> EmulatorServer:
        """Bind the socket, start uvicorn in a thread and wait until it serves."""
        if self._thread is not None:
            raise RuntimeError("the server is already started")
        sock = _listen(self.host, self._requested_port)
        server = uvicorn.Server(_config(self.app, log_config=False, tls=self._tls))
        self._socket, self._server, self._error = sock, server, None
        thread = threading.Thread(target=self._run, name=f"ucxml-emulator-{self.port}", daemon=True)
        self._thread = thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                error = self._error
                self.stop()
                raise RuntimeError("the emulator server did not start") from error
            time.sleep(0.005)
        return self

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # reported by start()
            self._error = exc

    def stop(self) -> None:
        """Ask uvicorn to exit, wait for its thread (bounded) and close the socket."""
        server, thread, sock = self._server, self._thread, self._socket
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(_STOP_TIMEOUT)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(_STOP_TIMEOUT)
        if sock is not None:
            sock.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that calls ``ready`` once it serves (its signal handlers set)."""

    def __init__(self, config: uvicorn.Config, ready: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self._ready is not None:
            self._ready()


def serve(
    app: ASGIApp,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    allow_remote: bool = False,
    ready: Callable[[str], None] | None = None,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
    access_log: Callable[[str], None] | None = None,
) -> None:
    """Serve ``app`` in the foreground until Ctrl-C (or SIGTERM), then return.

    The socket is bound before uvicorn starts; ``ready`` is called with the base URL
    (``http(s)://host:port``, the real port when ``port`` is 0) once uvicorn serves and
    handles Ctrl-C. ``ssl_certfile`` and
    ``ssl_keyfile`` (PEM) serve HTTPS; ``access_log`` gets one :class:`AccessLog` line per
    request.

    Raises:
        ValueError: ``host`` is not loopback and ``allow_remote`` is False, ``port`` is
            outside 0-65535, or only one of ``ssl_certfile`` and ``ssl_keyfile`` is given.
        PortInUseError: Something already listens on ``host``:``port``.
        OSError: The address cannot be bound for another reason.
    """
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise ValueError("give both ssl_certfile and ssl_keyfile, or neither")
    tls = (ssl_certfile, ssl_keyfile) if ssl_certfile and ssl_keyfile else None
    served = AccessLog(app, access_log) if access_log is not None else app
    sock = _listen(_bind_address(host, allow_remote), port)
    url = _url(sock, "https" if tls else "http")
    try:
        config = _config(served, log_config=True, tls=tls)
        server = _AnnouncingServer(config, (lambda: ready(url)) if ready is not None else None)
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the SIGINT
            server.run(sockets=[sock])
    finally:
        sock.close()
