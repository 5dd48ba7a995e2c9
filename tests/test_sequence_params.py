"""A bare string where a list is expected is refused, for every generated operation.

``str`` is a ``Sequence[str]``, so neither Python nor mypy stops ``exec_cli("ephone-dn 5")``:
without a check the router would receive ``e`` as its first configuration line. Every
list parameter of every generated method (sync and async, every API) is called here with a
bare string through a real client over a recording transport: the call must raise
``ParameterError`` naming the parameter and the fix, and nothing may be sent.
"""

from __future__ import annotations

import asyncio
import inspect
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ucxml.bindings import AsyncOperations, SyncOperations
from ucxml.cme import AsyncCmeClient, CmeClient, DeviceNameKeyword
from ucxml.cup import AsyncCupClient, CupClient
from ucxml.em import AsyncEmClient, EmClient
from ucxml.errors import HttpStatusError, ParameterError
from ucxml.generated.cme.operations import AsyncCmeOperations, CmeOperations
from ucxml.generated.cup.operations import AsyncCupOperations, CupOperations
from ucxml.generated.em.operations import AsyncEmOperations, EmOperations
from ucxml.transport import (
    AsyncMockTransport,
    HttpRequest,
    HttpResponse,
    MockTransport,
)

SENT: list[HttpRequest] = []


def _record(request: HttpRequest) -> HttpResponse:
    SENT.append(request)
    return HttpResponse(500, b"not expected")


async def _arecord(request: HttpRequest) -> HttpResponse:
    return _record(request)


def _cme() -> Any:
    return CmeClient("http://router", username="u", password="p", transport=MockTransport(_record))


def _acme() -> Any:
    return AsyncCmeClient(
        "http://router", username="u", password="p", transport=AsyncMockTransport(_arecord)
    )


def _em() -> Any:
    return EmClient(
        "http://ucm", app_id="a", app_certificate="c", transport=MockTransport(_record)
    ).operations


def _aem() -> Any:
    return AsyncEmClient(
        "http://ucm", app_id="a", app_certificate="c", transport=AsyncMockTransport(_arecord)
    ).operations


def _cup() -> Any:
    return CupClient("http://cup", username="u", password="p", transport=MockTransport(_record))


def _acup() -> Any:
    return AsyncCupClient(
        "http://cup", username="u", password="p", transport=AsyncMockTransport(_arecord)
    )


#: (stub class, factory of the object whose method is called); the object is a real client
#: (or, for EM, the client's generated operations) sending through the recording transport.
STUBS: list[tuple[type[Any], Callable[[], Any]]] = [
    (CmeOperations, _cme),
    (AsyncCmeOperations, _acme),
    (EmOperations, _em),
    (AsyncEmOperations, _aem),
    (CupOperations, _cup),
    (AsyncCupOperations, _acup),
]


def _is_sequence(annotation: Any) -> bool:
    return typing.get_origin(annotation) is not None and "Sequence" in str(annotation)


def _cases() -> Iterator[Any]:
    for stubs, factory in STUBS:
        assert issubclass(stubs, SyncOperations | AsyncOperations)
        for name, function in inspect.getmembers(stubs, inspect.isfunction):
            if name.startswith("_"):
                continue
            hints = typing.get_type_hints(function)
            for parameter in inspect.signature(function).parameters.values():
                if parameter.name != "self" and _is_sequence(hints[parameter.name]):
                    yield pytest.param(
                        stubs,
                        factory,
                        name,
                        parameter.name,
                        id=f"{stubs.__name__}.{name}.{parameter.name}",
                    )


CASES = list(_cases())


def test_the_cases_cover_every_api_and_both_shells() -> None:
    covered = {case.values[0] for case in CASES}
    assert covered == {stubs for stubs, _ in STUBS}
    methods = {(case.values[0].__name__, case.values[2]) for case in CASES}
    for expected in ("exec_cli", "get_device", "set_key_phones", "get_ext_evts"):
        assert ("CmeOperations", expected) in methods
        assert ("AsyncCmeOperations", expected) in methods
    assert ("EmOperations", "device_user_query") in methods
    assert ("CupOperations", "add_contact") in methods


