"""Every fault of issue #7 against the real emulators over loopback HTTP, sync and async.

One table says, for each fault, what an idempotent query and a write must end in: the
typed error, how many requests reached the emulator, and (for a lost write answer) the
cause inside :class:`~ucxml.errors.OutcomeUnknownError`. A second table proves that a
query survives the retryable faults when they stop before the retries run out.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import AsyncCupClient, CupClient
from ucxml.em import AsyncEmClient, EmClient
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER
from ucxml.emulator.cup_state import DEMO_CUP_PASSWORD, DEMO_CUP_USER
from ucxml.emulator.em_state import DEMO_EM_APP_CERTIFICATE, DEMO_EM_APP_ID
from ucxml.emulator.faults import Faults
from ucxml.emulator.huawei_state import DEMO_AGENT_ID
from ucxml.errors import (
    ConnectError,
    CupSessionError,
    EmError,
    HttpStatusError,
    MalformedResponseError,
    OutcomeUnknownError,
    RequestTimeoutError,
    UcxmlError,
)
from ucxml.generated.cup import models as cup
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient
from ucxml.retry import RetryPolicy
from ucxml.transport import AsyncHttpxTransport, HttpxTransport

if TYPE_CHECKING:  # annotations only: which "conftest" is imported depends on the run
    from conftest import Emulators

TIMEOUT = 5.0  # generous: a loaded CI machine must not turn normal answers into timeouts
SHORT_TIMEOUT = 0.3  # the delay fault's client, which must time out
DELAY = 0.6  # past SHORT_TIMEOUT
ATTEMPTS = 3
FAST = RetryPolicy(attempts=ATTEMPTS, backoff=0.001, max_backoff=0.005, deadline=10.0)
SECRETS = (DEMO_PASSWORD, DEMO_CUP_PASSWORD, DEMO_EM_APP_CERTIFICATE)
DEVICE = "SEP0011223344AA"
MODES = ("sync", "async")
# One TLS context for every test client: building one per client (loading the CA bundle)
# would cost more than most of these tests. The URLs are plain HTTP anyway.
_TLS = ssl.create_default_context()

Call = Callable[[Any], Any]

#: One idempotent query and one write per API (the agent gateway has no query).
QUERIES: dict[str, Call] = {
    "cme": lambda c: c.get_global(),
    "em": lambda c: c.device_user_query(DEVICE),
    "cup": lambda c: c.get_contact_list(),
}
WRITES: dict[str, Call] = {
    "cme": lambda c: c.exec_cli(["ephone-dn 40", "number 4040"]),
    "em": lambda c: c.logout(DEVICE),
    "cup": lambda c: c.add_group([cup.Group(name="faulty")]),
    "huawei": lambda c: c.force_logout(DEMO_AGENT_ID),
}


def transport_for(api: str, mode: str, timeout: float) -> HttpxTransport | AsyncHttpxTransport:
    """The client's httpx transport as the client would build it, sharing :data:`_TLS`."""
    auth = httpx.BasicAuth(DEMO_USER, DEMO_PASSWORD) if api == "cme" else None
    options: dict[str, Any] = {"auth": auth, "timeout": timeout, "verify": _TLS}
    if mode == "sync":
        return HttpxTransport(client=httpx.Client(**options))
    return AsyncHttpxTransport(client=httpx.AsyncClient(**options))


def make_client(api: str, mode: str, url: str, **options: Any) -> Any:
    """A client of ``api`` with the test's timeout and fast retries."""
    settings: dict[str, Any] = {"timeout": TIMEOUT, "retry": FAST, **options}
    sync = mode == "sync"
    if api == "cme":
        kind: Any = CmeClient if sync else AsyncCmeClient
        return kind(url, username=DEMO_USER, password=DEMO_PASSWORD, **settings)
    if api == "em":
        kind = EmClient if sync else AsyncEmClient
        return kind(url, app_id=DEMO_EM_APP_ID, app_certificate=DEMO_EM_APP_CERTIFICATE, **settings)
    if api == "cup":
        kind = CupClient if sync else AsyncCupClient
        settings.setdefault("relogin", True)
        return kind(url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD, **settings)
    kind = AgentGatewayClient if sync else AsyncAgentGatewayClient
    return kind(url, **settings)


