"""Pinned types of the presence APIs (EPAS client, UCCN events, PIDF); checked by mypy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_type

from ucxml import pidf
from ucxml.cup import AsyncCupClient, CupClient, failed_items
from ucxml.generated.cup.models import (
    AddContactResp,
    ContactStatus,
    GetAllConfigResp,
    GetContactListResp,
    Group,
    LoginResp,
    OutcomeCode,
    PublishPresStatusResp,
)
from ucxml.generated.pidf.models import Presence, RlmiList
from ucxml.uccn import ChangeEvent, ChangeKind, Item, parse_notification


def sync(cup: CupClient) -> None:
    assert_type(cup.login(force=True), LoginResp)
    assert_type(cup.get_all_config(), GetAllConfigResp)
    assert_type(cup.get_contact_list(), GetContactListResp)
    assert_type(cup.get_contact_list(stream=True), Iterator[Group])
    answer = cup.add_contact([Group(name="work")])
    assert_type(answer, AddContactResp)
    assert_type(answer.status, list[ContactStatus])
    assert_type(answer.status[0].value, OutcomeCode | str)
    assert_type(failed_items(answer), list[ContactStatus])
    doc = pidf.build_presence("sip:a@b", activities=["away"])
    assert_type(doc, Presence)
    assert_type(cup.publish_pres_status(doc), PublishPresStatusResp)


async def asynchronous(cup: AsyncCupClient) -> None:
    assert_type(await cup.get_contact_list(), GetContactListResp)
    assert_type(await cup.get_contact_list(stream=True), Iterator[Group])
    assert_type(await cup.login(), LoginResp)


def events(body: bytes) -> None:
    event = parse_notification(body)
    assert_type(event, ChangeEvent)
    assert_type(event.kind, ChangeKind)
    assert_type(event.new, Item | None)
    assert_type(pidf.read(body), Presence)
    assert_type(pidf.read_list(body), RlmiList)
    assert_type(pidf.split_rlmi(body).presence, dict[str, list[Presence]])
