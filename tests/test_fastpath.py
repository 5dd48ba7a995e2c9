"""The fast path equals the generic (xsdata) path: objects, bytes, warnings and errors."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import ucxml
from ucxml import DeviationWarning
from ucxml import _documents as documents
from ucxml import _fastpath as fastpath
from ucxml._documents import parse_generic, serialize_generic
from ucxml._registry import api_names, binding
from ucxml.errors import BindingError, UcxmlError, XmlSyntaxError
from ucxml.generated.cme import models as m

from canonical import canonical
from strategies import model_strategy

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
XML_APIS = tuple(n for n in api_names() if binding(n).info.envelope != "json")
EXAMPLES = sorted(
    (api, path)
    for api in XML_APIS
    for kind in ("corrected", "documented", "realworld", "realworld/corrected")
    for path in (SCHEMAS / api / "examples" / kind).glob("*.xml")
)


READERS = ("whole", "chunked", "streamed")


@pytest.fixture(autouse=True, params=READERS)
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs on each reader of ``ucxml.parse``: whole tree, whole trees of
    a few records each (cut every 64 bytes or so, so that most payloads take several
    runs), and stream; unless it names the readers it needs (see :func:`_readers`)."""
    monkeypatch.setattr(documents, "STREAM_BYTES", 10**12 if request.param == "whole" else 0)
    monkeypatch.setattr(fastpath, "CHUNK_BYTES", 64 if request.param == "chunked" else 0)
    return str(request.param)


def _readers(api: str) -> tuple[str, ...]:
    """The readers that read ``api`` differently: all three for an xsi:type API (CME), whose
    payloads ``ucxml.parse`` streams from STREAM_BYTES on (chunked first, as CHUNK_BYTES
    allows); one for the others, which every reader parses whole (``documents._parse``
    looks at neither size for them), so the other two would rerun the same code."""
    return READERS if binding(api).info.dispatch == "xsi:type" else READERS[:1]


def _both(data: bytes, api: str) -> tuple[object, object, list[str], list[str]]:
    with warnings.catch_warnings(record=True) as fast_w:
        warnings.simplefilter("always", DeviationWarning)
        fast = ucxml.parse(data, api=api)
    generic = parse_generic(data, api=api)
    generic_w = [i.message for i in documents.read_message(data, api).warnings]
    return (
        fast,
        generic,
        sorted(str(w.message).split(": ", 1)[1] for w in fast_w),
        sorted(generic_w),
    )


@pytest.mark.parametrize(
    ("reader", "case"),
    [(r, c) for c in EXAMPLES for r in _readers(c[0])],
    ids=lambda v: v if isinstance(v, str) else f"{v[0]}/{v[1].parent.name}/{v[1].name}",
    indirect=["reader"],
)
def test_examples_fast_equals_generic(case: tuple[str, Path]) -> None:
    api, path = case
    data = path.read_bytes()
    try:
        fast, generic, fast_w, generic_w = _both(data, api)
    except UcxmlError as exc:  # a rejected documented example: both paths must reject it
        with pytest.raises(type(exc)):
            parse_generic(data, api=api)
        return
    assert fast == generic
    assert fast_w == generic_w
    assert ucxml.serialize(fast) == serialize_generic(fast)


def _models() -> list[tuple[str, type]]:
    out = []
    for api in XML_APIS:
        b = binding(api)
        out += [(api, cls) for cls in {**b.requests, **b.responses, **b.documents}.values()]
    return sorted(out, key=lambda x: (x[0], x[1].__name__))


@pytest.mark.parametrize(
    ("reader", "api", "model"),
    [(r, api, model) for api, model in _models() for r in _readers(api)],
    ids=lambda v: getattr(v, "__name__", v),
    indirect=["reader"],
)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_instances_fast_equals_generic(api: str, model: type, data: st.DataObject) -> None:
    obj = data.draw(model_strategy(model))
    # The alternative EM spelling is read as the DTD's on purpose (ERRATA E01).
    assume(getattr(obj, "user_device_profile_query", None) is None)
    wire = ucxml.serialize(obj)
    assert wire == serialize_generic(obj)
    with warnings.catch_warnings():
        # Drawn timestamps may lack a time zone: kept, with a warning (T-LOCAL-TIME).
        warnings.simplefilter("ignore", ucxml.DeviationWarning)
        assert ucxml.parse(wire, api=api) == parse_generic(wire, api=api) == obj


