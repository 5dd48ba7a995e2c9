"""Mutation fuzzing of the documented examples and captures: corpus, mutators, entry points.

A mutant is named by (sample, mutation, seed) and rebuilt from them alone, so a failure
message is its own reproducer::

    python -m tests.fuzz.fuzzlib schemas/cme/examples/corrected/05-ISgetDevice-request.xml \\
        tag_swap 1234

The invariant every entry point is held to: it returns a value or raises a
:class:`ucxml.UcxmlError`; anything else (TypeError, KeyError, RecursionError, an lxml
exception leaking...) is a bug. A mutant that ``ucxml.validate`` reports valid must parse.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import tomllib
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

__all__ = [
    "CORPUS",
    "COUNTS",
    "KNOWN_OPEN",
    "LONG",
    "MUTATORS",
    "REGRESSIONS",
    "ROOT",
    "RUN_SEED",
    "FuzzFailure",
    "Sample",
    "check_mutant",
    "entry_points",
    "mutant",
    "mutants_for",
    "mutators_for",
]

#: ``UCXML_FUZZ=long`` (``make fuzz``) runs far more cases than the bounded default.
LONG = os.environ.get("UCXML_FUZZ", "").lower() == "long"
#: Seed of the run's mutants: 0 in the default run (deterministic), random in the long
#: run unless ``UCXML_FUZZ_SEED`` repeats one; the summary line shows it.
RUN_SEED = int(os.environ.get("UCXML_FUZZ_SEED") or (random.randrange(2**31) if LONG else 0))
#: What ran, for the closing summary (``conftest.py`` prints it).
COUNTS: Counter[str] = Counter()


# --------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Sample:
    """One corpus file: its bytes, kind (xml, json, sip, capture) and API when known."""

    path: str
    kind: str
    api: str | None

    @property
    def data(self) -> bytes:
        return (ROOT / self.path).read_bytes()


_APIS = ("cme", "em", "cup", "uccn", "pidf", "huawei")


def _sample(path: Path) -> Sample | None:
    rel = path.relative_to(ROOT).as_posix()
    suffix = path.suffix
    if suffix not in (".xml", ".json", ".sip", ".http", ".txt"):
        return None
    parts = rel.split("/")
    if parts[0] == "schemas":
        api: str | None = parts[1]
    else:
        prefix = path.name.split("-", 1)[0]
        api = prefix if prefix in _APIS else ("em" if parts[-2] == "em" else None)
    kind = {".xml": "xml", ".json": "json", ".sip": "sip"}.get(suffix, "capture")
    return Sample(rel, kind, api)


def _corpus() -> list[Sample]:
    files = sorted((ROOT / "schemas").glob("*/examples/**/*")) + sorted(
        (ROOT / "tests/captures").rglob("*")
    )
    # The fuzzers' own regressions seed mutations too, but for bugs still open (xfail).
    files += sorted(REGRESSIONS / e["file"] for e in _EXPECTED.values() if "xfail" not in e)
    return [s for s in map(_sample, (f for f in files if f.is_file())) if s is not None]


REGRESSIONS = ROOT / "tests/fuzz/regressions"
_EXPECTED: dict[str, dict[str, Any]] = tomllib.loads((REGRESSIONS / "expected.toml").read_text())
#: Open bugs in modules this suite does not own ("Type: text" of the exception), each
#: pinned by a strict xfail in test_fuzz_regressions: met by a mutant, they are counted.
KNOWN_OPEN: dict[str, str] = {
    e["signature"]: name for name, e in _EXPECTED.items() if "xfail" in e and "signature" in e
}


#: Every documented example (verbatim and corrected), every capture, every fixed regression.
CORPUS: list[Sample] = _corpus()


# --------------------------------------------------------------------------- mutators

Mutator = Callable[[bytes, random.Random], bytes]

_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")
_ATTR = re.compile(rb"""\s([A-Za-z_][\w.:\-]*)\s*=\s*("[^"<]*"|'[^'<]*')""")
_XMLNS = re.compile(rb"""xmlns(?::[\w.\-]+)?\s*=\s*("[^"]*"|'[^']*')""")
_TEXT = re.compile(rb">([^<>]+)</")
_DECL = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_INTERESTING = [
    b"<",
    b">",
    b"&",
    b"'",
    b'"',
    b"\x00",
    b"\xff",
    b"\xc3",
    b"]]>",
    b"&#0;",
    b"&amp;",
    b"&bogus;",
    b"\r",
    b"\n",
    b":",
    b"{",
    b"}",
    b"[",
    b"\\u0000",
    b"%",
    b"--",
]
_VALUES = [
    b"",
    b"-1",
    b"0",
    b"4294967296",
    b"99999999999999999999999999999",
    b"-99999999999999999999",
    b"1e999",
    b"NaN",
    b"-0",
    b"0x1F",
    b"true",
    b"false",
    b"maybe",
    b"yes",
    b" 12 ",
    b"1.5",
    b"2026-13-45T25:61:61Z",
    b"\xe2\x80\xae\xef\xbf\xbf",
    b"&#xD800;",
    b"&#x1F600;",
    b"<![CDATA[x]]>",
    b"%41%zz",
    b"A" * 300,
]
_NAMES = [
    b"request",
    b"response",
    b"axl",
    b"Envelope",
    b"Body",
    b"Header",
    b"Fault",
    b"presence",
    b"tuple",
    b"list",
    b"UPCConfigChange",
    b"query",
    b"success",
    b"failure",
    b"x:y",
    b"undeclared:tag",
]
_NAMESPACES = [
    b"",
    b"http://schemas.xmlsoap.org/soap/envelope/",
    b"http://www.w3.org/2003/05/soap-envelope",
    b"urn:cisco:epas:soap",
    b"urn:cisco:epas:uccn",
    b"urn:ietf:params:xml:ns:pidf",
    b"urn:ietf:params:xml:ns:rlmi",
    b"http://www.w3.org/2001/XMLSchema-instance",
    b"urn:example:other",
]
_ENCODINGS = [
    "UTF-8",
    "UTF-16",
    "utf-16le",
    "UTF-32",
    "ISO-8859-1",
    "US-ASCII",
    "EBCDIC-CP-US",
    "Shift_JIS",
    "bogus-charset",
    "",
]


