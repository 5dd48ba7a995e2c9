"""Validation throughput: ``ucxml.validate`` on a folder of mixed captures, next to its peers.

The folder (built in a temporary directory from a fixed seed, so every run sees the same
bytes) holds payloads of every API, made from the corrected examples under
``schemas/*/examples/corrected/``:

- mostly small XML messages of CME, EM, EPAS (cup), UCCN and PIDF, each example's text
  values and attributes varied where its schema allows (every varied slot is probed
  against the schema first, and every file is checked with libxml2 once built);
- about 1 % medium and 0.2 % large ones: CME ``ISgetDevice`` responses with 20 to 1,000
  phones, EPAS ``get-all-config`` / ``get-contact-list`` responses with many contacts;
- about 5 % invalid ones: an unknown element, or a value outside its enumeration;
- about 2 % Huawei JSON bodies (varied likewise; a tenth of them invalid).

Four loops then run over the whole folder in the same process, each reading every
file's bytes from disk inside the timed loop, three times interleaved (``--rounds``); each
loop's median pass is reported:

(a) ucxml: ``validate_bytes(data, bind=False)`` (what ``ucxml validate`` runs), API detected;
(b) xmlschema alone: ``xmlschema.XMLSchema(api's schema).is_valid(data)`` with the API *given in
    advance* (an advantage ucxml does not get), every schema compiled before timing, each
    knowing the other APIs' namespaces (a nested PIDF document is judged by PIDF's); JSON
    bodies go to ``jsonschema`` (``Draft202012Validator.is_valid`` after ``json.loads``)
    with their message schema given in advance too;
(c) parsing alone: ``lxml.etree.fromstring(data, parser)`` with a hardened parser
    (``resolve_entities=False, no_network=True``); ``json.loads(data)`` for JSON bodies;
(d) libxml2's verdict alone, no Python work around it: (c), then the API's compiled
    ``lxml.etree.XMLSchema`` with the API given in advance (JSON bodies as in (b)). What
    ucxml adds over (d) is detection, the tolerated deviations, labels, explanations and
    reports; (d) over (c) is what no Python code can take off the verdict.

The verdicts of (a) and (b) must agree on every file, and both must match what the
builder made (valid or not): a disagreement is a result-check failure. Timings are
reported, never asserted.

``python -m benchmarks.validation [--captures N] [--profile]`` runs this part alone and
can profile the ucxml loop with ``cProfile``.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import functools
import gc
import io
import json
import pstats
import random
import re
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from benchmarks.payloads import get_device_response

__all__ = [
    "DEFAULT_CAPTURES",
    "DEFAULT_ROUNDS",
    "QUICK_CAPTURES",
    "Capture",
    "Disagreement",
    "LoopResult",
    "ValidationReport",
    "build_folder",
    "format_validation",
    "main",
    "measure_validation",
    "profile_ucxml",
    "run_validation",
]

#: Files in the folder of a full run, and of ``--quick``.
DEFAULT_CAPTURES = 10_000
QUICK_CAPTURES = 1_000
#: Passes of each loop; the median one is reported (the machine's noise is +-30 %).
DEFAULT_ROUNDS = 3
#: Seed of the folder builder: the same seed and count always give the same bytes.
SEED = 20_240_611

_ROOT = Path(__file__).resolve().parent.parent
_EXAMPLES = _ROOT / "schemas"
XML_APIS = ("cme", "em", "cup", "uccn", "pidf")
JSON_API = "huawei"
#: Share of each XML API among the small captures.
_API_WEIGHTS = {"cme": 0.30, "cup": 0.30, "em": 0.15, "uccn": 0.12, "pidf": 0.13}
_EPAS = "urn:cisco:epas:soap"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_NS = "http://www.w3.org/XML/1998/namespace"

#: Large and medium payloads: (kind, low, high) of phones or contacts.
_MEDIUM_DEVICES = (20, 150)
_LARGE_DEVICES = (300, 1_000)
_MEDIUM_CONTACTS = (40, 200)
_LARGE_CONTACTS = (500, 2_000)


# --------------------------------------------------------------------------- the folder


@dataclass(frozen=True, slots=True)
class Capture:
    """One file of the folder: its API, what it is, and the verdict it was built to get."""

    path: Path
    api: str
    kind: str  # small, medium, large, invalid, json, json-invalid
    expect_valid: bool
    size: int
    #: The message schema of a JSON body (given to jsonschema in advance), else None.
    schema: str | None = None

    @property
    def group(self) -> str:
        """The row of the per-group table: API and kind."""
        return f"{self.api} {self.kind}"


@dataclass(slots=True)
class _Slot:
    """A text value or attribute of a template that may be varied."""

    index: int  # position of the element in root.iter()
    attr: str | None  # None: the element's text
    original: str
    #: "vary": a new value of the same shape; "choice": one of ``choices``; "fixed".
    mode: str = "fixed"
    choices: tuple[str, ...] = ()


@dataclass(slots=True)
class _Template:
    api: str
    name: str
    root: etree._Element
    slots: list[_Slot] = field(default_factory=list)


_INT = re.compile(r"-?\d+\Z")
_DEC = re.compile(r"-?\d+\.\d+\Z")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}\Z")
_MAC = re.compile(r"(SEP|CSF|BAT)?([0-9A-Fa-f]{12})\Z")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)
_URI = re.compile(r"((?:sips?|pres|im):)?([A-Za-z][\w.\-]*?)(\d*)@([\w.\-]+)\Z")
_TRAILING = re.compile(r"(.*?)(\d+)\Z", re.DOTALL)
_WORD = re.compile(r"[A-Za-z][\w.\- ']*\Z")
_BOOLS = {"true": "false", "false": "true", "TRUE": "FALSE", "FALSE": "TRUE"}


def _digits(rng: random.Random, count: int, lead: bool = True) -> str:
    if count <= 0:
        return ""
    first = str(rng.randint(1, 9)) if lead and count > 1 else str(rng.randint(0, 9))
    return first + "".join(str(rng.randint(0, 9)) for _ in range(count - 1))


def _vary(rng: random.Random, value: str) -> str | None:
    """A new value of the same shape as ``value`` (None: no shape known)."""
    if value in _BOOLS:
        return _BOOLS[value] if rng.random() < 0.5 else value
    if _INT.match(value):
        sign = "-" if value.startswith("-") else ""
        return sign + _digits(rng, len(value) - len(sign))
    if _DEC.match(value):
        sign = "-" if value.startswith("-") else ""
        whole, _, fraction = value.lstrip("-").partition(".")
        return f"{sign}{_digits(rng, len(whole))}.{_digits(rng, len(fraction), lead=False)}"
    if _IPV4.match(value):
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if _UUID.match(value):
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    mac = _MAC.match(value)
    if mac:
        return (mac.group(1) or "") + "".join(rng.choice("0123456789ABCDEF") for _ in range(12))
    uri = _URI.match(value)
    if uri:
        scheme, user, _, host = uri.groups()
        return f"{scheme or ''}{user}{rng.randint(1, 9999)}@{host}"
    trailing = _TRAILING.match(value)
    if trailing and _WORD.match(value):
        return trailing.group(1) + _digits(rng, len(trailing.group(2)))
    if _WORD.match(value):
        return f"{value}{rng.randint(1, 999)}"
    return None


def _element_value(el: etree._Element, attr: str | None) -> str:
    return (el.get(attr) if attr else el.text) or ""


def _set_value(el: etree._Element, attr: str | None, value: str) -> None:
    if attr:
        el.set(attr, value)
    else:
        el.text = value


def _slots_of(root: etree._Element) -> list[_Slot]:
    """Every non-empty leaf text and attribute value (not xsi:*, xml:* or xmlns)."""
    slots = []
    for index, el in enumerate(root.iter()):
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if attr.startswith((f"{{{_XSI}}}", f"{{{_XML_NS}}}")):
                continue
            if value and value == value.strip():
                slots.append(_Slot(index, attr, value))
        text = el.text or ""
        if len(el) == 0 and text and text == text.strip():
            slots.append(_Slot(index, None, text))
    return slots


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]


class _Checker:
    """Is a tree valid for its API? (libxml2, the schema ucxml uses for its verdict).

    A document of another API nested in a wildcard (the PIDF ``presence`` of an EPAS
    ``publish-pres-status``, which the EPAS schema skips as ``lax``) must be valid against
    its own API's schema too, so the builder never varies it into nonsense.
    """

    def __init__(self) -> None:
        from ucxml._registry import binding, lxml_schema

        self._schemas = {api: lxml_schema(api) for api in XML_APIS}
        self._nested = {
            root: api
            for api in XML_APIS
            for root in binding(api).info.roots
            if root.startswith("{") and not root.endswith("}Envelope")
        }

    def valid(self, api: str, root: etree._Element) -> bool:
        if not self._schemas[api].validate(root):
            return False
        for el in root.iter(*self._nested):
            other = self._nested[str(el.tag)]
            nested = el is not root and other != api
            if nested and not self._schemas[other].validate(copy.deepcopy(el)):
                return False
        return True


def _probe(template: _Template, checker: _Checker, pool: dict[str, set[str]]) -> None:
    """Decide, slot by slot, how it may be varied and stay valid (each tried alone)."""
    rng = random.Random(f"probe {template.api} {template.name}")
    elements = list(template.root.iter())
    for slot in template.slots:
        el = elements[slot.index]
        tries = [v for v in (_vary(rng, slot.original) for _ in range(3)) if v is not None]
        ok = bool(tries)
        for value in tries:
            _set_value(el, slot.attr, value)
            if not checker.valid(template.api, template.root):
                ok = False
                break
        _set_value(el, slot.attr, slot.original)
        if ok:
            slot.mode = "vary"
            continue
        key = f"{_local(el.tag)}@{_local(slot.attr)}" if slot.attr else _local(el.tag)
        choices = []
        for value in sorted(pool.get(key, ()))[:8]:
            if value == slot.original:
                continue
            _set_value(el, slot.attr, value)
            if checker.valid(template.api, template.root):
                choices.append(value)
        _set_value(el, slot.attr, slot.original)
        if choices:
            slot.mode = "choice"
            slot.choices = (slot.original, *choices)


def _load_templates(checker: _Checker) -> dict[str, list[_Template]]:
    """The corrected examples of every XML API, their slots probed against the schema."""
    templates: dict[str, list[_Template]] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for api in XML_APIS:
        loaded = []
        pool: dict[str, set[str]] = {}
        for path in sorted((_EXAMPLES / api / "examples" / "corrected").glob("*.xml")):
            root = etree.fromstring(path.read_bytes(), parser)
            if not checker.valid(api, root):
                continue  # only valid examples seed valid captures
            template = _Template(api, path.stem, root, _slots_of(root))
            elements = list(root.iter())
            for slot in template.slots:
                tag = _local(elements[slot.index].tag)
                key = f"{tag}@{_local(slot.attr)}" if slot.attr else tag
                pool.setdefault(key, set()).add(slot.original)
            loaded.append(template)
        for template in loaded:
            _probe(template, checker, pool)
        templates[api] = loaded
    return templates


def _varied(template: _Template, rng: random.Random) -> etree._Element:
    root = copy.deepcopy(template.root)
    elements = list(root.iter())
    for slot in template.slots:
        if slot.mode == "fixed" or rng.random() < 0.25:
            continue
        vary = slot.mode == "vary"
        value = _vary(rng, slot.original) if vary else rng.choice(slot.choices)
        if value is not None:
            _set_value(elements[slot.index], slot.attr, value)
    return root


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _contact_groups(rng: random.Random, parent: etree._Element, contacts: int) -> None:
    """Fill an EPAS ``get-contact-list-resp`` with ``contacts`` contacts in groups."""
    for child in list(parent):
        parent.remove(child)
    group_index = 0
    while contacts > 0:
        group_index += 1
        group = etree.SubElement(parent, f"{{{_EPAS}}}group")
        group.set(
            "name", rng.choice(["work", "friends", "family", "team", "vendors"]) + str(group_index)
        )
        group.set("index", f"{group_index * 100}.{rng.randint(0, 9)}")
        for n in range(min(contacts, rng.randint(5, 40))):
            contact = etree.SubElement(group, f"{{{_EPAS}}}persona-id")
            contact.set("index", str(n + 1))
            contact.set("nickname", rng.choice(["", f"nick{rng.randint(1, 999)}", "dave"]))
            contact.set("display-on-phone", rng.choice(["true", "false"]))
            contact.text = f"user{rng.randint(1, 99_999)}"
            contacts -= 1


def _big_cup(templates: list[_Template], rng: random.Random, contacts: int) -> bytes | None:
    wanted = [
        t
        for t in templates
        if t.name.endswith(("get-all-config-response", "contact-list-response"))
    ]
    if not wanted:
        return None
    root = copy.deepcopy(rng.choice(wanted).root)
    target = next(root.iter(f"{{{_EPAS}}}get-contact-list-resp"), None)
    if target is None:
        return None
    _contact_groups(rng, target, contacts)
    return _serialize(root)


def _unknown_element(root: etree._Element, rng: random.Random, checker: _Checker, api: str) -> bool:
    """Insert an element no schema knows into a random element of the message."""
    candidates = [el for el in root.iter() if isinstance(el.tag, str) and el is not root]
    rng.shuffle(candidates)
    for parent in candidates[:10]:
        namespace = etree.QName(parent).namespace
        name = rng.choice(["unknownField", "extraInfo", "vendorData", "debugFlag"])
        extra = etree.Element(f"{{{namespace}}}{name}" if namespace else name)
        extra.text = "1"
        position = rng.randint(0, len(parent))
        parent.insert(position, extra)
        if not checker.valid(api, root):
            return True
        parent.remove(extra)
    return False


def _wrong_enum(
    template: _Template, root: etree._Element, rng: random.Random, checker: _Checker
) -> bool:
    """Set a value of an enumeration (a ``choice`` slot, else a fixed one) outside it."""
    elements = list(root.iter())
    slots = [s for s in template.slots if s.mode == "choice"]
    slots = slots or [s for s in template.slots if s.mode == "fixed"]
    rng.shuffle(slots)
    for slot in slots[:6]:
        el = elements[slot.index]
        before = _element_value(el, slot.attr)
        for value in (f"{before}-unknown", before.upper() + "X", "bogus"):
            _set_value(el, slot.attr, value)
            if not checker.valid(template.api, root):
                return True
        _set_value(el, slot.attr, before)
    return False


# --------------------------------------------------------------------------- JSON bodies


def _json_validators() -> tuple[Callable[[str], Any], list[tuple[str, Any, str]]]:
    """A validator factory by schema name, and the JSON templates with their schema."""
    from jsonschema import Draft202012Validator

    from ucxml._jsondocs import validate_json
    from ucxml._registry import binding

    document = json.loads(binding(JSON_API).schema_path.read_text("utf-8"))
    cache: dict[str, Any] = {}

    def validator(name: str) -> Any:
        if name not in cache:
            root = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
            cache[name] = Draft202012Validator(root)
        return cache[name]

    templates = []
    for path in sorted((_EXAMPLES / JSON_API / "examples" / "corrected").glob("*.json")):
        data = path.read_bytes()
        report = validate_json(data, JSON_API)
        if report.valid and report.message:
            templates.append((path.stem, json.loads(data), report.message))
    return validator, templates


def _json_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_leaves(item, (*path, index))
    else:
        yield path


def _json_get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _json_set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for step in path[:-1]:
        value = value[step]
    value[path[-1]] = new


def _vary_json(rng: random.Random, value: Any) -> Any:
    if isinstance(value, bool):
        return rng.random() < 0.5
    if isinstance(value, int):
        return int(_digits(rng, len(str(abs(value))))) if value else rng.randint(0, 1)
    if isinstance(value, str):
        return _vary(rng, value)
    return None


def _json_capture(
    rng: random.Random, template: tuple[str, Any, str], validator: Any, invalid: bool
) -> bytes:
    _, body, _ = template
    body = copy.deepcopy(body)
    for path in list(_json_leaves(body)):
        if rng.random() < 0.5:
            continue
        before = _json_get(body, path)
        new = _vary_json(rng, before)
        if new is None:
            continue
        _json_set(body, path, new)
        if not validator.is_valid(body):
            _json_set(body, path, before)
    if invalid:
        leaves = list(_json_leaves(body))
        rng.shuffle(leaves)
        for path in leaves:
            before = _json_get(body, path)
            _json_set(body, path, [before] if rng.random() < 0.5 else {"unexpected": before})
            if not validator.is_valid(body):
                break
            _json_set(body, path, before)
        else:
            body["unknownField"] = 1
    return json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------- builder


def _plan(count: int) -> list[str]:
    """The kind of each file: mostly small, ~5 % invalid, ~2 % JSON, a few big ones."""
    kinds = ["small"] * count
    quotas = [
        ("invalid", round(count * 0.05)),
        ("json", round(count * 0.018)),
        ("json-invalid", max(1, round(count * 0.002)) if count >= 20 else 0),
        ("medium", round(count * 0.01)),
        ("large", max(1, count // 500) if count >= 50 else 0),
    ]
    position = 0
    for kind, quota in quotas:
        for _ in range(quota):
            if position < count:
                kinds[position] = kind
                position += 1
    if count >= 10 and "json" not in kinds:
        kinds[min(position, count - 1)] = "json"
    return kinds


def _pick_api(rng: random.Random) -> str:
    apis = list(_API_WEIGHTS)
    return rng.choices(apis, weights=[_API_WEIGHTS[a] for a in apis])[0]


def build_folder(folder: Path, count: int = DEFAULT_CAPTURES, *, seed: int = SEED) -> list[Capture]:
    """Write ``count`` mixed capture files into ``folder``; return them in folder order.

    Deterministic: the same ``count`` and ``seed`` always give the same files. Every file
    is checked against the schema once written (XML with libxml2, JSON with jsonschema),
    so ``expect_valid`` is what a correct validator must answer.
    """
    folder.mkdir(parents=True, exist_ok=True)
    checker = _Checker()
    templates = _load_templates(checker)
    validator, json_templates = _json_validators()
    rng = random.Random(seed)
    kinds = _plan(count)
    rng.shuffle(kinds)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    captures = []
    for number, kind in enumerate(kinds):
        schema: str | None = None
        if kind.startswith("json"):
            api = JSON_API
            body = rng.choice(json_templates)
            schema = body[2]
            data = _json_capture(rng, body, validator(schema), kind == "json-invalid")
            expect = bool(validator(schema).is_valid(json.loads(data)))
            label = body[0]
        elif kind in ("medium", "large"):
            low, high = _MEDIUM_DEVICES if kind == "medium" else _LARGE_DEVICES
            clow, chigh = _MEDIUM_CONTACTS if kind == "medium" else _LARGE_CONTACTS
            big = _big_cup(templates["cup"], rng, rng.randint(clow, chigh))
            if big is not None and rng.random() < 0.5:
                api, data, label = "cup", big, "contacts"
            else:
                api, label = "cme", "ISgetDevice"
                data = get_device_response(rng.randint(low, high))
            expect = checker.valid(api, etree.fromstring(data, parser))
        else:
            api = _pick_api(rng)
            wrong_enum = kind == "invalid" and rng.random() < 0.5
            choices = [t for t in templates[api] if any(s.mode == "choice" for s in t.slots)]
            template = rng.choice(choices if wrong_enum and choices else templates[api])
            label = template.name
            root = _varied(template, rng)
            if kind == "invalid":
                if not wrong_enum:
                    broken = _unknown_element(root, rng, checker, api)
                    label = "unknown-element"
                else:
                    broken = _wrong_enum(template, root, rng, checker)
                    label = "wrong-enum"
                if not broken:
                    broken = _unknown_element(root, rng, checker, api)
                    label = "unknown-element"
            elif not checker.valid(api, root):
                root = copy.deepcopy(template.root)  # a rare combination the schema refuses
            data = _serialize(root)
            expect = checker.valid(api, etree.fromstring(data, parser))
        suffix = "json" if api == JSON_API else "xml"
        path = folder / f"{number:05d}-{api}-{kind}-{label}.{suffix}"
        path.write_bytes(data)
        captures.append(Capture(path, api, kind, expect, len(data), schema))
    return captures


# --------------------------------------------------------------------------- measuring


@dataclass(slots=True)
class LoopResult:
    """One timed pass over the folder."""

    key: str
    label: str
    seconds: float
    files: int
    nbytes: int
    #: Seconds spent per group (API and kind), summed over the group's files.
    by_group: dict[str, float]
    #: The verdict on each file (None for the parse-only loop).
    verdicts: list[bool] | None
    #: Seconds of every pass of this loop (``seconds`` is their median).
    passes: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Payloads per second over the whole folder."""
        return self.files / self.seconds if self.seconds else float("inf")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the per-file verdicts)."""
        return {
            "key": self.key,
            "label": self.label,
            "seconds": self.seconds,
            "files": self.files,
            "bytes": self.nbytes,
            "payloads_per_s": self.rate,
            "by_group_s": self.by_group,
            "passes_s": self.passes,
        }


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A file on which the verdicts differ: ucxml's, the peer's and the builder's."""

    path: str
    ucxml: bool
    peer: bool
    expected: bool
    first_issue: str