def _devices(n: int) -> bytes:
    device = (
        "<ISDevice><ISDevID>{i}</ISDevID><ISDevName>SEP{i:012X}</ISDevName>"
        "<ISDevStatus>registered</ISDevStatus><ISTapiCChangeTime></ISTapiCChangeTime></ISDevice>"
    )
    body = "".join(device.format(i=i) for i in range(1, n + 1))
    return ucxml.serialize(m.ISgetDeviceResponse()).replace(
        b'xsi:type="ISgetDeviceResponse"/>',
        b'xsi:type="ISgetDeviceResponse">' + body.encode() + b"</response>",
    )


def test_iter_records_yields_every_device_in_order() -> None:
    data = _devices(50)
    records = list(fastpath.iter_records("cme", data))
    assert [d.dev_id for d in records] == list(range(1, 51))
    assert records == ucxml.parse(data).device == parse_generic(data).device


def test_unknown_message_content_is_kept_by_parse_and_reported_by_iter_records() -> None:
    data = _devices(3).replace(b"</response>", b"<ISBogus/></response>")
    seen = []
    with pytest.warns(DeviationWarning, match="ISBogus.*not kept: records only"):
        for record in fastpath.iter_records("cme", data):
            seen.append(record.dev_id)
    assert seen == [1, 2, 3]
    for read in (ucxml.parse, parse_generic):
        with pytest.warns(DeviationWarning, match="ISBogus"):
            obj = read(data)
        assert obj.extra is not None and obj.extra.elements[0].xml == "<ISBogus/>"
        assert canonical(ucxml.serialize(obj)) == canonical(data)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ((b"<ISDevID>2</ISDevID>", b"<ISDevID>two</ISDevID>"), BindingError),
        ((b"<ISDevStatus>registered", b"<ISDevStatus>weird"), BindingError),
        ((b"<ISDevID>2</ISDevID>", b"<ISDevID>2</ISDevId>"), XmlSyntaxError),
        ((b"</axl>", b"</axl><extra/>"), BindingError),  # outside the message: no model
        ((b"<ISDevID>2</ISDevID>", b'<ISDevID xmlns="urn:x">2</ISDevID>'), BindingError),
    ],
)
def test_errors_match_the_generic_path(change: tuple[bytes, bytes], error: type[Exception]) -> None:
    data = _devices(3).replace(*change, 1)
    with pytest.raises(error):
        ucxml.parse(data)
    with pytest.raises(error):
        parse_generic(data)


def test_nested_tags_that_a_message_child_also_has() -> None:
    ext = (SCHEMAS / "cme/examples/corrected/15-ISgetExtension-sccp-response.xml").read_bytes()
    assert b"<ISAllowWatch>" in ext  # also a direct child of ISgetPresenceGlobalResponse
    assert ucxml.parse(ext) == parse_generic(ext)


def test_fast_path_is_used_and_counted() -> None:
    data = _devices(2)
    before = fastpath.stats.fast
    ucxml.parse(data)
    ucxml.serialize(m.ISgetUser(get_user=m.ISgetUserParams(user_id="x")))
    assert fastpath.stats.fast == before + 2


@pytest.mark.parametrize(
    "change",
    [
        (b"<ISDevID>1</ISDevID>", b'<ISDevID x="1">1</ISDevID>'),  # xsdata alone drops it
        (b"</ISDevice>", b"<ISWhat>1</ISWhat></ISDevice>"),
        (b'"ISgetDeviceResponse">', b'"ISgetDeviceResponse" extra="1">'),
    ],
    ids=["leaf-attribute", "element", "message-attribute"],
)
def test_unknown_content_is_kept_by_both_readers_never_dropped(change: tuple[bytes, bytes]) -> None:
    data = _devices(2).replace(*change, 1)
    for read in (ucxml.parse, parse_generic):
        with pytest.warns(DeviationWarning, match="not in the schema of any known release"):
            obj = read(data)
        assert canonical(ucxml.serialize(obj)) == canonical(data)
    report = ucxml.validate(data)
    assert report.valid and [i.code for i in report.warnings if i.code == "T-UNKNOWN"]


