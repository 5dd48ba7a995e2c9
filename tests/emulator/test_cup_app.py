"""The EPAS emulator over starlette's TestClient, posting the corrected examples' shapes.

Every SOAP answer is checked for its content type and with
:func:`ucxml._validation.validate_bytes` against the corrected EPAS schema, then read back
with :func:`ucxml._documents.parse` and compared with the guide's corrected responses where
the demo data makes them the same.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "use httpx2"
    from starlette.testclient import TestClient

from starlette.applications import Starlette
from xsdata.formats.dataclass.models.generics import AnyElement, DerivedElement

from ucxml import parse, serialize
from ucxml._registry import binding
from ucxml._validation import validate_bytes
from ucxml.emulator.cup_app import (
    CUP_PATH,
    DATABASE_DOWN_REASON,
    INTERNAL_ERROR_REASON,
    INVALID_REQUEST_REASON,
    SESSION_EXPIRED_REASON,
    SOAP_MEDIA_TYPE,
    CupFaults,
    SoapFault,
    create_cup_app,
    cup_answer,
    cup_routes,
    soap_fault,
)
from ucxml.emulator.cup_state import (
    DEMO_CUP_GUIDE_USER,
    DEMO_CUP_PASSWORD,
    DEMO_CUP_RULE,
    DEMO_CUP_USER,
    SESSION_ALREADY_ESTABLISHED,
    WRONG_CREDENTIALS,
    EpasService,
)
from ucxml.generated.cup import models as m

EXAMPLES = Path(__file__).resolve().parents[2] / "schemas" / "cup" / "examples" / "corrected"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
EPAS = "urn:cisco:epas:soap"
_KEY = re.compile(rb"(<(?:\w+:)?session-key>)[^<]*(</)")


class FakeClock:
    """A settable wall clock (seconds since the epoch)."""

    def __init__(self) -> None:
        self.value = 1_700_000_000.0

    def __call__(self) -> float:
        return self.value


class Keys:
    """Predictable session keys: key-1, key-2, ..."""

    def __init__(self) -> None:
        self.count = itertools.count(1)

    def __call__(self) -> str:
        return f"key-{next(self.count)}"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(clock: FakeClock) -> EpasService:
    cup = EpasService(clock=clock, session_timeout=600.0, key_factory=Keys())
    cup.seed_demo()
    return cup


@pytest.fixture
def app(service: EpasService) -> Starlette:
    return create_cup_app(service)


@pytest.fixture
def faults(app: Starlette) -> CupFaults:
    found: CupFaults = app.state.faults
    return found


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


# --------------------------------------------------------------------------- helpers


def example(name: str, key: str | None = None) -> bytes:
    """A corrected example (by its number prefix), its session key replaced by ``key``."""
    (path,) = EXAMPLES.glob(f"{name}-*.xml")
    data = path.read_bytes()
    if key is not None:
        data = _KEY.sub(rb"\g<1>" + key.encode() + rb"\2", data)
    return data


def guide(name: str) -> Any:
    """The corrected response example ``name``, parsed."""
    return parse(example(name))


def envelope(body: str, key: str | None = None, *, ns: str = SOAP12) -> bytes:
    head = f"<e:Header><session-key>{key}</session-key></e:Header>" if key is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="{ns}" xmlns="{EPAS}">'
        f"{head}<e:Body>{body}</e:Body></e:Envelope>"
    ).encode()


def post(client: TestClient, data: bytes, status: int = 200) -> Any:
    """Post ``data``; check the status, content type and validity; answer the model."""
    response = client.post(CUP_PATH, content=data, headers={"content-type": SOAP_MEDIA_TYPE})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == SOAP_MEDIA_TYPE
    report = validate_bytes(response.content, "cup")
    assert report.valid, [i.message for i in report.issues]
    return parse(response.content)


def login(client: TestClient, user: str = DEMO_CUP_USER, password: str = DEMO_CUP_PASSWORD) -> str:
    body = f"<login><username>{user}</username><password>{password}</password></login>"
    answer = post(client, envelope(body))
    assert isinstance(answer, m.LoginResp) and answer.success is not None
    key: str = answer.success.session_key
    return key


def guide_login(client: TestClient) -> str:
    """Log in as the guide's user with Example 11 itself."""
    answer = post(client, example("11"))
    assert isinstance(answer, m.LoginResp) and answer.success is not None
    key: str = answer.success.session_key
    return key