@dataclass
class Outcome:
    """What a call ended in, and how many requests reached the emulator meanwhile."""

    result: Any = None
    error: UcxmlError | None = None
    requests: int = 0


def attempt(
    emulators: Emulators,
    api: str,
    mode: str,
    call: Call,
    arm: Callable[[Faults], None],
    url: str | None = None,
    **options: Any,
) -> Outcome:
    """Open a client (a CUP client logs in), arm the faults, call, count, disarm, close."""
    faults = emulators.faults(api)
    outcome = Outcome()

    def armed() -> None:
        arm(faults)
        faults.requests = 0

    def finish() -> None:
        outcome.requests = faults.requests
        faults.clear()  # so that the CUP client logs out cleanly

    transport = transport_for(api, mode, options.get("timeout", TIMEOUT))
    options["transport"] = transport
    if isinstance(transport, HttpxTransport):
        with transport, make_client(api, mode, url or emulators.url, **options) as client:
            armed()
            try:
                outcome.result = call(client)
            except UcxmlError as error:
                outcome.error = error
            finally:
                finish()
        return outcome

    async def scenario() -> None:
        async with transport, make_client(api, mode, url or emulators.url, **options) as client:
            armed()
            try:
                outcome.result = await call(client)
            except UcxmlError as error:
                outcome.error = error
            finally:
                finish()

    asyncio.run(scenario())
    return outcome


def settings(**values: Any) -> Callable[[Faults], None]:
    def arm(faults: Faults) -> None:
        for name, value in values.items():
            setattr(faults, name, value)

    return arm


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Expect:
    """The end of one call: error type (None: success), requests, cause of a lost write."""

    error: type[UcxmlError] | None
    requests: int = 1
    cause: type[UcxmlError] | None = None


RETRIED = Expect  # for readability in the table: the query is sent ATTEMPTS times


@dataclass(frozen=True)
class Fault:
    """One fault of the issue, the switches that inject it, and what each kind ends in."""

    name: str
    switches: dict[str, Any]
    query: Expect
    write: Expect | None
    apis: tuple[str, ...] = ("cme", "em", "cup", "huawei")
    #: Client options: the delay fault needs a short timeout (and fewer attempts, for time).
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def attempts(self) -> int:
        """How many sends the client's policy allows."""
        return int(dict(self.options).get("retry", FAST).attempts)


