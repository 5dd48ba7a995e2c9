"""The secret scan tries its patterns only near secret words: it finds what a full scan finds.

``redaction._scan_near_words`` is an optimisation of ``redaction._scan_all`` (every pattern
at every position); these properties compare the two on text made of the constructs the
patterns look for, mixed with noise, so a shortcut that misses a secret fails here.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ucxml import _redaction as redaction

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


#: The constructs the patterns look for (element text, attributes, name/value settings,
#: JSON, form fields, header lines, CDATA), as templates of a name, a prefix and a value.
_TEMPLATES = (
    "<{p}{n}>{v}</{p}{n}>",
    '<x {p}{n}="{v}" y="1"/>',
    "<x {p}{n}='{v}'>",
    '<property name="Directory.{n}" value="{v}">{v}</property>',
    '{{"{n}": "{v}", "n": 1}}',
    "{n}={v}&next=1",
    "{n}: {v}\r\n",
    "<![CDATA[{v}]]><{p}{n} a='1'><![CDATA[{v}]]></{p}{n}>",
)


@st.composite
def _fragment(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from(_TEMPLATES))
    return template.format(n=draw(_NAMES), p=draw(_PREFIXES), v=draw(_VALUES))


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
