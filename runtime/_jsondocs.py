"""JSON messages of the REST APIs (the Huawei CC-Gateway): detect, parse, validate.

A JSON body is recognised by its keys: among the API's request and response schemas
(the component schemas of its OpenAPI document, except the path-parameter ones), the
one that describes the most of the body's keys, nested objects included, wins; on a tie
the smaller schema (the generic envelope) does. :func:`parse_json` then binds the body
to that generated dataclass and fails, with a JSON pointer and a line, on any key it
does not know, any missing required key and any value of the wrong JSON type, so no
field is ever dropped silently. :func:`validate_json` checks the body against the
schema with ``jsonschema`` (ranges, lengths, closed objects) and reports every issue
with its line, column and JSON pointer. Neither ever quotes the value of a secret field
(password, GUID).

Where the API tolerates it (manifest ``tolerances = ["lexical"]``), a value sent in
another JSON type's lexical form is read as the documented type with a ``T-LEXICAL``
warning (:func:`ucxml._tolerances.lexical_warning`) at the value's line, column and
pointer: an integer or boolean sent as a string (``"4"``, ``"false"``) and a string sent
as an integer (``1``). The model holds the typed value; :func:`dump_json` writes the
documented type.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import functools
import json
import re
import types
import typing
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, Final

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ucxml._envelopes import is_json
from ucxml._registry import ApiBinding, binding, erratum_for
from ucxml._releases import detect_json_release, stamp
from ucxml._report import Issue, Report
from ucxml._tolerances import lexical_warning
from ucxml.bindings import SECRET_FIELDS
from ucxml.errors import BindingError, ParameterError, UnknownApiError, UnknownMessageError

__all__ = [
    "dump_json",
    "json_tolerances",
    "looks_like_json",
    "parse_json",
    "read_json",
    "validate_json",
]

#: Deepest nesting read (the APIs' bodies are three levels deep).
MAX_DEPTH = 64
#: jsonschema checks whose messages name properties but never quote the value.
_NAMES_ONLY = frozenset({"required", "dependentRequired", "additionalProperties"})
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


# --------------------------------------------------------------------------- reading


class _SyntaxProblem(Exception):
    """Malformed JSON at a line and column (converted to a BindingError or an Issue)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _SyntaxProblem(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _loads(text: str, repeated: list[bool]) -> Any:
    """The parsed value; an item is added to ``repeated`` when an object repeats a key."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        members = dict(items)
        if len(members) != len(items) and not repeated:
            repeated.append(True)
        return members

    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise _SyntaxProblem(f"malformed JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _SyntaxProblem(f"malformed JSON: nested more than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # NaN, Infinity
        raise _SyntaxProblem(f"malformed JSON: {exc}") from None


def _pointer(parent: str, key: str | int) -> str:
    return f"{parent}/{str(key).replace('~', '~0').replace('/', '~1')}"


_SPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"[^,\]}\s]*")
_STRUCTURE = re.compile(r'["\[\]{}]')


class _Layout:
    """Where the members of a (well-formed) JSON text start, found on demand by JSON pointer.

    An object member is located at its key, an array item at its value, the root at its
    first character. Nothing is indexed up front (a payload's issues name a few pointers,
    and a position per value costs far more memory than the text): :meth:`locate` walks
    down the pointer's path with regular expressions. Repeated keys of one object are
    found only when the parser saw some (``duplicates``, with the repetition's position).
    """

    def __init__(self, text: str, repeated: bool = False) -> None:
        self.text = text
        self._repeated = repeated
        self._duplicates: list[tuple[str, tuple[int, int]]] | None = None

    @property
    def duplicates(self) -> list[tuple[str, tuple[int, int]]]:
        """Every repeated key (pointer, line and column of the repetition)."""
        if self._duplicates is None:
            self._duplicates = []
            if self._repeated:
                start = self._space(0)
                if start < len(self.text):
                    self._collect(start, "")
        return self._duplicates

    def where(self, index: int) -> tuple[int, int]:
        """1-based line and column of ``index``."""
        line_start = self.text.rfind("\n", 0, index) + 1
        return self.text.count("\n", 0, index) + 1, index - line_start + 1

    def locate(self, pointer: str, *, value: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``pointer`` (its key, or with ``value`` its value), or of its
        closest located ancestor."""
        i = self._space(0)
        if i >= len(self.text):
            return None, None
        at = i
        tokens = pointer.split("/")[1:] if pointer else []
        for token in tokens:
            key = token.replace("~1", "/").replace("~0", "~")
            found = self._child(i, key)
            if found is None:
                break
            at, i = found
        return self.where(i if value else at)

    def _space(self, i: int) -> int:
        match = _SPACE.match(self.text, i)
        return match.end() if match else i

    def _string_end(self, i: int) -> int:
        match = _STRING.match(self.text, i)
        return match.end() if match else len(self.text)

    def _skip(self, i: int) -> int:
        """The index just past the value starting at ``i``."""
        text = self.text
        char = text[i] if i < len(text) else ""
        if char == '"':
            return self._string_end(i)
        if char not in "[{":
            match = _SCALAR.match(text, i)
            return match.end() if match else i
        depth = 0
        while True:
            found = _STRUCTURE.search(text, i)
            if found is None:
                return len(text)
            i = found.start()
            mark = text[i]
            if mark == '"':
                i = self._string_end(i)
                continue
            depth += 1 if mark in "[{" else -1
            i += 1
            if depth == 0:
                return i

    def _members(self, i: int) -> Iterator[tuple[str | int, int, int]]:
        """(key or index, where it is located, where its value starts) of a container."""
        text = self.text
        closing = "}" if text[i] == "{" else "]"
        i = self._space(i + 1)
        index = 0
        while i < len(text) and text[i] != closing:
            if closing == "}":
                end = self._string_end(i)
                key: str | int = json.loads(text[i:end])
                at, i = i, self._space(self._space(end) + 1)  # past the colon
            else:
                key, at = index, i
                index += 1
            yield key, at, i
            i = self._space(self._skip(i))
            if i < len(text) and text[i] == ",":
                i = self._space(i + 1)

    def _child(self, i: int, key: str) -> tuple[int, int] | None:
        """Where member ``key`` of the container at ``i`` is located, and its value."""
        if i >= len(self.text) or self.text[i] not in "[{":
            return None
        for name, at, value in self._members(i):
            if str(name) == key:
                return at, value
        return None

    def _collect(self, i: int, path: str) -> None:
        """Record the repeated keys of the value at ``i`` and everything inside it."""
        if self.text[i] not in "[{":
            return
        seen: set[str | int] = set()
        for key, at, value in self._members(i):
            child = _pointer(path, key)
            if key in seen and isinstance(key, str):
                assert self._duplicates is not None
                self._duplicates.append((child, self.where(at)))
            seen.add(key)
            self._collect(value, child)


def _depth_within(value: Any, limit: int) -> bool:
    """Whether ``value`` nests no deeper than ``limit`` containers."""
    level: list[Any] = [value]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return True
    return not level


def _read(data: bytes | str) -> tuple[Any, _Layout]:
    text = _text(data)
    repeated: list[bool] = []
    value = _loads(text, repeated)
    if not _depth_within(value, MAX_DEPTH):
        raise _SyntaxProblem(f"malformed JSON: nested more than {MAX_DEPTH} levels")
    return value, _Layout(text, bool(repeated))


# --------------------------------------------------------------------------- lexical forms

#: An integer sent as a JSON string: ASCII digits, an optional minus, at most 30 digits.
_INTEGER = re.compile(r"-?[0-9]{1,30}")
_BOOLEANS: Final = {"true": True, "false": False}


def _lexical(value: Any, wanted: str) -> tuple[bool, Any]:
    """(True, the typed value) when ``value`` is a ``wanted`` JSON type written in another
    type's lexical form (``"4"``, ``"false"``, or ``1`` for a string); else (False, None)."""
    if isinstance(value, str):
        if wanted == "integer" and _INTEGER.fullmatch(value):
            return True, int(value)
        if wanted == "boolean" and value in _BOOLEANS:
            return True, _BOOLEANS[value]
    elif wanted == "string" and isinstance(value, int) and not isinstance(value, bool):
        return True, str(value)
    return False, None


def json_tolerances(api: str) -> tuple[str, ...]:
    """The tolerances (:mod:`ucxml._tolerances` names) the JSON readers apply for ``api``."""
    return binding(api).info.tolerances


def _tolerates_lexical(api: str) -> bool:
    return "lexical" in json_tolerances(api)


#: Members never read from another lexical form: ``retcode`` decides success, so a number
#: there stays the error it is; the secrets (password, GUID) are no place for a guess.
_STRICT_MEMBERS: Final = frozenset({"retcode"})


def _lexical_allowed(path: str) -> bool:
    return path.rsplit("/", 1)[-1] not in _STRICT_MEMBERS and not _is_secret(path)


def _lexical_issue(layout: _Layout, path: str, sent: Any, wanted: str, typed: Any) -> Issue:
    """The ``T-LEXICAL`` warning of the value at ``path`` (located at the value itself)."""
    name = path.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    line, column = layout.locate(path, value=True)
    shown = None if _is_secret(path) else json.dumps(typed, ensure_ascii=False)
    kind = "string" if isinstance(sent, str) else "number"
    return lexical_warning(name, kind, wanted, shown, line, column, path or "/")


# --------------------------------------------------------------------------- schemas


def _json_binding(api: str) -> ApiBinding:
    api_binding = binding(api)
    if not is_json(api_binding.info.envelope):
        raise UnknownApiError(f"{api!r} is not a JSON API")
    return api_binding


@functools.cache
def _document(api: str) -> dict[str, Any]:
    """The API's OpenAPI document (shipped as JSON in its generated package)."""
    document: dict[str, Any] = json.loads(_json_binding(api).schema_path.read_text("utf-8"))
    return document


def _components(api: str) -> dict[str, Any]:
    schemas: dict[str, Any] = _document(api).get("components", {}).get("schemas", {})
    return schemas


@functools.cache
def _model_names(api: str) -> tuple[str, ...]:
    """Request and response schemas that describe JSON bodies (not path parameters)."""
    api_binding = _json_binding(api)
    components = _components(api)
    names = set(api_binding.requests) | set(api_binding.responses)
    return tuple(
        sorted(
            n
            for n in names
            if n in components and components[n].get("x-ucxml-in", "body") == "body"
        )
    )


def _resolve(api: str, schema: Any) -> list[dict[str, Any]]:
    """The object schemas (with properties) that ``schema`` stands for."""
    if not isinstance(schema, dict):
        return []
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return _resolve(api, _components(api).get(ref.rsplit("/", 1)[-1]))
    branches = [b for key in ("anyOf", "oneOf", "allOf") for b in schema.get(key, [])]
    found = [schema] if isinstance(schema.get("properties"), dict) else []
    for branch in branches:
        found += _resolve(api, branch)
    return found


def _described(api: str, schema: dict[str, Any], depth: int = 0) -> int:
    """How many properties ``schema`` describes, nested objects included."""
    if depth > 4:
        return 0
    total = 0
    for prop in schema.get("properties", {}).values():
        total += 1 + sum(_described(api, s, depth + 1) for s in _resolve(api, prop))
    return total


@functools.cache
def _size(api: str, name: str) -> int:
    """How many properties the component schema ``name`` describes (see :func:`_described`)."""
    return _described(api, _components(api)[name])


def _matched(api: str, schema: dict[str, Any], value: Mapping[str, Any], depth: int = 0) -> int:
    """How many keys of ``value`` (nested objects included) ``schema`` describes."""
    properties = schema.get("properties", {})
    count = 0
    for key, item in value.items():
        if key not in properties:
            continue
        count += 1
        if isinstance(item, dict) and depth < 4:
            count += max(
                (_matched(api, s, item, depth + 1) for s in _resolve(api, properties[key])),
                default=0,
            )
    return count


def _detect(api: str, value: Any) -> str | None:
    """The schema name the body ``value`` is a message of (None: no schema fits)."""
    if not isinstance(value, dict) or not value:
        return None
    best: tuple[tuple[bool, int, int], str] | None = None
    for name in _model_names(api):
        schema = _components(api)[name]
        matched = _matched(api, schema, value)
        if not matched:
            continue
        complete = all(key in value for key in schema.get("required", []))
        score = (complete, matched, -_size(api, name))
        if best is None or score > best[0]:
            best = (score, name)
    return best[1] if best else None


def _schema_name(api: str, value: Any, schema: str | None) -> str | None:
    if schema is None:
        return _detect(api, value)
    if schema not in _components(api):
        raise UnknownMessageError(f"the {api} API has no schema named {schema!r}")
    return schema


# --------------------------------------------------------------------------- binding


@functools.cache
def _fields(cls: type) -> dict[str, tuple[str, Any, bool]]:
    """JSON name -> (field name, resolved type, required) of a generated dataclass."""
    hints = typing.get_type_hints(cls)
    table = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get("type") == "Ignore":
            continue  # not on the wire: the detected release
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        table[f.metadata.get("name", f.name)] = (f.name, hints[f.name], required)
    return table


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "value")


def _type_name(hint: Any) -> str:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return f"object ({hint.__name__})"
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    if hint in names:
        return names[hint]
    origin = typing.get_origin(hint)
    if origin is list:
        return "array"
    if origin is dict:
        return "object"
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in typing.get_args(hint))
    if hint is type(None):
        return "null"
    return getattr(hint, "__name__", str(hint))


