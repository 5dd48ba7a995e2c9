"""Secrets kept out of validation reports: find them in a capture, mask them in the text.

Validation messages come from libxml2, xmlschema, jsonschema, h11 and ucxml itself, and
several quote what they complain about (``'…' is not a boolean value``, an illegal header
line, an EM query string used as a label). Rather than trusting every message source,
:func:`find_secrets` collects the values a capture holds under a secret name (see
:func:`ucxml.bindings.is_secret_name`): element text and attributes, ``name``/``value``
settings (``Directory.Password``), JSON properties, form fields, and the credentials of
secret HTTP/SIP headers (``Authorization``, ``Cookie``, ``Guid``...). :func:`redact_report`
then masks each of them, in the forms a message may show it in (URL-encoded, XML-escaped,
repr-escaped, whitespace collapsed), in every string of the report.

The rule for short values: a secret of at least :data:`MIN_ANYWHERE` characters is masked
wherever it occurs, even inside a longer word (a secret quoted inside other text is still
the secret); a shorter one only where it stands alone (not next to a letter, digit or
``_``), so that a one-character password does not blank every message; an empty or blank
value hides nothing and is ignored.

The clients mask their *own* secrets the same way, in every error text that quotes an
answer (a server may echo the request, ``Authorization`` header included):
:func:`client_secrets` lists what a client holds, :func:`excerpt` quotes an answer body
with them masked, :func:`scrub` masks them in any other text.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import functools
import html
import json
import logging
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from collections.abc import Set as AbstractSet
from typing import TypeVar
from urllib.parse import quote, quote_plus, unquote_plus

from ucxml._report import Issue, Report
from ucxml.bindings import SECRET_NAME_PARTS, is_secret_name

__all__ = [
    "EXCERPT_LIMIT",
    "MASK",
    "MIN_ANYWHERE",
    "Masked",
    "Redactor",
    "SecretSet",
    "basic_credentials",
    "client_secrets",
    "excerpt",
    "find_secrets",
    "mask_http_traces",
    "masked",
    "redact_report",
    "redact_reports",
    "scrub",
    "scrub_error",
]

MASK = "***"
"""What a secret value is replaced with."""
MIN_ANYWHERE = 4
"""Secrets at least this long are masked inside other words too; shorter ones only alone."""


class Masked(str):
    """A secret (a password) as a ``str`` whose ``repr`` is :data:`MASK`.

    A client method rebinds its secret argument to one at once, so that a traceback
    reporter showing the locals of its frames shows the mask; the text itself is unchanged
    wherever it is written (a request body).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(MASK)


def masked(secret: str | None) -> str | None:
    """``secret`` as :class:`Masked`; anything but a ``str`` is returned as it is (None,
    or a wrong type the caller's checks still refuse)."""
    return Masked(secret) if isinstance(secret, str) else secret


