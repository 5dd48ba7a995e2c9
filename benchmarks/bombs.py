"""Peak memory of a client answered with a decompression bomb (run in a fresh process).

``python -m benchmarks.bombs gzip|double`` answers a CME query from a loopback server with
a 1 MB gzip of 1 GB of zeros, or 1,827 bytes of gzip over gzip of the same, and prints the
peak resident memory the call added, in MB (Linux ``VmHWM``, reset just before the call).
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import sys
import threading
import zlib
from pathlib import Path

__all__ = ["bomb", "main"]


def bomb(kind: str) -> tuple[bytes, bytes]:
    """(Content-Encoding, body) of the bomb ``kind``: ``gzip`` or ``double``."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    zeros = b"".join(packer.compress(block) for _ in range(1024)) + packer.flush()
    if kind == "gzip":
        return b"gzip", zeros
    return b"gzip, gzip", gzip.compress(zeros)


def _status(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def main(kind: str) -> float:
    """The MB of resident memory a ``get_global`` answered with the bomb added."""
    from ucxml.cme import CmeClient
    from ucxml.errors import UcxmlError
    from ucxml.retry import NO_RETRY

    coding, body = bomb(kind)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Encoding: " + coding
            conn.sendall(head + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)

    threading.Thread(target=serve, daemon=True).start()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to VmRSS
    before = _status("VmRSS")
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with contextlib.suppress(UcxmlError):
        CmeClient(url, username="u", password="p", timeout=60, retry=NO_RETRY).get_global()
    return (_status("VmHWM") - before) / 1024


if __name__ == "__main__":
    print(f"{main(sys.argv[1]):.1f}")
