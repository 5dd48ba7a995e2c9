"""The chunked reader of large xsi:type messages: whole trees of a few records each.

It must give what the streaming reader gives, and hand every payload it cannot cut safely
(or that needs a warning or an error, whose line only the stream knows) to that reader.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ucxml
from ucxml import _fastpath as fastpath
from ucxml import _safexml as safexml
from ucxml._documents import parse_generic
from ucxml.errors import UcxmlError
from ucxml.generated.cme import models as m

_DEVICE = (
    "<ISDevice><ISDevID>{i}</ISDevID><ISDevName>SEP{i:012X}</ISDevName>"
    "<ISDevLineButton><ISDevLineButtonID>1</ISDevLineButtonID>"
    "<ISDevLineButtonMode>Normal</ISDevLineButtonMode></ISDevLineButton>"
    "<ISDevStatus>registered</ISDevStatus></ISDevice>\n"
)


def _devices(n: int, device: str = _DEVICE) -> bytes:
    body = "".join(device.format(i=i) for i in range(1, n + 1))
    return ucxml.serialize(m.ISgetDeviceResponse()).replace(
        b'xsi:type="ISgetDeviceResponse"/>',
        b'xsi:type="ISgetDeviceResponse">\n' + body.encode() + b"</response>",
    )


def _streamed(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, list[str]]:
    with monkeypatch.context() as patch:
        patch.setattr(fastpath, "CHUNK_BYTES", 0)
        obj, warnings = fastpath.stream_parse("cme", data)
    return obj, [w.message for w in warnings]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of about 300 bytes: every payload here is cut many times."""
    monkeypatch.setattr(fastpath, "CHUNK_BYTES", 300)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every run the chunked reader parses, as it parses them."""
    seen: list[int] = []
    real = safexml.parse_siblings

    def spy(content: bytes, nsmap: dict[str | None, str], *, drop_blanks: bool) -> object:
        seen.append(len(content))
        return real(content, nsmap, drop_blanks=drop_blanks)

    monkeypatch.setattr(fastpath, "parse_siblings", spy)
    return seen


def test_records_are_read_in_many_runs(runs: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    data = _devices(40)
    read = fastpath._chunked("cme", data, safexml.DEFAULT_MAX_BYTES)
    assert read is not None
    obj, warnings, dialect = read
    assert not dialect  # the 2008 form
    assert len(runs) > 10 and sum(runs) > len(data) - 600  # all records, a few per run
    assert [d.dev_id for d in obj.device] == list(range(1, 41))
    assert obj.device[39].dev_line_button[0].dev_line_button_mode == "Normal"
    assert (obj, warnings) == _streamed(data, monkeypatch)
    assert obj == parse_generic(data)


def test_namespaces_in_scope_reach_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # xsi: declared on the envelope only, used inside records; a ">" in the message's tag.
    data = _devices(12).replace(
        b'<response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        b'<response xsi:schemaLocation="urn:x a>b.xsd"',
    )
    data = data.replace(b"<ISDevID>7</ISDevID>", b'<ISDevID xsi:nil="false">7</ISDevID>')
    assert data.count(b"xmlns:xsi") == 1 and b"xsi:nil" in data
    read = fastpath._chunked("cme", data, safexml.DEFAULT_MAX_BYTES)
    assert read is not None
    assert read == (_streamed(data, monkeypatch)[0], [], False)
    assert read[0] == parse_generic(data)


def test_a_declared_encoding_is_read_as_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _devices(12).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    data = data.replace(b"SEP00000000000A", b"SEP\xe9")
    read = fastpath._chunked("cme", data, safexml.DEFAULT_MAX_BYTES)
    assert read is not None
    assert read[0].device[9].dev_name == "SEP\u00e9"
    assert read == (_streamed(data, monkeypatch)[0], [], False)


def _replace(old: bytes, new: bytes, count: int = 1) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        assert old in data
        return data.replace(old, new, count)

    return change


# Payloads the chunked reader must hand to the streaming one, and why.
HANDED_OVER: dict[str, Callable[[bytes], bytes]] = {
    "comment between records": _replace(b"</ISDevice>\n", b"</ISDevice><!-- x -->\n"),
    "CDATA value": _replace(b"<ISDevName>SEP", b"<ISDevName><![CDATA[SEP]]>"),
    "processing instruction": _replace(b"</ISDevice>\n", b"</ISDevice><?x </ISDevice>?>\n"),
    "ASCII declared": _replace(b'encoding="UTF-8"', b'encoding="US-ASCII"'),
    "bare response": lambda data: data[data.index(b"<response") : data.index(b"</axl>")].replace(
        b"<response ", b'<response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ', 1
    ),
    "xsi:type alias": _replace(b'"ISgetDeviceResponse"', b'"ISgetDevicesResponse"'),
    "undeclared xsi prefix": _replace(
        b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', b"", 2
    ),
    "record inside a record": _replace(
        b"<ISDevStatus>", b"<ISDevice><ISDevID>99</ISDevID></ISDevice><ISDevStatus>"
    ),
    "record end tag cut short": _replace(b"</ISDevice>\n", b"</ISDevice\n", 3),
    "unknown element in a record": _replace(b"<ISDevStatus>", b"<ISBogus/><ISDevStatus>"),
    "bad value in a late record": _replace(b"<ISDevID>15</ISDevID>", b"<ISDevID>x</ISDevID>"),
    # A run is read without looking for attributes only when it holds no "=" at all.
    "unknown attribute on a leaf of a late record": _replace(
        b"<ISDevID>15</ISDevID>", b'<ISDevID a="1">15</ISDevID>'
    ),
    "a leaf holding an element in a late record": _replace(
        b"<ISDevID>15</ISDevID>", b"<ISDevID>1<x/>5</ISDevID>"
    ),
    "unknown attribute on the message": _replace(b"<response ", b'<response a=">" '),
    "two messages": _replace(b"</response>", b"</response><response/>"),
    "message in a default namespace": _replace(b"<response ", b'<response xmlns="urn:x" '),
    "the cut mark itself": _replace(b"</response>", b"<ucxml-chunk-mark/></response>"),
    "unclosed message": lambda data: data.replace(b"</response>", b""),
    "empty message": lambda data: ucxml.serialize(m.ISgetDeviceResponse()),
    # Memory: a run, or the bytes around the content, much longer than CHUNK_BYTES.
    "a record of 70 KB": _replace(b"SEP000000000003", b"SEP" + b"3" * 70_000),
    "70 KB before the message": _replace(b"<response ", b" " * 70_000 + b"<response "),
}


@pytest.mark.parametrize("change", HANDED_OVER.values(), ids=HANDED_OVER.keys())
def test_unusual_payloads_are_streamed(
    change: Callable[[bytes], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = change(_devices(20))
    assert fastpath._chunked("cme", data, safexml.DEFAULT_MAX_BYTES) is None
    try:
        expected = _streamed(data, monkeypatch)
    except UcxmlError as exc:
        with pytest.raises(type(exc)) as raised:
            fastpath.stream_parse("cme", data)
        assert (raised.value.message, raised.value.line) == (exc.message, exc.line)
        return
    obj, warnings = fastpath.stream_parse("cme", data)
    assert (obj, [w.message for w in warnings]) == expected


def test_memory_of_a_run_is_bounded(runs: list[int]) -> None:
    """No run is much longer than CHUNK_BYTES: it ends at the first record end after it."""
    fastpath.stream_parse("cme", _devices(60))
    assert max(runs) <= 300 + len(_DEVICE) + 20


_FRAGMENTS = [
    b"</ISDevice>",
    b"<ISDevice>",
    b"</ISDevice >",
    b"<ISDevice/>",
    b"</response>",
    b"<response>",
    b'<response xsi:type="ISgetDeviceResponse">',
    b"<ucxml-siblings>",
    b"</ucxml-siblings>",
    b"<!-- -->",
    b"<![CDATA[x]]>",
    b"<?pi x?>",
    b"&amp;",
    b"&lt;",
    b"&bogus;",
    b">",
    b"<",
    b'"',
    b" ",
    b"\n",
    b"x",
    b'xmlns:a="urn:a"',
    b"<a:b/>",
    b"<ISDevID>9</ISDevID>",
    b"<ISDevStatus>bogus</ISDevStatus>",
]


def _outcome(data: bytes) -> tuple[object, ...]:
    try:
        obj, warnings = fastpath.stream_parse("cme", data)
    except UcxmlError as exc:
        return ("error", type(exc).__name__, exc.message, exc.line)
    return ("read", obj, [w.message for w in warnings])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.sampled_from(_FRAGMENTS), st.integers(0, 12), st.booleans()),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_payloads_read_as_the_stream_reads_them(
    edits: list[tuple[float, bytes, int, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fragments inserted anywhere (or bytes cut out): the same object, or the same error.

    Half the edits land between two tags, where most payloads stay readable (about one in
    six is then read in chunks, one in twenty handed over and read, the rest refused).
    """
    data = _devices(8)
    for where, fragment, cut, between_tags in edits:
        at = int(where * len(data))
        if between_tags:
            at = data.find(b">", at) + 1 or len(data)
        data = data[:at] + fragment + data[at + (0 if between_tags else cut % 3) :]
    chunked = _outcome(data)
    with monkeypatch.context() as patch:
        patch.setattr(fastpath, "CHUNK_BYTES", 0)
        streamed = _outcome(data)
    assert chunked == streamed


@pytest.mark.parametrize("chunk", [0, 300], ids=["streamed", "chunked"])
def test_unknown_content_between_records_is_kept(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streaming reader clears each record's earlier siblings: one of them that no
    event named (unknown there) used to be cleared with them, silently."""
    data = _devices(6).replace(b"</ISDevice>\n", b"</ISDevice><ISDevID>9</ISDevID>\n", 3)
    monkeypatch.setattr(fastpath, "CHUNK_BYTES", chunk)
    obj, warnings = fastpath.stream_parse("cme", data)
    assert [w.code for w in warnings] == ["T-UNKNOWN"] * 3
    assert ucxml.serialize(obj).count(b"<ISDevID>9</ISDevID>") == 3