def assert_fault(client: TestClient, data: bytes, reason: str, *, sender: bool = True) -> None:
    fault = post(client, data, 400 if sender else 500)
    assert isinstance(fault, m.Fault)
    expected = m.FaultCodeValue.ENV_SENDER if sender else m.FaultCodeValue.ENV_RECEIVER
    assert fault.code.value == expected
    assert [(t.value, t.lang) for t in fault.reason.text] == [(reason, "en")]


def acl_values(rule: m.RuleAcl) -> list[str]:
    """The ``acl`` children of a get-acl rule (read back as xsdata's generic elements)."""
    values = []
    for item in rule.content:
        if isinstance(item, AnyElement):
            assert item.qname == f"{{{EPAS}}}acl"
            values.append(item.text or "")
        elif isinstance(item, DerivedElement):
            assert item.qname == f"{{{EPAS}}}acl"
            values.append(item.value)
    return values


def rule_text(rule: m.RuleAcl) -> str:
    return "".join(c for c in rule.content if isinstance(c, str)).strip()


# --------------------------------------------------------------------------- login, logout


def test_login_as_example_11_and_12(client: TestClient, service: EpasService) -> None:
    answer = post(client, example("11"))
    assert answer == m.LoginResp(success=m.LoginSuccess(session_key="key-1"))
    assert [(s.key, s.user) for s in service.sessions()] == [("key-1", DEMO_CUP_GUIDE_USER)]
    assert type(answer) is type(guide("12"))


def test_login_wrong_password_as_example_13(client: TestClient) -> None:
    body = "<login><username>xmzhou</username><password>nope</password></login>"
    answer = post(client, envelope(body))
    assert answer == m.LoginResp(failure=m.Failure(reason=WRONG_CREDENTIALS))
    assert answer == guide("13")


def test_second_login_as_example_14_then_forced_as_15(
    client: TestClient, service: EpasService
) -> None:
    first = guide_login(client)
    again = post(client, example("11"))
    assert again == m.LoginResp(failure=m.Failure(reason=SESSION_ALREADY_ESTABLISHED))
    assert again == guide("14")
    forced = post(client, example("15"))
    assert forced == m.LoginResp(success=m.LoginSuccess(session_key="key-2"))
    assert [s.key for s in service.sessions()] == ["key-2"]
    assert_fault(client, example("65", first), SESSION_EXPIRED_REASON)


def test_logout_as_example_16_and_17(client: TestClient, service: EpasService) -> None:
    key = guide_login(client)
    answer = post(client, example("16", key))
    assert answer == m.LogoutResp(success=m.Empty())
    assert answer == guide("17")
    assert service.sessions() == []
    assert_fault(client, example("16", key), SESSION_EXPIRED_REASON)


def test_session_key_with_surrounding_space(client: TestClient) -> None:
    key = login(client)
    answer = post(client, envelope("<get-calendaring/>", f" {key}"))
    assert answer == m.GetCalendaringResp(value=True)


def test_missing_session_key_is_a_session_fault(client: TestClient) -> None:
    assert_fault(client, envelope("<get-calendaring/>"), SESSION_EXPIRED_REASON)


def test_unknown_session_key_is_a_session_fault(client: TestClient) -> None:
    assert_fault(client, example("65"), SESSION_EXPIRED_REASON)
    assert SESSION_EXPIRED_REASON == "Session expired or invalid session key."


def test_expired_session_is_a_session_fault(client: TestClient, clock: FakeClock) -> None:
    key = login(client)
    clock.value += 599
    assert post(client, example("65", key)) == m.GetCalendaringResp(value=True)
    clock.value += 600
    assert_fault(client, example("65", key), SESSION_EXPIRED_REASON)


