"""The EPAS client against the EPAS emulator over loopback: a whole session, sync and async."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ucxml import pidf
from ucxml.cup import AsyncCupClient, CupClient, failed_items
from ucxml.emulator.app import create_app
from ucxml.emulator.cup_state import (
    CONTACT_DOES_NOT_EXIST,
    DEMO_CUP_PASSWORD,
    DEMO_CUP_USER,
    GROUP_DOES_NOT_EXIST,
    INVALID_POLICY_NAME,
)
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import CupLoginError, CupSessionError, HttpStatusError, SoapFault
from ucxml.generated.cup import models as m
from ucxml.transport import HttpRequest, HttpResponse, MockTransport

PRESENCE = pidf.build_presence(
    "sip:soapuser1@cisco.com", activities=["vacation"], note="back Monday"
)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    app = create_app()
    with EmulatorServer(app) as running:
        running.app = app  # type: ignore[attr-defined]
        yield running


@pytest.fixture(autouse=True)
def _fresh(server: EmulatorServer) -> Iterator[None]:
    yield
    app = server.app  # type: ignore[attr-defined]
    app.state.cup_faults.clear()
    app.state.cup_service.expire_all()


def _statuses(items: list[m.ContactStatus]) -> list[tuple[str, str, object]]:
    return [(s.persona_id, s.group, s.value) for s in items]


def _session(cup: CupClient) -> None:
    """login -> get-all-config -> contacts -> presence rules -> ACL -> publish -> logout."""
    config = cup.get_all_config()
    assert config.get_contact_list_resp is not None
    assert config.get_system_config_resp is not None and config.get_system_config_resp.properties
    assert cup.get_licensing_features().base is True

    added = cup.add_group([m.Group(name="lab")])
    assert [(s.name, s.value) for s in added.status] == [("lab", m.OutcomeCode.SUCCEEDED)]
    contacts = cup.add_contact(
        [
            m.Group(name="lab", persona_id=[m.Contact(value="soapuser2", nickname="two")]),
            m.Group(name="lab", persona_id=[m.Contact(value="nobody")]),
            m.Group(name="missing", persona_id=[m.Contact(value="soapuser3")]),
        ]
    )
    assert _statuses(contacts.status) == [
        ("soapuser2", "lab", m.OutcomeCode.SUCCEEDED),
        ("nobody", "lab", CONTACT_DOES_NOT_EXIST),
        ("soapuser3", "missing", GROUP_DOES_NOT_EXIST),
    ]
    assert [s.persona_id for s in failed_items(contacts)] == ["nobody", "soapuser3"]
    listed = {g.name: [c.value for c in g.persona_id] for g in cup.get_contact_list().group}
    assert listed["lab"] == ["soapuser2"]
    modified = cup.modify_contact(
        [m.Group(name="lab", persona_id=[m.Contact(value="soapuser2", nickname="Two")])]
    )
    assert failed_items(modified) == []
    lab = next(g for g in cup.get_contact_list().group if g.name == "lab")
    assert lab.persona_id[0].nickname == "Two"
    deleted = cup.delete_contact([m.Group(name="lab", persona_id=[m.Contact(value="soapuser2")])])
    assert failed_items(deleted) == []
    assert failed_items(cup.delete_group([m.Group(name="lab")])) == []

    rule = m.PresenceRule(name="desk", rule=m.Rule(visibility=m.Visibility.ALL))
    assert failed_items(cup.set_presence_rules([rule])) == []
    names = [r.name for r in (cup.get_presence_rules().presence_rule or [])]
    assert "desk" in names
    acl = cup.add_acl([m.AclRule(name="desk", watcher=["soapuser2", "stranger"])])
    assert [(w.watcher, w.value) for w in acl.rule[0].status] == [
        ("soapuser2", m.OutcomeCode.SUCCEEDED),
        ("stranger", m.OutcomeCode.FAILED),
    ]
    assert [w.watcher for w in failed_items(acl)] == ["stranger"]
    gone = cup.delete_presence_rules([m.RuleName(name="desk"), m.RuleName(name="nope")])
    assert [(s.name, s.value) for s in gone.status] == [
        ("desk", m.OutcomeCode.SUCCEEDED),
        ("nope", INVALID_POLICY_NAME),
    ]

    assert cup.publish_pres_status(PRESENCE).status_code == 0
    assert cup.unpublish_pres_status().status_code == 0
    assert cup.set_calendaring(True).value == m.OutcomeCode.SUCCEEDED
    assert cup.get_calendaring().value is True


def test_full_session_sync(server: EmulatorServer) -> None:
    with CupClient(server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD) as cup:
        assert cup.logged_in
        _session(cup)
    assert not cup.logged_in
    assert server.app.state.cup_service.sessions() == []  # type: ignore[attr-defined]


def test_full_session_async(server: EmulatorServer) -> None:
    async def run() -> list[str]:
        async with AsyncCupClient(
            server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD
        ) as cup:
            added = await cup.add_group([m.Group(name="async", index=Decimal(7))])
            assert failed_items(added) == []
            await cup.publish_pres_status(PRESENCE)
            groups = [g.name for g in (await cup.get_contact_list()).group]
            await cup.delete_group([m.Group(name="async")])
            return groups

    assert "async" in asyncio.run(run())
    assert server.app.state.cup_service.sessions() == []  # type: ignore[attr-defined]


def test_wrong_password_is_a_login_error(server: EmulatorServer) -> None:
    cup = CupClient(server.base_url, username=DEMO_CUP_USER, password="wrong")
    with pytest.raises(CupLoginError, match="Wrong username/password"):
        cup.login()
    assert not cup.logged_in
    with (
        pytest.raises(CupLoginError),
        CupClient(server.base_url, username=DEMO_CUP_USER, password="wrong"),
    ):
        pass  # entering the block logs in


def test_second_session_is_refused_unless_forced_or_opted_in(server: EmulatorServer) -> None:
    url = server.base_url
    with CupClient(url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD) as first:
        second = CupClient(url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD)
        with pytest.raises(CupSessionError) as refused:
            second.login()
        assert refused.value.state == "established"
        second.login(force=True)
        assert second.logged_in
        with pytest.raises(CupSessionError) as expired:
            first.get_contact_list()  # the forced login ended the first session
        assert expired.value.state == "expired"
        third = CupClient(url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD, relogin=True)
        third.login()  # takes the session over with a forced login
        assert third.logged_in
        third.logout()
        second.close()
        first._session_key = None  # already ended on the server


def test_expired_session_relogs_once_when_opted_in(server: EmulatorServer) -> None:
    service = server.app.state.cup_service  # type: ignore[attr-defined]
    with CupClient(
        server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD, relogin=True
    ) as cup:
        service.expire_all()
        assert cup.get_contact_list().group  # one forced re-login, then the resend
        assert len(service.sessions()) == 1
    with CupClient(server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD) as plain:
        service.expire_all()
        with pytest.raises(CupSessionError) as error:
            plain.get_contact_list()
        assert error.value.state == "expired"
        plain._session_key = None


def test_relogin_is_tried_once_only() -> None:
    fault = (
        b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
        b"<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason>"
        b'<env:Text xml:lang="en">Session expired or invalid session key.</env:Text>'
        b"</env:Reason></env:Fault></env:Body></env:Envelope>"
    )
    login = (
        b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
        b'<epas:login-resp xmlns:epas="urn:cisco:epas:soap"><epas:success>'
        b"<epas:session-key>k2</epas:session-key></epas:success></epas:login-resp>"
        b"</env:Body></env:Envelope>"
    )

    def answer(request: HttpRequest) -> HttpResponse:
        body = login if b"<epas:login" in request.content else fault
        status = 200 if body is login else 400
        return HttpResponse(status, body, {"content-type": "application/soap+xml"})

    transport = MockTransport(answer)
    cup = CupClient(
        "https://cup:8443", username="u", password="p", relogin=True, transport=transport
    )
    cup.login()
    with pytest.raises(CupSessionError):
        cup.get_contact_list()
    # login, request, forced login, resend: and no further loop
    assert len(transport.requests) == 4
    assert b'force="true"' in transport.requests[2].content
    action = transport.requests[1].headers["Content-Type"]
    assert action.endswith('action="urn:cisco:epas:soap/get-contact-list"')
    assert b">k2</epas:session-key>" in transport.requests[1].content


def test_calls_need_a_session() -> None:
    cup = CupClient("https://cup:8443", transport=MockTransport(lambda r: HttpResponse(500, b"")))
    with pytest.raises(CupSessionError) as error:
        cup.get_user_config()
    assert error.value.state == "missing"


def test_server_faults_are_typed(server: EmulatorServer) -> None:
    faults = server.app.state.cup_faults  # type: ignore[attr-defined]
    with CupClient(server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD) as cup:
        faults.database_down = True
        with pytest.raises(SoapFault) as error:
            cup.get_user_config()
        assert error.value.code == "Receiver"
        assert "database" in error.value.reason
        faults.database_down = False
        faults.status = 503
        with pytest.raises(HttpStatusError):
            cup.get_user_config()
        faults.clear()


def test_secrets_stay_out_of_reprs_and_logs(
    server: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with CupClient(
        server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD, relogin=True
    ) as cup:
        key = cup._session_key
        assert key
        server.app.state.cup_service.expire_all()  # type: ignore[attr-defined]
        cup.get_user_config()
        texts = [repr(cup), caplog.text, repr(m.SessionKey(value=key))]
        texts.append(repr(m.Login(username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD)))
        for text in texts:
            assert DEMO_CUP_PASSWORD not in text
            assert key not in text
