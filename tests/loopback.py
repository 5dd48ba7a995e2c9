"""A raw TCP server on 127.0.0.1 for tests that need a server to misbehave at the byte
level (drip an answer, send a bomb, answer late): a thread per connection runs the
test's handler."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

__all__ = ["close_gently", "loopback", "read_request"]


@contextlib.contextmanager
def loopback(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """Serve ``handle(conn)`` for every connection; yields the server's ``http://`` URL.

    The connection is closed after the handler; a client that went away (``OSError``)
    ends it quietly.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)

    def run(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            handle(conn)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=run, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def read_request(conn: socket.socket) -> bytes:
    """One whole HTTP request (head and Content-Length body); b"" once the client closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return b""
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")]
    length = int(lengths[0].split(b":", 1)[1]) if lengths else 0
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            break
        body += piece
    return head + b"\r\n\r\n" + body


def close_gently(conn: socket.socket) -> None:
    """End the answer and drain the client: a socket closed with unread bytes would reset
    the connection under a client still reading."""
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(5)
    while conn.recv(65536):
        pass