def test_expire_all_ends_sessions(client: TestClient, service: EpasService) -> None:
    key = login(client)
    service.expire_all()
    assert_fault(client, example("22", key), SESSION_EXPIRED_REASON)


def test_soap11_envelope_is_read(client: TestClient) -> None:
    key = login(client)
    answer = post(client, envelope("<get-calendaring/>", key, ns=SOAP11))
    assert answer == m.GetCalendaringResp(value=True)


def test_example_8_header(client: TestClient) -> None:
    key = login(client)
    assert post(client, example("08", key)) == guide("23")


# --------------------------------------------------------------------------- every example


REQUESTS = sorted(p.name[:2] for p in EXAMPLES.glob("*-request.xml") if "fault" not in p.name)


@pytest.mark.parametrize("number", REQUESTS)
def test_every_request_example_answers_its_response(client: TestClient, number: str) -> None:
    key = login(client)
    answer = post(client, example(number, key))
    expected = guide("12" if number == "15" else f"{int(number) + 1:02}")
    assert type(answer) is type(expected)


def test_every_documented_request_has_an_example() -> None:
    assert len(REQUESTS) == 28  # login twice (11, 15) and the 26 other operations


# --------------------------------------------------------------------------- configuration


def test_get_all_config_as_example_18(client: TestClient) -> None:
    key = login(client)
    answer = post(client, example("18", key))
    assert isinstance(answer, m.GetAllConfigResp)
    assert answer.get_system_config_resp == guide("21")
    assert answer.get_user_config_resp == guide("23")
    assert answer.get_licensing_features_resp == guide("54")
    assert answer.get_dialing_rules_resp == guide("48")
    assert answer.get_contact_list_resp is not None
    assert len(answer.get_contact_list_resp.group) == 3
    rules = answer.get_presence_rules_resp
    assert rules is not None
    assert [r.name for r in rules.presence_rule] == ["noACL_rule", DEMO_CUP_RULE]


def test_get_all_config_some_parts(client: TestClient) -> None:
    key = login(client)
    body = "<get-all-config><licensing-features/><dialing-rules/></get-all-config>"
    answer = post(client, envelope(body, key))
    assert answer == m.GetAllConfigResp(
        get_licensing_features_resp=guide("54"), get_dialing_rules_resp=guide("48")
    )


def test_system_user_config_licensing_dialing_as_the_guide(client: TestClient) -> None:
    key = login(client)
    assert post(client, example("20", key)) == guide("21")
    assert post(client, example("22", key)) == guide("23")
    assert post(client, example("53", key)) == guide("54")
    assert post(client, example("47", key)) == guide("48")


def test_set_user_config_as_example_24_and_25(client: TestClient, service: EpasService) -> None:
    key = login(client)
    assert post(client, example("24", key)) == guide("25")
    answer = post(client, example("22", key))
    assert isinstance(answer, m.GetUserConfigResp)
    assert [(p.name, p.value, p.is_public) for p in answer.properties] == [
        ("CallControl.Lineid", "", False),
        ("Preferred.Contact", "email", True),
        ("UI.Color.Background", "white", False),
        ("UI.Color.Foreground", "black", False),
        ("PhoneNumber.Primary", "200", True),
    ]
    assert len(service.user(DEMO_CUP_USER).user_config) == 5


# --------------------------------------------------------------------------- contact list


def test_get_contact_list_as_example_27(client: TestClient) -> None:
    key = login(client)
    assert post(client, example("26", key)) == guide("27")