_LEXICAL_TYPES: Final[dict[Any, str]] = {int: "integer", bool: "boolean", str: "string"}


class _Binder:
    """Binds JSON values to the generated dataclasses, failing on anything unexpected.

    With ``lexical``, a value in another type's lexical form is read as the field's type
    and a warning is added to :attr:`warnings`.
    """

    def __init__(self, layout: _Layout, lexical: bool = False) -> None:
        self.layout = layout
        self.lexical = lexical
        self.warnings: list[Issue] = []

    def fail(self, message: str, path: str) -> BindingError:
        line, _ = self.layout.locate(path)
        return BindingError(message, path=path or "/", line=line)

    def bind(self, value: Any, hint: Any, path: str) -> Any:
        if hint is Any:
            return value
        origin = typing.get_origin(hint)
        if origin in (types.UnionType, typing.Union):
            return self._union(value, typing.get_args(hint), hint, path)
        if hint is type(None):
            if value is None:
                return None
            raise self._wrong(value, hint, path)
        if dataclasses.is_dataclass(hint) and isinstance(hint, type):
            return self._object(value, hint, path)
        if origin is list:
            if not isinstance(value, list):
                raise self._wrong(value, hint, path)
            (item,) = typing.get_args(hint) or (Any,)
            return [self.bind(v, item, _pointer(path, i)) for i, v in enumerate(value)]
        if origin is dict:
            if not isinstance(value, dict):
                raise self._wrong(value, hint, path)
            _, item = typing.get_args(hint) or (str, Any)
            return {k: self.bind(v, item, _pointer(path, k)) for k, v in value.items()}
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            try:
                return hint(value)
            except ValueError:
                raise self.fail(f"not a value of {hint.__name__}", path) from None
        return self._scalar(value, hint, path)

    def _wrong(self, value: Any, hint: Any, path: str) -> BindingError:
        return self.fail(f"expected {_type_name(hint)}, got {_json_type(value)}", path)

    def _union(self, value: Any, args: tuple[Any, ...], hint: Any, path: str) -> Any:
        if value is None:
            if type(None) in args:
                return None
            raise self._wrong(value, hint, path)
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return self.bind(value, options[0], path)
        # A type that fits as sent wins over one that fits only in another lexical form.
        lexical, kept = self.lexical, len(self.warnings)
        for passes in (False, True) if lexical else (False,):
            self.lexical = passes
            try:
                for option in options:
                    try:
                        return self.bind(value, option, path)
                    except BindingError:
                        del self.warnings[kept:]  # of a branch that did not fit
                        continue
            finally:
                self.lexical = lexical
        raise self._wrong(value, hint, path)

    def _scalar(self, value: Any, hint: Any, path: str) -> Any:
        if hint is bool and isinstance(value, bool):
            return value
        if hint is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if hint is str and isinstance(value, str):
            return value
        wanted = _LEXICAL_TYPES.get(hint) if self.lexical else None
        if wanted is not None and _lexical_allowed(path):
            fits, typed = _lexical(value, wanted)
            if fits:
                self.warnings.append(_lexical_issue(self.layout, path, value, wanted, typed))
                return typed
        if hint in (bool, int, float, str):
            raise self._wrong(value, hint, path)
        raise self.fail(f"cannot bind to {_type_name(hint)}", path)

    def _object(self, value: Any, cls: type, path: str) -> Any:
        if not isinstance(value, dict):
            raise self._wrong(value, cls, path)
        table = _fields(cls)
        for key in value:
            if key not in table:
                raise self.fail(f"unknown field {key!r} of {cls.__name__}", _pointer(path, key))
        arguments = {}
        for json_name, (name, hint, required) in table.items():
            if json_name in value:
                arguments[name] = self.bind(value[json_name], hint, _pointer(path, json_name))
            elif required:
                raise self.fail(f"missing required field {json_name!r} of {cls.__name__}", path)
        return cls(**arguments)


