"""Stage 5b: write the synchronous twin of each hand-written asynchronous client shell.

The clients' async shells (``runtime/_async_*.py``) are the only ones written by hand;
:func:`write_sync_twins` turns each into its synchronous twin under
``generated/_sync/`` (``ucxml.generated._sync.em``...), which the public modules
(:mod:`ucxml.em`...) export beside the async classes. :func:`unasync` works on Python's
tokens, not on the raw text, so string literals and comments are never rewritten:

* ``async def``, ``async with``, ``async for`` lose ``async``; ``await`` is dropped;
* a name of :data:`NAMES` (an identifier, wherever it stands: ``AsyncEmClient``,
  ``aclose``, ``__aenter__``, ``StopAsyncIteration``, ``arun``, a private async module)
  becomes its sync spelling; a string of an ``__all__ = [...]`` statement that is exactly
  such a name is renamed too (the one place where a name is written as a string);
* an f-string is copied as written.

Where the twins genuinely differ, a marker in the async source says so. Markers are comment
lines of their own, directly above the statement they govern:

* ``# unasync: <code>`` (one line or more, in a row): in the sync twin the next statement
  is replaced by these lines (``<code>`` as written, at the marker's indentation), e.g.
  ``# unasync: import threading`` above ``import asyncio``. A multi-line replacement
  (a docstring) takes one marker line for each of its lines.
* ``# unasync: drop``: the next statement (a whole ``def`` or ``class`` with its body,
  decorators included) has no sync twin.

Markers are removed from the sync output; everything else (layout, comments, docstrings)
is copied, then formatted with the rest of ``generated/``.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["NAMES", "TWINS", "UnasyncError", "unasync", "write_sync_twins"]

#: Async spelling -> sync spelling of every name the twins spell differently. The private
#: async modules map to the generated sync module (the value may be dotted).
NAMES: Mapping[str, str] = {
    # Syntax-level protocol names.
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "StopAsyncIteration": "StopIteration",
    "AsyncIterator": "Iterator",
    "aclose": "close",
    # ucxml's async names and their sync twins.
    "AsyncAgentEventStream": "AgentEventStream",
    "AsyncAgentGatewayClient": "AgentGatewayClient",
    "AsyncAxlClient": "AxlClient",
    "AsyncClientBase": "ClientBase",
    "AsyncClosing": "Closing",
    "AsyncCupClient": "CupClient",
    "AsyncCupOperations": "CupOperations",
    "AsyncEmClient": "EmClient",
    "AsyncEmOperations": "EmOperations",
    "AsyncHttpxTransport": "HttpxTransport",
    "AsyncTransport": "Transport",
    "AsyncTransportOwner": "TransportOwner",
    "_AsyncOps": "_SyncOps",
    "aexchange": "exchange",
    "arun": "run",
    "async_logout_all_action": "logout_all_action",
    # The hand-written async modules -> the sync twins written from them.
    "_async_axl": "generated._sync.axl",
    "_async_client": "generated._sync.client",
    "_async_closing": "generated._sync.closing",
    "_async_cup": "generated._sync.cup",
    "_async_em": "generated._sync.em",
    "_async_huawei": "generated._sync.huawei",
    "_async_retry": "generated._sync.retry",
}

#: Async source (a module of ``runtime/``, the ``ucxml`` package) -> sync twin (a module
#: of ``generated/_sync/``).
TWINS: Mapping[str, str] = {
    "_async_closing.py": "closing.py",
    "_async_client.py": "client.py",
    "_async_em.py": "em.py",
    "_async_cup.py": "cup.py",
    "_async_axl.py": "axl.py",
    "_async_huawei.py": "huawei.py",
    "_async_retry.py": "retry.py",
}

_MARKER = "# unasync:"
_DROP = "drop"
_PREFIXES = ("async",)  # `async def`, `async with`, `async for`
_AFTER_ASYNC = frozenset({"def", "with", "for"})
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+ splits f-strings
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


class UnasyncError(ValueError):
    """A marker the tool cannot apply (misplaced, or nothing follows it)."""


@dataclass(frozen=True, slots=True)
class _Edit:
    """Lines ``first``-``last`` (1-based, inclusive) of the source become ``lines``."""

    first: int
    last: int
    lines: tuple[str, ...]


def _offsets(source: str) -> list[int]:
    """The offset in ``source`` of the start of each line (index 0: line 1)."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _statement_end(tokens: Sequence[tokenize.TokenInfo], start: int, body: bool) -> int:
    """The index of the NEWLINE ending the statement at ``tokens[start]``; with ``body``,
    the one ending a compound statement's body (and the definition a decorator decorates)."""
    index = start
    while True:
        decorator = tokens[index].string == "@"
        while tokens[index].type != tokenize.NEWLINE:
            index += 1
        following = index + 1
        while tokens[following].type in (tokenize.NL, tokenize.COMMENT):
            following += 1
        if body and decorator:
            index = following  # the decorated definition is the statement
            continue
        if not body or tokens[following].type != tokenize.INDENT:
            return index
        depth = 0
        for index in range(following, len(tokens)):
            depth += tokens[index].type == tokenize.INDENT
            depth -= tokens[index].type == tokenize.DEDENT
            if depth == 0:
                break
        # The DEDENT stands at the next statement: the body ends at the NEWLINE before it
        # (a comment line in between belongs to what follows).
        while tokens[index].type != tokenize.NEWLINE:
            index -= 1
        return index