@dataclass(slots=True)
class ValidationReport:
    """The four loops over one folder, and the result checks."""

    captures: list[Capture]
    loops: dict[str, LoopResult]
    disagreements: list[Disagreement]
    unexpected: list[Disagreement]
    build_seconds: float

    @property
    def ucxml(self) -> LoopResult:
        return self.loops["ucxml"]

    @property
    def peer(self) -> LoopResult:
        return self.loops["xmlschema"]

    @property
    def parse(self) -> LoopResult:
        return self.loops["parse"]

    @property
    def libxml2(self) -> LoopResult:
        return self.loops["libxml2"]

    @property
    def speedup(self) -> float:
        """How many times more payloads per second ucxml validates than xmlschema."""
        return self.peer.seconds / self.ucxml.seconds

    @property
    def over_parse(self) -> float:
        """ucxml's time over parsing alone."""
        return self.ucxml.seconds / self.parse.seconds

    @property
    def verdict_over_parse(self) -> float:
        """libxml2's bare verdict's time over parsing alone (what no Python code removes)."""
        return self.libxml2.seconds / self.parse.seconds

    @property
    def ok(self) -> bool:
        """The result checks passed: every verdict agrees and is the expected one."""
        return not self.disagreements and not self.unexpected

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        counts: dict[str, int] = {}
        for capture in self.captures:
            counts[capture.group] = counts.get(capture.group, 0) + 1
        return {
            "files": len(self.captures),
            "bytes": sum(c.size for c in self.captures),
            "groups": counts,
            "build_seconds": self.build_seconds,
            "loops": {k: loop.to_dict() for k, loop in self.loops.items()},
            "ucxml_over_xmlschema": self.speedup,
            "ucxml_over_parse": self.over_parse,
            "libxml2_verdict_over_parse": self.verdict_over_parse,
            "disagreements": [d.path for d in self.disagreements],
            "unexpected": [d.path for d in self.unexpected],
        }


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True)


