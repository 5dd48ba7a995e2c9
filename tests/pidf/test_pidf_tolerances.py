"""What real presence sources send beside RFC order (issue #16; ERRATA D08-D11).

Local times (``T-LOCAL-TIME``) and RPID's draft namespace (``T-DRAFT-NS``) are read as sent
with a warning; extension elements of ``##other`` positions are kept on the model and
written back; ``build_presence`` still writes strictly.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree
from xsdata.formats.dataclass.models.generics import AnyElement

import ucxml
from ucxml import DeviationWarning, pidf
from ucxml._pidf_hooks import reader_warnings
from ucxml._registry import binding
from ucxml._safexml import parse_xml
from ucxml._sip import parse_sip
from ucxml._tolerances import by_code
from ucxml.errors import ParameterError
from ucxml.generated.pidf.models import Alerting, Dnd, Model, Presence

from canonical import canonical

CORRECTED = Path(__file__).resolve().parents[2] / "schemas" / "pidf" / "examples" / "corrected"
LOCAL = CORRECTED / "08-publish-presence-local-time.xml"
BLF = CORRECTED / "05-notify-presence-blf-status-rpid.xml"
RINGING = CORRECTED / "06-notify-presence-blf-ringing-status-rpid.xml"
CISCO = CORRECTED / "07-notify-presence-cisco-activities.xml"
UNKNOWN = CORRECTED / "09-notify-presence-unknown-extensions.xml"
TUPLE_ACTIVITIES = CORRECTED / "10-publish-presence-tuple-activities.xml"
STATUS_RPID = "urn:ietf:params:xml:ns:pidf:status:rpid"
CE = "{urn:cisco:params:xml:ns:pidf:rpid}"


def _read_recording(data: bytes | Path) -> tuple[Presence, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        document = pidf.read(data)
    return document, [str(w.message) for w in caught if w.category is DeviationWarning]


def _hook(data: bytes) -> list[ucxml.Issue]:
    root = parse_xml(data).root
    return reader_warnings(root, data, binding("pidf").info.tolerances)


def test_both_tolerances_are_catalogued_and_switched_on_for_pidf() -> None:
    assert {"local-time", "draft-namespaces"} <= set(binding("pidf").info.tolerances)
    local, draft = by_code("T-LOCAL-TIME"), by_code("T-DRAFT-NS")
    assert local is not None and local.name == "local-time"
    assert draft is not None and draft.name == "draft-namespaces"


# Every date and time position of example 08 whose value has no zone: (line, column, name,
# value, lxml path as every tolerance warning gives it). The until="…+02:00" on line 12
# has one and is not reported.
LOCAL_TIMES = [
    (7, 5, "user-input@last-input", "2008-06-10T14:03:10", "/*/*[1]/r:user-input"),
    (9, 5, "timestamp", "2008-06-10T14:05:33", "/*/*[1]/*[4]"),
    (12, 5, "activities@from", "2008-06-10T14:00:00", "/*/dm:person/r:activities"),
    (15, 5, "timestamp", "2008-06-10T14:05:33", "/*/dm:person/dm:timestamp"),
]


def test_local_times_are_warned_with_position_path_and_code() -> None:
    issues = _hook(LOCAL.read_bytes())
    assert [(i.line, i.column, i.path) for i in issues] == [
        (line, column, path) for line, column, _, _, path in LOCAL_TIMES
    ]
    for issue, (_, _, name, value, _) in zip(issues, LOCAL_TIMES, strict=True):
        assert issue.severity == "warning" and issue.code == "T-LOCAL-TIME"
        assert issue.message == f"{name} {value!r} has no time zone (kept as sent, a local time)"


def test_pidf_read_reports_local_times_and_keeps_the_values_as_sent() -> None:
    document, messages = _read_recording(LOCAL)
    assert messages == [
        f"line {line}: {name} {value!r} has no time zone (kept as sent, a local time)"
        for line, _, name, value, _ in LOCAL_TIMES
    ]
    stamp = document.tuple[0].timestamp
    assert stamp is not None and stamp.offset is None  # naive: no zone was invented
    assert str(stamp) == "2008-06-10T14:05:33"
    assert stamp.to_datetime().tzinfo is None
    assert canonical(pidf.dump(document)) == canonical(LOCAL.read_bytes())


@pytest.mark.parametrize("zone", ["Z", "+02:00", "-05:30", "+00:00"])
def test_a_timestamp_with_its_zone_is_not_warned(zone: str) -> None:
    data = LOCAL.read_bytes().replace(
        b"14:05:33</timestamp>", f"14:05:33{zone}</timestamp>".encode()
    )
    issues = _hook(data)
    assert [i.path for i in issues] == [p for *_, p in LOCAL_TIMES if p != "/*/*[1]/*[4]"]


def test_strict_readers_turn_the_warning_into_an_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeviationWarning)
        with pytest.raises(DeviationWarning, match="has no time zone"):
            pidf.read(LOCAL)


def test_a_tolerance_not_switched_on_reports_nothing() -> None:
    root = parse_xml(LOCAL.read_bytes()).root
    assert reader_warnings(root, LOCAL.read_bytes(), ()) == []
    assert [i.code for i in reader_warnings(root, BLF.read_bytes(), ["draft-namespaces"])] == []


def test_draft_namespace_is_warned_once_and_kept_in_its_namespace() -> None:
    data = BLF.read_bytes()
    issues = _hook(data)
    assert [(i.code, i.line, i.column, i.path) for i in issues] == [
        ("T-DRAFT-NS", 10, 5, "/*/dm:person/e:activities")
    ]
    assert (
        STATUS_RPID in issues[0].message
        and "urn:ietf:params:xml:ns:pidf:rpid)" in issues[0].message
    )
    document, messages = _read_recording(BLF)
    assert messages == [f"line 10: {issues[0].message}"]
    out = pidf.dump(document)
    assert canonical(out) == canonical(data)
    written = etree.fromstring(out)
    assert [etree.QName(e).localname for e in written.iter(f"{{{STATUS_RPID}}}*")] == [
        "activities",
        "on-the-phone",
        "busy",
    ]


@pytest.mark.parametrize(
    ("path", "activities"),
    [
        (BLF, ("on-the-phone", "busy")),
        (RINGING, ("alerting", "dnd")),
        (CISCO, ("dnd", "on-the-phone", "alerting")),
        (TUPLE_ACTIVITIES, ("busy",)),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else None,
)
def test_activities_are_read_in_either_rpid_namespace_and_either_place(
    path: Path, activities: tuple[str, ...]
) -> None:
    document, _ = _read_recording(path)
    assert pidf.summary(document).activities == activities


def test_cisco_activities_are_typed_where_their_namespace_is_known() -> None:
    document, messages = _read_recording(CISCO)
    assert messages == []
    assert [type(e) for e in pidf.extensions(document, f"{CE}dnd")] == [Dnd]
    assert [type(e) for e in pidf.extensions(document, f"{CE}alerting")] == [Alerting]
    models = pidf.extensions(document, f"{CE}model")
    assert [m.value for m in models if isinstance(m, Model)] == ["Cisco 7971"]
    # Inside a draft-namespace activities (unknown to the schema) they stay generic.
    ringing, _ = _read_recording(RINGING)
    found = pidf.extensions(ringing, f"{CE}alerting")
    assert len(found) == 1 and isinstance(found[0], AnyElement)


def test_unknown_extensions_are_reachable_on_the_typed_model() -> None:
    document, messages = _read_recording(UNKNOWN)
    assert messages == []
    status = document.tuple[0].status
    assert [e.qname for e in status.other_element if isinstance(e, AnyElement)] == [
        "{urn:ietf:params:xml:ns:pidf:geopriv10}geopriv"
    ]
    (point,) = pidf.extensions(document, "{http://www.opengis.net/gml}Point")
    assert isinstance(point, AnyElement)
    assert point.attributes == {"{http://www.opengis.net/gml}id": "office", "srsName": "epsg:4326"}
    (coordinates,) = pidf.extensions(point, "{http://www.opengis.net/gml}coordinates")
    assert isinstance(coordinates, AnyElement) and coordinates.text == "48:51:30N 2:17:40E"
    (timed,) = pidf.extensions(document, "{urn:ietf:params:xml:ns:pidf:timed-status}timed-status")
    assert isinstance(timed, AnyElement)
    assert timed.attributes["until"] == "2008-06-11T08:00:00+02:00"
    assert pidf.extensions(document, "{urn:example:none}none") == []


_PIDF = "urn:ietf:params:xml:ns:pidf"
_X = 'xmlns:x="urn:example:vendor"'
# One extension with everything a lax wildcard may hold: a namespaced and a plain
# attribute, text, a child with a tail (mixed content), an empty child.
_EXTENSION = (
    '<x:ext x:level="2" kind="a &amp; b">head<x:part n="1">inner</x:part>tail<x:empty/></x:ext>'
)
_POSITIONS = {
    "presence": f'<presence xmlns="{_PIDF}" {_X} entity="sip:a@b">{_EXTENSION}</presence>',
    "tuple": (
        f'<presence xmlns="{_PIDF}" {_X} entity="sip:a@b"><tuple id="t1">'
        f"<status><basic>open</basic></status>{_EXTENSION}<contact>sip:a@c</contact></tuple></presence>"
    ),
    "status": (
        f'<presence xmlns="{_PIDF}" {_X} entity="sip:a@b"><tuple id="t1">'
        f"<status><basic>closed</basic>{_EXTENSION}</status></tuple></presence>"
    ),
    "person": (
        f'<presence xmlns="{_PIDF}" {_X} xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
        f'entity="sip:a@b"><dm:person id="p1">{_EXTENSION}<dm:note>n</dm:note></dm:person>'
        "</presence>"
    ),
    "device": (
        f'<presence xmlns="{_PIDF}" {_X} xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
        f'entity="sip:a@b"><dm:device id="d1">{_EXTENSION}<dm:deviceID>urn:x:1</dm:deviceID>'
        "</dm:device></presence>"
    ),
    "activities": (
        f'<presence xmlns="{_PIDF}" {_X} xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" '
        'xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b"><dm:person id="p1">'
        f"<r:activities><r:busy/>{_EXTENSION}</r:activities></dm:person></presence>"
    ),
}


@pytest.mark.parametrize("position", sorted(_POSITIONS))
def test_an_unknown_extension_round_trips_in_every_wildcard_position(position: str) -> None:
    data = _POSITIONS[position].encode()
    assert ucxml.validate(data, api="pidf").valid
    document, messages = _read_recording(data)
    assert messages == []
    (found,) = pidf.extensions(document, "{urn:example:vendor}ext")
    assert isinstance(found, AnyElement) and found.text == "head"
    assert found.attributes == {"{urn:example:vendor}level": "2", "kind": "a & b"}
    out = pidf.dump(document)
    assert canonical(out) == canonical(data)
    assert pidf.read(out) == document


def test_build_presence_writes_an_aware_timestamp_strictly() -> None:
    when = datetime(2008, 6, 10, 14, 5, 33, tzinfo=timezone(timedelta(hours=2)))
    doc = pidf.build_presence(
        "sip:jdoe@example.com", activities=["dnd", "alerting"], timestamp=when
    )
    body = pidf.dump(doc)
    assert b"<timestamp>2008-06-10T14:05:33+02:00</timestamp>" in body
    report = ucxml.validate(body, api="pidf")
    assert report.valid and report.issues == (), report.issues
    back, messages = _read_recording(body)
    assert messages == [] and back == doc
    assert pidf.summary(back).activities == ("dnd", "alerting")
    utc = pidf.build_presence("sip:a@b", timestamp=datetime(2008, 6, 10, 12, 5, 33, tzinfo=UTC))
    assert b"<timestamp>2008-06-10T12:05:33Z</timestamp>" in pidf.dump(utc)


def test_build_presence_refuses_a_naive_timestamp() -> None:
    with pytest.raises(ParameterError, match="no time zone"):
        pidf.build_presence("sip:a@b", timestamp=datetime(2008, 6, 10, 14, 5, 33))


def test_split_rlmi_reports_the_pidf_warnings_of_its_parts() -> None:
    sip = CORRECTED.parent / "sip" / "corrected" / "03-notify-list.sip"
    message = parse_sip(sip.read_bytes())
    assert b"</status>" in message.body
    body = message.body.replace(
        b"</status>", b"</status><ts:x xmlns:ts='urn:ietf:params:xml:ns:pidf:status:rpid'/>", 1
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        notification = pidf.split_rlmi(body, message.content_type)
    texts = [str(w.message) for w in caught if w.category is DeviationWarning]
    assert len(texts) == 1 and "draft namespace" in texts[0], texts
    (found,) = [
        e
        for documents in notification.presence.values()
        for d in documents
        for e in pidf.extensions(d, f"{{{STATUS_RPID}}}x")
    ]
    assert isinstance(found, AnyElement)
