"""Reading an answer body with a cap: what a server sends can never exhaust memory.

The transports stream every answer through :class:`CappedBody`: a ``Content-Length``
over the cap is refused before a byte of the body is read; the body is decoded here, not
by httpx, layer by layer (``Content-Encoding: gzip``, ``deflate``; at most
:data:`MAX_ENCODINGS` of them), each layer giving at most :data:`_PIECE` bytes per step,
so a decompression bomb is stopped at the cap (or sooner, at :data:`MAX_RATIO`) instead
of being inflated whole first. An endless body stops at the cap too.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from ucxml.errors import MalformedResponseError, ResponseTooLargeError

__all__ = ["ACCEPT_ENCODING", "MAX_ENCODINGS", "MAX_RATIO", "CappedBody"]

#: What the clients accept (httpx would add ``br`` or ``zstd`` when their packages are
#: installed, which this reader does not decode).
ACCEPT_ENCODING = "gzip, deflate"
#: Content codings applied one over the other that are read; more is refused.
MAX_ENCODINGS = 2
#: Decoded bytes per received byte past the first MiB that are read: XML compresses about
#: 10-30 to 1, a bomb of zeros about 1000 to 1.
MAX_RATIO = 200
_RATIO_FROM = 1 << 20
#: The most bytes a layer gives per step.
_PIECE = 1 << 16


class _Inflater:
    """One content coding, decoded in bounded pieces."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._raw_deflate = False
        self._started = False
        self._d = self._new()

    def _new(self) -> zlib._Decompress:
        if self.coding == "deflate":
            return zlib.decompressobj(-zlib.MAX_WBITS if self._raw_deflate else zlib.MAX_WBITS)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip, x-gzip

    def decode(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._d.decompress(data, _PIECE)
            except zlib.error as exc:
                if self.coding == "deflate" and not self._started and not self._raw_deflate:
                    # "deflate" without its zlib header, as some servers send it.
                    self._raw_deflate = True
                    self._d = self._new()
                    continue
                raise MalformedResponseError(f"the {self.coding} body is broken: {exc}") from None
            self._started = True
            data = self._d.unconsumed_tail
            if self._d.eof and self._d.unused_data:
                data = self._d.unused_data + data  # gzip members one after another
                self._d = self._new()
            if out:
                yield out

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._d.eof:
            raise MalformedResponseError(f"the {self.coding} body ends before its end (truncated)")
        rest = self._d.flush()
        if rest:
            yield rest


class CappedBody:
    """An answer body read incrementally, decoded and held to ``max_bytes``.

    Args:
        url: Where the answer comes from (for the error text).
        content_encoding: The answer's ``Content-Encoding`` header ('' when absent).
        content_length: Its ``Content-Length`` header (None when absent).
        max_bytes: The most bytes the body may have, received or decoded.
    """

    def __init__(
        self, url: str, content_encoding: str, content_length: str | None, max_bytes: int
    ) -> None:
        self.url = url
        self.max_bytes = max_bytes
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > MAX_ENCODINGS:
            raise ResponseTooLargeError(
                f"the answer from {url} has {len(codings)} layers of Content-Encoding "
                f"({content_encoding.strip()}); at most {MAX_ENCODINGS} are read"
            )
        unknown = [c for c in codings if c not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise MalformedResponseError(
                f"the answer from {url} has a Content-Encoding this client did not ask for: "
                f"{', '.join(unknown)} (it accepts {ACCEPT_ENCODING})"
            )
        declared = content_length.strip() if content_length is not None else ""
        if declared.isdigit() and int(declared) > max_bytes:
            raise ResponseTooLargeError(
                f"the answer from {url} is {int(declared):,} bytes (Content-Length), "
                f"over the {max_bytes:,}-byte limit; nothing was read"
            )
        # Decoded in the reverse of the order they were applied.
        self._layers = [_Inflater(c) for c in reversed(codings)]
        self._data = bytearray()
        self._received = 0

    def feed(self, raw: bytes) -> None:
        """Take the next bytes of the body as received."""
        self._received += len(raw)
        if self._received > self.max_bytes:
            raise self._too_large("received")
        for piece in self._through(0, raw):
            self._keep(piece)

    def finish(self) -> bytes:
        """The whole decoded body, once every received byte was fed."""
        for index in range(len(self._layers)):
            for piece in self._layers[index].finish():
                for out in self._through(index + 1, piece):
                    self._keep(out)
        return bytes(self._data)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        for piece in self._layers[index].decode(data):
            yield from self._through(index + 1, piece)

    def _keep(self, piece: bytes) -> None:
        self._data += piece
        decoded = len(self._data)
        if decoded > self.max_bytes:
            raise self._too_large("decoded")
        if self._layers and decoded > _RATIO_FROM and decoded > MAX_RATIO * self._received:
            raise ResponseTooLargeError(
                f"the answer from {self.url} decompresses more than {MAX_RATIO} to 1 "
                f"({self._received:,} bytes gave {decoded:,} so far): a decompression bomb, "
                "not read further"
            )

    def _too_large(self, how: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"the answer from {self.url} is over the {self.max_bytes:,}-byte limit ({how}); "
            "not read further"
        )