@functools.cache
def xmlschema_schema(api: str) -> Any:
    """The API's schema compiled by xmlschema (the peer), knowing the namespaces of the
    other APIs too: a document of one nested in a lax wildcard of another (the PIDF
    ``presence`` of an EPAS ``publish-pres-status``) is then judged against its own
    schema, as the builder and ucxml judge it, instead of passing unseen."""
    import xmlschema

    from ucxml._registry import binding

    schema = xmlschema.XMLSchema(str(binding(api).schema_path), build=False)
    for other in XML_APIS:
        for namespace, location in _schema_documents(binding(other).schema_path):
            if other != api and namespace not in schema.maps.namespaces:
                schema.import_schema(namespace, location)
    schema.build()
    return schema


def _schema_documents(path: Path) -> list[tuple[str, str]]:
    """(target namespace, file) of a schema, or of each schema a no-namespace driver
    (PIDF's ``presence.xsd``) imports; none for a schema without a namespace."""
    root = etree.parse(str(path), _hardened_parser()).getroot()
    namespace = root.get("targetNamespace")
    if namespace:
        return [(namespace, str(path))]
    return [
        (str(imp.get("namespace")), str(path.parent / str(imp.get("schemaLocation"))))
        for imp in root.iter("{http://www.w3.org/2001/XMLSchema}import")
        if imp.get("namespace") and imp.get("schemaLocation")
    ]


