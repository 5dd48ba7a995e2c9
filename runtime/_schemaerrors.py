"""libxml2's schema errors as validation issues: located, and said in plain words.

libxml2 gives the verdict and, for a payload it refuses, an error log whose entries carry
the line, an XPath and a reason such as ``Element '{urn:cisco:epas:soap}extraInfo': This
element is not expected. Expected is ( {urn:cisco:epas:soap}reason ).`` Each entry
becomes an :class:`ucxml.Issue` whose path uses the document's own prefixes
(libxml2 writes ``*`` for every element of a default namespace), whose column is that of
the start tag, and whose message names elements as the document does and drops the
schema jargon. Errata hints are matched against libxml2's own words, which the ERRATA
files quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml import etree

from ucxml._report import Issue
from ucxml._safexml import SourceLines, column_of

__all__ = ["schema_issues"]

# "Element 'epas:x'" or "Element '{ns}x'", then optionally ", attribute 'a'".
_SUBJECT = re.compile(r"\AElement '([^']+)'(?:, attribute '([^']+)')?: ")
_CLARK = re.compile(r"\{([^{}\s',]*)\}([A-Za-z_][\w.\-]*|\*)")
_OTHER = re.compile(r"##other\{([^{}]*)\}\*")
#: libxml2's jargon, reworded; applied in order after the subject is cut off.
_PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"\[facet '\w+'\] ", ""),
        (
            r"is not a valid value of the (?:atomic|union|list) type '([^']+)'",
            r"is not a valid '\1' value",
        ),
        (
            r"is not a valid value of the local (?:atomic|union|list) type",
            "is not an allowed value",
        ),
        (r"is not an element of the set (\{.*\})", r"is not one of the allowed values \1"),
        (
            r"Element content is not allowed, because (?:the type definition is simple|"
            r"the content type is a simple type definition)\.",
            "child elements are not allowed here: the element holds a simple value.",
        ),
        (
            r"Character content other than whitespace is not allowed because the content "
            r"type is 'element-only'\.",
            "text is not allowed here: the element holds child elements only.",
        ),
        (
            r"Character content is not allowed, because the content type is empty\.",
            "text is not allowed here: the element must be empty.",
        ),
        (
            r"Element content is not allowed, because the content type is empty\.",
            "child elements are not allowed here: the element must be empty.",
        ),
        (
            r"No matching global declaration available for the validation root\.",
            "the schema declares no such message element.",
        ),
        (
            r"This element is not expected\. Expected is one of \( (.*) \)\.",
            r"This element is not expected here; expected one of: \1.",
        ),
        (
            r"This element is not expected\. Expected is \( (.*) \)\.",
            r"This element is not expected here; expected: \1.",
        ),
        (
            r"Missing child element\(s\)\. Expected is one of \( (.*) \)\.",
            r"Missing child element; expected one of: \1.",
        ),
        (
            r"Missing child element\(s\)\. Expected is \( (.*) \)\.",
            r"Missing child element; expected: \1.",
        ),
    )
)


class _Locator:
    """The elements of a tree by line and name, indexed once and only when asked.

    A hostile one-line payload can hold tens of thousands of same-named elements, each an
    error: every lookup here costs the same whatever the number of elements on the line.
    """

    __slots__ = (
        "_by_local",
        "_by_tag",
        "_lines",
        "_namespaces",
        "_ordinals",
        "_places",
        "_starts",
        "_target",
    )

    def __init__(self, target: etree._Element, lines: SourceLines) -> None:
        self._target = target
        self._lines = lines
        self._by_tag: dict[tuple[int | None, str], list[etree._Element]] | None = None
        self._by_local: dict[tuple[int | None, str], list[etree._Element]] = {}
        self._namespaces: dict[str, str] | None = None
        self._ordinals: dict[tuple[int | None, str], dict[etree._Element, int]] = {}
        self._starts: dict[tuple[int | None, str], list[int]] = {}
        self._places: dict[etree._Element, dict[etree._Element, tuple[int, int]]] = {}

    def _tagged(self) -> dict[tuple[int | None, str], list[etree._Element]]:
        if self._by_tag is None:
            self._by_tag = {}
            for el in self._target.iter():
                if isinstance(el.tag, str):
                    self._by_tag.setdefault((el.sourceline, el.tag), []).append(el)
                    local = el.tag.rpartition("}")[2]
                    self._by_local.setdefault((el.sourceline, local), []).append(el)
        return self._by_tag

    def find(self, line: int, tag: str, path: str | None) -> etree._Element | None:
        """The element ``tag`` (Clark form) starting on ``line`` that libxml2's ``path`` names.

        The path tells apart same-named elements on one line (a one-line payload); the
        first such element on the line is the answer when the path cannot be followed.
        """
        here = self._tagged().get((line, tag), [])
        if len(here) > 1 and path:
            named = (el for el in self._follow(path) if el.sourceline == line and el.tag == tag)
            chosen = next(named, None)
            if chosen is not None:
                return chosen
        return here[0] if here else None

    def _follow(self, path: str) -> list[etree._Element]:
        # libxml2's path starts at the validated element and uses the payload's prefixes
        # ("*" for a default namespace): an XPath from the target, given those prefixes.
        steps = path.lstrip("/").split("/", 1)
        if len(steps) == 1:
            return [self._target]
        if self._namespaces is None:
            self._namespaces = {}
            for el in self._target.iter():
                for prefix, ns in el.nsmap.items():
                    if prefix:
                        self._namespaces.setdefault(prefix, ns)
        try:
            found = self._target.xpath("./" + steps[1], namespaces=self._namespaces)
        except (etree.XPathError, ValueError):
            return []
        return (
            [el for el in found if isinstance(el, etree._Element)]
            if isinstance(found, list)
            else []
        )

    def path(self, el: etree._Element) -> str:
        """``el``'s XPath with the document's prefixes (an unprefixed element by its name)."""
        steps = [self._step(el)]
        steps.extend(self._step(a) for a in el.iterancestors())
        return "/" + "/".join(reversed(steps))

    def _step(self, el: etree._Element) -> str:
        name = _written(el)
        parent = el.getparent()
        if parent is None:
            return name
        places = self._places.get(parent)
        if places is None:
            # Each child's place among its same-named siblings, and how many there are.
            counts: dict[object, int] = {}
            for child in parent:
                counts[child.tag] = counts.get(child.tag, 0) + 1
            seen: dict[object, int] = {}
            places = {}
            for child in parent:
                seen[child.tag] = seen.get(child.tag, 0) + 1
                places[child] = (seen[child.tag], counts[child.tag])
            self._places[parent] = places
        at, of = places[el]
        return f"{name}[{at}]" if of > 1 else name

    def column(self, el: etree._Element) -> int | None:
        """1-based column of ``el``'s start tag (several same-named tags may share a line)."""
        line = el.sourceline
        local = str(el.tag).rpartition("}")[2]
        key = (line, local)
        self._tagged()
        if key not in self._ordinals:
            same = self._by_local.get(key, [])
            self._ordinals[key] = {other: at for at, other in enumerate(same)}
            text = self._lines.line(line) if line is not None else None
            tags = rb"<(?:[\w.\-]+:)?" + re.escape(local.encode()) + rb"[\s/>]"
            self._starts[key] = [m.start() for m in re.finditer(tags, text)] if text else []
        ordinal = self._ordinals[key].get(el)
        starts = self._starts[key]
        return starts[ordinal] + 1 if ordinal is not None and ordinal < len(starts) else None