def _pos(data: bytes, rng: random.Random) -> int:
    return rng.randrange(len(data) + 1)


def flip(data: bytes, rng: random.Random) -> bytes:
    """Flip one to four random bits."""
    out = bytearray(data or b"\x00")
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def insert(data: bytes, rng: random.Random) -> bytes:
    """Insert a few random or syntax-significant bytes."""
    at = _pos(data, rng)
    if rng.random() < 0.5:
        extra = rng.choice(_INTERESTING)
    else:
        extra = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return data[:at] + extra + data[at:]


def delete(data: bytes, rng: random.Random) -> bytes:
    """Delete a random run of up to 32 bytes."""
    at = _pos(data, rng)
    return data[:at] + data[at + rng.randint(1, 32) :]


def truncate(data: bytes, rng: random.Random) -> bytes:
    """Cut the data at a random point."""
    return data[: rng.randrange(len(data))] if data else data


def splice(data: bytes, rng: random.Random) -> bytes:
    """Copy a random slice of the data to another random place."""
    a, b = sorted((_pos(data, rng), _pos(data, rng)))
    at = _pos(data, rng)
    return data[:at] + data[a:b] + data[at:]


def _tags(data: bytes) -> list[re.Match[bytes]]:
    return list(_TAG.finditer(data))


def _replace(data: bytes, start: int, end: int, new: bytes) -> bytes:
    return data[:start] + new + data[end:]


def tag_swap(data: bytes, rng: random.Random) -> bytes:
    """Swap the names of two tags (the document no longer nests properly, or renames)."""
    tags = _tags(data)
    if len(tags) < 2:
        return flip(data, rng)
    a, b = sorted(rng.sample(tags, 2), key=lambda m: m.start())
    na, nb = a.group(2), b.group(2)
    out = _replace(data, b.start(2), b.end(2), na)
    return _replace(out, a.start(2), a.end(2), nb)