_CHARS = r"[\w.\-]"
_SECRET = "(?:" + "|".join(SECRET_NAME_PARTS) + ")"
# A name holding a secret word. The lookahead finds the word, then the possessive run takes
# the whole name without backtracking: every pattern here stays linear on hostile input,
# and values are bounded (a certificate fits).
_NAME = rf"(?={_CHARS}*?{_SECRET}){_CHARS}++"
_VALUE = 8192
_FLAGS = re.IGNORECASE
# <ISpassword>value</...> or <epas:session-key attr="…"><![CDATA[value]]>; not <x …/>.
_ELEMENT = re.compile(
    rf"<(?:{_CHARS}++:)?{_NAME}(?:\s[^<>]{{0,{_VALUE}}}+)?(?<!/)>"
    rf"(?:<!\[CDATA\[(?P<cdata>[^\]]{{0,{_VALUE}}}+)\]\]>|(?P<text>[^<]{{0,{_VALUE}}}+))",
    _FLAGS,
)
# password="value" (an attribute; also the key="value" pairs of an HTTP Digest header).
_ATTRIBUTE = re.compile(
    rf"(?<![\w.\-:])(?:{_CHARS}++:)?{_NAME}\s*+=\s*+"
    rf"(?:\"(?P<dq>[^\"]{{0,{_VALUE}}}+)\"|'(?P<sq>[^']{{0,{_VALUE}}}+)')",
    _FLAGS,
)
# <property name="Directory.Password" value="…">text</property> (a name/value setting).
_SETTING = re.compile(
    rf"<[\w.\-:]++\s(?P<attrs>[^<>]{{0,{_VALUE}}}?\bname\s*+=\s*+[\"']"
    rf"(?=[^\"'<>]{{0,256}}?{_SECRET})[^\"'<>]{{0,256}}+[\"'][^<>]{{0,{_VALUE}}}+)"
    rf"(?<!/)>(?P<text>[^<]{{0,{_VALUE}}}+)",
    _FLAGS,
)
_VALUE_ATTRIBUTE = re.compile(r"\bvalue\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", _FLAGS)
# "password": "value" or "password": 1234 (JSON; booleans and null hide nothing).
_JSON = re.compile(
    rf"\"(?=[^\"\\]{{0,256}}?{_SECRET})[^\"\\]{{1,256}}+\"\s*+:\s*+"
    rf"(?P<value>\"(?:[^\"\\\n]|\\.){{0,{_VALUE}}}+\"|-?\d[\d.eE+\-]{{0,64}}+)",
    _FLAGS,
)
# password=value in a form body or query string (raw: the value is decoded here).
_FORM = re.compile(rf"(?:^|(?<=[&?;\s])){_NAME}=(?P<value>[^&\s\"'][^&\s]{{0,{_VALUE}}}+)", _FLAGS)
# A header line: "Authorization: Basic …", "Guid: …"; h11 quotes an illegal header line
# ("Authorization Basic …", no colon) in its error, so that form is taken too.
_HEADER = re.compile(
    rf"^[ \t]*+(?P<name>{_NAME})"
    r"(?:[ \t]*+:[ \t]*+|[ \t]++(?=(?:basic|bearer|digest|negotiate|ntlm)\b))"
    rf"(?P<value>[^\r\n]{{1,{_VALUE}}}+)",
    _FLAGS | re.MULTILINE,
)
_AUTH_SCHEMES = frozenset({"basic", "bearer", "digest", "negotiate", "ntlm"})


def _add(found: set[str], value: str | None) -> None:
    if value is None:
        return
    value = value.strip()
    if value:
        found.add(value)
        unescaped = html.unescape(value)  # the XML text as a message quotes it
        if unescaped != value:
            found.add(unescaped.strip())


def _header_values(found: set[str], name: str, value: str) -> None:
    value = value.strip()
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() in _AUTH_SCHEMES and credentials.strip():
        credentials = credentials.strip()
        _add(found, credentials)
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):  # non-ASCII or undecodable
                decoded = ""
            if decoded:
                _add(found, decoded)
                _add(found, decoded.partition(":")[2])  # the password of user:password
        return
    _add(found, value)
    # Cookie-like values: "JSESSIONID=…; Path=/" keeps its secret in the first pair; a
    # Cookie header sends only pairs, all of them secret.
    pairs = [p.strip() for p in value.split(";")]
    if "cookie" in name.lower() and not name.lower().startswith("set-"):
        chosen = pairs
    else:
        chosen = pairs[:1]
    for pair in chosen:
        if "=" in pair:
            _add(found, pair.partition("=")[2])


def _take_element(match: re.Match[str], found: set[str]) -> None:
    _add(found, match.group("cdata") if match.group("cdata") is not None else match["text"])


def _take_attribute(match: re.Match[str], found: set[str]) -> None:
    _add(found, match["dq"] if match["dq"] is not None else match["sq"])