def _dump(obj: Any) -> Any:
    """The JSON value of a generated model (fields that are None are left out)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.metadata.get("name", f.name): _dump(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if getattr(obj, f.name) is not None and f.metadata.get("type") != "Ignore"
        }
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, list | tuple):
        return [_dump(item) for item in obj]
    if isinstance(obj, dict):
        return {str(k): _dump(v) for k, v in obj.items()}
    return obj


def dump_json(obj: Any) -> bytes:
    """A generated model as compact UTF-8 JSON (what the client and the emulator send).

    Raises :class:`~ucxml.errors.ParameterError` for a value holding a lone surrogate,
    which UTF-8 cannot carry.
    """
    text = json.dumps(_dump(obj), ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParameterError(
            f"a value holds {exc.object[exc.start]!r}, which UTF-8 cannot carry"
        ) from None


# --------------------------------------------------------------------------- public


def looks_like_json(data: bytes | str) -> bool:
    """True when ``data`` starts (after a BOM and whitespace) like a JSON object or array."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if raw[:1] == b"<":
        return False  # the common case: a markup payload, no need to copy its head
    head = raw[:4096].removeprefix("\ufeff".encode()).lstrip()
    return head[:1] in (b"{", b"[")


def parse_json(data: bytes | str, api: str = "huawei", *, schema: str | None = None) -> Any:
    """Bind the JSON body ``data`` to the generated model of the ``api`` message it is.

    The schema is detected from the body's keys unless ``schema`` names it (e.g.
    ``"SignInResponse"``). Values are checked for their JSON type only; ranges and
    lengths are :func:`validate_json`'s job.

    A value read with a tolerance (``T-LEXICAL``) is reported as a
    :class:`~ucxml._documents.DeviationWarning`.

    Raises:
        BindingError: Malformed JSON (with line and column), a repeated key, an unknown
            or missing field, or a value of the wrong type (with the JSON pointer).
        UnknownMessageError: No schema of ``api`` describes the body.
        UnknownApiError: ``api`` is not a JSON API.
    """
    from ucxml._documents import DeviationWarning  # documents imports this module

    obj, tolerated = read_json(data, api, schema=schema)
    for issue in tolerated:
        warnings.warn(f"line {issue.line}: {issue.message}", DeviationWarning, stacklevel=2)
    return obj