def _steps(captures: Sequence[Capture]) -> dict[str, Callable[[bytes, Capture], Any]]:
    """The per-file call of each loop, with every schema compiled beforehand."""
    from ucxml._registry import binding, lxml_schema
    from ucxml._validation import validate_bytes

    validator, _ = _json_validators()
    for api in XML_APIS:
        binding(api)
        lxml_schema(api)
        xmlschema_schema(api)
    xsd = {api: xmlschema_schema(api) for api in XML_APIS}
    json_validators = {c.schema: validator(c.schema) for c in captures if c.schema}
    parser = _hardened_parser()

    def ucxml_step(data: bytes, capture: Capture) -> Any:
        return validate_bytes(data, bind=False)

    def xmlschema_step(data: bytes, capture: Capture) -> bool:
        if capture.schema is not None:
            return bool(json_validators[capture.schema].is_valid(json.loads(data)))
        return bool(xsd[capture.api].is_valid(data))

    def parse_step(data: bytes, capture: Capture) -> Any:
        if capture.schema is not None:
            return json.loads(data)
        return etree.fromstring(data, parser)

    compiled = {api: lxml_schema(api) for api in XML_APIS}

    def libxml2_step(data: bytes, capture: Capture) -> bool:
        if capture.schema is not None:
            return bool(json_validators[capture.schema].is_valid(json.loads(data)))
        return bool(compiled[capture.api].validate(etree.fromstring(data, parser)))

    return {
        "parse": parse_step,
        "ucxml": ucxml_step,
        "xmlschema": xmlschema_step,
        "libxml2": libxml2_step,
    }


