"""A server that echoes the request never makes an error quote the client's own secrets.

Every client (CME, EM, EPAS, Huawei, AXL; sync and async) is answered through a mock
transport with bodies that echo one form of one of its secrets (also one that only the
request holds: the password CME ``update_user`` sets): the plain value, its
URL-encoded forms (``quote``, ``quote(safe="")``, ``quote_plus``), and for HTTP Basic auth
the Base64 ``user:password`` (also after ``Basic``). The bodies are an HTTP 500 page, a
200 HTML page, a 200 text that is not XML/JSON, a malformed document, and the API's own
error answer with the echo in its text. No form may appear in the error's ``str()``, its
``repr()``, the chain of causes, or any log record (DEBUG, every logger); where the error
quotes the echo, ``***`` stands in its place.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from ucxml import serialize
from ucxml._redaction import MASK, basic_credentials, client_secrets, excerpt, scrub
from ucxml.axl import SOAP_ENV_NAMESPACE, AsyncAxlClient, AxlClient
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import ACTION_PREFIX, AsyncCupClient, CupClient
from ucxml.em import AsyncEmClient, EmClient
from ucxml.emulator.cup_app import soap_fault
from ucxml.errors import HttpStatusError, UcxmlError
from ucxml.generated.cup import models as cup
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport

URL = "https://server.example:8443"
USER = "plantuser"
# Spaces, "/", "+" and "&" make every URL-encoded form differ from the others.
PASSWORD = "Pl4nt Pw/5581+&x"
EM_CERT = "Em Cert/3391+&y"
SESSION_KEY = "Sk/7720+Plant Key&z"
GUID = "Guid/4410+Plant&w 9"
ONETIME_PASSWORD = "Otp/6601+Plant One&t"
AGENT_PASSWORD = "Agent Pw/2209+&v"
#: A secret only one request holds (the password ``update_user`` sets; CME allows letters
#: and digits only).
NEW_PASSWORD = "NewPlantPw7731"
#: Put before every echo: where it shows in an error, the echoed secret must show masked.
ECHO = "ECHO"


def _forms(secret: str, *, basic: bool = False) -> dict[str, str]:
    forms = {
        "plain": secret,
        "quote": quote(secret),
        "quote-all": quote(secret, safe=""),
        "quote-plus": quote_plus(secret),
    }
    if basic:
        token = base64.b64encode(f"{USER}:{secret}".encode()).decode()
        forms["base64"] = token
        forms["basic"] = f"Basic {token}"
    return forms


# --------------------------------------------------------------------------- bodies


def _page(form: str) -> bytes:
    return f"<html><body><p>{ECHO} {form}</p><pre>request dump</pre></body></html>".encode()


def _xml(form: str) -> str:
    return html.escape(form, quote=False)


#: Generic answers: (status, content type, body) of an echo of ``form``.
GENERIC: dict[str, Callable[[str], tuple[int, str, bytes]]] = {
    "http-500": lambda f: (500, "text/html", _page(f)),
    "html-200": lambda f: (200, "text/html; charset=utf-8", _page(f)),
    "text-200": lambda f: (200, "text/plain", f"{ECHO} {f} and more".encode()),
    "malformed-xml": lambda f: (200, "text/xml", f"<a><b>{ECHO} {_xml(f)}</c></a>".encode()),
}


_GLOBAL = (
    Path(__file__).resolve().parents[1]
    / "schemas/cme/examples/corrected/09-ISgetGlobal-response.xml"
).read_bytes()


def _cme_bad_value(form: str) -> tuple[int, str, bytes]:
    # A number field holding the echo: the value is quoted by the binding error (and by
    # int()'s ValueError, its context).
    echo = f"<ISMaxDN>{ECHO} {_xml(form)}</ISMaxDN>".encode()
    return 200, "text/xml", _GLOBAL.replace(b"<ISMaxDN>20</ISMaxDN>", echo)


def _em_failure(form: str) -> tuple[int, str, bytes]:
    body = (
        f"<response><failure><errorMessage>{ECHO} {_xml(form)}</errorMessage></failure></response>"
    )
    return 200, "text/xml", body.encode()


def _cup_fault(form: str) -> tuple[int, str, bytes]:
    return 500, "application/soap+xml", serialize(soap_fault(f"{ECHO} {form}", sender=False))


def _axl_fault(form: str) -> tuple[int, str, bytes]:
    body = (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV_NAMESPACE}"><SOAP-ENV:Body>'
        f"<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode>"
        f"<faultstring>{ECHO} {_xml(form)}</faultstring></SOAP-ENV:Fault>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    return 500, "text/xml", body.encode()


def _gateway_failure(form: str) -> tuple[int, str, bytes]:
    body = json.dumps({"retcode": "100-004", "message": f"{ECHO} {form}"})
    return 200, "application/json", body.encode()


def _malformed_json(form: str) -> tuple[int, str, bytes]:
    return 200, "application/json", json.dumps({"message": f"{ECHO} {form}"})[:-1].encode()


# --------------------------------------------------------------------------- clients


@dataclass(frozen=True)
class Client:
    """How to make one client over a transport, and the call that meets the echo."""

    make: Callable[[Any, bool], Any]  # (transport, async?) -> client
    call: Callable[[Any], Any]
    secrets: dict[str, dict[str, str]]  # secret name -> form name -> form
    answers: dict[str, Callable[[str], tuple[int, str, bytes]]]
    login: bool = False  # EPAS: log in first (the session key is then a secret)
    onetime: bool = False  # EPAS: then get a one-time password (a secret from then on)


def _cme(transport: Any, is_async: bool) -> Any:
    kind = AsyncCmeClient if is_async else CmeClient
    return kind(URL, username=USER, password=PASSWORD, transport=transport, retry=None)


def _em(transport: Any, is_async: bool) -> Any:
    kind = AsyncEmClient if is_async else EmClient
    return kind(URL, app_id="plantapp", app_certificate=EM_CERT, transport=transport, retry=None)


def _cup(transport: Any, is_async: bool) -> Any:
    kind = AsyncCupClient if is_async else CupClient
    return kind(URL, username=USER, password=PASSWORD, transport=transport, retry=None)


def _huawei(transport: Any, is_async: bool) -> Any:
    kind = AsyncAgentGatewayClient if is_async else AgentGatewayClient
    return kind(URL, guid=GUID, transport=transport, retry=None)


def _axl(transport: Any, is_async: bool) -> Any:
    kind = AsyncAxlClient if is_async else AxlClient
    return kind(URL, username=USER, password=PASSWORD, transport=transport, retry=None)


CLIENTS: dict[str, Client] = {
    "cme": Client(
        _cme,
        lambda c: c.get_global(),
        {"password": _forms(PASSWORD, basic=True)},
        {**GENERIC, "bad-value": _cme_bad_value},
    ),
    "cme-update-user": Client(
        _cme,
        lambda c: c.update_user(user_id="jdoe", password=NEW_PASSWORD),
        {"password": _forms(PASSWORD, basic=True), "new_password": _forms(NEW_PASSWORD)},
        {**GENERIC, "bad-value": _cme_bad_value},
    ),
    "em": Client(
        _em,
        lambda c: c.check_user("jdoe"),
        {"app_certificate": _forms(EM_CERT)},
        {**GENERIC, "server-text": _em_failure},
    ),
    "cup-login": Client(
        _cup,
        lambda c: c.login(),
        {"password": _forms(PASSWORD)},
        {**GENERIC, "server-text": _cup_fault},
    ),
    "cup-session": Client(
        _cup,
        lambda c: c.get_contact_list(),
        {"password": _forms(PASSWORD), "session_key": _forms(SESSION_KEY)},
        {**GENERIC, "server-text": _cup_fault},
        login=True,
    ),
    "cup-onetime-password": Client(
        _cup,
        lambda c: c.get_contact_list(),
        {"password": _forms(PASSWORD), "onetime_password": _forms(ONETIME_PASSWORD)},
        {**GENERIC, "server-text": _cup_fault},
        login=True,
        onetime=True,
    ),
    "huawei": Client(
        _huawei,
        lambda c: c.sign_in(1001, "88880001", password=AGENT_PASSWORD),
        {"guid": _forms(GUID), "agent_password": _forms(AGENT_PASSWORD)},
        {
            **{k: v for k, v in GENERIC.items() if k != "malformed-xml"},
            "malformed-json": _malformed_json,
            "server-text": _gateway_failure,
        },
    ),
    # The event poll of dynamic authentication (its answers refresh the GUID).
    "huawei-events": Client(
        _huawei,
        lambda c: c.get_agent_event(1001),
        {"guid": _forms(GUID)},
        {
            **{k: v for k, v in GENERIC.items() if k != "malformed-xml"},
            "malformed-json": _malformed_json,
            "server-text": _gateway_failure,
        },
    ),
    "axl": Client(
        _axl,
        lambda c: c.call("getUser", {"userid": "tttt"}),
        {"password": _forms(PASSWORD, basic=True)},
        {**GENERIC, "server-text": _axl_fault},
    ),
}

#: Answers an error must quote (the others may say less: a parser's position, say).
QUOTING = {"http-500", "html-200", "text-200", "server-text", "bad-value"}

CASES = [
    pytest.param(client, answer, secret, form, mode, id=f"{client}-{answer}-{secret}-{form}-{mode}")
    for client, spec in CLIENTS.items()
    for answer in spec.answers
    for secret, forms in spec.secrets.items()
    for form in forms
    for mode in ("sync", "async")
]

_LOGIN_ANSWER = serialize(cup.LoginResp(success=cup.LoginSuccess(session_key=SESSION_KEY)))


_ONETIME_ANSWER = serialize(
    cup.GetOnetimePasswordResp(success=cup.OnetimePassword(password=ONETIME_PASSWORD))
)


def _is_cup_login(request: HttpRequest) -> bool:
    return f'action="{ACTION_PREFIX}login"' in request.headers.get("Content-Type", "")


def _is_cup_onetime(request: HttpRequest) -> bool:
    action = f'action="{ACTION_PREFIX}get-onetime-password"'
    return action in request.headers.get("Content-Type", "")


def _raised(spec: Client, mode: str, answer: tuple[int, str, bytes]) -> UcxmlError:
    status, content_type, body = answer

    def handler(request: HttpRequest) -> HttpResponse:
        if spec.login and _is_cup_login(request):
            return HttpResponse(200, _LOGIN_ANSWER, {"content-type": "application/soap+xml"})
        if spec.onetime and _is_cup_onetime(request):
            return HttpResponse(200, _ONETIME_ANSWER, {"content-type": "application/soap+xml"})
        return HttpResponse(status, body, {"content-type": content_type}, reason="Echo")

    if mode == "sync":
        client = spec.make(MockTransport(handler), False)
        if spec.login:
            client.login()
        if spec.onetime:
            client.get_onetime_password()
        with pytest.raises(UcxmlError) as caught:
            spec.call(client)
        return caught.value

    async def scenario() -> UcxmlError:
        client = spec.make(AsyncMockTransport(handler), True)
        if spec.login:
            await client.login()
        if spec.onetime:
            await client.get_onetime_password()
        with pytest.raises(UcxmlError) as caught:
            await spec.call(client)
        return caught.value

    return asyncio.run(scenario())


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _shown(error: BaseException) -> list[str]:
    texts = []
    for item in _chain(error):
        texts += [str(item), repr(item)]
        texts += [str(a) for a in item.args]
        texts += [str(v) for v in vars(item).values() if isinstance(v, str)]
    return texts


@pytest.mark.parametrize(("client", "answer", "secret", "form", "mode"), CASES)
def test_no_echoed_secret_in_an_error_or_a_log(
    client: str, answer: str, secret: str, form: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    spec = CLIENTS[client]
    echoed = spec.secrets[secret][form]
    with caplog.at_level(logging.DEBUG):
        error = _raised(spec, mode, spec.answers[answer](echoed))
    every_form = [f for forms in spec.secrets.values() for f in forms.values()]
    for text in _shown(error):
        for leaked in every_form:
            assert leaked not in text, f"{type(error).__name__} shows {leaked!r}: {text}"
    for record in caplog.records:
        logged = record.getMessage()
        for leaked in every_form:
            assert leaked not in logged, f"log record shows {leaked!r}: {logged}"
    text = str(error)
    if answer in QUOTING:
        assert ECHO in text, text  # the error does quote the answer...
    if ECHO in text:
        masked = f"{ECHO} Basic {MASK}" if form == "basic" else f"{ECHO} {MASK}"
        assert masked in text, text  # ...and the echoed secret is masked


# --------------------------------------------------------------------------- the one place


def test_excerpt_masks_a_secret_that_straddles_the_cut() -> None:
    secret = "Straddle-Secret-Value-8812"
    body = ("x" * 150 + secret + "y" * 100).encode()
    shown = excerpt(body, client_secrets(secret))
    assert "Straddle" not in shown and shown.endswith("…")
    assert len(shown) <= 161


def test_excerpt_without_secrets_is_one_printable_line() -> None:
    assert excerpt(b"line one\r\n\tline\x00two") == "line one line two"
    assert excerpt(b"z" * 200).endswith("…") and len(excerpt(b"z" * 200)) == 161


def test_excerpt_keeps_non_ascii_text_and_drops_controls() -> None:
    # A server's own words in another language stay readable (they were turned to spaces).
    assert excerpt("Kennwort ungültig: aé 日本".encode()) == "Kennwort ungültig: aé 日本"
    assert str(HttpStatusError(500, excerpt=excerpt("'aé'".encode()))) == "HTTP 500: 'aé'"
    # Escape sequences, line separators and bidirectional overrides never reach a terminal.
    assert excerpt("a\x1b[2Jb\u2028c\u202ed".encode()) == "a [2Jb c d"


def test_client_secrets_add_the_basic_credentials() -> None:
    found = client_secrets(username=USER, password=PASSWORD)
    assert PASSWORD in found and basic_credentials(USER, PASSWORD) in found
    assert client_secrets(None, "", "  ") == frozenset()


def test_scrub_is_exact_about_case() -> None:
    # A client's own secret is known exactly: its letters in the server's words are kept.
    assert scrub("Wrong username/password", client_secrets("wrong")) == "Wrong username/password"
    assert scrub("quoted Pl4nt%20pw%2f5581", client_secrets("Pl4nt pw/5581")) == f"quoted {MASK}"