def tag_rename(data: bytes, rng: random.Random) -> bytes:
    """Rename every occurrence of one element to another name (well-formed, wrong tag)."""
    tags = _tags(data)
    if not tags:
        return insert(data, rng)
    old = rng.choice(tags).group(2)
    pool = [m.group(2) for m in tags] + _NAMES
    new = rng.choice(pool)
    return re.sub(rb"(</?)" + re.escape(old) + rb"(?=[\s/>])", rb"\g<1>" + new, data)


def _element_span(data: bytes, rng: random.Random) -> tuple[int, int] | None:
    """Start and end of a random element (by name matching, good enough for mutation)."""
    starts = [m for m in _tags(data) if not m.group(1)]
    rng.shuffle(starts)
    for m in starts[:8]:
        name = re.escape(m.group(2))
        tail = re.compile(rb"[^>]*?/>|[^>]*>.*?</" + name + rb"\s*>", re.DOTALL)
        end = tail.match(data, m.end())
        if end:
            return m.start(), end.end()
    return None


def element_dup(data: bytes, rng: random.Random) -> bytes:
    """Duplicate one element in place (repeated singletons, choice violations)."""
    span = _element_span(data, rng)
    if span is None:
        return splice(data, rng)
    a, b = span
    return data[:b] + data[a:b] * rng.choice((1, 1, 2, 50)) + data[b:]


def element_remove(data: bytes, rng: random.Random) -> bytes:
    """Remove one element (missing required children)."""
    span = _element_span(data, rng)
    return delete(data, rng) if span is None else data[: span[0]] + data[span[1] :]


def element_move(data: bytes, rng: random.Random) -> bytes:
    """Move one element to another tag boundary (order and nesting violations)."""
    span = _element_span(data, rng)
    if span is None:
        return splice(data, rng)
    a, b = span
    piece, rest = data[a:b], data[:a] + data[b:]
    cuts = [m.start() for m in _tags(rest)] or [0]
    at = rng.choice(cuts)
    return rest[:at] + piece + rest[at:]


def deep_nest(data: bytes, rng: random.Random) -> bytes:
    """Wrap one element in many copies of itself or of a foreign element (depth limits)."""
    span = _element_span(data, rng)
    if span is None:
        return data
    a, b = span
    match = _TAG.match(data, a)
    name = rng.choice([b"x", match.group(2) if match else b"x"])
    depth = rng.choice((20, 300, 5000 if LONG else 1200))
    return (
        data[:a]
        + (b"<" + name + b">") * depth
        + data[a:b]
        + (b"</" + name + b">") * depth
        + data[b:]
    )


def attr_dup(data: bytes, rng: random.Random) -> bytes:
    """Repeat an attribute inside its tag (not well-formed)."""
    attrs = list(_ATTR.finditer(data))
    if not attrs:
        return attr_add(data, rng)
    m = rng.choice(attrs)
    return data[: m.end()] + m.group(0) + data[m.end() :]


def attr_remove(data: bytes, rng: random.Random) -> bytes:
    """Remove an attribute (a required one, xsi:type, a namespace declaration)."""
    attrs = list(_ATTR.finditer(data))
    if not attrs:
        return delete(data, rng)
    m = rng.choice(attrs)
    return data[: m.start()] + data[m.end() :]


def attr_add(data: bytes, rng: random.Random) -> bytes:
    """Add an attribute to a start tag (unknown, xsi:type, xsi:nil, foreign, prefixed)."""
    starts = [m for m in _tags(data) if not m.group(1)]
    if not starts:
        return insert(data, rng)
    m = rng.choice(starts)
    attr = rng.choice(
        [
            b' xsi:type="Bogus"',
            b' xsi:type="ISgetUserResponse"',
            b' xsi:nil="true"',
            b' bogus="1"',
            b' xmlns:q="urn:q" q:x="1"',
            b' undeclared:attr="1"',
            b' xml:lang="en"',
            b' id="' + b"x" * 100 + b'"',
            b' xmlns=""',
        ]
    )
    return data[: m.end()] + attr + data[m.end() :]