# ucxml.iter_records always streams (fastpath._stream, which reads neither STREAM_BYTES nor
# CHUNK_BYTES), and refuses a non-CME payload before reading it: one reader is enough.
@pytest.mark.parametrize("reader", READERS[:1], indirect=True)
def test_top_level_iter_records() -> None:
    data = _devices(5)
    assert [d.dev_id for d in ucxml.iter_records(data)] == [1, 2, 3, 4, 5]
    em = (SCHEMAS / "em/examples/corrected/24-results-deviceuser-dtd.xml").read_bytes()
    with pytest.raises(ucxml.UnknownApiError):
        ucxml.iter_records(em)


def test_elements_inside_a_simple_value_are_refused_not_dropped() -> None:
    data = (SCHEMAS / "cme/examples/corrected/29-ISgetUser-response.xml").read_bytes()
    hostile = data.replace(b"<ISuserID>", b"<ISuserID>pe<evil/>", 1)
    assert hostile != data
    with pytest.raises(BindingError, match="cannot contain elements"):
        ucxml.parse(hostile, api="cme")


def _in_generation(objects: list[object], generation: int) -> bool:
    held = {id(o) for o in gc.get_objects(generation=generation)}
    return all(id(o) in held for o in objects)


def test_a_large_bind_goes_straight_to_the_oldest_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _devices(20)
    monkeypatch.setattr(fastpath, "_PRETENURE_BYTES", 10**12)
    gc.collect()  # counts at zero: the one young pass after the bind leaves them in gen 1
    young = ucxml.parse(data).device
    assert gc.isenabled()
    assert not _in_generation(young, 2)
    monkeypatch.setattr(fastpath, "_PRETENURE_BYTES", len(data))
    promoted = ucxml.parse(data).device
    assert gc.isenabled()
    assert _in_generation(promoted, 2)


def test_the_collector_is_left_as_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastpath, "_PRETENURE_BYTES", 1)
    bad = _devices(3).replace(b"<ISDevID>2</ISDevID>", b"<ISDevID>two</ISDevID>")
    with pytest.raises(BindingError):
        ucxml.parse(bad)
    assert gc.isenabled()
    gc.disable()
    try:
        ucxml.parse(_devices(3))
        assert not gc.isenabled()
    finally:
        gc.enable()
    kept: list[object] = []  # tracked by the collector
    gc.freeze()  # a program's own frozen objects (a pre-fork server's) stay frozen
    try:
        assert not any(o is kept for o in gc.get_objects())  # frozen: out of every generation
        ucxml.parse(_devices(3))
        assert not any(o is kept for o in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(o is kept for o in gc.get_objects())


def test_each_reader_is_the_one_used(reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    chunked, stream = fastpath._chunked, fastpath._stream

    def chunked_spy(api: str, data: bytes, max_bytes: int, expected: str | None) -> object:
        read = chunked(api, data, max_bytes, expected)
        if read is not None:
            calls.append("chunked")
        return read

    def stream_spy(
        api: str, data: bytes, max_bytes: int, records: bool, expected: str | None = None
    ) -> object:
        calls.append("streamed")
        return stream(api, data, max_bytes, records, expected)

    monkeypatch.setattr(fastpath, "_chunked", chunked_spy)
    monkeypatch.setattr(fastpath, "_stream", stream_spy)
    data = _devices(2)
    assert [d.dev_id for d in ucxml.parse(data).device] == [1, 2]
    assert calls == ([] if reader == "whole" else [reader])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"  ", "  "),
        (b"\n  ", "\n  "),
        (b"  <![CDATA[IP Phone]]>", "  IP Phone"),
    ],
)
def test_blank_values_are_kept(value: bytes, expected: str) -> None:
    data = _devices(2).replace(b"<ISDevName>SEP000000000001</ISDevName>", b"", 1)
    data = data.replace(b"<ISDevStatus>", b"<ISDevType>" + value + b"</ISDevType><ISDevStatus>", 1)
    parsed = ucxml.parse(data)
    assert parsed.device[0].dev_type == expected
    assert parsed == parse_generic(data)
