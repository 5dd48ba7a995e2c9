"""Which operations may be resent: the manifest's flags, and every client obeying them.

Every operation of every client is called through its public method against a mock
transport that fails in a retryable way; queries must be sent ``attempts`` times, every
other operation exactly once (with "outcome unknown" when its answer was lost).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from xsdata.models.datatype import XmlDateTime

import ucxml
from ucxml import pidf, serialize
from ucxml.axl import AsyncAxlClient, AxlClient, is_query
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import ACTION_PREFIX, AsyncCupClient, CupClient
from ucxml.em import AsyncEmClient, EmClient
from ucxml.errors import (
    ConnectError,
    HttpStatusError,
    OutcomeUnknownError,
    RequestTimeoutError,
    UcxmlError,
)
from ucxml.generated.cme.registry import OPERATIONS_BY_METHOD as CME_OPERATIONS
from ucxml.generated.cup import models as cup
from ucxml.generated.cup.registry import OPERATIONS_BY_METHOD as CUP_OPERATIONS
from ucxml.generated.em.registry import OPERATIONS_BY_METHOD as EM_OPERATIONS
from ucxml.generated.huawei.registry import OPERATIONS_BY_METHOD as HUAWEI_OPERATIONS
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient
from ucxml.retry import RetryPolicy
from ucxml.transport import AsyncMockTransport, HttpRequest, HttpResponse, MockTransport

ATTEMPTS = 3
CUP_EXAMPLES = Path(__file__).parents[2] / "schemas" / "cup" / "examples" / "corrected"


def _cup(name: str) -> Any:
    """The typed body of a corrected EPAS request example: valid items to send."""
    return ucxml.parse(CUP_EXAMPLES / f"{name}-request.xml", api="cup")


FAST = RetryPolicy(attempts=ATTEMPTS, backoff=0.0, max_backoff=0.0, deadline=5.0)
URL = "http://127.0.0.1:9"
SECRET = "s3cr3t-do-not-show"

Call = Callable[[Any], Any]

DEVICE, USER = "SEP0011223344AA", "jdoe"
CALLS: dict[str, dict[str, Call]] = {
    "cme": {
        "exec_cli": lambda c: c.exec_cli(["ephone-dn 1", "number 2001"]),
        "save_config": lambda c: c.save_config(),
        "get_global": lambda c: c.get_global(),
        "get_device": lambda c: c.get_device(dev_name=["all"]),
        "get_extension": lambda c: c.get_extension(ext_number=["all"]),
        "set_key_phones": lambda c: c.set_key_phones(["SEP000DBC80EB51"]),
        "unset_key_phones": lambda c: c.unset_key_phones(["SEP000DBC80EB51"]),
        "get_evt_counts": lambda c: c.get_evt_counts(),
        "get_dev_evts": lambda c: c.get_dev_evts(dev_name=["all"]),
        "get_ext_evts": lambda c: c.get_ext_evts(ext_number=["all"]),
        "get_user": lambda c: c.get_user(user_id="peter"),
        "update_user": lambda c: c.update_user(user_id="peter", password=SECRET),
        "get_voice_reg_global": lambda c: c.get_voice_reg_global(),
        "get_session_server": lambda c: c.get_session_server(session_server_id=[1]),
        "get_presence_global": lambda c: c.get_presence_global(),
        "get_device_template": lambda c: c.get_device_template(dev_template_id=[1]),
        "get_extension_template": lambda c: c.get_extension_template(extension_template_id=[1]),
        "get_sip_device": lambda c: c.get_sip_device(pool_id=[1]),
        "get_sip_extension": lambda c: c.get_sip_extension(voice_reg_dnid=[1]),
        "get_user_profile": lambda c: c.get_user_profile(user_profile_id=[1]),
        "get_utility_directory": lambda c: c.get_utility_directory(),
        "get_voice_hunt_group": lambda c: c.get_voice_hunt_group(voice_hunt_group_id=[1]),
    },
    "em": {
        "login": lambda c: c.login(DEVICE, USER),
        "logout": lambda c: c.logout(DEVICE),
        "logout_all": lambda c: c.logout_all(),
        "device_user_query": lambda c: c.device_user_query(DEVICE),
        "user_devices_query": lambda c: c.user_devices_query(USER),
        "check_user": lambda c: c.check_user(USER),
        "device_profile_query": lambda c: c.device_profile_query(USER),
    },
    "cup": {
        "login": lambda c: c.login(),
        "logout": lambda c: c.logout(),
        "get_all_config": lambda c: c.get_all_config(),
        "get_system_config": lambda c: c.get_system_config(),
        "get_user_config": lambda c: c.get_user_config(),
        "set_user_config": lambda c: c.set_user_config([cup.Property(name="a", value="b")]),
        "get_contact_list": lambda c: c.get_contact_list(),
        "add_group": lambda c: c.add_group([cup.Group(name="lab")]),
        "modify_group": lambda c: c.modify_group(_cup("30-modify-group").group),
        "delete_group": lambda c: c.delete_group([cup.Group(name="lab")]),
        "add_contact": lambda c: c.add_contact(_cup("34-add-contact").group),
        "modify_contact": lambda c: c.modify_contact(_cup("36-modify-contact").group),
        "delete_contact": lambda c: c.delete_contact(_cup("38-delete-contact").group),
        "get_presence_rules": lambda c: c.get_presence_rules(),
        "set_presence_rules": lambda c: c.set_presence_rules(
            _cup("43-set-presence-rules").presence_rule
        ),
        "delete_presence_rules": lambda c: c.delete_presence_rules(
            _cup("45-delete-presence-rules").rule
        ),
        "get_dialing_rules": lambda c: c.get_dialing_rules(),
        "add_recent_comm": lambda c: c.add_recent_comm(
            timestamp=XmlDateTime(2024, 1, 2, 3, 4, 5), type_value=1, data=cup.RecentCommData()
        ),
        "get_recent_comm": lambda c: c.get_recent_comm(),
        "get_licensing_features": lambda c: c.get_licensing_features(),
        "publish_pres_status": lambda c: c.publish_pres_status(
            pidf.build_presence("sip:jdoe@example.com", activities=["away"])
        ),
        "unpublish_pres_status": lambda c: c.unpublish_pres_status(),
        "get_acl": lambda c: c.get_acl(_cup("59-get-acl").rule),
        "add_acl": lambda c: c.add_acl(_cup("61-add-acl").rule),
        "delete_acl": lambda c: c.delete_acl(_cup("63-delete-acl").rule),
        "get_calendaring": lambda c: c.get_calendaring(),
        "set_calendaring": lambda c: c.set_calendaring(True),
        "get_onetime_password": lambda c: c.get_onetime_password(),
    },
    "huawei": {
        "sign_in": lambda c: c.sign_in(1001, "88880001", password=SECRET),
        "force_login": lambda c: c.force_login(1001, "88880001"),
        "login_ex": lambda c: c.login_ex(1001, "88880001"),
        "logout": lambda c: c.logout(1001),
        "force_logout": lambda c: c.force_logout(1001),
        "force_logout_with_reason": lambda c: c.force_logout_with_reason(1001, 7),
        "update_guid": lambda c: c.update_guid(1001),
        "get_agent_event": lambda c: c.get_agent_event(1001),
    },
}
REGISTRIES = {
    "cme": CME_OPERATIONS,
    "em": EM_OPERATIONS,
    "cup": CUP_OPERATIONS,
    "huawei": HUAWEI_OPERATIONS,
}

#: The operations the issue names as never resent, spelled out (not read from the manifest).
NEVER_RESENT = {
    "cme": {"exec_cli", "save_config", "set_key_phones", "unset_key_phones", "update_user"},
    "em": {"login", "logout", "logout_all"},
    "cup": {
        "login",
        "logout",
        "set_user_config",
        "add_group",
        "modify_group",
        "delete_group",
        "add_contact",
        "modify_contact",
        "delete_contact",
        "set_presence_rules",
        "delete_presence_rules",
        "add_recent_comm",
        "publish_pres_status",
        "unpublish_pres_status",
        "add_acl",
        "delete_acl",
        "get_onetime_password",  # each answer mints a new token
        "set_calendaring",
    },
    "huawei": set(HUAWEI_OPERATIONS),
}

_LOGIN_ANSWER = serialize(cup.LoginResp(success=cup.LoginSuccess(session_key="key-1")))


def _is_cup_login(request: HttpRequest) -> bool:
    return f'action="{ACTION_PREFIX}login"' in request.headers.get("Content-Type", "")


#: How the mock fails: an answer, or a transport error raised by send().
FAILURES: dict[str, Callable[[], HttpResponse | UcxmlError]] = {
    "http-503": lambda: HttpResponse(503, b"busy", {"content-type": "text/plain"}),
    "read-timeout": lambda: RequestTimeoutError("no answer within the timeout (ReadTimeout)"),
    "refused": lambda: ConnectError("cannot connect: connection refused"),
}
#: What a write raises for each failure: lost answers say the outcome is unknown.
WRITE_ERROR = {
    "http-503": HttpStatusError,
    "read-timeout": OutcomeUnknownError,
    "refused": ConnectError,
}
QUERY_ERROR = {
    "http-503": HttpStatusError,
    "read-timeout": RequestTimeoutError,
    "refused": ConnectError,
}


def _client(api: str, mode: str, transport: Any) -> Any:
    common: dict[str, Any] = {"transport": transport, "retry": FAST}
    sync = mode == "sync"
    if api == "cme":
        return (CmeClient if sync else AsyncCmeClient)(
            URL, username="admin", password=SECRET, **common
        )
    if api == "em":
        return (EmClient if sync else AsyncEmClient)(
            URL, app_id="emapp", app_certificate=SECRET, **common
        )
    if api == "cup":
        return (CupClient if sync else AsyncCupClient)(
            URL, username="soapuser1", password=SECRET, **common
        )
    return (AgentGatewayClient if sync else AsyncAgentGatewayClient)(URL, **common)


def _exercise(api: str, mode: str, method: str, failure: str) -> tuple[UcxmlError, int]:
    """Call ``method`` against a transport failing with ``failure``; the error and the sends."""
    sent: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        if api == "cup" and _is_cup_login(request) and method != "login":
            return HttpResponse(200, _LOGIN_ANSWER, {"content-type": "application/soap+xml"})
        sent.append(request)
        outcome = FAILURES[failure]()
        if isinstance(outcome, UcxmlError):
            raise outcome
        return outcome

    call = CALLS[api][method]
    if mode == "sync":
        client = _client(api, mode, MockTransport(handler))
        if api == "cup" and method != "login":
            client.login()
        with pytest.raises(UcxmlError) as info:
            call(client)
        return info.value, len(sent)

    async def scenario() -> UcxmlError:
        client = _client(api, mode, AsyncMockTransport(handler))
        if api == "cup" and method != "login":
            await client.login()
        with pytest.raises(UcxmlError) as info:
            result = call(client)
            assert inspect.isawaitable(result)
            await result
        return info.value

    return asyncio.run(scenario()), len(sent)


CASES = [
    pytest.param(api, mode, method, failure, id=f"{api}-{method}-{failure}-{mode}")
    for api, calls in CALLS.items()
    for method in calls
    for failure in FAILURES
    for mode in ("sync", "async")
]


def test_the_call_table_covers_every_operation() -> None:
    for api, registry in REGISTRIES.items():
        assert set(CALLS[api]) == set(registry), api


@pytest.mark.parametrize("api", sorted(REGISTRIES))
def test_the_manifest_marks_exactly_the_queries_idempotent(api: str) -> None:
    writes = {method for method, op in REGISTRIES[api].items() if not op.idempotent}
    assert writes == NEVER_RESENT[api]


@pytest.mark.parametrize(("api", "mode", "method", "failure"), CASES)
def test_faults_resend_only_queries(api: str, mode: str, method: str, failure: str) -> None:
    error, sends = _exercise(api, mode, method, failure)
    if method in NEVER_RESENT[api]:
        assert sends == 1
        assert type(error) is WRITE_ERROR[failure]
        assert error.attempts == 1
        assert "attempts" not in str(error)
        if isinstance(error, OutcomeUnknownError):
            assert type(error.cause) is QUERY_ERROR[failure]
            assert "outcome is unknown" in str(error)
    else:
        assert sends == ATTEMPTS
        assert type(error) is QUERY_ERROR[failure]
        assert error.attempts == ATTEMPTS
        assert f"after {ATTEMPTS} attempts" in str(error)
    assert SECRET not in str(error) and SECRET not in repr(error)


# --------------------------------------------------------------------------- AXL


@pytest.mark.parametrize(
    ("operation", "query"),
    [
        ("getUser", True),
        ("listPhone", True),
        ("executeSQLQuery", True),
        ("getOSVersion", True),
        ("updateUser", False),
        ("addLine", False),
        ("removePhone", False),
        ("executeSQLUpdate", False),
        ("doDeviceReset", False),
        ("getter", False),  # not a get* request name: AXL names are camel case
        ("listen", False),
    ],
)
def test_axl_queries_follow_the_naming_rule(operation: str, query: bool) -> None:
    assert is_query(operation) is query


def _throttled(request: HttpRequest) -> HttpResponse:
    return HttpResponse(599, b"", {"content-type": "text/plain"})


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("operation", "idempotent", "sends"),
    [
        ("getUser", None, ATTEMPTS),
        ("updateUser", None, 1),
        ("executeSQLUpdate", None, 1),
        ("updateUser", True, ATTEMPTS),  # the caller vouches for it
        ("getUser", False, 1),
    ],
)
def test_faults_axl_599_is_retried_only_for_queries(
    mode: str, operation: str, idempotent: bool | None, sends: int
) -> None:
    from ucxml.errors import AxlError

    if mode == "sync":
        transport: Any = MockTransport(_throttled)
        with (
            AxlClient(URL, username="axl", password=SECRET, transport=transport, retry=FAST) as c,
            pytest.raises(AxlError) as info,
        ):
            c.call(operation, {"name": "x"}, idempotent=idempotent)
    else:
        transport = AsyncMockTransport(_throttled)

        async def scenario() -> None:
            async with AsyncAxlClient(
                URL, username="axl", password=SECRET, transport=transport, retry=FAST
            ) as c:
                await c.call(operation, {"name": "x"}, idempotent=idempotent)

        with pytest.raises(AxlError) as info:
            asyncio.run(scenario())
    assert len(transport.requests) == sends
    assert (info.value.status, info.value.style, info.value.attempts) == (599, "http", sends)
    assert ("after" in str(info.value)) is (sends > 1)
