"""UCCN notifications as typed events (``ucxml.uccn``), over every documented payload."""

from __future__ import annotations

import asyncio
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from ucxml import DeviationWarning
from ucxml._sip import parse_sip
from ucxml.errors import ParameterError, UcxmlError
from ucxml.uccn import (
    AclEntry,
    ChangeKind,
    Contact,
    DialingRule,
    Dispatcher,
    Group,
    PrivacyRule,
    UccnAction,
    parse_notification,
)

FOLDER = Path(__file__).resolve().parents[2] / "schemas" / "uccn" / "examples"
CORRECTED = sorted((FOLDER / "corrected").glob("*.xml"))
NS = "{urn:cisco:epas:uccn}"
# The guide's section (the table that changed) decides what the payload is about.
KIND_OF_TABLE = {
    "EPASContacts": ChangeKind.CONTACT,
    "EPASContactGroup": ChangeKind.GROUP,
    "ApplicationDialRule": ChangeKind.DIALING_RULE,
    "EpasPrivacyPolicy": ChangeKind.PRIVACY_RULE,
    "PeUriAcl": ChangeKind.ACL,
}
TYPE_OF_KIND = {
    ChangeKind.CONTACT: Contact,
    ChangeKind.GROUP: Group,
    ChangeKind.DIALING_RULE: DialingRule,
    ChangeKind.PRIVACY_RULE: PrivacyRule,
    ChangeKind.ACL: AclEntry,
}


def _notify(body: bytes) -> bytes:
    return (
        b"NOTIFY sip:cupc@10.1.1.5:5060;transport=tcp SIP/2.0\r\n"
        b"Event: uccn\r\nContent-Type: application/uccn+xml\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )


@pytest.mark.parametrize("path", CORRECTED, ids=lambda p: p.name)
def test_every_payload_becomes_a_typed_event(path: Path) -> None:
    tree = etree.parse(str(path))
    action = tree.findtext(f"{NS}action")
    table = path.stem.split("-")[1]
    event = parse_notification(path)
    assert event.action == action
    assert event.kind == KIND_OF_TABLE.get(table, ChangeKind.SETTINGS)
    names = [p.get("name") for p in tree.iter(f"{NS}property")]
    assert list(event.properties) == names
    assert event.cti_device == tree.findtext(f"{NS}cti-device")
    if event.kind is ChangeKind.SETTINGS:
        assert event.old is None and event.new is None
    else:
        kind = TYPE_OF_KIND[event.kind]
        verb = event.verb
        assert (event.old is not None) == (verb in ("update", "delete"))
        assert (event.new is not None) == (verb in ("insert", "update", "add"))
        for item in (event.old, event.new):
            assert item is None or isinstance(item, kind)
    # The same payload inside a SIP NOTIFY gives the same event.
    assert parse_notification(_notify(path.read_bytes())) == event


def test_contact_event_values() -> None:
    event = parse_notification(FOLDER / "corrected" / "02-EPASContacts-insert.xml")
    assert event.new == Contact(
        persona_id="Jack",
        group="General",
        group_index=Decimal("1.0"),
        index=Decimal("1.0000000000"),
        nickname="Curly",
        is_cups=True,
        is_external=False,
    )


def test_secret_settings_are_masked_in_reprs() -> None:
    event = parse_notification(FOLDER / "corrected" / "21-UcLdapProfile-update.xml")
    secret = event.properties["Directory.Password"]
    assert secret
    assert secret not in repr(event)
    assert secret not in repr(event.properties)
    assert secret not in repr(event.document)
    assert "Directory.DN" in repr(event.properties)


def test_public_flags_of_end_user_attributes() -> None:
    event = parse_notification(FOLDER / "corrected" / "37-UCEnduserCfg-insert.xml")
    (name,) = list(event.properties)
    assert event.properties.is_public(name) in (True, False)


def test_documented_payload_reads_with_a_warning_and_equals_its_twin() -> None:
    documented = FOLDER / "documented" / "02-EPASContacts-insert.xml"
    with pytest.warns(DeviationWarning, match="undeclared prefix 'epas'"):
        event = parse_notification(documented)
    assert event == parse_notification(FOLDER / "corrected" / documented.name)


@pytest.mark.parametrize(
    "name", ["12-UcCtiGatewayProfile-update.xml", "30-EpasPrivacyPolicy-insert.xml"]
)
def test_broken_documented_payloads_raise_typed_errors(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviationWarning)
        with pytest.raises(UcxmlError):
            parse_notification(FOLDER / "documented" / name)


def test_truncated_notify_raises_a_typed_error() -> None:
    body = (FOLDER / "corrected" / "02-EPASContacts-insert.xml").read_bytes()
    with pytest.raises(UcxmlError, match="truncated"):
        parse_notification(_notify(body)[:-40])


def test_dispatcher_routes_by_action_and_falls_back() -> None:
    seen: list[tuple[str, str]] = []
    events = Dispatcher()

    @events.on("insert-contact", UccnAction.DELETE_CONTACT)
    def contacts(event):  # type: ignore[no-untyped-def]
        seen.append(("contacts", event.action))
        return event.kind

    @events.fallback
    def other(event):  # type: ignore[no-untyped-def]
        seen.append(("other", event.action))

    assert events.dispatch(
        _notify((FOLDER / "corrected" / "02-EPASContacts-insert.xml").read_bytes())
    ) == [ChangeKind.CONTACT]
    events.dispatch(parse_notification(FOLDER / "corrected" / "04-EPASContacts-delete.xml"))
    events.dispatch((FOLDER / "corrected" / "01-UcSystemCfg-update.xml").read_bytes())
    assert seen == [
        ("contacts", "insert-contact"),
        ("contacts", "delete-contact"),
        ("other", "update-systemcfg"),
    ]


def test_dispatcher_refuses_unknown_actions_and_ignores_unhandled() -> None:
    events = Dispatcher()
    with pytest.raises(ParameterError, match="insert-contacts"):
        events.on("insert-contacts")
    assert (
        events.dispatch(parse_notification(FOLDER / "corrected" / "01-UcSystemCfg-update.xml"))
        == []
    )


def test_async_handlers() -> None:
    events = Dispatcher()

    @events.on("update-host")
    async def hosts(event):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)
        return sorted(event.properties)[:1]

    payload = (FOLDER / "corrected" / "13-UcCtiGatewayHost-update.xml").read_bytes()
    assert asyncio.run(events.dispatch_async(payload)) == [["CallControl.Backup1.Address"]]
    with pytest.raises(ParameterError, match="dispatch_async"):
        events.dispatch(payload)


def test_sip_body_is_used() -> None:
    body = (FOLDER / "corrected" / "05-EPASContactGroup-insert.xml").read_bytes()
    message = parse_sip(_notify(body))
    assert parse_notification(message).new == Group("General", Decimal("1.0000000000"))