_LABELS = {
    "ucxml": "ucxml validate_bytes(data, bind=False), API detected",
    "xmlschema": "xmlschema is_valid(data), API given (JSON: jsonschema)",
    "parse": "lxml.etree.fromstring(data, hardened) (JSON: json.loads)",
    "libxml2": "parse, then lxml XMLSchema.validate, API given (JSON: jsonschema)",
}


def _loop(
    key: str, captures: Sequence[Capture], step: Callable[[bytes, Capture], Any]
) -> tuple[LoopResult, list[Any]]:
    by_group: dict[str, float] = {}
    results: list[Any] = []
    nbytes = 0
    clock = time.perf_counter
    gc.collect()
    start = clock()
    for capture in captures:
        began = clock()
        data = capture.path.read_bytes()
        results.append(step(data, capture))
        spent = clock() - began
        nbytes += len(data)
        by_group[capture.group] = by_group.get(capture.group, 0.0) + spent
    seconds = clock() - start
    return LoopResult(key, _LABELS[key], seconds, len(captures), nbytes, by_group, None), results


def _warm_up(
    captures: Sequence[Capture], steps: dict[str, Callable[[bytes, Capture], Any]]
) -> None:
    """One untimed call per group and API on a few files (imports, fast-path plans...)."""
    seen: set[str] = set()
    sample = []
    for capture in captures:
        key = capture.path.name.split("-", 2)[2]
        if key not in seen and capture.kind != "large":
            seen.add(key)
            sample.append(capture)
    for capture in sample:
        data = capture.path.read_bytes()
        for step in steps.values():
            step(data, capture)


