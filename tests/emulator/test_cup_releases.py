"""The EPAS emulator as later releases and real clients use it (ERRATA D13-D18).

Every release path, both forms of the action, header blocks of other specifications (ignored,
or answered with an ``env:MustUnderstand`` fault when ``mustUnderstand``), the newer
get-all-config parts, get-onetime-password, and the real requests of
``schemas/cup/examples/realworld/`` posted with their placeholders filled in.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "use httpx2"
    from starlette.testclient import TestClient

from lxml import etree

from ucxml import parse
from ucxml._validation import validate_bytes
from ucxml.cup import RELEASES, action_operation
from ucxml.emulator.cup_app import (
    CUP_PATH,
    CUP_PATHS,
    INVALID_REQUEST_REASON,
    MUST_UNDERSTAND_REASON,
    SESSION_EXPIRED_REASON,
    SOAP_MEDIA_TYPE,
    create_cup_app,
)
from ucxml.emulator.cup_state import DEMO_CUP_PASSWORD, DEMO_CUP_USER, EpasService
from ucxml.generated.cup import models as m

REALWORLD = Path(__file__).resolve().parents[2] / "schemas" / "cup" / "examples" / "realworld"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
EPAS = "urn:cisco:epas:soap"
WSA = "http://www.w3.org/2005/08/addressing"
LATEST = RELEASES["latest"]


@pytest.fixture
def service() -> EpasService:
    cup = EpasService()
    cup.seed_demo()
    return cup


@pytest.fixture
def client(service: EpasService) -> Iterator[TestClient]:
    with TestClient(create_cup_app(service), raise_server_exceptions=False) as c:
        yield c


def envelope(body: str, key: str | None = None, blocks: str = "") -> bytes:
    head = f"<session-key>{key}</session-key>" if key is not None else ""
    header = f"<e:Header>{head}{blocks}</e:Header>" if head or blocks else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="{SOAP12}" xmlns="{EPAS}"'
        f' xmlns:wsa="{WSA}">{header}<e:Body>{body}</e:Body></e:Envelope>'
    ).encode()


def post(
    client: TestClient,
    data: bytes,
    status: int = 200,
    *,
    path: str = LATEST,
    headers: dict[str, str] | None = None,
) -> Any:
    """Post ``data``; check the status, content type and validity; answer the model."""
    sent = {"content-type": SOAP_MEDIA_TYPE, **(headers or {})}
    response = client.post(path, content=data, headers=sent)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == SOAP_MEDIA_TYPE
    report = validate_bytes(response.content, "cup")
    assert report.valid, [i.message for i in report.issues]
    return parse(response.content)


def login(client: TestClient, path: str = LATEST, **headers: str) -> str:
    body = (
        '<login client-type="CUPC" client-version="9.7.0.18474">'
        f"<username>{DEMO_CUP_USER}</username><password>{DEMO_CUP_PASSWORD}</password></login>"
    )
    answer = post(client, envelope(body), path=path, headers=headers)
    assert isinstance(answer, m.LoginResp) and answer.success is not None
    key: str = answer.success.session_key
    return key


def assert_fault(answer: object, code: m.FaultCodeValue, reason: str) -> m.Fault:
    assert isinstance(answer, m.Fault)
    assert answer.code.value == code
    assert [t.value for t in answer.reason.text] == [reason]
    return answer


# --------------------------------------------------------------------------- release paths


@pytest.mark.parametrize("release", list(RELEASES))
def test_every_release_path_serves_a_session(client: TestClient, release: str) -> None:
    path = RELEASES[release]
    key = login(client, path)
    answer = post(client, envelope("<get-user-config/>", key), path=path)
    assert isinstance(answer, m.GetUserConfigResp)
    assert isinstance(post(client, envelope("<logout/>", key), path=path), m.LogoutResp)
    wsdl = client.get(path + "?wsdl")
    assert wsdl.status_code == 200 and b"get-onetime-password" in wsdl.content


def test_the_paths_are_the_releases() -> None:
    assert CUP_PATHS[0] == CUP_PATH == RELEASES["6.0"] == "/EPASSoap/service"
    assert [p.rpartition("/")[2] for p in CUP_PATHS[1:]] == ["v70", "v80", "latest"]


def test_an_unknown_release_path_is_404(client: TestClient) -> None:
    assert client.post(CUP_PATH + "/v105", content=envelope("<logout/>")).status_code == 404


# --------------------------------------------------------------------------- the action


@pytest.mark.parametrize(
    ("content_type", "soap_action", "operation"),
    [
        ('application/soap+xml; action="urn:cisco:epas:soap/login"', None, "login"),
        ("application/soap+xml; charset=utf-8; action=urn:cisco:epas:soap/logout", None, "logout"),
        (None, "urn:cisco:epas:soap/EpasSoapServiceInterface/login", "login"),
        (None, '"urn:cisco:epas:soap/EpasSoapServiceInterface/get_all_config"', "get-all-config"),
        ("text/xml", "urn:cisco:epas:soap/get-onetime-password", "get-onetime-password"),
        ('application/soap+xml; action="urn:cisco:epas:soap/login"', "x/y/logout", "login"),
        ("application/soap+xml", None, None),
        (None, '""', None),
        (None, "http://example.com/other_op", "other_op"),
    ],
)
def test_action_operation_reads_both_forms(
    content_type: str | None, soap_action: str | None, operation: str | None
) -> None:
    assert action_operation(content_type, soap_action) == operation


def test_soapaction_header_form_is_accepted(client: TestClient) -> None:
    key = login(
        client,
        **{
            "content-type": "application/soap+xml; charset=utf-8",
            "soapaction": "urn:cisco:epas:soap/EpasSoapServiceInterface/login",
        },
    )
    action = {"soapaction": "urn:cisco:epas:soap/EpasSoapServiceInterface/get_all_config"}
    answer = post(client, envelope("<get-all-config/>", key), headers=action)
    assert isinstance(answer, m.GetAllConfigResp)


def test_content_type_action_form_is_accepted(client: TestClient) -> None:
    key = login(client)
    media = f'{SOAP_MEDIA_TYPE}; action="urn:cisco:epas:soap/get-user-config"'
    answer = post(client, envelope("<get-user-config/>", key), headers={"content-type": media})
    assert isinstance(answer, m.GetUserConfigResp)


@pytest.mark.parametrize(
    "headers",
    [
        {"soapaction": "urn:cisco:epas:soap/EpasSoapServiceInterface/logout"},
        {"content-type": f'{SOAP_MEDIA_TYPE}; action="urn:cisco:epas:soap/delete-group"'},
    ],
)
def test_an_action_naming_another_operation_is_an_invalid_request(
    client: TestClient, headers: dict[str, str]
) -> None:
    key = login(client)
    answer = post(client, envelope("<get-user-config/>", key), 400, headers=headers)
    assert_fault(answer, m.FaultCodeValue.ENV_SENDER, INVALID_REQUEST_REASON)


# --------------------------------------------------------------------------- header blocks

WSA_BLOCKS = (
    "<wsa:Action>urn:cisco:epas:soap/get-user-config</wsa:Action>"
    "<wsa:MessageID>urn:uuid:6f2c1e0a-3b7d-4c55-9e1a-0d4c2b8e7f11</wsa:MessageID>"
    f"<wsa:To>https://cup.example.com:8443{LATEST}</wsa:To>"
)


def test_ws_addressing_blocks_are_ignored(client: TestClient) -> None:
    login_body = (
        f"<login><username>{DEMO_CUP_USER}</username>"
        f"<password>{DEMO_CUP_PASSWORD}</password></login>"
    )
    answer = post(client, envelope(login_body, blocks=WSA_BLOCKS))
    assert isinstance(answer, m.LoginResp) and answer.success is not None
    key = answer.success.session_key
    blocks = WSA_BLOCKS.replace("<wsa:To>", '<wsa:To e:mustUnderstand="false">')
    config = post(client, envelope("<get-user-config/>", key, blocks))
    assert isinstance(config, m.GetUserConfigResp) and config.properties


def test_an_unknown_epas_block_that_need_not_be_understood_is_ignored(
    client: TestClient,
) -> None:
    key = login(client)
    answer = post(client, envelope("<get-user-config/>", key, "<client-hint>x</client-hint>"))
    assert isinstance(answer, m.GetUserConfigResp)


@pytest.mark.parametrize("value", ["true", "1", " true "])
def test_a_must_understand_block_is_a_must_understand_fault(client: TestClient, value: str) -> None:
    key = login(client)
    blocks = f'<wsa:Action e:mustUnderstand="{value}">urn:cisco:epas:soap/logout</wsa:Action>'
    response = client.post(
        LATEST,
        content=envelope("<logout/>", key, blocks),
        headers={"content-type": SOAP_MEDIA_TYPE},
    )
    assert response.status_code == 500
    assert validate_bytes(response.content, "cup").valid
    answer = parse(response.content)
    assert_fault(answer, m.FaultCodeValue.ENV_MUST_UNDERSTAND, MUST_UNDERSTAND_REASON)
    # The header names the block by a qualified name whose prefix is declared in scope.
    root = etree.fromstring(response.content)
    (block,) = root.findall(f"{{{SOAP12}}}Header/{{{SOAP12}}}NotUnderstood")
    prefix, _, local = block.get("qname", "").partition(":")
    assert (block.nsmap[prefix], local) == (WSA, "Action")
    # Nothing of the body was done: the session is still alive.
    assert isinstance(post(client, envelope("<get-user-config/>", key)), m.GetUserConfigResp)


def test_must_understand_false_or_zero_is_not_mandatory(client: TestClient) -> None:
    key = login(client)
    for value in ("false", "0"):
        blocks = f'<wsa:Action e:mustUnderstand="{value}">x</wsa:Action>'
        assert isinstance(
            post(client, envelope("<get-user-config/>", key, blocks)), m.GetUserConfigResp
        )


def test_an_understood_must_understand_session_key_is_processed(client: TestClient) -> None:
    key = login(client)
    block = f'<e:Header><session-key e:mustUnderstand="true">{key}</session-key></e:Header>'
    data = envelope("<get-user-config/>").replace(b"<e:Body>", block.encode() + b"<e:Body>")
    assert isinstance(post(client, data), m.GetUserConfigResp)


# --------------------------------------------------------------------------- newer operations


def test_get_onetime_password(client: TestClient, service: EpasService) -> None:
    key = login(client)
    first = post(client, envelope("<get-onetime-password/>", key))
    second = post(client, envelope("<get-onetime-password/>", key))
    assert isinstance(first, m.GetOnetimePasswordResp) and first.success is not None
    assert isinstance(second, m.GetOnetimePasswordResp) and second.success is not None
    assert len(first.success.password) >= 20
    assert first.success.password != second.success.password  # one-time: a new one each call
    assert first.success.password not in repr(first) and "'***'" in repr(first)
    assert second.success.password not in repr(service)


def test_get_onetime_password_needs_a_session(client: TestClient) -> None:
    answer = post(client, envelope("<get-onetime-password/>", "no-such-key"), 400)
    assert_fault(answer, m.FaultCodeValue.ENV_SENDER, SESSION_EXPIRED_REASON)


def test_get_all_config_with_the_newer_parts(client: TestClient) -> None:
    key = login(client)
    body = (
        "<get-all-config><system-config/><user-config/>"
        '<federated-domains auth-policy="all"/><non-presence-aware-contacts/><contact-info/>'
        "</get-all-config>"
    )
    answer = post(client, envelope(body, key))
    assert isinstance(answer, m.GetAllConfigResp)
    assert answer.get_system_config_resp is not None and answer.get_system_config_resp.properties
    assert answer.get_user_config_resp is not None
    assert answer.get_contact_list_resp is None and answer.get_dialing_rules_resp is None


def test_get_all_config_with_only_newer_parts_answers_no_part(client: TestClient) -> None:
    key = login(client)
    answer = post(client, envelope("<get-all-config><contact-info/></get-all-config>", key))
    assert answer == m.GetAllConfigResp()


def test_add_contact_with_a_domain(client: TestClient) -> None:
    key = login(client)
    body = (
        '<add-contact><group name=""><persona-id domain="cisco.com">soapuser2</persona-id>'
        "</group></add-contact>"
    )
    answer = post(client, envelope(body, key))
    assert isinstance(answer, m.AddContactResp)
    assert [(s.persona_id, s.value) for s in answer.status] == [
        ("soapuser2", m.OutcomeCode.SUCCEEDED)
    ]


# --------------------------------------------------------------------------- the real requests

_PLACEHOLDERS = re.compile(rb"\{ekey\}|%s|\{SERVER\}|\{contact\}")


def _filled(path: Path, key: str) -> bytes:
    """A real request with its placeholders filled in (user, password, key, domain, contact)."""
    values = iter([DEMO_CUP_USER.encode(), DEMO_CUP_PASSWORD.encode()])
    fill = {b"{ekey}": key.encode(), b"{SERVER}": b"cisco.com", b"{contact}": b"soapuser2"}

    def one(found: re.Match[bytes]) -> bytes:
        if found.group(0) == b"%s":
            return next(values) if path.name.startswith("epas-login") else key.encode()
        return fill[found.group(0)]

    # The source line (an XML comment) names the placeholders too: fill only after it.
    source, end, rest = path.read_bytes().partition(b"-->")
    return source + end + _PLACEHOLDERS.sub(one, rest)


@pytest.mark.parametrize("path", sorted(REALWORLD.glob("*.xml")), ids=lambda p: p.stem)
def test_every_real_request_is_answered(client: TestClient, path: Path) -> None:
    key = login(client)
    data = _filled(path, key)
    path_for = RELEASES["8.0"] if "login" in path.name else LATEST
    answer = post(client, data, path=path_for)
    assert type(answer).__name__.endswith("Resp")
    failure = getattr(answer, "failure", None)
    assert failure is None, failure
