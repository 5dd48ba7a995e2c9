"""Property-based round trips of every generated message model of every API (hypothesis).

Each request, response, document and fault model gets random instances (wildcards filled
with the API's global elements), which must serialize, parse back equal through the fast
and the reference readers, and serialize to the same bytes again; SOAP header blocks ride
along with every EPAS message. Fields that cannot round-trip for a documented reason are
listed in ``SKIPPED`` with that reason, and ``test_every_model_is_generated`` proves the
strategies reach every generated class except the envelope layers named in ``ENVELOPES``.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
import warnings
from typing import Any

import pytest
from fuzzlib import COUNTS, LONG
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ucxml
from ucxml import DeviationWarning, parse_envelope
from ucxml._documents import parse_generic
from ucxml._jsondocs import dump_json, parse_json
from ucxml._registry import api_names, binding
from ucxml.errors import ParameterError

from strategies import global_elements, model_strategy

#: Fields left at their default, with the documented reason they cannot round-trip.
SKIPPED: dict[str, dict[str, str]] = {
    "em": {
        "Query.user_device_profile_query": (
            "ERRATA E01: Cisco's spelling of deviceProfileQuery, read back as "
            "deviceProfileQuery with a warning, never written by a correct client"
        ),
    },
}
#: JSON models ``ucxml.parse`` cannot detect from the body's keys, with the reason; they
#: still round-trip through ``parse_json(schema=...)``.
UNDETECTABLE: dict[str, dict[str, str]] = {
    "huawei": {
        "AgentRequest": "path parameters only ({agentid}): sent in the URL, never as a body",
        "ForceLogoutWithReasonRequest": "path parameters only: sent in the URL, never as a body",
    },
}
#: Generated classes no message contains: the envelope layers ``ucxml._envelopes`` writes.
ENVELOPES: dict[str, set[str]] = {
    "cme": {"Axl", "Body", "Envelope", "Header", "Request", "Response"},
    "cup": {"Body", "Envelope", "Header", "Soap11Body", "Soap11Envelope", "Soap11Header"},
}

MAX_EXAMPLES = 150 if LONG else 30
CASES = [
    (api, name, model)
    for api in api_names()
    for name, model in sorted(
        {**binding(api).requests, **binding(api).responses, **binding(api).documents}.items()
    )
]


def _strategy(api: str, model: type[Any]) -> st.SearchStrategy[Any]:
    return model_strategy(model, skip=SKIPPED.get(api, {}), wildcards=True)


def _headers(api: str) -> st.SearchStrategy[list[Any]]:
    blocks = [_strategy(api, m) for m in binding(api).headers.values()]
    return st.lists(st.one_of(*blocks), max_size=1) if blocks else st.just([])


def _json_round_trip(api: str, name: str, obj: Any) -> None:
    wire = ucxml.serialize(obj)
    assert parse_json(wire, api, schema=name) == obj
    if name in UNDETECTABLE.get(api, {}):
        return
    detected = ucxml.parse(wire, api=api)
    if type(detected) is not type(obj):
        # Two schemas with the same keys (SignInResponse without result is a
        # GatewayResponse): detection may pick the other one, but must keep every value.
        COUNTS["json shapes shared by two models"] += 1
        assert dump_json(detected) == wire
    else:
        assert detected == obj


def _settings(max_examples: int) -> settings:
    """The hypothesis settings of these properties (replayable unless a long run)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=not LONG,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.parametrize(("api", "name", "model"), CASES, ids=[f"{a}-{n}" for a, n, _ in CASES])
@_settings(MAX_EXAMPLES)
@given(data=st.data())
def test_serialize_parse_round_trip(api: str, name: str, model: type, data: st.DataObject) -> None:
    obj = data.draw(_strategy(api, model), label="message")
    COUNTS["round-trip examples"] += 1
    if binding(api).info.envelope == "json":
        _json_round_trip(api, name, obj)
        return
    header = data.draw(_headers(api), label="header")
    wire = ucxml.serialize(obj, header=header)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeviationWarning)
        # A date-time without zone is valid XML Schema the PIDF reader notes (T-LOCAL-TIME)
        # in what it reads, ours too: the only warning our own output may raise.
        warnings.filterwarnings("ignore", "line .*: .* has no time zone", DeviationWarning)
        back = ucxml.parse(wire, api=api)
        assert back == obj
        assert ucxml.parse(wire) == obj  # the API is detected from our own output
        assert parse_generic(wire, api) == obj
        if header:
            envelope = parse_envelope(wire, api)
            assert envelope.header == tuple(header) and envelope.body == obj
    assert ucxml.serialize(back, header=header) == wire