LOST = OutcomeUnknownError
FAULTS = [
    Fault(
        "delayed-past-timeout",
        {"delay": DELAY},
        RETRIED(RequestTimeoutError, 2),
        Expect(LOST, 1, RequestTimeoutError),
        options=(("timeout", SHORT_TIMEOUT), ("retry", replace(FAST, attempts=2))),
    ),
    Fault(
        "connection-dropped",
        {"drop": True},
        RETRIED(MalformedResponseError, ATTEMPTS),
        Expect(LOST, 1, MalformedResponseError),
    ),
    Fault(
        "answer-cut-short",
        {"truncate": True},
        RETRIED(MalformedResponseError, ATTEMPTS),
        Expect(LOST, 1, MalformedResponseError),
    ),
    Fault("http-500-body", {"status": 500}, Expect(HttpStatusError), Expect(HttpStatusError)),
    Fault(
        "http-500-bare",
        {"status": 500, "status_body": False},
        Expect(HttpStatusError),
        Expect(HttpStatusError),
    ),
    Fault(
        "http-502-body",
        {"status": 502},
        RETRIED(HttpStatusError, ATTEMPTS),
        Expect(LOST, 1, HttpStatusError),
    ),
    Fault(
        "http-502-bare",
        {"status": 502, "status_body": False},
        RETRIED(HttpStatusError, ATTEMPTS),
        Expect(LOST, 1, HttpStatusError),
    ),
    Fault(
        "http-503-body",
        {"status": 503},
        RETRIED(HttpStatusError, ATTEMPTS),
        Expect(HttpStatusError),
    ),
    Fault(
        "http-503-bare",
        {"status": 503, "status_body": False},
        RETRIED(HttpStatusError, ATTEMPTS),
        Expect(HttpStatusError),
    ),
    Fault(
        "http-504-bare",
        {"status": 504, "status_body": False},
        RETRIED(HttpStatusError, ATTEMPTS),
        Expect(LOST, 1, HttpStatusError),
    ),
    Fault(
        "truncated-document",
        {"garbage": True},
        Expect(MalformedResponseError),
        Expect(MalformedResponseError),
    ),
    Fault(
        "html-page-200",
        {"html": True},
        Expect(MalformedResponseError),
        Expect(MalformedResponseError),
    ),
    Fault(
        "empty-200",
        {"no_xml": True},
        Expect(MalformedResponseError),
        Expect(MalformedResponseError),
    ),
    Fault(
        "content-type-html",
        {"content_type": "text/html; charset=utf-8"},
        Expect(MalformedResponseError),
        Expect(MalformedResponseError),
    ),
    # The real document under a media type that is merely unusual is read: leniency on
    # the label, strictness on the content (and no write needed to prove it).
    Fault(
        "content-type-octet-stream",
        {"content_type": "application/octet-stream"},
        Expect(None),
        None,
    ),
    Fault(
        "em-busy-26",
        {"busy": True},
        RETRIED(EmError, ATTEMPTS),
        Expect(EmError),
        apis=("em",),
    ),
]


def _cases() -> list[Any]:
    cases = []
    for fault in FAULTS:
        for api in fault.apis:
            for kind, expect, calls in (
                ("query", fault.query, QUERIES),
                ("write", fault.write, WRITES),
            ):
                if expect is None or api not in calls:
                    continue
                for mode in MODES:
                    case = (fault, api, kind, mode, expect)
                    cases.append(pytest.param(*case, id=f"{fault.name}-{api}-{kind}-{mode}"))
    return cases


def check_error(outcome: Outcome, expect: Expect, status: int | None) -> None:
    """The checks of a failed call: type, requests, attempts, wording, cause, no secrets."""
    error = outcome.error
    assert type(error) is expect.error, repr(error)
    assert outcome.requests == expect.requests
    assert error.attempts == expect.requests
    assert (f"after {expect.requests} attempts" in str(error)) is (expect.requests > 1)
    if isinstance(error, OutcomeUnknownError):
        assert type(error.cause) is expect.cause
        assert "outcome is unknown" in str(error)
        error = error.cause
    if status is not None:
        assert isinstance(error, HttpStatusError) and error.status == status
    if isinstance(error, EmError):
        assert error.code == "26"
    for secret in SECRETS:
        assert secret not in str(outcome.error) and secret not in repr(outcome.error)


@pytest.mark.parametrize(("fault", "api", "kind", "mode", "expect"), _cases())
def test_faults_end_in_typed_errors(
    emulators: Emulators, fault: Fault, api: str, kind: str, mode: str, expect: Expect
) -> None:
    call = (QUERIES if kind == "query" else WRITES)[api]
    outcome = attempt(emulators, api, mode, call, settings(**fault.switches), **dict(fault.options))
    if expect.error is None:
        assert outcome.error is None, repr(outcome.error)
        assert outcome.result is not None
        assert outcome.requests == expect.requests
        return
    check_error(outcome, expect, fault.switches.get("status"))


# --------------------------------------------------------------------------- survived


SURVIVABLE = [fault for fault in FAULTS if fault.query.requests > 1]


