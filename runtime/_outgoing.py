"""Write strictly: a request is checked against its API's schema before it is sent.

The generated stubs take plain strings where the schema allows a keyword or a value of a
pattern (``dev_name`` is ``SEP`` and 12 hex digits, or ``allRegistered``...). A typo such
as ``"allregistered"`` would otherwise reach the router as a device name; here it is
refused with a :class:`~ucxml.errors.ParameterError` that names the Python parameter and
lists the keywords, and nothing is sent. libxml2 checks a small request in about 70 us.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import typing
from typing import Any

from ucxml._report import Issue
from ucxml._validation import validate_bytes
from ucxml.bindings import Operation
from ucxml.errors import ParameterError

__all__ = ["check_request"]


@functools.cache
def _fields(cls: type[Any]) -> tuple[tuple[str, str, tuple[type[enum.Enum], ...]], ...]:
    """(XML name, Python name, enumerations among its types) of each field of ``cls``."""
    hints = typing.get_type_hints(cls)
    rows = []
    for f in dataclasses.fields(cls):
        stack, enums = [hints[f.name]], []
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, enum.Enum):
                enums.append(tp)
            stack += typing.get_args(tp)
        rows.append((str(f.metadata.get("name", f.name)), f.name, tuple(enums)))
    return tuple(rows)


def _parameter(body: object, element: str) -> tuple[str, tuple[type[enum.Enum], ...]] | None:
    """The Python field of the request model that writes ``element``, and its enumerations."""
    stack = [body]
    while stack:
        item = stack.pop()
        if not dataclasses.is_dataclass(item) or isinstance(item, type):
            continue
        for xml_name, name, enums in _fields(type(item)):
            if xml_name == element:
                return name, enums
            value = getattr(item, name)
            stack += value if isinstance(value, list) else [value]
    return None


def _describe(issue: Issue, body: object) -> str:
    element = issue.path.rsplit("/", 1)[-1].split("[", 1)[0].rpartition(":")[2]
    found = _parameter(body, element) if element else None
    if found is None:
        return issue.message
    name, enums = found
    message = issue.message
    if message.startswith(f"{element}:"):
        message = message[len(element) + 1 :].strip()
    text = f"{name} (<{element}>): {message}"
    for kind in enums:
        text += f" The keywords of {kind.__name__}: " + ", ".join(str(m) for m in kind) + "."
    return text


def check_request(operation: Operation, body: object, content: bytes) -> None:
    """Raise :class:`~ucxml.errors.ParameterError` when ``content`` breaks the API's schema.

    Args:
        operation: The operation being sent (its method names the error).
        body: The request model ``content`` was written from (to name the parameter).
        content: The serialized request, as it would be sent.
    """
    report = validate_bytes(content, operation.api, bind=False)
    errors = report.errors
    if not errors:
        return
    details = "; ".join(_describe(issue, body) for issue in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    raise ParameterError(f"{operation.method}: {details}{more} Nothing was sent.")