def ns_change(data: bytes, rng: random.Random) -> bytes:
    """Change, drop or redeclare a namespace, or give an element an undeclared prefix."""
    decls = list(_XMLNS.finditer(data))
    choice = rng.randrange(3)
    if decls and choice == 0:
        m = rng.choice(decls)
        new = rng.choice(_NAMESPACES)
        return _replace(data, m.start(1) + 1, m.end(1) - 1, new)
    if decls and choice == 1:
        m = rng.choice(decls)
        return data[: m.start()] + data[m.end() :]
    tags = [m for m in _tags(data) if not m.group(1)]
    if not tags:
        return data
    m = rng.choice(tags)
    local = m.group(2).rsplit(b":", 1)[-1]
    prefix = rng.choice([b"epas:", b"env:", b"SOAP-ENV:", b"zz:", b"xsi:", b""])
    return _replace(data, m.start(2), m.end(2), prefix + local)


def encoding_lie(data: bytes, rng: random.Random) -> bytes:
    """Declare an encoding the bytes are not in, or transcode them behind a wrong one."""
    body = _DECL.sub(b"", data, count=1).lstrip()
    declared = rng.choice(_ENCODINGS)
    decl = f'<?xml version="1.0" encoding="{declared}"?>'.encode() if declared else b""
    how = rng.randrange(4)
    if how == 0:
        return decl + body
    text = (decl + body).decode("utf-8", "replace")
    target = rng.choice(["utf-16", "utf-16-be", "latin-1", "utf-32", "cp500"])
    encoded = text.encode(target, "replace")
    if how == 1:
        return encoded
    if how == 2:
        return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b""]) + decl + body
    return b'<?xml version="1.1"?>' + body


def value_corrupt(data: bytes, rng: random.Random) -> bytes:
    """Replace a text value (number, enum, boolean, date) with an out-of-range one."""
    texts = [m for m in _TEXT.finditer(data) if m.group(1).strip()]
    if not texts:
        return attr_value_corrupt(data, rng)
    m = rng.choice(texts)
    return _replace(data, m.start(1), m.end(1), rng.choice(_VALUES))


def attr_value_corrupt(data: bytes, rng: random.Random) -> bytes:
    """Replace an attribute value with an out-of-range or ill-formed one."""
    attrs = list(_ATTR.finditer(data))
    if not attrs:
        return flip(data, rng)
    m = rng.choice(attrs)
    quote = m.group(2)[:1]
    value = rng.choice(_VALUES).replace(quote, b"")
    return _replace(data, m.start(2), m.end(2), quote + value + quote)


def markup_insert(data: bytes, rng: random.Random) -> bytes:
    """Insert comments, PIs, CDATA, DOCTYPE / entity declarations or text at a tag edge."""
    cuts = [m.start() for m in _tags(data)] or [0]
    at = rng.choice(cuts)
    piece = rng.choice(
        [
            b"<!-- c -->",
            b"<?pi data?>",
            b"<![CDATA[<x>]]>",
            b"text",
            b'<!DOCTYPE r [<!ENTITY e "x">]>',
            b"<!ENTITY e SYSTEM 'file:///etc/passwd'>",
            b"&e;",
            b"<x/>",
            b"</x>",
            b"\xef\xbb\xbf",
        ]
    )
    return data[:at] + piece + data[at:]


def line_endings(data: bytes, rng: random.Random) -> bytes:
    """Change line endings, or add junk before the start or after the end."""
    how = rng.randrange(4)
    if how == 0:
        return data.replace(b"\r\n", b"\n")
    if how == 1:
        return re.sub(rb"(?<!\r)\n", b"\r\n", data)
    if how == 2:
        return rng.choice([b"junk", b"\n\n  ", b"\x00", b"<?xml?>"]) + data
    return data + rng.choice([b"<extra/>", b"junk", b"\x00", b"\n\n"])


# JSON: structural mutations of a parsed value, serialized back (with byte-level ones after).


def _json_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_paths(v, (*path, i))


_JSON_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**64,
    1.5,
    "",
    "x" * 300,
    [],
    {},
    [1, "a"],
    {"k": None},
    "\ud800",
    "0",
    "retcode",
]