def _take_setting(match: re.Match[str], found: set[str]) -> None:
    _add(found, match["text"])
    for dq, sq in _VALUE_ATTRIBUTE.findall(match["attrs"]):
        _add(found, dq or sq)


def _take_json(match: re.Match[str], found: set[str]) -> None:
    raw = match["value"]
    if raw.startswith('"'):
        _add(found, raw[1:-1])
        with contextlib.suppress(ValueError):
            _add(found, str(json.loads(raw)))
    else:
        _add(found, raw)


def _take_form(match: re.Match[str], found: set[str]) -> None:
    _add(found, match["value"])
    _add(found, unquote_plus(match["value"]))


def _take_header(match: re.Match[str], found: set[str]) -> None:
    _header_values(found, match["name"], match["value"])


_TAKERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], set[str]], None]], ...] = (
    (_ELEMENT, _take_element),
    (_ATTRIBUTE, _take_attribute),
    (_SETTING, _take_setting),
    (_JSON, _take_json),
    (_FORM, _take_form),
    (_HEADER, _take_header),
)
_NAME_RUN = re.compile(r"[\w.\-]*+")
_KEY_RUN = re.compile(r"[^\"\\]{0,257}+")  # a JSON key is at most 256 characters


def _scan(text: str, found: set[str]) -> None:
    if text.isascii():
        lowered = text.lower()
        words = sorted({at for word in _WORDS for at in _occurrences(lowered, word)})
        # Trying each word costs about as much as scanning 16 characters: text dense with
        # secret words (hostile) is cheaper to scan whole.
        if len(words) * 16 < len(text):
            _scan_near_words(text, words, found)
            return
    # Unicode case folding (the Kelvin sign, the long s) can make a secret word of other
    # letters: the patterns themselves look at every position.
    _scan_all(text, found)


def _scan_all(text: str, found: set[str]) -> None:
    """Every pattern tried at every position of ``text`` (the reference scan)."""
    for pattern, take in _TAKERS:
        for match in pattern.finditer(text):
            take(match, found)


def _scan_near_words(text: str, words: list[int], found: set[str]) -> None:
    """:func:`_scan` for ASCII text: each pattern is tried only where its match would start.

    Every match holds a secret word in a name, so it starts at a place fixed by that word:
    the start of the name run holding it (or of its prefix, or the ``<`` before them), the
    quote opening a JSON key, the ``<`` of the tag, the start of the line. Trying the
    patterns there, rather than at every position, makes the scan cost a few matches per
    secret word (``words``: their offsets, ascending). A word inside a name run already
    tried adds nothing.
    """
    rev = text[::-1]
    size = len(text)
    tried: set[tuple[int, int]] = set()
    run_end = -1
    last_lt, last_nl, seen = -1, -1, 0

    def attempt(which: int, at: int) -> None:
        if at < 0 or (which, at) in tried:
            return
        tried.add((which, at))
        pattern, take = _TAKERS[which]
        match = pattern.match(text, at)
        if match is not None:
            take(match, found)

    for at in words:
        # The nearest "<" and line start before the word, found incrementally (linear).
        lt = text.rfind("<", seen, at)
        nl = text.rfind("\n", seen, at)
        last_lt = lt if lt != -1 else last_lt
        last_nl = nl if nl != -1 else last_nl
        seen = at
        attempt(2, last_lt)  # a name/value setting: <tag ... name="…Password" ...>
        attempt(5, last_nl + 1)  # a header line
        quote = at - _run(_KEY_RUN, rev, size - at) - 1
        if quote >= 0 and text[quote] == '"':
            attempt(3, quote)  # a JSON key
        if at < run_end:
            continue  # the same name as the word before
        run_end = at + _run(_NAME_RUN, text, at)
        start = at - _run(_NAME_RUN, rev, size - at)
        attempt(1, start)  # attribute
        attempt(4, start)  # form field
        attempt(0, start - 1)  # element <name
        if start > 0 and text[start - 1] == ":":
            outer = start - 1 - _run(_NAME_RUN, rev, size - start + 1)
            attempt(1, outer)  # prefix:attribute
            attempt(0, outer - 1)  # element <prefix:name


