"""The connection options every client takes, named and documented once.

Each client's constructor ends in ``transport`` and ``**options: Unpack[ConnectionOptions]``:
a type checker knows every option's name and type, and :func:`connection` refuses at run
time a name that is none of them (a misspelt ``timout=`` must not go unnoticed).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Final, TypedDict

from ucxml._retrycore import DEFAULT_RETRY, RetryPolicy
from ucxml._safexml import DEFAULT_MAX_BYTES

__all__ = ["DEFAULT_TIMEOUT", "Connection", "ConnectionOptions", "connection"]

#: Seconds a client waits for the connection and for each read, unless told otherwise.
DEFAULT_TIMEOUT: Final = 30.0


class ConnectionOptions(TypedDict, total=False):
    """The keyword arguments every client takes beside its own (all optional).

    Attributes:
        timeout: Seconds to wait for the connection and for each read (default 30).
        verify: Verify the server's TLS certificate (on by default); ``False`` turns it off
            and logs a warning naming the host.
        ca_bundle: A PEM file of the CA (or the server's own self-signed certificate) to
            trust instead of the system's CAs.
        max_answer_bytes: The most bytes an answer may have, received or decompressed
            (default: the reader's 256 MiB limit); past it ``ResponseTooLargeError``.
        retry: How the queries (the idempotent calls) are resent after a transient failure
            (:class:`~ucxml.retry.RetryPolicy`; ``None`` sends once); writes never are.
    """

    timeout: float
    verify: bool
    ca_bundle: str | Path | None
    max_answer_bytes: int
    retry: RetryPolicy | None


@dataclass(frozen=True, slots=True)
class Connection:
    """The connection options of one client, each given or its default."""

    timeout: float = DEFAULT_TIMEOUT
    verify: bool = True
    ca_bundle: str | Path | None = None
    max_answer_bytes: int = DEFAULT_MAX_BYTES
    retry: RetryPolicy | None = DEFAULT_RETRY


_NAMES: Final = frozenset(f.name for f in fields(Connection))


def connection(owner: object, options: ConnectionOptions) -> Connection:
    """The options given to ``owner``'s constructor, the others at their defaults.

    Args:
        owner: The client being made (its class names the error).
        options: The keyword arguments beyond the client's own.

    Raises:
        TypeError: a name that is no connection option, as Python says of any unexpected
            keyword argument.
    """
    unknown = sorted(set(options) - _NAMES)
    if unknown:
        raise TypeError(
            f"{type(owner).__name__}() got an unexpected keyword argument {unknown[0]!r}"
            f" (the connection options are {', '.join(sorted(_NAMES))})"
        )
    return Connection(**options)