def _survived_cases() -> list[Any]:
    return [
        pytest.param(fault, api, mode, id=f"{fault.name}-{api}-{mode}")
        for fault in SURVIVABLE
        for api in fault.apis
        if api in QUERIES
        for mode in MODES
    ]


@pytest.mark.parametrize(("fault", "api", "mode"), _survived_cases())
def test_faults_survived(emulators: Emulators, fault: Fault, api: str, mode: str) -> None:
    """The fault hits every attempt but the last: the query passes on its last retry."""
    arm = settings(**fault.switches, fail_times=fault.attempts - 1)
    outcome = attempt(emulators, api, mode, QUERIES[api], arm, **dict(fault.options))
    assert outcome.error is None, repr(outcome.error)
    assert outcome.result is not None
    assert outcome.requests == fault.attempts


@pytest.mark.parametrize("mode", MODES)
def test_faults_survived_cup_session_expiry(emulators: Emulators, mode: str) -> None:
    """An expired session: one forced re-login, one resend, and the query passes."""
    arm = settings(expire_sessions=True, fail_times=1)
    outcome = attempt(emulators, "cup", mode, QUERIES["cup"], arm)
    assert outcome.error is None, repr(outcome.error)
    assert isinstance(outcome.result, cup.GetContactListResp)
    assert outcome.requests == 3  # the refused query, the forced login, the resent query


@pytest.mark.parametrize("mode", MODES)
def test_faults_cup_write_after_expiry_is_applied_once(emulators: Emulators, mode: str) -> None:
    """The server refused the write unread, so the resend after re-login is its only run."""
    group = cup.Group(name="after-expiry")
    arm = settings(expire_sessions=True, fail_times=1)
    outcome = attempt(emulators, "cup", mode, lambda c: c.add_group([group]), arm)
    assert outcome.error is None, repr(outcome.error)
    assert outcome.requests == 3
    seen = attempt(emulators, "cup", mode, QUERIES["cup"], settings())
    names = [g.name for g in seen.result.group]
    assert names.count("after-expiry") == 1
    attempt(emulators, "cup", mode, lambda c: c.delete_group([group]), settings())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", ["query", "write"])
def test_faults_cup_session_expiry_relogs_in_at_most_once(
    emulators: Emulators, mode: str, kind: str
) -> None:
    """Sessions that keep expiring: exactly one re-login, then the session error."""
    call = (QUERIES if kind == "query" else WRITES)["cup"]
    outcome = attempt(emulators, "cup", mode, call, settings(expire_sessions=True))
    assert isinstance(outcome.error, CupSessionError), repr(outcome.error)
    assert outcome.error.state == "expired"
    assert outcome.requests == 3  # the call, one forced login, the resend; no second login


@pytest.mark.parametrize("mode", MODES)
def test_faults_cup_session_expiry_without_opt_in_is_an_error(
    emulators: Emulators, mode: str
) -> None:
    arm = settings(expire_sessions=True, fail_times=1)
    outcome = attempt(emulators, "cup", mode, QUERIES["cup"], arm, relogin=False)
    assert isinstance(outcome.error, CupSessionError) and outcome.error.state == "expired"
    assert outcome.requests == 1


# --------------------------------------------------------------------------- unreachable


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("api", "kind"),
    [("cme", "query"), ("cme", "write"), ("em", "query"), ("em", "write"), ("huawei", "write")],
)
def test_faults_connection_refused(api: str, kind: str, mode: str) -> None:
    """Nothing was sent: a query is retried, a write fails plainly (safe to repeat)."""
    url = _closed_port()
    call = (QUERIES if kind == "query" else WRITES)[api]

    async def scenario() -> None:
        async with make_client(api, mode, url) as client:
            await call(client)

    with pytest.raises(ConnectError) as info:
        if mode == "sync":
            with make_client(api, mode, url) as client:
                call(client)
        else:
            asyncio.run(scenario())
    assert not isinstance(info.value, OutcomeUnknownError)
    assert info.value.sent is False
    assert info.value.attempts == (ATTEMPTS if kind == "query" else 1)
