"""The hostile inputs: small ones are files in ``corpus/``, big ones are built here.

Each attack is a function of the *base*: a valid message of the API an entry point reads
(``ucxml.parse`` / ``validate`` / the CME client get the CME ``ISgetUser`` answer of
``schemas/cme/examples/corrected/29-ISgetUser-response.xml``, the EM client an EM answer,
the emulators a request of their API...). The attack is grafted on it, so the only reason
to refuse the payload is the attack itself (the untouched bases are checked to pass).

A corpus file is a complete little hostile document: its DOCTYPE (if any) is put after
the base's XML declaration, and the content of its root element (an entity reference, an
``xi:include``...) replaces the text of the base's first leaf element. ``@CANARY@`` and
``@URL@`` stand for the canary file's path and the loopback listener's URL.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ucxml._safexml import DEFAULT_MAX_BYTES
from ucxml.emulator import DEMO_EM_APP_CERTIFICATE, DEMO_EM_APP_ID

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ROOT = HERE.parents[1]
EXAMPLES = ROOT / "schemas"

BASE_FILES = {
    "cme-response": EXAMPLES / "cme/examples/corrected/29-ISgetUser-response.xml",
    "cme-request": EXAMPLES / "cme/examples/corrected/28-ISgetUser-request.xml",
    "em-response": EXAMPLES / "em/examples/corrected/14-response-success.xml",
    "em-request": EXAMPLES / "em/examples/corrected/01-request-login.xml",
    "cup-response": EXAMPLES / "cup/examples/corrected/12-login-response-success.xml",
    "cup-request": EXAMPLES / "cup/examples/corrected/11-login-request.xml",
}

MB = 1_000_000


@dataclass(frozen=True)
class Env:
    """What the templates refer to: the canary file and the loopback listener."""

    canary: str
    url: str


@functools.cache
def base(name: str) -> bytes:
    """The valid message ``name`` (the EM request carries the demo app's credentials)."""
    data = BASE_FILES[name].read_bytes()
    if name == "em-request":
        data = data.replace(b"<appID>emapp</appID>", f"<appID>{DEMO_EM_APP_ID}</appID>".encode())
        data = data.replace(
            b"<appCertificate>s3cr3t</appCertificate>",
            f"<appCertificate>{DEMO_EM_APP_CERTIFICATE}</appCertificate>".encode(),
        )
    return data


def template(name: str, env: Env) -> bytes:
    """A corpus file with its placeholders filled in."""
    text = (CORPUS / name).read_text("utf-8")
    return text.replace("@CANARY@", env.canary).replace("@URL@", env.url).encode("utf-8")


_DECL = re.compile(rb"\A\s*<\?xml[^>]*\?>\s*")
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.DOTALL)
_ROOT_CONTENT = re.compile(rb"<([\w:.\-]+)[^>]*?(?:/>|>(.*)</\1>)\s*\Z", re.DOTALL)
_LEAF = re.compile(rb"(<([\w:.\-]+)(?:\s[^<>]*)?>)([^<]*)(</\2>)")
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w:.\-]*)")


def _after_declaration(doc: bytes) -> int:
    match = _DECL.match(doc)
    return match.end() if match else 0


def _root_name(doc: bytes) -> bytes:
    at = _after_declaration(doc)
    match = _ROOT_TAG.search(doc, at)
    assert match is not None
    return match.group(1)


def graft(doc: bytes, hostile: bytes) -> bytes:
    """``doc`` with ``hostile``'s DOCTYPE after its declaration and its root content inside.

    The DOCTYPE is renamed to ``doc``'s root; the hostile root's content replaces the text
    of ``doc``'s first leaf element (or is put first inside the root if it has no leaf).
    """
    doctype = _DOCTYPE.search(hostile)
    body = hostile[doctype.end() :] if doctype else hostile[_after_declaration(hostile) :]
    content_match = _ROOT_CONTENT.search(body.strip())
    content = (content_match.group(2) or b"") if content_match else b""
    out = doc
    if content.strip():
        leaf = _LEAF.search(out)
        if leaf is not None:
            out = out[: leaf.start(3)] + content + out[leaf.end(3) :]
        else:
            root = _ROOT_TAG.search(out, _after_declaration(out))
            assert root is not None
            close = out.index(b">", root.end())
            if out[close - 1 : close] == b"/":  # an empty root element: open it
                name = root.group(1)
                out = out[: close - 1] + b">" + content + b"</" + name + b">" + out[close + 1 :]
            else:
                out = out[: close + 1] + content + out[close + 1 :]
    if doctype:
        name = _root_name(doc)
        renamed = re.sub(rb"\A<!DOCTYPE\s+[\w:.\-]+", b"<!DOCTYPE " + name, doctype.group(0))
        at = _after_declaration(out)
        out = out[:at] + renamed + b"\n" + out[at:]
    return out