def _text_slots(obj: Any) -> list[tuple[Any, str]]:
    """(model, attribute) of every text value of a generated model tree."""
    found, stack = [], [obj]
    while stack:
        item = stack.pop()
        if not type(item).__module__.startswith("ucxml.generated"):
            continue  # AnyElement and other xsdata holders
        for f in dataclasses.fields(item):
            value = getattr(item, f.name)
            if isinstance(value, str):
                found.append((item, f.name))
            for v in value if isinstance(value, list) else [value]:
                if dataclasses.is_dataclass(v):
                    stack.append(v)
    return found


@pytest.mark.parametrize(("api", "name", "model"), CASES, ids=[f"{a}-{n}" for a, n, _ in CASES])
@_settings(max(3, MAX_EXAMPLES // 10))
@given(data=st.data())
def test_unwritable_text_is_refused(api: str, name: str, model: type, data: st.DataObject) -> None:
    """A value XML (or UTF-8 JSON) cannot carry is refused, never written unreadable."""
    obj = data.draw(_strategy(api, model), label="message")
    slots = _text_slots(obj)
    if not slots:
        return  # nothing textual in this instance: the other examples cover the model
    item, attribute = data.draw(st.sampled_from(slots), label="slot")
    json_api = binding(api).info.envelope == "json"
    bad = "\ud800" if json_api else data.draw(st.sampled_from(["\x00", "\x01", "\ufffe", "\ud800"]))
    setattr(item, attribute, getattr(item, attribute) + bad)
    COUNTS["unwritable-text examples"] += 1
    with pytest.raises(ParameterError):
        ucxml.serialize(obj)


def _reachable(api: str) -> set[type[Any]]:
    """The generated classes the strategies can build, starting from the message models."""
    b = binding(api)
    todo = [*b.requests.values(), *b.responses.values(), *b.documents.values()]
    todo += b.headers.values()
    seen: set[type[Any]] = set()
    while todo:
        cls = todo.pop()
        if cls in seen or not dataclasses.is_dataclass(cls):
            continue
        seen.add(cls)
        todo += [base for base in cls.__mro__[1:] if dataclasses.is_dataclass(base)]
        hints = typing.get_type_hints(cls, vars(inspect.getmodule(cls)))
        skipped = SKIPPED.get(api, {})
        for f in dataclasses.fields(cls):
            if f"{cls.__name__}.{f.name}" in skipped:
                continue
            if f.metadata.get("type") == "Wildcard":
                todo += global_elements(cls.__module__)
                continue
            stack = [hints[f.name]]
            while stack:
                tp = stack.pop()
                stack += typing.get_args(tp)
                if dataclasses.is_dataclass(tp):
                    todo.append(tp)
    return seen


@pytest.mark.parametrize("api", api_names())
def test_every_model_is_generated(api: str) -> None:
    models = binding(api).models
    classes = {
        c
        for _, c in inspect.getmembers(models, inspect.isclass)
        if dataclasses.is_dataclass(c) and c.__module__ == models.__name__
    }
    missed = {c.__name__ for c in classes - _reachable(api)}
    assert missed == ENVELOPES.get(api, set())
    COUNTS["generated classes reached"] += len(classes) - len(missed)
    COUNTS["envelope classes excluded"] += len(missed)


def test_exclusions_name_real_fields() -> None:
    """Every exclusion still names a field or model that exists (stale ones fail)."""
    for api, fields in SKIPPED.items():
        models = binding(api).models
        for dotted in fields:
            cls_name, field_name = dotted.split(".")
            names = {f.name for f in dataclasses.fields(getattr(models, cls_name))}
            assert field_name in names, dotted
    for api, names in UNDETECTABLE.items():
        assert set(names) <= set(binding(api).requests) | set(binding(api).responses)
    COUNTS["round-trip exclusions"] = sum(map(len, SKIPPED.values())) + sum(
        map(len, UNDETECTABLE.values())
    )