def _median(runs: list[LoopResult]) -> LoopResult:
    """The median pass (by time) of a loop, carrying the times of every pass."""
    ordered = sorted(runs, key=lambda r: r.seconds)
    middle = ordered[(len(ordered) - 1) // 2]
    middle.passes = [r.seconds for r in runs]
    return middle


def measure_validation(
    captures: Sequence[Capture],
    *,
    progress: Callable[[str], None] | None = None,
    build_seconds: float = 0.0,
    rounds: int = DEFAULT_ROUNDS,
) -> ValidationReport:
    """Time the four loops over ``captures`` ``rounds`` times and check the verdicts.

    The rounds are interleaved (parse, ucxml, xmlschema, then again), so a slow spell of
    the machine hits every loop alike; each loop's median pass is reported, with all of
    its passes.
    """
    say = progress or (lambda _: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        steps = _steps(captures)
        _warm_up(captures, steps)
        passes: dict[str, list[LoopResult]] = {
            "parse": [],
            "ucxml": [],
            "xmlschema": [],
            "libxml2": [],
        }
        reports: list[Any] = []
        peer: list[bool] = []
        for round_ in range(max(1, rounds)):
            for key in passes:
                say(f"validation: {key} over {len(captures):,} files (pass {round_ + 1})")
                loop, results = _loop(key, captures, steps[key])
                if key == "ucxml":
                    reports = results
                    loop.verdicts = [bool(r.valid) for r in results]
                elif key == "xmlschema":
                    peer = [bool(r) for r in results]
                    loop.verdicts = peer
                elif key == "libxml2":
                    loop.verdicts = [bool(r) for r in results]
                del results  # the parse loop's trees: not kept across passes
                passes[key].append(loop)
        loops = {key: _median(runs) for key, runs in passes.items()}
    disagreements, unexpected = [], []
    for capture, report, theirs in zip(captures, reports, peer, strict=True):
        # The peers judge schema conformance: content ucxml reads and keeps beyond the
        # schema (a T-UNKNOWN warning; an error under --strict) is not conformant.
        ours = bool(report.valid) and not any(i.code == "T-UNKNOWN" for i in report.issues)
        first = next((f"{i.path or ''} {i.message}" for i in report.errors), "")
        entry = Disagreement(capture.path.name, ours, theirs, capture.expect_valid, first.strip())
        if ours != theirs:
            disagreements.append(entry)
        elif ours != capture.expect_valid:
            unexpected.append(entry)
    return ValidationReport(list(captures), loops, disagreements, unexpected, build_seconds)


def run_validation(
    count: int = DEFAULT_CAPTURES,
    *,
    folder: Path | None = None,
    seed: int = SEED,
    progress: Callable[[str], None] | None = None,
    rounds: int = DEFAULT_ROUNDS,
) -> ValidationReport:
    """Build the folder (in a temporary directory unless ``folder`` is given) and measure."""
    say = progress or (lambda _: None)
    with tempfile.TemporaryDirectory(prefix="ucxml-captures-") as tmp:
        where = folder or Path(tmp)
        say(f"validation: building {count:,} captures in {where}")
        started = time.perf_counter()
        captures = build_folder(where, count, seed=seed)
        built = time.perf_counter() - started
        return measure_validation(captures, progress=progress, build_seconds=built, rounds=rounds)


# --------------------------------------------------------------------------- report


def _us(seconds: float, files: int) -> str:
    return f"{seconds / files * 1e6:,.0f}" if files else "-"


def format_validation(report: ValidationReport, *, show: int = 5) -> str:
    """The validation table: totals, ratios, per group, and the result checks."""
    files = len(report.captures)
    megabytes = report.ucxml.nbytes / 1e6
    json_files = sum(1 for c in report.captures if c.api == JSON_API)
    lines = [
        "",
        f"validation: {files:,} mixed captures, {megabytes:.1f} MB "
        f"(built in {report.build_seconds:.1f} s; {json_files} JSON bodies), "
        f"median of {len(report.ucxml.passes) or 1} interleaved passes per loop, "
        "bytes read from disk inside every loop",
        "-" * 100,
        f"{'loop':<58}{'seconds':>9}{'payloads/s':>13}{'MB/s':>9}{'vs ucxml':>10}",
    ]
    for key in ("ucxml", "xmlschema", "parse", "libxml2"):
        loop = report.loops[key]
        relative = loop.seconds / report.ucxml.seconds
        lines.append(
            f"{loop.label:<58}{loop.seconds:>9.2f}{loop.rate:>13,.0f}"
            f"{loop.nbytes / 1e6 / loop.seconds:>9.1f}{relative:>9.2f}x"
        )
    lines.append(
        f"ucxml vs xmlschema: {report.speedup:.2f}x the payloads/s (goal >= 10x); "
        f"ucxml vs parse alone: {report.over_parse:.2f}x the time (goal <= 2x)"
    )
    lines.append(
        f"libxml2's bare verdict (API given, no Python around it): "
        f"{report.verdict_over_parse:.2f}x parse alone; ucxml: "
        f"{report.ucxml.seconds / report.libxml2.seconds:.2f}x that verdict's time"
    )
    lines.append(
        "xmlschema is given each file's API in advance (and jsonschema each JSON body's "
        "message schema); ucxml detects both from the bytes."
    )
    lines.append(
        "passes (s): "
        + "; ".join(
            f"{key} " + " / ".join(f"{t:.2f}" for t in report.loops[key].passes)
            for key in ("ucxml", "xmlschema", "parse", "libxml2")
        )
    )
    lines += [
        "",
        f"{'group':<22}{'files':>7}{'avg KB':>9}{'ucxml us':>11}"
        f"{'xmlschema us':>14}{'parse us':>10}{'xs/ucxml':>10}{'ucxml/parse':>13}",
    ]
    groups: dict[str, list[Capture]] = {}
    for capture in report.captures:
        groups.setdefault(capture.group, []).append(capture)
    for group in sorted(groups):
        members = groups[group]
        count = len(members)
        size = sum(c.size for c in members) / count / 1000
        ours = report.ucxml.by_group.get(group, 0.0)
        peer = report.peer.by_group.get(group, 0.0)
        parse = report.parse.by_group.get(group, 0.0)
        lines.append(
            f"{group:<22}{count:>7}{size:>9.1f}{_us(ours, count):>11}{_us(peer, count):>14}"
            f"{_us(parse, count):>10}{peer / ours if ours else 0:>9.1f}x"
            f"{ours / parse if parse else 0:>12.1f}x"
        )
    expected_invalid = sum(1 for c in report.captures if not c.expect_valid)
    found_invalid = sum(1 for v in report.ucxml.verdicts or [] if not v)
    lines.append(
        f"\nverdicts: {expected_invalid} files built invalid, ucxml found {found_invalid} invalid; "
        f"{len(report.disagreements)} disagreements ucxml vs xmlschema/jsonschema, "
        f"{len(report.unexpected)} agreed verdicts differing from the builder's"
    )
    for title, entries in (
        ("disagreement", report.disagreements),
        ("unexpected", report.unexpected),
    ):
        for entry in entries[:show]:
            lines.append(
                f"  {title}: {entry.path}: ucxml valid={entry.ucxml}, peer valid={entry.peer}, "
                f"built valid={entry.expected}; {entry.first_issue[:120]}"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- profile

#: The stages of ucxml's verdict path, as (label, function key, depth) for the summary;
#: a key is (file name suffix, function name), matched against cProfile's entries.
_STAGES: tuple[tuple[str, tuple[str, str], int], ...] = (
    ("validate_bytes (total)", ("_validation.py", "validate_bytes"), 0),
    ("read bytes from disk", ("pathlib.py", "read_bytes"), 0),
    ("JSON bodies: validate_json", ("_jsondocs.py", "validate_json"), 1),
    ("read_message", ("_documents.py", "read_message"), 1),
    ("_all_prefixes (API unknown)", ("_documents.py", "_all_prefixes"), 2),
    ("parse_xml (its own time: lxml's parse)", ("_safexml.py", "parse_xml"), 2),
    ("separate_attributes", ("_safexml.py", "separate_attributes"), 3),
    ("declare_prefixes", ("_safexml.py", "declare_prefixes"), 3),
    ("detect_tree", ("_detection.py", "detect_tree"), 2),
    ("unwrap (envelope)", ("_envelopes.py", "unwrap"), 2),
    ("_root_payload", ("_documents.py", "_root_payload"), 2),
    ("_apply_aliases", ("_documents.py", "_apply_aliases"), 2),
    ("_apply_order", ("_documents.py", "_apply_order"), 2),
    ("_fix_type", ("_documents.py", "_fix_type"), 2),
    ("_label", ("_validation.py", "_label"), 1),
    ("_schema_issues (own time: libxml2 verdict)", ("_validation.py", "_schema_issues"), 1),
    ("schema_issues (libxml2's log explained)", ("_schemaerrors.py", "schema_issues"), 2),
    ("_hinted (errata lookup)", ("_validation.py", "_hinted"), 1),
    ("decode (binding after the verdict)", ("_documents.py", "decode"), 1),
    ("fastpath.decode_element", ("_fastpath.py", "decode_element"), 2),
    ("decode_generic (xsdata)", ("_documents.py", "decode_generic"), 2),
    ("sniff (not well-formed)", ("_detection.py", "sniff"), 1),
)


def _cumulative(stats: pstats.Stats, key: tuple[str, str]) -> tuple[float, int]:
    suffix, name = key
    total, calls = 0.0, 0
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, function), (_, ncalls, _, cumtime, _) in table.items():
        if function == name and (suffix == "~" or filename.endswith(suffix)):
            total += cumtime
            calls += ncalls
    return total, calls


def profile_ucxml(captures: Sequence[Capture], *, top: int = 15) -> str:
    """Profile (cProfile) the ucxml loop over ``captures``; the stage summary and top calls.

    lxml's functions are Cython ones, which cProfile does not see: the parse counts in
    ``parse_xml``'s own time and libxml2's validation in ``_schema_issues``'s. The
    profiler's overhead inflates Python-heavy stages against those C ones: read the shares
    as an order of magnitude, and the timed loops for the real ratio.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        steps = _steps(captures)
        _warm_up(captures, steps)
        step = steps["ucxml"]
        profiler = cProfile.Profile()
        gc.collect()
        profiler.enable()
        for capture in captures:
            step(capture.path.read_bytes(), capture)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total, _ = _cumulative(stats, _STAGES[0][1])
    lines = [
        "",
        f"profile of the ucxml loop over {len(captures):,} files "
        "(cProfile, cumulative time per stage)",
        f"{'stage':<50}{'seconds':>9}{'share':>8}{'calls':>9}",
    ]
    for label, key, depth in _STAGES:
        seconds, calls = _cumulative(stats, key)
        if not calls:
            continue
        share = seconds / total if total else 0.0
        lines.append(f"{'  ' * depth + label:<50}{seconds:>9.2f}{share:>7.0%}{calls:>9,}")
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    body = out.getvalue()
    start = body.find("   ncalls")
    lines += [
        "",
        f"top {top} functions by own time:",
        body[start:].rstrip() if start >= 0 else body,
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.validation``: the validation loops alone, optionally profiled."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.validation", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--captures", type=int, default=DEFAULT_CAPTURES, help="files in the folder"
    )
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the folder builder")
    parser.add_argument(
        "--rounds", type=int, default=DEFAULT_ROUNDS, help="passes of each loop (median kept)"
    )
    parser.add_argument("--profile", action="store_true", help="also profile the ucxml loop")
    parser.add_argument("--profile-only", action="store_true", help="only profile the ucxml loop")
    parser.add_argument(
        "--keep", type=Path, default=None, help="build the folder here, and keep it"
    )
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="ucxml-captures-") as tmp:
        where = args.keep or Path(tmp)
        started = time.perf_counter()
        captures = build_folder(where, args.captures, seed=args.seed)
        built = time.perf_counter() - started
        status = 0
        if not args.profile_only:
            report = measure_validation(
                captures, progress=say, build_seconds=built, rounds=args.rounds
            )
            print(format_validation(report))
            status = 0 if report.ok else 1
        if args.profile or args.profile_only:
            print(profile_ucxml(captures))
    return status


if __name__ == "__main__":
    sys.exit(main())