def json_mutate(data: bytes, rng: random.Random) -> bytes:
    """Change a JSON value's type, drop, add or rename a key, nest deeply, repeat a key."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
        return flip(data, rng)
    paths = list(_json_paths(value))
    path = rng.choice(paths)
    how = rng.randrange(6)
    if how == 5:  # a repeated key, which only the bytes can show
        m = re.search(rb'"[^"]+"\s*:\s*[^,}]+', data)
        if m:
            return data[: m.end()] + b"," + m.group(0) + data[m.end() :]
    if how == 4:
        depth = rng.choice((50, 2000, 100000 if LONG else 20000))
        return (
            b"[" * depth + b"]" * depth
            if rng.random() < 0.5
            else b'{"a":' * depth + b"1" + b"}" * depth
        )
    if not path:
        return json.dumps(rng.choice(_JSON_VALUES)).encode()
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == 0:
        parent[last] = rng.choice(_JSON_VALUES)
    elif how == 1 and isinstance(parent, dict):
        del parent[last]
    elif how == 2 and isinstance(parent, dict):
        parent[rng.choice(["extra", "retcode", "result", "message", "agentid", "Guid"])] = 1
    elif how == 3 and isinstance(parent, dict):
        parent[str(last).upper() + "x"] = parent.pop(last)
    else:
        parent[last] = rng.choice(_JSON_VALUES)
    return json.dumps(value, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


# SIP / HTTP carriers.

_HEADER = re.compile(rb"^([A-Za-z][\w\-]*)[ \t]*:[^\r\n]*\r?\n", re.MULTILINE)


def header_mutate(data: bytes, rng: random.Random) -> bytes:
    """Drop, repeat or corrupt a header line (Content-Length, Content-Type, boundary)."""
    headers = list(_HEADER.finditer(data))
    if not headers:
        return line_endings(data, rng)
    m = rng.choice(headers)
    how = rng.randrange(5)
    if how == 0:
        return data[: m.start()] + data[m.end() :]
    if how == 1:
        return data[: m.end()] + m.group(0) + data[m.end() :]
    name = m.group(1)
    value = rng.choice(
        [
            b"",
            b"-5",
            b"99999999999999999999",
            b"abc",
            b"multipart/related",
            b'multipart/related; boundary=""',
            b"multipart/related; boundary=zzz; start=<nope>",
            b"application/pidf+xml; charset=utf-16",
            b"text/html",
            b"chunked",
            b"0",
            b"1",
            b"=?utf-8?b?AAAA?=",
            b"\xff\xfe",
        ]
    )
    line = name + b": " + value + (b"\r\n" if m.group(0).endswith(b"\r\n") else b"\n")
    return data[: m.start()] + line + data[m.end() :]


def chunk_corrupt(data: bytes, rng: random.Random) -> bytes:
    """Corrupt a chunk-size line or the boundary delimiters of a body."""
    lines = list(re.finditer(rb"^(?:[0-9a-fA-F]+|--[^\r\n]*)\r?$", data, re.MULTILINE))
    if not lines:
        return header_mutate(data, rng)
    m = rng.choice(lines)
    new = rng.choice([b"zz", b"ffffffff", b"0", b"-1", b"--", b"--other", m.group(0) + b"--"])
    return _replace(data, m.start(), m.end(), new)


_GENERIC: dict[str, Mutator] = {
    "flip": flip,
    "insert": insert,
    "delete": delete,
    "truncate": truncate,
    "splice": splice,
}
_XML: dict[str, Mutator] = {
    "tag_swap": tag_swap,
    "tag_rename": tag_rename,
    "element_dup": element_dup,
    "element_remove": element_remove,
    "element_move": element_move,
    "deep_nest": deep_nest,
    "attr_dup": attr_dup,
    "attr_remove": attr_remove,
    "attr_add": attr_add,
    "ns_change": ns_change,
    "encoding_lie": encoding_lie,
    "value_corrupt": value_corrupt,
    "attr_value_corrupt": attr_value_corrupt,
    "markup_insert": markup_insert,
    "line_endings": line_endings,
}
_CARRIER: dict[str, Mutator] = {"header_mutate": header_mutate, "chunk_corrupt": chunk_corrupt}
#: Every mutator by name.
MUTATORS: dict[str, Mutator] = {**_GENERIC, **_XML, **_CARRIER, "json_mutate": json_mutate}


def mutators_for(sample: Sample) -> list[str]:
    """The mutators that make sense for a sample's kind (XML ones also hit carried XML)."""
    if sample.kind == "json":
        return [*_GENERIC, "json_mutate", "json_mutate", "value_corrupt", "encoding_lie"]
    if sample.kind in ("sip", "capture"):
        return [*_GENERIC, *_CARRIER, *_XML, "json_mutate"]
    return [*_GENERIC, *_XML]