def test_the_guides_contact_list_session_replayed(client: TestClient) -> None:
    """Examples 28, 30, 34, 36, 38 and 32 on an empty account answer as the guide does."""
    key = guide_login(client)
    assert post(client, example("28", key)) == guide("29")
    assert post(client, example("30", key)) == guide("31")
    assert post(client, example("34", key)) == guide("35")
    listed = post(client, example("26", key))
    assert isinstance(listed, m.GetContactListResp)
    groups = [g for g in listed.group if g.name != "new friends"]
    assert groups == guide("27").group  # the same list as the guide's Example 27
    assert post(client, example("36", key)) == guide("37")
    assert post(client, example("38", key)) == guide("39")
    deleted = post(client, example("32", key))
    assert isinstance(deleted, m.DeleteGroupResp)
    assert [(s.name, s.value) for s in deleted.status] == [
        ("work", m.OutcomeCode.SUCCEEDED),
        ("friends", m.OutcomeCode.SUCCEEDED),
        ("customers", m.OutcomeCode.SUCCEEDED),
        ("work", m.OutcomeCode.SUCCEEDED),
    ]
    after = post(client, example("26", key))
    assert [g.name for g in after.group] == ["", "new friends", "new customers"]


def test_add_contact_of_a_non_user(client: TestClient) -> None:
    key = login(client)
    contact = '<persona-id index="7">ghost</persona-id>'
    body = f'<add-contact><group name="work">{contact}</group></add-contact>'
    answer = post(client, envelope(body, key))
    assert answer == m.AddContactResp(
        status=[
            m.ContactStatus(
                value="Contact does not exist in.",
                persona_id="ghost",
                group="work",
                index=Decimal(7),
            )
        ]
    )


# --------------------------------------------------------------------------- presence rules


def test_get_presence_rules(client: TestClient) -> None:
    key = login(client)
    answer = post(client, example("41", key))
    assert isinstance(answer, m.GetPresenceRulesResp)
    assert [(r.name, r.rule.visibility) for r in answer.presence_rule] == [
        ("noACL_rule", m.Visibility.ALL),
        (DEMO_CUP_RULE, m.Visibility.ALL),
    ]


def test_set_presence_rules_as_example_43(client: TestClient, service: EpasService) -> None:
    key = login(client)
    answer = post(client, example("43", key))
    assert isinstance(answer, m.SetPresenceRulesResp)
    assert [(s.name, s.value) for s in answer.status] == [("test rule", m.OutcomeCode.SUCCEEDED)]
    stored = service.user(DEMO_CUP_USER).presence_rules[-1]
    assert stored.visibility == "reachability-only"
    assert isinstance(stored.reachability, m.Reachability)


def test_set_presence_rules_without_conditions(client: TestClient, service: EpasService) -> None:
    key = login(client)
    body = (
        '<set-presence-rules><presence-rule name="plain"><rule><visibility>all</visibility>'
        "</rule></presence-rule></set-presence-rules>"
    )
    answer = post(client, envelope(body, key))
    assert answer == m.SetPresenceRulesResp(
        status=[m.RuleStatus(value=m.OutcomeCode.SUCCEEDED, name="plain")]
    )
    assert service.user(DEMO_CUP_USER).presence_rules[-1].name == "plain"
    assert service.user(DEMO_CUP_USER).presence_rules[-1].visibility == "all"


def test_delete_presence_rules_as_example_45_and_46(client: TestClient) -> None:
    key = login(client)
    assert post(client, example("45", key)) == guide("46")
    again = post(client, example("45", key))
    assert isinstance(again, m.DeletePresenceRulesResp)
    assert [s.value for s in again.status] == ["Invalid Policy name", "Invalid Policy name"]


# --------------------------------------------------------------------------- ACLs


def test_get_acl_as_example_60(client: TestClient) -> None:
    key = login(client)
    body = f'<get-acl><rule name="{DEMO_CUP_RULE}"/><rule name="non-existing acl343258"/></get-acl>'
    answer = post(client, envelope(body, key))
    expected = guide("60")
    assert isinstance(answer, m.GetAclResp)
    assert [r.name for r in answer.rule] == [r.name for r in expected.rule]
    assert (
        acl_values(answer.rule[0])
        == acl_values(expected.rule[0])
        == [
            "sip:soapuser2@cisco.com",
            "sip:soapuser3@cisco.com",
            "sip:soapuser4@cisco.com",
            "sip:soapuser5@cisco.com",
        ]
    )
    assert rule_text(answer.rule[1]) == rule_text(expected.rule[1]) == "Invalid Policy name"