def reencode(doc: bytes, codec: str) -> bytes:
    """``doc`` (UTF-8) in another encoding, its XML declaration naming it.

    ``utf-16`` writes a byte order mark; ``utf-16-le`` / ``utf-16-be`` do not.
    """
    text = doc.decode("utf-8")
    label = {"utf-16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}.get(codec, codec)
    declaration = f'<?xml version="1.0" encoding="{label}"?>'
    match = re.match(r"\A\s*<\?xml[^>]*\?>", text)
    text = declaration + (text[match.end() :] if match else "\n" + text)
    return text.encode(codec)


def first_leaf_text(doc: bytes, text: bytes) -> bytes:
    """``doc`` with the text of its first leaf element replaced by ``text``."""
    leaf = _LEAF.search(doc)
    if leaf is None:
        return graft(doc, b"<r>" + text + b"</r>")
    return doc[: leaf.start(3)] + text + doc[leaf.end(3) :]


def root_attribute(doc: bytes, attribute: bytes) -> bytes:
    """``doc`` with ``attribute`` (``name="value"``) added to its root start tag."""
    root = _ROOT_TAG.search(doc, _after_declaration(doc))
    assert root is not None
    return doc[: root.end()] + b" " + attribute + doc[root.end() :]


def leaf_attribute(doc: bytes, attribute: bytes) -> bytes:
    """``doc`` with ``attribute`` added to its first leaf's start tag (else to the root's)."""
    leaf = _LEAF.search(doc)
    if leaf is None:
        return root_attribute(doc, attribute)
    at = leaf.start(1) + 1 + len(leaf.group(2))
    return doc[:at] + b" " + attribute + doc[at:]


def before_first_child(doc: bytes, blob: bytes) -> bytes:
    """``doc`` with ``blob`` put right after the root start tag."""
    root = _ROOT_TAG.search(doc, _after_declaration(doc))
    assert root is not None
    close = doc.index(b">", root.end())
    return doc[: close + 1] + blob + doc[close + 1 :]


# --------------------------------------------------------------------------- generated attacks


def quadratic_blowup(doc: bytes) -> bytes:
    """One 100 KB internal entity referenced 20,000 times (2 GB once expanded)."""
    big = b"A" * 100_000
    hostile = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "'
        + big
        + b'">]>\n<r>'
        + b"&a;" * 20_000
        + b"</r>"
    )
    return graft(doc, hostile)


def deep_nesting(doc: bytes, depth: int = 10_000) -> bytes:
    """10,000 nested elements in the first leaf."""
    return first_leaf_text(doc, b"<a>" * depth + b"</a>" * depth)


def attribute_50mb(doc: bytes) -> bytes:
    """A 50 MB attribute value on the root element."""
    return root_attribute(doc, b'hostile="' + b"A" * (50 * MB) + b'"')


def body_200mb(doc: bytes) -> bytes:
    """200 MB of line breaks between the root start tag and its first child."""
    return before_first_child(doc, b"\n" * (200 * MB))


def over_size_limit(doc: bytes) -> bytes:
    """One byte more than ``DEFAULT_MAX_BYTES`` (256 MiB): spaces on one line, no tree."""
    pad = DEFAULT_MAX_BYTES + 1 - len(doc)
    return before_first_child(doc, b" " * pad)


def comment_redos(doc: bytes) -> bytes:
    """40 empty comments, then a character the root-name regexes do not expect.

    ``documents._ROOT_NAME`` (``ucxml.parse`` / ``validate`` without ``api``) and
    ``safexml._ROOT`` (``declare_prefixes``, when a well-known prefix is undeclared) match
    ``(?:\\s|<\\?.*?\\?>|<!--.*?-->)*<name``: when that fails, ``re`` tries every way of
    letting a lazy comment run on to a later ``-->``: 2**40 paths.
    """
    del doc  # the same bytes for every API
    return (
        b"<!---->" * 40
        + b'x<SOAP-ENV:Envelope xsi:type="x" pr:rule="x"><SOAP-ENV:Body/></SOAP-ENV:Envelope>'
    )