def mutant(sample: Sample | str, mutation: str, seed: int) -> bytes:
    """The mutant named by (sample, mutation, seed): ``mutation`` may chain names with ``+``."""
    if isinstance(sample, str):
        found = _sample(ROOT / sample)
        if found is None:
            raise ValueError(f"not a corpus file: {sample}")
        sample = found
    rng = random.Random(f"{sample.path}|{mutation}|{seed}")
    data = sample.data
    for name in mutation.split("+"):
        data = MUTATORS[name](data, rng)
    return data


def mutants_for(sample: Sample, count: int, seed: int) -> Iterator[tuple[str, int]]:
    """``count`` deterministic (mutation, seed) pairs for ``sample``, covering its mutators.

    The mutators are dealt round-robin from a per-sample offset, so a small ``count`` still
    spreads every mutator over the corpus; in the long run some mutations are chained.
    """
    names = mutators_for(sample)
    rng = random.Random(f"{sample.path}|{seed}")
    offset = rng.randrange(len(names))
    for i in range(count):
        name = names[(offset + i) % len(names)]
        if LONG and rng.random() < 0.3:
            name += "+" + rng.choice(names)
        yield name, rng.randrange(2**31)


# --------------------------------------------------------------------------- entry points


class FuzzFailure(AssertionError):
    """An entry point broke the invariant on a mutant."""


def entry_points(kind: str, api: str | None) -> list[tuple[str, Callable[[bytes], Any]]]:
    """(name, call) for every entry point bytes of ``kind`` (and ``api``) go through."""
    import ucxml
    from ucxml import _documents as documents
    from ucxml import _jsondocs as jsondocs
    from ucxml import _payloads as payloads
    from ucxml import _validation as validation
    from ucxml import pidf, uccn

    points: list[tuple[str, Callable[[bytes], Any]]] = [
        ("parse", ucxml.parse),
        ("validate", _validate_then_parse),
        ("validate_capture", validation.validate_capture),
        ("split_capture", lambda d: list(payloads.split_capture(d))),
    ]
    if kind == "xml":
        points += [
            ("detect", ucxml.detect),
            ("read_message", documents.read_message),
            ("parse_generic", documents.parse_generic),
            ("parse_envelope", documents.parse_envelope),
        ]
        if api is not None:
            points += [
                (f"parse[{api}]", lambda d: ucxml.parse(d, api=api)),
                (f"validate[{api}]", lambda d: validation.validate_bytes(d, api)),
                (f"read_message[{api}]", lambda d: documents.read_message(d, api)),
            ]
        if api == "cme":
            points.append(("iter_records", lambda d: list(ucxml.iter_records(d, api="cme"))))
        if api == "uccn":
            points.append(("uccn.parse_notification", uccn.parse_notification))
        if api == "pidf":
            points += [("pidf.read", pidf.read), ("pidf.read_list", pidf.read_list)]
        if api in _CLIENTS:
            points.append((f"client[{api}]", _CLIENTS[api]))
    elif kind == "json":
        points += [
            ("parse_json", jsondocs.parse_json),
            ("validate_json", jsondocs.validate_json),
            (
                "parse_json[SignInResponse]",
                lambda d: jsondocs.parse_json(d, schema="SignInResponse"),
            ),
            ("client[huawei]", _huawei_answer),
        ]
    else:
        points += [
            ("sip.parse_sip", _sip_whole),
            ("pidf.split_rlmi", pidf.split_rlmi),
            ("uccn.parse_notification", uccn.parse_notification),
        ]
    return points