def test_add_acl_as_example_62(client: TestClient) -> None:
    key = login(client)
    posted = post(client, example("61", key))  # "Kai rules!" does not exist
    assert isinstance(posted, m.AddAclResp)
    assert [s.value for s in posted.rule[0].status] == [m.OutcomeCode.FAILED] * 6
    body = example("61", key).replace(b"Kai rules!", DEMO_CUP_RULE.encode())
    post(client, example("63", key))  # soapuser2 and soapuser5 leave the ACL first
    assert post(client, body) == guide("62")


def test_delete_acl_as_example_64(client: TestClient) -> None:
    key = login(client)
    answer = post(client, example("63", key))
    assert isinstance(answer, m.DeleteAclResp)
    # Both were watchers: the guide's "failed" for soapuser5 contradicts its Example 60.
    assert [(s.watcher, s.value) for s in answer.rule[0].status] == [
        ("soapuser2", m.OutcomeCode.SUCCEEDED),
        ("soapuser5", m.OutcomeCode.SUCCEEDED),
    ]
    again = post(client, example("63", key))
    assert [s.value for s in again.rule[0].status] == [m.OutcomeCode.FAILED] * 2


# --------------------------------------------------------------------------- the rest


def test_recent_comm_as_examples_49_to_52(client: TestClient) -> None:
    key = login(client)
    assert post(client, example("49", key)) == guide("50")
    answer = post(client, example("51", key))
    assert isinstance(answer, m.GetRecentCommResp)
    assert [(str(r.timestamp), r.type_value) for r in answer.record] == [
        ("2007-03-24", 3),
        ("2006-03-24", 2),
        ("2006-03-24", 2),
        ("2005-03-22", 1),
    ]
    first = answer.record[0].data.any_element[0]
    assert (first.qname, first.text) == ("what", "this is another record")
    added = answer.record[1].data.any_element[0]
    assert (added.qname, added.text) == (f"{{{EPAS}}}what", "xmltag-other")


def test_publish_and_unpublish_as_examples_55_to_58(
    client: TestClient, service: EpasService
) -> None:
    key = login(client)
    assert post(client, example("55", key)) == guide("56")
    published = service.user(DEMO_CUP_USER).published
    assert published is not None and published.document is not None
    assert post(client, example("57", key)) == guide("58")
    assert service.user(DEMO_CUP_USER).published is None


def test_calendaring_as_examples_65_to_68(client: TestClient) -> None:
    key = guide_login(client)
    assert post(client, example("65", key)) == m.GetCalendaringResp(value=False)
    assert post(client, example("67", key)) == guide("68")
    assert post(client, example("65", key)) == guide("66")


# --------------------------------------------------------------------------- bad requests


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"<not-xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        b"<login><username>u</username><password>p</password></login>",
        envelope("<login><username>u</username></login>"),
        envelope("<no-such-request/>"),
        envelope('<add-group><group index="x" name="a"/></add-group>'),
    ],
    ids=["empty", "blank", "malformed", "doctype", "bare", "invalid", "unknown", "bad-index"],
)
def test_bad_request_is_an_invalid_request_fault(client: TestClient, data: bytes) -> None:
    assert_fault(client, data, INVALID_REQUEST_REASON)
    assert INVALID_REQUEST_REASON == "Invalid request."


@pytest.mark.parametrize("number", ["09", "12", "19"])
def test_posting_a_response_is_an_invalid_request(client: TestClient, number: str) -> None:
    assert_fault(client, example(number), INVALID_REQUEST_REASON)


def test_oversize_body_is_413(service: EpasService) -> None:
    with TestClient(create_cup_app(service, max_body=100)) as small:
        response = small.post(CUP_PATH, content=b"<" + b"x" * 200)
    assert response.status_code == 413
    assert response.text == "413 request body larger than 100 bytes\n"