def _run(pattern: re.Pattern[str], text: str, at: int) -> int:
    """Length of the run of ``pattern`` (which may match empty) at ``at`` in ``text``."""
    match = pattern.match(text, at)
    return match.end() - at if match else 0


def _occurrences(lowered: str, word: str) -> Iterator[int]:
    at = lowered.find(word)
    while at != -1:
        yield at
        at = lowered.find(word, at + 1)


# Plain words every secret name contains (lower case): found with bytes.find, which is
# far faster than a case-insensitive regex over a large payload.
_WORDS = tuple(re.split(r"[^a-z]", part)[0] for part in SECRET_NAME_PARTS)
# How far around a secret word its value can be: a tag's attributes and the value itself
# are each bounded by _VALUE; the rest covers names and punctuation.
_BEFORE = _VALUE + 512
_AFTER = 2 * _VALUE + 512


def _windows(data: bytes) -> list[tuple[int, int]]:
    """The stretches of ``data`` around each secret word, merged (ascending)."""
    lowered = data.lower()  # ASCII-only, so offsets stay those of ``data``
    starts: list[int] = []
    for word in _WORDS:
        needle = word.encode()
        at = lowered.find(needle)
        while at != -1:
            starts.append(at)
            at = lowered.find(needle, at + _AFTER // 2)  # one window covers the next ones
    windows: list[tuple[int, int]] = []
    for at in sorted(starts):
        start, end = max(0, at - _BEFORE), min(len(data), at + _AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def find_secrets(*sources: bytes | str) -> frozenset[str]:
    """The secret values found in ``sources`` (captures, payloads; see the module doc).

    Only the stretches around a secret name are scanned, so a large payload costs a
    byte search unless it is full of secret names.
    """
    found: set[str] = set()
    for source in sources:
        data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
        for start, end in _windows(data):
            text = data[start:end].decode("utf-8", "replace")
            _scan(text, found)
            if "%" in text or "+" in text:
                decoded = unquote_plus(text)
                if decoded != text:
                    _scan(decoded, found)
    return frozenset(found)


def _forms(secret: str) -> set[str]:
    """The ways a message may print ``secret``."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        html.escape(secret, quote=False),
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
    }
    collapsed = " ".join(secret.split())
    forms.add(collapsed)
    return {f for f in forms if f}


_PERCENT_HEX = re.compile(r"%[0-9A-F]{2}")


@functools.lru_cache(maxsize=256)
def _pattern(secrets: frozenset[str], exact: bool = False) -> re.Pattern[str] | None:
    """The alternatives of every form of ``secrets``; ``exact``: case-sensitive.

    A capture's secrets are masked whatever their case; a client's own are known exactly
    (Base64 is case-sensitive), and matching them so spares the server's words: the
    password ``wrong`` does not mask "Wrong username/password". Percent-encoding may come
    back in lower-case hex.
    """
    alternatives: list[tuple[int, str]] = []
    for secret in secrets:
        if not secret.strip():
            continue
        forms = _forms(secret)
        if exact:
            forms |= {_PERCENT_HEX.sub(lambda m: m[0].lower(), f) for f in forms}
        for form in forms:
            escaped = re.escape(form)
            if len(secret) < MIN_ANYWHERE:
                escaped = rf"(?<![\w]){escaped}(?![\w])"
            alternatives.append((len(form), escaped))
    if not alternatives:
        return None
    # Longest first, so a secret is masked whole rather than around a shorter one.
    alternatives.sort(key=lambda item: (-item[0], item[1]))
    return re.compile("|".join(a for _, a in alternatives), 0 if exact else re.IGNORECASE)


_EXCERPT_END = re.compile(r"['\"…]|$")


def _cut(text: str, secrets: frozenset[str]) -> str:
    """Mask the start of a secret that an excerpt cut off (``'… <ISpassword>Cme-Pw-'``).

    Messages quote bounded excerpts of a line; one may end inside a secret, which the full
    value no longer matches. A tail of at least :data:`MIN_ANYWHERE` characters that is
    the beginning of a secret, right before a closing quote, an ellipsis or the end of the
    text, is masked.
    """
    for secret in secrets:
        if len(secret) <= MIN_ANYWHERE or secret[:MIN_ANYWHERE] not in text:
            continue
        for end in reversed([m.start() for m in _EXCERPT_END.finditer(text)]):
            for size in range(min(len(secret) - 1, end), MIN_ANYWHERE - 1, -1):
                if text[end - size : end] == secret[:size]:
                    text = text[: end - size] + MASK + text[end:]
                    break
    return text


@dataclasses.dataclass(frozen=True, slots=True)
class Redactor:
    """Masks a fixed set of secret values in text (see the module doc for the rule)."""

    secrets: frozenset[str]

    @classmethod
    def of(cls, *sources: bytes | str) -> Redactor:
        """A redactor for the secrets of ``sources``."""
        return cls(find_secrets(*sources))

    def __repr__(self) -> str:
        return f"Redactor({len(self.secrets)} secrets)"

    def text(self, value: str) -> str:
        """``value`` with every secret masked, a secret cut short by an excerpt included."""
        pattern = _pattern(self.secrets)
        if pattern is None or not value:
            return value
        return _cut(pattern.sub(MASK, value), self.secrets)

    def optional(self, value: str | None) -> str | None:
        """:meth:`text` for an optional string."""
        return None if value is None else self.text(value)

    def issue(self, issue: Issue) -> Issue:
        """``issue`` with its message and path masked."""
        return dataclasses.replace(
            issue, message=self.text(issue.message), path=self.text(issue.path)
        )

    def report(self, report: Report) -> Report:
        """``report`` with every payload-derived string masked.

        The source is the caller's own path name, not payload content: it is kept.
        """
        if not self.secrets:
            return report
        return dataclasses.replace(
            report,
            message=self.optional(report.message),
            carrier=self.optional(report.carrier),
            issues=tuple(self.issue(i) for i in report.issues),
        )


def redact_report(report: Report, *sources: bytes | str) -> Report:
    """``report`` with the secrets found in ``sources`` masked (see :class:`Redactor`)."""
    return Redactor.of(*sources).report(report)


def redact_reports(reports: Iterable[Report], *sources: bytes | str) -> list[Report]:
    """:func:`redact_report` for several reports of the same sources."""
    redactor = Redactor.of(*sources)
    return [redactor.report(r) for r in reports]


# --------------------------------------------------------------------------- a client's own

EXCERPT_LIMIT = 160
"""Characters of an answer body an error text quotes."""
#: Runs of what ``str.isprintable`` refuses (controls, line breaks, format characters),
#: once marked: an excerpt stays on one line but keeps the server's non-ASCII words.
_UNPRINTABLE = re.compile("\x00+")


def basic_credentials(username: str, password: str | None) -> str:
    """The Base64 ``user:password`` of the HTTP Basic ``Authorization`` header httpx sends."""
    return base64.b64encode(f"{username}:{password or ''}".encode()).decode("ascii")


class SecretSet(frozenset[str]):
    """A client's secrets: a ``frozenset`` whose repr says how many, never which (a
    traceback reporter shows it in every frame that passes it along)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"SecretSet(<{len(self)} masked>)"

    def __or__(self, other: AbstractSet[object]) -> SecretSet:
        return SecretSet(frozenset.__or__(self, other))  # type: ignore[operator]

    __ror__ = __or__


def client_secrets(
    *values: str | None, username: str | None = None, password: str | None = None
) -> SecretSet:
    """The secrets a client holds, for :func:`scrub` and :func:`excerpt`.

    ``values`` are secrets as they are (an app certificate, a session key, a GUID);
    ``password`` is one too and, with a ``username`` (HTTP Basic auth), so is the Base64
    ``user:password`` of the ``Authorization`` header. Each is also taken XML-escaped,
    as a request body carries it; the URL-encoded and other forms are masked by
    :class:`Redactor` itself.
    """
    found: set[str] = set()
    for value in (*values, password):
        if value and value.strip():
            found.add(value)
            found.add(html.escape(value))
    if username is not None and (password or username):
        found.add(basic_credentials(username, password))
    return SecretSet(found)


def scrub(text: str, secrets: Collection[str]) -> str:
    """``text`` with every form of each of ``secrets`` masked as :data:`MASK`.

    As :meth:`Redactor.text`, but case-sensitive: these are the client's own secrets.
    """
    if not secrets or not text:
        return text
    chosen = frozenset(secrets)
    pattern = _pattern(chosen, exact=True)
    if pattern is None:
        return text
    return _cut(pattern.sub(MASK, text), chosen)


def excerpt(content: bytes, secrets: Collection[str] = (), limit: int = EXCERPT_LIMIT) -> str:
    """The start of an answer body on one printable line, ``secrets`` masked, for an error.

    The masking runs on more than is shown, so a secret that starts in the excerpt is
    masked whole rather than cut where the excerpt ends.
    """
    longest = 3 * max((len(s) for s in secrets), default=0) + 16  # a URL-encoded form
    window = limit + longest
    text = content[: 4 * window].decode("utf-8", "replace")[:window]  # 4: UTF-8's widest
    text = "".join(c if c.isprintable() else "\x00" for c in scrub(text, secrets))
    text = _UNPRINTABLE.sub(" ", text).strip()
    cut = len(text) > limit or len(content) > 4 * window
    return text[:limit].rstrip() + ("…" if cut else "")


_E = TypeVar("_E", bound=BaseException)


def scrub_error(error: _E, secrets: Collection[str]) -> _E:
    """``error`` (made from an answer, e.g. the cause kept on a client's error) masked.

    Its arguments and text attributes (``message``, ``excerpt``...) are masked in place. A
    context it was raised without (``from None``: int()'s ValueError quoting the value)
    is dropped, since it quotes the answer unmasked; tracebacks never showed it.
    """
    if secrets:
        error.args = tuple(scrub(a, secrets) if isinstance(a, str) else a for a in error.args)
        # Every text attribute: message, an HTTP error's excerpt and reason, a server's detail.
        for name, value in vars(error).items():
            if isinstance(value, str):
                setattr(error, name, scrub(value, secrets))
        if error.__suppress_context__:
            error.__context__ = None
    return error


# --------------------------------------------------------------------------- httpcore's log

# httpcore's DEBUG trace prints the answer's headers as a list of byte pairs; the values of
# secret ones (Set-GUID, Set-Cookie) are masked in the record before any handler sees it.
_HEADER_PAIR = re.compile(
    r"\(b(?P<q>['\"])(?P<name>[^'\"]{1,256})(?P=q), "
    r"b(?P<v>['\"])(?:\\.|(?!(?P=v)).){0,8192}(?P=v)\)"
)
_TRACE_LOGGERS = ("httpcore.http11", "httpcore.http2")


class _TraceFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "headers" in record.msg:
            record.msg = _HEADER_PAIR.sub(_masked_pair, record.msg)
        return True


def _masked_pair(match: re.Match[str]) -> str:
    if not is_secret_name(match["name"]):
        return match[0]
    return f"(b{match['q']}{match['name']}{match['q']}, b'{MASK}')"


_TRACE_FILTER = _TraceFilter()


def mask_http_traces() -> None:
    """Mask secret header values in httpcore's DEBUG trace records (idempotent)."""
    for name in _TRACE_LOGGERS:
        log = logging.getLogger(name)
        if _TRACE_FILTER not in log.filters:
            log.addFilter(_TRACE_FILTER)