def _validate_then_parse(data: bytes) -> Any:
    """``validate``; and a payload it calls valid must parse (as the API it named)."""
    import ucxml

    report = ucxml.validate(data)
    if report.valid:
        try:
            ucxml.parse(data, api=report.api)
        except ucxml.UcxmlError as exc:
            raise FuzzFailure(
                f"validate says valid ({report.api}) but parse raised {exc!r}"
            ) from exc
        COUNTS["valid mutants"] += 1
    return report


def _sip_whole(data: bytes) -> Any:
    from ucxml._sip import parse_sip

    message = parse_sip(data)
    return message.parts(), message.method, message.status


def _client_answer(api: str) -> Callable[[bytes], Any]:
    def call(data: bytes) -> Any:
        from ucxml._registry import binding
        from ucxml.client import ClientCore
        from ucxml.transport import HttpResponse

        operation = next(iter(binding(api).operations.values()))
        core = ClientCore(api, "http://host", "/", "text/xml")
        return core.answer(operation, HttpResponse(200, data, {"content-type": "text/xml"}))

    return call


def _cup_answer(data: bytes) -> Any:
    from ucxml._cupcore import _CupCore
    from ucxml._registry import binding
    from ucxml.transport import HttpResponse

    core = _CupCore("http://host")
    operation = binding("cup").operations["get-contact-list"]
    headers = {"content-type": "application/soap+xml"}
    for status in (200, 500):
        try:
            core.response(operation, operation.response, HttpResponse(status, data, headers))
        except Exception as exc:
            if status == 200 or not _typed(exc):
                raise
    return None


def _huawei_answer(data: bytes) -> Any:
    from ucxml._huaweicore import _Call, _GatewayCore
    from ucxml.generated.huawei.registry import OPERATIONS
    from ucxml.transport import HttpRequest, HttpResponse

    core = _GatewayCore("http://host", None)
    results = []
    for name in ("login", "logout"):
        call = _Call(name, 1, HttpRequest("PUT", "http://host", b""), OPERATIONS[name].response)
        answer = HttpResponse(200, data, {"content-type": "application/json", "set-guid": "g"})
        try:
            results.append(core.finish(call, answer))
        except Exception as exc:
            if not _typed(exc):
                raise
    return results


_CLIENTS: dict[str, Callable[[bytes], Any]] = {
    "cme": _client_answer("cme"),
    "em": _client_answer("em"),
    "cup": _cup_answer,
}


def _typed(exc: BaseException) -> bool:
    from ucxml.errors import UcxmlError

    return isinstance(exc, UcxmlError)


def check_mutant(sample: Sample, mutation: str, seed: int) -> None:
    """Run one mutant through every entry point; raise :class:`FuzzFailure` on a broken one."""
    data = mutant(sample, mutation, seed)
    COUNTS["mutants"] += 1
    for name, call in entry_points(sample.kind, sample.api):
        COUNTS["entry-point calls"] += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call(data)
        except FuzzFailure as exc:
            raise FuzzFailure(f"{_where(sample, mutation, seed, name)}: {exc}") from exc
        except Exception as exc:
            if _typed(exc):
                COUNTS["typed errors"] += 1
                continue
            known = KNOWN_OPEN.get(f"{type(exc).__name__}: {exc}")
            if known is not None:
                COUNTS[f"hits of known open bug {known}"] += 1
                continue
            raise FuzzFailure(
                f"{_where(sample, mutation, seed, name)}: {type(exc).__module__}."
                f"{type(exc).__qualname__}: {str(exc)[:300]}"
            ) from exc


def _where(sample: Sample, mutation: str, seed: int, entry: str) -> str:
    return f"{entry} on {sample.path} mutated by {mutation} (seed {seed})"


def main(argv: list[str]) -> int:
    """Rebuild one mutant: write it to stdout, or run it through the entry points."""
    if len(argv) not in (3, 4):
        print("usage: python -m tests.fuzz.fuzzlib SAMPLE MUTATION SEED [--check]")
        return 2
    path, mutation, seed = argv[0], argv[1], int(argv[2])
    if argv[3:] == ["--check"]:
        sample = _sample(ROOT / path)
        assert sample is not None
        check_mutant(sample, mutation, seed)
        print("ok")
    else:
        sys.stdout.buffer.write(mutant(path, mutation, seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