def read_json(
    data: bytes | str, api: str = "huawei", *, schema: str | None = None
) -> tuple[Any, list[Issue]]:
    """:func:`parse_json` returning the model and the tolerance warnings (not warned).

    The clients log the warnings instead (:class:`ucxml.Issue`, with ``code``).
    Raises what :func:`parse_json` raises.
    """
    api_binding = _json_binding(api)
    try:
        value, layout = _read(data)
    except _SyntaxProblem as problem:
        where = f" (column {problem.column})" if problem.column is not None else ""
        raise BindingError(problem.message + where, line=problem.line) from None
    if layout.duplicates:
        pointer, (line, _) = layout.duplicates[0]
        raise BindingError("repeated key", path=pointer, line=line)
    name = _schema_name(api, value, schema)
    if name is None:
        keys = ", ".join(sorted(map(repr, value))) if isinstance(value, dict) else _json_type(value)
        raise UnknownMessageError(f"no message of the {api} API has the shape {{{keys}}}")
    model = api_binding.requests.get(name) or api_binding.responses.get(name)
    if model is None:
        model = getattr(api_binding.models, name)
    binder = _Binder(layout, _tolerates_lexical(api))
    bound = binder.bind(value, model, "")
    found = sorted(binder.warnings, key=_position)
    release = detect_json_release(api, value, (i.code for i in found))
    return stamp(bound, release), found


