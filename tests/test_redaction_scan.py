"""The secret scan tries its patterns only near secret words: it finds what a full scan finds.

``redaction._scan_near_words`` is an optimisation of ``redaction._scan_all`` (every pattern
at every position); these properties compare the two on text made of the constructs the
patterns look for, mixed with noise, so a shortcut that misses a secret fails here.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ucxml import redaction

_NAMES = st.sampled_from(
    [
        "ISpassword",
        "passwd",
        "Password",
        "session-key",
        "sessionKey",
        "appCertificate",
        "GUID",
        "token",
        "x-auth-token",
        "Authorization",
        "Cookie",
        "user",
        "name",
        "secretary",
    ]
)
_PREFIXES = st.sampled_from(["", "epas:", "axl:", "a.b-c:"])
_VALUES = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="<>&\"'"),
    min_size=1,
    max_size=12,
)
_NOISE = st.sampled_from(["", " ", "\n", "<x>", "</x>", "a=b", "&", "?", ";", "\t", ":", "--"])


@st.composite
def _fragment(draw: st.DrawFn) -> str:
    name, prefix, value = draw(_NAMES), draw(_PREFIXES), draw(_VALUES)
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return f"<{prefix}{name}>{value}</{prefix}{name}>"
    if kind == 1:
        return f'<x {prefix}{name}="{value}" y="1"/>'
    if kind == 2:
        return f"<x {prefix}{name}='{value}'>"
    if kind == 3:
        return f'<property name="Directory.{name}" value="{value}">{value}</property>'
    if kind == 4:
        return f'{{"{name}": "{value}", "n": 1}}'
    if kind == 5:
        return f"{name}={value}&next=1"
    if kind == 6:
        return f"{name}: {value}\r\n"
    return f"<![CDATA[{value}]]><{prefix}{name} a='1'><![CDATA[{value}]]></{prefix}{name}>"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_fragment(), _NOISE), min_size=1, max_size=12))
def test_scan_near_words_finds_what_the_full_scan_finds(parts: list[str]) -> None:
    text = "".join(parts)
    full: set[str] = set()
    redaction._scan_all(text, full)
    lowered = text.lower()
    words = sorted({at for w in redaction._WORDS for at in redaction._occurrences(lowered, w)})
    near: set[str] = set()
    redaction._scan_near_words(text, words, near)
    assert full <= near, (text, full - near)


def test_non_ascii_text_takes_the_full_scan() -> None:
    # Non-ASCII text keeps the full scan: IGNORECASE folds the long s to "s", so the
    # patterns see "paſſword" where a search for ASCII words would not.
    found: set[str] = set()
    redaction._scan("<é/><paſſword>hunter2</paſſword>", found)
    assert found == {"hunter2"}


def test_text_dense_with_secret_words_is_scanned_whole() -> None:
    text = "<ISpassword>" + "password " * 200 + "</ISpassword>"
    found = redaction.find_secrets(text)
    assert any(v.startswith("password password") for v in found)