def glued_attributes(doc: bytes, count: int = 80_000) -> bytes:
    """80,000 attributes run together (``a0=""a1=""...``) on the first leaf (~700 KB).

    ``safexml.separate_attributes`` tolerates them; it used to report each with a line and
    column computed by scanning the payload from its start (quadratic: ~10 s here), and
    every one became a warning and a schema error (now the first hundred are listed and
    the rest counted). The size stays under the emulators' 1 MiB body cap.
    """
    glued = b'g=""' + b"".join(b'a%d=""' % i for i in range(count))
    return leaf_attribute(doc, glued)


def many_attributes(doc: bytes, count: int = 3_000) -> bytes:
    """3,000 unknown attributes, properly spaced, on the first leaf (~27 KB)."""
    return leaf_attribute(doc, b" ".join(b'a%d=""' % i for i in range(count)))


def nul_bytes(doc: bytes) -> bytes:
    """NUL characters in the text of the first leaf."""
    return first_leaf_text(doc, b"pe\x00\x00ter")


def invalid_utf8(doc: bytes) -> bytes:
    """A lone 0xFF byte and an overlong encoding of '<' (0xC0 0xBC) in a UTF-8 text."""
    return first_leaf_text(doc, b"pe\xffter\xc0\xbc")


def utf16_without_bom(doc: bytes) -> bytes:
    """The whole base in UTF-16 little-endian, declared UTF-16, without a byte order mark."""
    return reencode(doc, "utf-16-le")


def schema_location_hints(doc: bytes, env: Env) -> bytes:
    """``xsi:schemaLocation`` / ``noNamespaceSchemaLocation`` hints pointing at the canary
    file and the loopback port, on a payload made invalid (an unknown child in the first
    leaf), so that the schema validator and the explainer run on it."""
    hints = (
        f'xsi:schemaLocation="urn:hostile {env.url}/hostile.xsd" '
        f'xsi:noNamespaceSchemaLocation="file://{env.canary}"'
    ).encode()
    if b'xmlns:xsi="' not in doc:
        hints += b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    return first_leaf_text(root_attribute(doc, hints), b"<hostileUnknownChild/>")


# --------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class Attack:
    """One hostile input: how to build it on a base, and what it is."""

    id: str
    summary: str
    make: Callable[[bytes, Env], bytes]
    big: bool = False
    seconds: float = 5.0
    memory_budget_mb: float | None = None
    #: Texts that appear only if the attack worked (expanded, fetched, included).
    markers: tuple[str, ...] = ()


def from_file(name: str, codec: str | None = None) -> Callable[[bytes, Env], bytes]:
    def make(doc: bytes, env: Env) -> bytes:
        grafted = graft(doc, template(name, env))
        return reencode(grafted, codec) if codec else grafted

    return make


def _plain(fn: Callable[[bytes], bytes], codec: str | None = None) -> Callable[[bytes, Env], bytes]:
    def make(doc: bytes, env: Env) -> bytes:
        out = fn(doc)
        return reencode(out, codec) if codec else out

    return make


def _sip(doc: bytes, env: Env) -> bytes:
    return (CORPUS / "sip-notify-multipart-no-boundary.sip").read_bytes()


_FILE_ATTACKS = [
    ("billion-laughs", "billion-laughs.xml", "10^9 'lol' from nested internal entities"),
    ("xxe-local-file", "xxe-local-file.xml", "external general entity: file:// the canary"),
    ("xxe-loopback-url", "xxe-loopback-url.xml", "external general entity: http:// loopback"),
    ("external-dtd-url", "external-dtd-url.xml", "DOCTYPE SYSTEM http:// loopback (external DTD)"),
    ("external-dtd-file", "external-dtd-file.xml", "DOCTYPE SYSTEM file:// the canary"),
    (
        "external-dtd-public-url",
        "external-dtd-public-url.xml",
        "DOCTYPE PUBLIC with a http:// loopback system identifier",
    ),
    (
        "external-dtd-empty-subset",
        "external-dtd-empty-subset.xml",
        "DOCTYPE SYSTEM http:// loopback with an (empty) internal subset: always refused",
    ),
    ("parameter-entity-url", "parameter-entity-url.xml", "external parameter entity, loopback"),
    ("parameter-entity-file", "parameter-entity-file.xml", "external parameter entity, canary"),
    (
        "parameter-entity-internal",
        "parameter-entity-internal.xml",
        "internal parameter entity declaring a general entity",
    ),
    ("doctype-on-valid-payload", "doctype-only.xml", "a bare DOCTYPE on a valid message"),
]