def _edits(source: str, tokens: Sequence[tokenize.TokenInfo]) -> list[_Edit]:
    """The line edits the markers of ``source`` ask for."""
    lines = source.splitlines()
    edits: list[_Edit] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if not (token.type == tokenize.COMMENT and token.string.startswith(_MARKER)):
            index += 1
            continue
        first = token.start[0]
        if lines[first - 1].strip() != token.string:
            raise UnasyncError(f"line {first}: a marker stands on a line of its own")
        indent = lines[first - 1][: token.start[1]]
        texts = []
        row = first
        while tokens[index].type in (tokenize.COMMENT, tokenize.NL):
            marker = tokens[index]
            if marker.type == tokenize.COMMENT:
                if not marker.string.startswith(_MARKER) or marker.start[0] != row:
                    break
                text = marker.string[len(_MARKER) :]
                texts.append(text[1:] if text.startswith(" ") else text)
                row += 1
            index += 1
        while tokens[index].type in (tokenize.INDENT, tokenize.DEDENT):
            index += 1
        if (
            tokens[index].type in (tokenize.ENDMARKER, tokenize.COMMENT)
            or tokens[index].start[0] != row
        ):
            raise UnasyncError(f"line {first}: a marker stands directly above a statement")
        drop = texts == [_DROP]
        end = _statement_end(tokens, index, drop)
        after = end + 1
        while tokens[after].type in (tokenize.NL, tokenize.COMMENT):
            after += 1
        if not drop and tokens[after].type == tokenize.INDENT:
            raise UnasyncError(f"line {first}: only `drop` applies to a compound statement")
        replacement = () if drop else tuple(f"{indent}{text}".rstrip() for text in texts)
        edits.append(_Edit(first, tokens[end].end[0], replacement))
        index = end + 1
    return edits


def _all_statement(tokens: Sequence[tokenize.TokenInfo], index: int) -> bool:
    """Whether ``tokens[index]`` starts an ``__all__ = ...`` statement."""
    token = tokens[index]
    return (
        token.type == tokenize.NAME
        and token.string == "__all__"
        and token.start[1] == 0
        and index + 1 < len(tokens)
        and tokens[index + 1].string in ("=", ":")
    )


def _renamed_string(text: str, names: Mapping[str, str]) -> str:
    """``text`` (a plain string literal) renamed when its value is a name of ``names``."""
    if text[:1] not in ("'", '"') or text[:3] in ('"""', "'''"):
        return text
    value = ast.literal_eval(text)
    if isinstance(value, str) and value in names:
        return f"{text[0]}{names[value]}{text[-1]}"
    return text


def _rewritten(source: str, tokens: Sequence[tokenize.TokenInfo], names: Mapping[str, str]) -> str:
    """``source`` with every token rewritten (same lines: no token adds or removes one)."""
    starts = _offsets(source)

    def offset(position: tuple[int, int]) -> int:
        return starts[position[0] - 1] + position[1]

    out: list[str] = []
    done = 0  # offset up to which the source is copied or rewritten
    in_all = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        begin, end = offset(token.start), offset(token.end)
        gap = source[done:begin]
        text = source[begin:end]
        if _FSTRING_START is not None and token.type == _FSTRING_START:
            depth = 1
            while depth:  # a nested f-string ends before its container
                index += 1
                depth += tokens[index].type == _FSTRING_START
                depth -= tokens[index].type == _FSTRING_END
            end = offset(tokens[index].end)
            text = source[begin:end]
        elif token.type == tokenize.NAME:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if token.string == "await" or (
                token.string in _PREFIXES
                and following is not None
                and following.string in _AFTER_ASYNC
            ):
                text = ""
                if following is not None:
                    # Drop the space after the keyword too (never a line break).
                    spaces = source[end : offset(following.start)]
                    if spaces.strip(" \t") == "":
                        end = offset(following.start)
            elif token.string in names:
                text = names[token.string]
            in_all = in_all or _all_statement(tokens, index)
        elif token.type == tokenize.STRING and in_all:
            text = _renamed_string(text, names)
        elif token.type == tokenize.NEWLINE:
            in_all = False
        out.append(gap + text)
        done = end
        index += 1
    out.append(source[done:])
    return "".join(out)


def unasync(source: str, names: Mapping[str, str] = NAMES) -> str:
    """The synchronous twin of the async Python ``source`` (see the module's rules)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    edits = _edits(source, tokens)
    lines = _rewritten(source, tokens, names).splitlines(keepends=True)
    for edit in reversed(edits):
        lines[edit.first - 1 : edit.last] = [f"{line}\n" for line in edit.lines]
    return "".join(lines)


def _header(source: str) -> str:
    return (
        f"# Generated by ucxml.codegen from runtime/{source} (the sync twin of its async code).\n"
        f"# DO NOT EDIT: change runtime/{source} and run `make generate`.\n"
    )


def write_sync_twins(out: Path) -> None:
    """Write ``out/_sync/``: the sync twin of every module of :data:`TWINS`."""
    folder = out / "_sync"
    folder.mkdir()
    (folder / "__init__.py").write_text(
        f"{_header('_async_*.py')}"
        '"""The synchronous client shells, each written from its async twin (unasync)."""\n',
        encoding="utf-8",
    )
    package = resources.files("ucxml")
    for source, target in TWINS.items():
        text = package.joinpath(source).read_text(encoding="utf-8")
        (folder / target).write_text(_header(source) + unasync(text), encoding="utf-8")