def test_internal_error_is_a_receiver_fault(
    client: TestClient, service: EpasService, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = login(client)

    def broken(_key: str) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "get_calendaring", broken)
    assert_fault(client, example("65", key), INTERNAL_ERROR_REASON, sender=False)


# --------------------------------------------------------------------------- faults


def test_database_down_as_example_10(client: TestClient, faults: CupFaults) -> None:
    faults.database_down = True
    assert_fault(client, example("11"), DATABASE_DOWN_REASON, sender=False)
    fault = guide("10")
    assert fault.reason.text[0].value == DATABASE_DOWN_REASON
    faults.clear()
    assert faults.database_down is False
    assert isinstance(post(client, example("11")), m.LoginResp)


def test_injected_status_and_garbage(client: TestClient, faults: CupFaults) -> None:
    faults.status = 503
    response = client.post(CUP_PATH, content=example("11"))
    assert (response.status_code, response.text) == (503, "503 Service Unavailable\n")
    faults.clear()
    faults.garbage = True
    response = client.post(CUP_PATH, content=example("11"))
    assert response.status_code == 200
    assert response.headers["content-type"] == SOAP_MEDIA_TYPE
    assert not validate_bytes(response.content, "cup").valid


# --------------------------------------------------------------------------- WSDL


def test_get_wsdl(client: TestClient) -> None:
    shipped = binding("cup").schema_path.parent / "epas.wsdl"
    if not shipped.is_file():
        pytest.skip("epas.wsdl is not shipped in ucxml.generated.cup/schema yet")
    for query in ("?wsdl", "?wsdl=wsdl"):
        response = client.get(CUP_PATH + query)
        assert response.status_code == 200
        assert response.content == shipped.read_bytes()
        assert b"EPASSoap/service" in response.content


def test_get_schema_files(client: TestClient) -> None:
    response = client.get(CUP_PATH + "?xsd=epas-soap.xsd")
    assert response.status_code == 200
    assert response.content == binding("cup").schema_path.read_bytes()
    assert client.get(CUP_PATH + "?xsd=../pyproject.toml").status_code == 404
    assert client.get(CUP_PATH + "?xsd=nothing.xsd").status_code == 404


def test_plain_get_is_405(client: TestClient) -> None:
    response = client.get(CUP_PATH)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


# --------------------------------------------------------------------------- API


def test_cup_answer_without_http(service: EpasService) -> None:
    answer = cup_answer(service, m.Login(username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD))
    assert answer == m.LoginResp(success=m.LoginSuccess(session_key="key-1"))
    assert cup_answer(service, m.GetCalendaring(), "key-1") == m.GetCalendaringResp(value=True)
    with pytest.raises(SoapFault) as caught:
        cup_answer(service, m.GetCalendaring(), "nope")
    assert (caught.value.reason, caught.value.sender) == (SESSION_EXPIRED_REASON, True)
    with pytest.raises(SoapFault) as invalid:
        cup_answer(service, m.GetCalendaringResp(value=True), "key-1")
    assert invalid.value.reason == INVALID_REQUEST_REASON


def test_soap_fault_model_serializes_as_example_9() -> None:
    fault = soap_fault(INVALID_REQUEST_REASON)
    assert parse(serialize(fault)) == guide("09")
    receiver = soap_fault(DATABASE_DOWN_REASON, sender=False)
    assert parse(serialize(receiver)) == guide("10")
    assert SoapFault("x", sender=False).status_code == 500


def test_factories(service: EpasService) -> None:
    faults = CupFaults()
    app = create_cup_app(service, faults=faults)
    assert app.state.faults is faults
    assert app.state.cup_service is service
    routes = cup_routes(service)
    assert [getattr(r, "path", None) for r in routes] == [
        CUP_PATH,
        "/EPASSoap/service/v70",
        "/EPASSoap/service/v80",
        "/EPASSoap/service/latest",
    ]
    assert CUP_PATH == "/EPASSoap/service"