def _written(el: etree._Element) -> str:
    """``el``'s name as its start tag writes it."""
    local = etree.QName(el).localname
    return f"{el.prefix}:{local}" if el.prefix else local


def _namer(el: etree._Element | None) -> Callable[[re.Match[str]], str]:
    """Writes a Clark name ``{ns}local`` as the document does near ``el``."""
    prefixes: dict[str, str] = {}
    if el is not None:
        for prefix, ns in el.nsmap.items():
            if ns not in prefixes or prefix is None:
                prefixes[ns] = prefix or ""

    def name(match: re.Match[str]) -> str:
        prefix = prefixes.get(match.group(1))
        return f"{prefix}:{match.group(2)}" if prefix else match.group(2)

    return name


def _plain(raw: str, el: etree._Element | None) -> str:
    """libxml2's message ``raw`` in plain words, names written as the document near ``el``."""
    subject = _SUBJECT.match(raw)
    reason = raw[subject.end() :] if subject else raw
    tag = subject.group(1) if subject else None
    for pattern, words in _PLAIN:
        reason = pattern.sub(words, reason)
    name = _namer(el)
    reason = _OTHER.sub(lambda m: f"an element of a namespace other than {m.group(1)}", reason)
    reason = _CLARK.sub(name, reason)
    if subject is None or tag is None:
        return reason
    # The failing element is named as the document writes it (the same namespace can have
    # a prefix on one element and be the default on another).
    who = _CLARK.sub(name, tag) if el is None else _written(el)
    if subject.group(2):
        who = f"{who}/@{subject.group(2)}"
    return f"{who}: {reason}"


def _element_tag(raw: str) -> str | None:
    subject = _SUBJECT.match(raw)
    return subject.group(1) if subject else None


def schema_issues(
    log: Iterable[etree._LogEntry],
    target: etree._Element,
    lines: SourceLines,
    hint: Callable[[str], str | None],
) -> list[Issue]:
    """One error issue per entry of libxml2's schema ``log`` about ``target``'s tree.

    ``hint`` names the erratum libxml2's own message matches (None when none does).
    """
    locator = _Locator(target, lines)
    issues = []
    for entry in log:
        raw = entry.message
        subject = _SUBJECT.match(raw)
        el = None
        if subject is not None and entry.line:
            el = locator.find(entry.line, subject.group(1), entry.path)
        if el is not None:
            path, column = locator.path(el), locator.column(el)
        else:
            path = entry.path or ""
            local = path.rsplit("/", 1)[-1].split("[")[0].rpartition(":")[2] if path else ""
            column = column_of(lines, entry.line, local) if local and local != "*" else None
        issues.append(Issue("error", _plain(raw, el), entry.line, column, path, hint(raw)))
    return issues
