"""Presence documents (``ucxml.pidf``) and the SIP messages of the guide's SIMPLE section."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

import ucxml
from ucxml import pidf
from ucxml._sip import parse_sip
from ucxml.errors import MessageFormatError, ParameterError
from ucxml.generated.pidf.models import Presence, RlmiList

from canonical import canonical

EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "pidf" / "examples"
# The guide's own documents (Examples 2-4); 05-09 are written by ucxml from other sources.
PRESENCE = sorted((EXAMPLES / "corrected").glob("0[234]-*presence*.xml"))
SIP_CORRECTED = sorted((EXAMPLES / "sip" / "corrected").glob("*.sip"))
SIP_DOCUMENTED = sorted((EXAMPLES / "sip" / "documented").glob("*.sip"))
PIDF = "{urn:ietf:params:xml:ns:pidf}"


def test_built_document_is_valid_and_reads_back() -> None:
    doc = pidf.build_presence(
        "sip:jdoe@example.com",
        basic="closed",
        activities=["on-the-phone", "meeting", "available"],
        user_input="idle",
        servcaps={"audio": True, "video": False, "text": True},
        contact="sip:jdoe@10.1.1.20",
        priority=0.8,
        note="in a call",
    )
    body = pidf.dump(doc)
    report = ucxml.validate(body, api="pidf")
    assert report.valid and report.issues == (), report.issues
    back = pidf.read(body)
    assert back == doc
    info = pidf.summary(back)
    assert info.entity == "sip:jdoe@example.com"
    assert info.basic == "closed"
    assert info.activities == ("meeting", "on-the-phone", "available")
    assert info.user_input == "idle"
    assert info.contact == "sip:jdoe@10.1.1.20"
    assert info.priority == Decimal("0.8")
    assert info.servcaps is not None and (info.servcaps.audio, info.servcaps.video) == (True, False)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"activities": ["napping"]}, "unknown activities"),
        ({"servcaps": {"smell": True}}, "unknown service capabilities"),
        ({"priority": 2}, "0..1"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ParameterError, match=words):
        pidf.build_presence("sip:a@b", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", PRESENCE, ids=lambda p: p.name)
def test_summary_of_the_guides_documents(path: Path) -> None:
    tree = etree.parse(str(path)).getroot()
    first = tree.find(f"{PIDF}tuple")
    assert first is not None
    info = pidf.summary(pidf.read(path))
    assert info.entity == tree.get("entity")
    assert info.basic == first.findtext(f"{PIDF}status/{PIDF}basic")
    assert info.contact == first.findtext(f"{PIDF}contact")
    assert info.tuples == len(tree.findall(f"{PIDF}tuple"))
    assert info.activities == ("available",)
    assert info.user_input == "active"


def test_read_refuses_the_other_document_kind() -> None:
    with pytest.raises(MessageFormatError, match="presence document"):
        pidf.read(EXAMPLES / "corrected" / "03-notify-rlmi-list.xml")
    with pytest.raises(MessageFormatError, match="RLMI list"):
        pidf.read_list(PRESENCE[0])


def test_unknown_extensions_are_kept_not_dropped() -> None:
    data = (
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">'
        b'<tuple id="t1"><status><basic>open</basic><x:mood xmlns:x="urn:example:x">calm</x:mood>'
        b"</status></tuple></presence>"
    )
    doc = pidf.read(data)
    assert canonical(pidf.dump(doc)) == canonical(data)


def test_rlmi_notification_is_split_into_list_and_presence() -> None:
    data = (EXAMPLES / "sip" / "corrected" / "03-notify-list.sip").read_bytes()
    notification = pidf.split_rlmi(data)
    listed = pidf.read_list(EXAMPLES / "corrected" / "03-notify-rlmi-list.xml")
    assert notification.resource_list == listed
    assert notification.presence == {
        "sip:scalar1@cisco.com": [
            pidf.read(EXAMPLES / "corrected" / "03-notify-presence-scalar1.xml")
        ],
        "sip:scalar2@cisco.com": [
            pidf.read(EXAMPLES / "corrected" / "03-notify-presence-scalar2.xml")
        ],
    }
    message = parse_sip(data)
    assert pidf.split_rlmi(message.body, message.content_type) == notification
    assert pidf.split_rlmi(message) == notification


def test_rlmi_instance_pointing_nowhere_is_an_error() -> None:
    data = (EXAMPLES / "sip" / "corrected" / "03-notify-list.sip").read_bytes()
    message = parse_sip(data)
    body = message.body.replace(b'cid="971a28@10.89.51.203"', b'cid="gone@10.89.51.203"')
    with pytest.raises(MessageFormatError, match=r"gone@10\.89\.51\.203"):
        pidf.split_rlmi(body, message.content_type)


def test_rlmi_needs_multipart_related() -> None:
    data = (EXAMPLES / "sip" / "corrected" / "02-notify.sip").read_bytes()
    with pytest.raises(MessageFormatError, match="multipart/related"):
        pidf.split_rlmi(data)


@pytest.mark.parametrize("path", SIP_CORRECTED, ids=lambda p: p.name)
def test_corrected_sip_messages_parse_and_their_bodies_validate(path: Path) -> None:
    message = parse_sip(path.read_bytes())
    assert message.method in {"SUBSCRIBE", "NOTIFY", "PUBLISH", "REGISTER", "MESSAGE"}
    length = message.header("Content-Length")
    assert length is not None and int(length) == len(message.body)
    for part in message.parts() if message.body else []:
        if part.content_type.endswith("+xml"):
            report = ucxml.validate(part.content, api="pidf")
            assert report.valid, report.issues
            assert isinstance(ucxml.parse(part.content, api="pidf"), Presence | RlmiList)


@pytest.mark.parametrize("path", SIP_DOCUMENTED, ids=lambda p: p.name)
def test_documented_sip_messages_are_refused_with_a_typed_error(path: Path) -> None:
    with pytest.raises(MessageFormatError, match="not a SIP start line"):
        parse_sip(path.read_bytes())


def test_cisco_element_order_is_read_with_a_warning() -> None:
    cisco = (
        b'<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        b'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:a@b">'
        b'<dm:person id="p1"/><tuple id="t1"><contact priority="1">sip:a@10.0.0.1</contact>'
        b"<status><basic>open</basic></status></tuple></presence>"
    )
    report = ucxml.validate(cisco, api="pidf")
    assert report.valid
    assert [(i.severity, i.hint) for i in report.issues] == [("warning", "D02"), ("warning", "D02")]
    assert "children of <tuple> out of schema order" in report.issues[1].message
    with pytest.warns(ucxml.DeviationWarning, match="out of schema order"):
        doc = pidf.read(cisco)
    rfc = pidf.dump(doc)
    assert rfc.index(b"<tuple") < rfc.index(b"person")
    assert rfc.index(b"<status") < rfc.index(b"<contact")
    assert pidf.read(rfc) == doc
    assert ucxml.validate(cisco, api="pidf").issues and not ucxml.validate(rfc, api="pidf").issues
