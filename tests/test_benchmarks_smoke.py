"""Smoke tests of ``benchmarks/``: the ``--quick`` run's result structure and the payload.

Nothing here compares a time with a threshold: benchmarks are reported, never gated.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pytest

from benchmarks.__main__ import main, parse_sizes
from benchmarks.payloads import (
    DeviceSpec,
    bare_response,
    device_spec,
    device_specs,
    get_device_response,
)
from benchmarks.suite import BASELINE, QUICK_SIZES
from benchmarks.timing import measure, measure_with_setup
from ucxml.documents import parse
from ucxml.generated.cme.models import (
    Address,
    DeviceStatus,
    ExtMapStatus,
    ISDevice,
    ISgetDeviceResponse,
    LineButton,
    LineState,
    PhoneLineList,
    YesNo,
)
from ucxml.validation import validate

OPERATIONS = {
    BASELINE,
    "ucxml.parse",
    "xsdata.parse.lxml",
    "xsdata.parse.element",
    "xsdata.parse.bytesio",
    "ucxml.validate",
    "lxml.tostring",
    "ucxml.serialize",
    "xsdata.serialize",
}


def expected_device(spec: DeviceSpec) -> ISDevice:
    """The model the generator's device should bind to, built from its spec."""
    return ISDevice(
        dev_id=spec.dev_id,
        dev_name=spec.name,
        dev_type=spec.dev_type,
        dev_user_name=spec.user_name,
        dev_line_button=[
            LineButton(dev_line_button_id=b.button_id, dev_line_button_mode=b.mode)
            for b in spec.line_buttons
        ],
        dev_addr=Address(xipv4_address=spec.address),
        phone_line_list=PhoneLineList(
            ext_map_status=[
                ExtMapStatus(
                    line_id=e.line_id,
                    ext_id=e.ext_id,
                    ext_number=e.number,
                    ext_status=e.status,
                    line_state=LineState(e.line_state),
                )
                for e in spec.extensions
            ]
        ),
        key_phone=spec.key_phone,
        tapi_client_addr=Address(xipv4_address=spec.tapi_client_address),
        dev_status=DeviceStatus(spec.status),
        dev_last_status=DeviceStatus(spec.last_status),
        dev_change_time=spec.change_time,
        dev_keep_alives=spec.keep_alives,
        dev_tapi_cstatus="",
        dev_tapi_clast_status="",
        tapi_cchange_time="",
        tapi_ckeep_alive="",
        dev_dnd=YesNo(spec.dnd),
    )


def test_quick_run_reports_every_operation_and_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    assert main(["--quick", "--quiet", "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))

    assert [size["devices"] for size in report["sizes"]] == list(QUICK_SIZES)
    for size in report["sizes"]:
        assert size["payload_bytes"] == len(get_device_response(size["devices"]))
        ops = {op["key"]: op for op in size["operations"]}
        assert set(ops) == OPERATIONS
        for op in ops.values():
            assert op["median_ms"] > 0, op
            assert op["best_ms"] > 0, op
            assert op["repeat"] == len(op["samples_ms"]) >= 1
            assert op["mb"] > 0 and op["mb_per_s"] > 0
            assert math.isfinite(op["ratio"]) and op["ratio"] > 0
            assert isinstance(op["gc_enabled"], bool)
        assert ops[BASELINE]["ratio"] == 1.0

    printed = capsys.readouterr().out
    assert "10 SCCP devices" in printed and "100 SCCP devices" in printed
    assert "1.0×" in printed
    assert "ucxml.parse(data, api='cme')" in printed


@pytest.mark.parametrize("count", [1, 12])
def test_payload_is_valid(count: int) -> None:
    report = validate(get_device_response(count), "cme")
    assert report.valid, report.issues
    assert report.api == "cme"
    assert report.message == "ISgetDeviceResponse"


def test_payload_round_trips() -> None:
    count = 12
    model = parse(get_device_response(count), "cme")
    assert isinstance(model, ISgetDeviceResponse)
    assert len(model.device) == count
    first = model.device[0]
    spec = device_spec(0)
    assert first.dev_id == 1
    assert first.dev_name == spec.name
    assert first.dev_type == spec.dev_type
    assert [b.dev_line_button_id for b in first.dev_line_button] == [1, 2]
    assert first.dev_addr is not None and first.dev_addr.xipv4_address == spec.address
    assert first.dev_status is DeviceStatus.REGISTERED
    assert first == expected_device(spec)
    assert model.device == [expected_device(s) for s in device_specs(count)]


def test_payload_is_deterministic_and_varied() -> None:
    assert get_device_response(5) == get_device_response(5)
    assert get_device_response(5).count(b"<ISDevice>") == 5
    specs = device_specs(10_000)
    assert len({s.name for s in specs}) == len(specs)
    assert len({s.address for s in specs}) == len(specs)
    assert {len(s.line_buttons) for s in specs} == {1, 2}
    assert all(len(s.extensions) == len(s.line_buttons) for s in specs)
    assert {s.status for s in specs} == {"registered", "unregistered"}
    assert {s.dnd for s in specs} == {"yes", "no"}
    assert {s.key_phone for s in specs} == {True, False}


def test_bare_response_holds_the_same_devices() -> None:
    data = get_device_response(3)
    bare = bare_response(3)
    start = data.index(b"<ISDevice>")
    end = data.rindex(b"</ISDevice>")
    assert bare[bare.index(b"<ISDevice>") : bare.rindex(b"</ISDevice>")] == data[start:end]


def test_measure_takes_the_requested_samples() -> None:
    calls: list[int] = []
    timing = measure(lambda: calls.append(1), repeat=4, warmup=2)
    assert timing.repeat == 4 and len(calls) == 6
    assert timing.best <= timing.median
    assert timing.warmup == 2

    setups: list[int] = []

    def setup() -> int:
        setups.append(1)
        return len(setups)

    timing = measure_with_setup(setup, lambda n: n * 2, repeat=3, warmup=0)
    assert timing.repeat == 3 and len(setups) == 3
    assert timing.gc_collections >= 0


def test_parse_sizes() -> None:
    assert parse_sizes("100,1_000,10000") == (100, 1000, 10000)
    with pytest.raises(argparse.ArgumentTypeError, match="positive"):
        parse_sizes("0,10")
    with pytest.raises(argparse.ArgumentTypeError, match="integers"):
        parse_sizes("ten")
