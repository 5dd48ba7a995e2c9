"""Property-based round trips of every CME request and response model (hypothesis)."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ucxml
from ucxml.documents import DeviationWarning
from ucxml.registry import binding

from strategies import model_strategy

CME = binding("cme")
MODELS = sorted({**CME.requests, **CME.responses}.items())


@pytest.mark.parametrize(("name", "model"), MODELS, ids=[n for n, _ in MODELS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_serialize_parse_round_trip(name: str, model: type, data: st.DataObject) -> None:
    obj = data.draw(model_strategy(model))
    wire = ucxml.serialize(obj)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeviationWarning)
        back = ucxml.parse(wire, api="cme")
    assert back == obj
    assert ucxml.serialize(back) == wire
