"""Where captures to validate come from: files, folders (walked), standard input.

Each capture is split into its payloads by :mod:`ucxml.payloads`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Capture", "iter_captures"]

#: File suffixes picked up when a folder is walked (explicit file arguments are always read):
#: payloads, raw HTTP and SIP messages as proxies and traces save them, EM form posts.
CAPTURE_SUFFIXES = (".xml", ".json", ".http", ".sip", ".txt", ".log", ".raw", ".form", ".soap")


@dataclass(frozen=True, slots=True)
class Capture:
    """One input: its name and bytes, or the I/O error that prevented reading it."""

    source: str
    data: bytes = field(default=b"", repr=False)
    error: str | None = None


def _read(path: Path) -> Capture:
    try:
        return Capture(str(path), path.read_bytes())
    except OSError as exc:
        return Capture(str(path), error=f"cannot read: {exc.strerror or exc}")


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder, onerror=None):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(CAPTURE_SUFFIXES):
                yield Path(dirpath) / name


def iter_captures(paths: Sequence[str]) -> Iterator[Capture]:
    """Yield every payload named by ``paths`` (``-`` is standard input), in order."""
    for raw in paths:
        if raw == "-":
            yield Capture("<stdin>", sys.stdin.buffer.read())
            continue
        path = Path(raw)
        if path.is_dir():
            found = False
            for file in _walk(path):
                found = True
                yield _read(file)
            if not found:
                yield Capture(str(path), error="folder holds no capture file")
        elif path.exists():
            yield _read(path)
        else:
            yield Capture(str(path), error="no such file or folder")