ATTACKS: list[Attack] = []
_MARKERS = {
    "billion-laughs": ("lollollol",),
    "parameter-entity-internal": ("INJECTED-BY-PARAMETER-ENTITY",),
}
for _id, _file, _summary in _FILE_ATTACKS:
    _marks = _MARKERS.get(_id, ())
    ATTACKS.append(Attack(_id, _summary, from_file(_file), markers=_marks))
    ATTACKS.append(
        Attack(
            f"{_id}-utf16",
            f"{_summary}; the document in UTF-16 (with BOM), past the byte-level DOCTYPE check",
            from_file(_file, "utf-16"),
            markers=_marks,
        )
    )
ATTACKS += [
    Attack(
        "quadratic-blowup",
        "one 100 KB entity used 20,000 times",
        _plain(quadratic_blowup),
        markers=("A" * 1000,),
    ),
    Attack(
        "quadratic-blowup-utf16",
        "one 100 KB entity used 20,000 times, in UTF-16",
        _plain(quadratic_blowup, "utf-16"),
        markers=("A" * 1000,),
    ),
    Attack(
        "xinclude-local-file",
        "xi:include href= the canary file (parse=text)",
        from_file("xinclude-local-file.xml"),
    ),
    Attack(
        "xinclude-loopback-url",
        "xi:include href= the loopback URL",
        from_file("xinclude-loopback-url.xml"),
    ),
    Attack(
        "schema-location-hints",
        "xsi:schemaLocation / noNamespaceSchemaLocation at the loopback port and the canary",
        lambda doc, env: schema_location_hints(doc, env),
    ),
    Attack("deep-nesting-10000", "10,000 nested elements", _plain(deep_nesting)),
    Attack(
        "attribute-50mb",
        "a 50 MB attribute value",
        _plain(attribute_50mb),
        big=True,
        seconds=5.0,
        memory_budget_mb=600,
    ),
    Attack(
        "body-200mb",
        "a 200 MB body (200 MB of line breaks inside the message)",
        _plain(body_200mb),
        big=True,
        seconds=20.0,
        memory_budget_mb=600,
    ),
    Attack(
        "over-size-limit",
        "DEFAULT_MAX_BYTES + 1 bytes (256 MiB + 1)",
        _plain(over_size_limit),
        big=True,
        seconds=20.0,
        memory_budget_mb=600,
    ),
    Attack("invalid-utf8", "0xFF and an overlong '<' in UTF-8 text", _plain(invalid_utf8)),
    Attack("utf16-without-bom", "UTF-16LE without a byte order mark", _plain(utf16_without_bom)),
    Attack("nul-bytes", "NUL characters in element text", _plain(nul_bytes)),
    Attack(
        "sip-multipart-no-boundary",
        "SIP NOTIFY, multipart/related body, Content-Type without boundary",
        _sip,
    ),
    Attack(
        "comment-redos",
        "40 empty comments before a non-name character (exponential regex backtracking)",
        _plain(comment_redos),
        seconds=2.0,
    ),
    Attack(
        "many-unknown-attributes",
        "3,000 unknown attributes on one element (27 KB): one schema error each",
        _plain(many_attributes),
        seconds=3.0,
    ),
    Attack(
        "glued-attributes",
        "80,000 attributes run together on one element (quadratic warning positions)",
        _plain(glued_attributes),
        seconds=4.0,
    ),
]

BY_ID = {a.id: a for a in ATTACKS}
assert len(BY_ID) == len(ATTACKS)


@functools.cache
def _cached(attack_id: str, base_name: str, env: Env) -> bytes:
    return BY_ID[attack_id].make(base(base_name), env)


def payload(attack_id: str, base_name: str, env: Env) -> bytes:
    """The bytes of ``attack_id`` grafted on ``base_name`` (big ones: only the last kept)."""
    attack = BY_ID[attack_id]
    if attack.big:
        return _big(attack_id, base_name, env)
    return _cached(attack_id, base_name, env)


@functools.lru_cache(maxsize=1)
def _big(attack_id: str, base_name: str, env: Env) -> bytes:
    return BY_ID[attack_id].make(base(base_name), env)
