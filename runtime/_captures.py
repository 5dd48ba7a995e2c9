"""Where captures to validate come from: files, folders (walked), standard input.

Each capture is split into its payloads by :mod:`ucxml._payloads`.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ucxml._safexml import DEFAULT_MAX_BYTES

__all__ = ["Capture", "Input", "find_inputs", "iter_captures", "read_input"]

#: File suffixes picked up when a folder is walked (explicit file arguments are always read):
#: payloads, raw HTTP and SIP messages as proxies and traces save them, EM form posts.
CAPTURE_SUFFIXES = (".xml", ".json", ".http", ".sip", ".txt", ".log", ".raw", ".form", ".soap")


@dataclass(frozen=True, slots=True)
class Capture:
    """One input: its name and bytes, or the I/O error that prevented reading it.

    ``skipped`` says why a file met while walking a folder was not read (a FIFO, a
    device): not an error, but said.
    """

    source: str
    data: bytes = field(default=b"", repr=False)
    error: str | None = None
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class Input:
    """One input named by the arguments, not read yet (``path`` None: standard input)."""

    source: str
    path: Path | None = None
    error: str | None = None
    skipped: str | None = None


def _kind(mode: int) -> str | None:
    """What a file that is not a regular one is, or None for a regular file."""
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def _walked(path: Path) -> Input:
    """A file met while walking a folder: only a regular file is read (a FIFO would block,
    a link to /dev/zero never end)."""
    try:
        kind = _kind(path.stat().st_mode)
    except OSError as exc:
        return Input(str(path), error=f"cannot read: {exc.strerror or exc}")
    if kind is not None:
        return Input(str(path), skipped=f"{kind}, not a regular file: skipped")
    return Input(str(path), path)


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, onerror=None):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(CAPTURE_SUFFIXES):
                yield Path(dirpath) / name


def find_inputs(paths: Sequence[str]) -> list[Input]:
    """Every input ``paths`` name (``-`` is standard input), in order; nothing is read.

    Folders are walked for :data:`CAPTURE_SUFFIXES`; a file given by name is read whatever
    it is (a FIFO of a shell's process substitution too), up to the size limit.
    """
    found: list[Input] = []
    for raw in paths:
        if raw == "-":
            found.append(Input("<stdin>"))
            continue
        path = Path(raw)
        if path.is_dir():
            walked = [_walked(file) for file in _walk(path)]
            found += walked or [Input(str(path), error="folder holds no capture file")]
        elif path.exists():
            found.append(Input(str(path), path))
        else:
            found.append(Input(str(path), error="no such file or folder"))
    return found


def _capped(stream: BinaryIO, max_bytes: int) -> bytes | None:
    """At most ``max_bytes`` of ``stream``; None when it holds more.

    Read in pieces: ``read(max_bytes + 1)`` would reserve the whole limit at once.
    """
    pieces: list[bytes] = []
    size = 0
    while size <= max_bytes:
        piece = stream.read(min(_PIECE, max_bytes + 1 - size))
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        size += len(piece)
    return None


#: Bytes read from an input at a time.
_PIECE = 1 << 20


def read_input(item: Input, max_bytes: int = DEFAULT_MAX_BYTES) -> Capture:
    """The bytes of ``item``, read with a cap: a file whose size is over ``max_bytes`` is
    refused unread, and no input (standard input, a device, a file still growing) is read
    past it."""
    if item.error is not None or item.skipped is not None:
        return Capture(item.source, error=item.error, skipped=item.skipped)
    over = f"over the {max_bytes:,}-byte limit of a capture: not read"
    try:
        if item.path is None:
            data = _capped(sys.stdin.buffer, max_bytes)
        else:
            status = item.path.stat()
            if stat.S_ISREG(status.st_mode) and status.st_size > max_bytes:
                return Capture(item.source, error=f"{status.st_size:,} bytes, {over}")
            with item.path.open("rb") as stream:
                data = _capped(stream, max_bytes)
    except OSError as exc:
        return Capture(item.source, error=f"cannot read: {exc.strerror or exc}")
    except MemoryError:
        return Capture(item.source, error="cannot read: out of memory")
    if data is None:
        return Capture(item.source, error=f"more than {max_bytes:,} bytes, {over} further")
    return Capture(item.source, data)


def iter_captures(paths: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Capture]:
    """Yield every input named by ``paths`` (``-`` is standard input), in order, each read
    only when reached (see :func:`find_inputs` and :func:`read_input`)."""
    for item in find_inputs(paths):
        yield read_input(item, max_bytes)