def _position(issue: Issue) -> tuple[int, int]:
    """Document order of the issues (the binder meets fields in the model's order)."""
    return (issue.line or 0, issue.column or 0)


def _is_secret(path: str) -> bool:
    last = path.rsplit("/", 1)[-1].lower()
    return last in SECRET_FIELDS


@functools.cache
def _validator(api: str, name: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{name}", "components": _document(api)["components"]}
    return Draft202012Validator(root)


def _path_of(error: ValidationError) -> str:
    return _path_of_parts(list(error.absolute_path))


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The precise errors behind ``error``: those of the one anyOf / oneOf branch whose
    type fits the value (``SignInResult`` rather than ``null`` for an object)."""
    if error.context and error.validator in ("anyOf", "oneOf"):
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        fitting = [
            errors
            for errors in branches.values()
            if not any(e.validator == "type" and not e.relative_path for e in errors)
        ]
        if len(fitting) == 1:
            for sub in sorted(fitting[0], key=lambda e: e.json_path):
                yield from _leaves(sub)
            return
    yield error


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return any(str(k).lower() in SECRET_FIELDS or _holds_secret(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_secret(v) for v in value)
    return False


#: Rounds of lexical reading (a value fixed inside an anyOf may show the next one).
_LEXICAL_ROUNDS = 8


def _set(value: Any, parts: list[Any], typed: Any) -> None:
    for part in parts[:-1]:
        value = value[part]
    value[parts[-1]] = typed


def _lexical_pass(api: str, name: str, value: Any, layout: _Layout) -> tuple[Any, list[Issue]]:
    """``value`` with every value in another lexical form replaced by the typed one (a
    copy when anything changes), and a ``T-LEXICAL`` warning for each."""
    if not _tolerates_lexical(api):
        return value, []
    found: dict[str, Issue] = {}
    current = value
    for _ in range(_LEXICAL_ROUNDS):
        fixes: list[tuple[list[Any], str, Any, Any]] = []
        for top in _validator(api, name).iter_errors(current):
            for error in _leaves(top):
                parts = list(error.absolute_path)
                if error.validator != "type" or not parts:
                    continue
                if not _lexical_allowed(_path_of_parts(parts)):
                    continue
                wanted: Any = error.validator_value
                for option in wanted if isinstance(wanted, list) else [wanted]:
                    fits, typed = _lexical(error.instance, str(option))
                    if fits:
                        fixes.append((parts, str(option), typed, error.instance))
                        break
        fixes = [fix for fix in fixes if _path_of_parts(fix[0]) not in found]
        if not fixes:
            break
        if current is value:
            current = copy.deepcopy(value)
        for parts, option, typed, sent in fixes:
            _set(current, parts, typed)
            path = _path_of_parts(parts)
            issue = _lexical_issue(layout, path, sent, option, typed)
            hint = erratum_for(api, issue.message, issue.code)
            found[path] = dataclasses.replace(issue, hint=hint)
    return current, sorted(found.values(), key=_position)


def _path_of_parts(parts: list[Any]) -> str:
    pointer = ""
    for part in parts:
        pointer = _pointer(pointer, part)
    return pointer


def _issues(api: str, name: str, value: Any, layout: _Layout) -> list[Issue]:
    value, issues = _lexical_pass(api, name, value, layout)

    def add(message: str, path: str, where: tuple[int | None, int | None] | None = None) -> None:
        line, column = where or layout.locate(path)
        issues.append(Issue("error", message, line, column, path, erratum_for(api, message)))

    for pointer, where in layout.duplicates:
        add("repeated key (JSON readers keep only one of the values)", pointer, where)
    errors = sorted(_validator(api, name).iter_errors(value), key=lambda e: e.json_path)
    for top in errors:
        for error in _leaves(top):
            path = _path_of(error)
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
                for key in sorted(k for k in error.instance if k not in known):
                    add(f"unknown field {key!r} (not allowed here)", _pointer(path, key))
            elif _is_secret(path) or (
                error.validator not in _NAMES_ONLY and _holds_secret(error.instance)
            ):
                # jsonschema quotes the value: never for a password or a GUID.
                add(
                    f"the value fails the {error.validator!r} check (not shown: it holds a secret)",
                    path,
                )
            else:
                add(error.message, path)
    return issues


def validate_json(
    data: bytes | str,
    api: str = "huawei",
    *,
    source: str | None = None,
    schema: str | None = None,
) -> Report:
    """Validate the JSON body ``data`` against the schema of the ``api`` message it is.

    The schema is detected from the body's keys unless ``schema`` names it; the report's
    ``message`` is the schema's name (None when no schema describes the body). Each issue
    carries the line and column of the offending key and its JSON pointer.

    Raises:
        UnknownMessageError: ``schema`` is not a schema of ``api``.
        UnknownApiError: ``api`` is not a JSON API.
    """
    _json_binding(api)
    try:
        value, layout = _read(data)
    except _SyntaxProblem as problem:
        hint = erratum_for(api, problem.message)
        issue = Issue("error", problem.message, problem.line, problem.column, hint=hint)
        return Report(source, api, None, (issue,))
    name = _schema_name(api, value, schema)
    if name is None:
        keys = ", ".join(sorted(map(repr, value))) if isinstance(value, dict) else _json_type(value)
        line, column = layout.locate("")
        message = f"not a message of the {api} API: no schema describes {{{keys}}}"
        hint = erratum_for(api, message)
        return Report(source, api, None, (Issue("error", message, line, column, "", hint),))
    issues = tuple(_issues(api, name, value, layout))
    release = detect_json_release(api, value, (i.code for i in issues))
    return Report(source, api, name, issues, release=release)