def _arguments(function: Callable[..., Any], target: str, value: object) -> dict[str, Any]:
    """``value`` for ``target``; the other parameters empty (their check is not reached)."""
    arguments: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name == "self":
            continue
        if parameter.name == target:
            arguments[parameter.name] = value
        elif parameter.default is inspect.Parameter.empty:
            arguments[parameter.name] = None
    return arguments


def _call(stubs: type[Any], factory: Callable[[], Any], method: str, kwargs: dict[str, Any]) -> Any:
    target = factory()
    result = getattr(target, method)(**kwargs)
    if issubclass(stubs, AsyncOperations):
        return asyncio.run(result)
    return result


@pytest.mark.parametrize(("stubs", "factory", "method", "parameter"), CASES)
def test_a_bare_string_is_refused_and_nothing_is_sent(
    stubs: type[Any], factory: Callable[[], Any], method: str, parameter: str
) -> None:
    SENT.clear()
    function = getattr(stubs, method)
    with pytest.raises(ParameterError) as caught:
        _call(stubs, factory, method, _arguments(function, parameter, "allRegistered"))
    assert SENT == []
    text = str(caught.value)
    assert parameter in text
    assert "not a single string" in text
    assert "['allRegistered']" in text  # the fix, in the call's own form
    assert method in text


@pytest.mark.parametrize("value", [b"SEP000DBC80EB51", bytearray(b"SEP000DBC80EB51")])
def test_bytes_are_refused_too(value: object) -> None:
    SENT.clear()
    with pytest.raises(ParameterError, match="set_key_phones"):
        _cme().set_key_phones(value)
    assert SENT == []


def test_a_multiline_string_shows_its_lines_as_the_fix() -> None:
    SENT.clear()
    with pytest.raises(ParameterError) as caught:
        _cme().exec_cli("ephone-dn 5\nnumber 2005")
    assert "exec_cli(['ephone-dn 5', 'number 2005'])" in str(caught.value)
    assert SENT == []


def test_a_string_that_may_hold_a_password_is_not_quoted() -> None:
    with pytest.raises(ParameterError) as caught:
        _cme().exec_cli("username admin password s3cr3t-Pw")
    assert "s3cr3t-Pw" not in str(caught.value)
    assert "exec_cli([" in str(caught.value)


def test_a_list_and_a_tuple_are_sent_item_by_item() -> None:
    SENT.clear()
    with pytest.raises(HttpStatusError):  # the recording transport answers 500
        _cme().exec_cli(("ephone-dn 5", "number 2005"))
    assert len(SENT) == 1
    assert b"<CLI>ephone-dn 5</CLI><CLI>number 2005</CLI>" in SENT[0].content


def test_an_unknown_keyword_is_refused_locally_with_the_keywords() -> None:
    SENT.clear()
    with pytest.raises(ParameterError) as caught:
        _cme().get_device(dev_name=["allregistered"])
    text = str(caught.value)
    assert SENT == []
    assert "dev_name" in text and "'allregistered'" in text
    assert "allRegistered" in text and "allUnregistered" in text
    assert "Nothing was sent" in text


def test_a_typed_keyword_is_sent_as_its_wire_value() -> None:
    SENT.clear()
    with pytest.raises(HttpStatusError):
        _cme().get_device(dev_name=[DeviceNameKeyword.ALL_REGISTERED, "SEP000DBC80EB51"])
    assert b"<ISDevName>allRegistered</ISDevName>" in SENT[0].content
    assert b"<ISDevName>SEP000DBC80EB51</ISDevName>" in SENT[0].content


def test_em_queries_refuse_a_list_passed_as_one_name() -> None:
    SENT.clear()
    client = EmClient(
        "http://ucm", app_id="a", app_certificate="c", transport=MockTransport(_record)
    )
    with pytest.raises(ParameterError, match=r"device_user_query\(\*devices\)"):
        client.device_user_query(["SEP000DBC80EB51", "SEP0012DA8AC43D"])  # type: ignore[arg-type]
    assert SENT == []


def test_build_presence_refuses_a_bare_activity_string() -> None:
    from ucxml import pidf

    with pytest.raises(ParameterError, match=r"activities=\['away'\]"):
        pidf.build_presence("sip:jdoe@example.com", activities="away")
