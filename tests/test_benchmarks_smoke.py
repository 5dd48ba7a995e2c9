"""Smoke tests of ``benchmarks/``: the ``--quick`` run's result structure and the payloads
(2008 and CME 12.x), the 12.x agreement checks and the 12.x targets' arithmetic.

Nothing here compares a time with a threshold: benchmarks are reported, never gated.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from xsdata.formats.dataclass.models.generics import DerivedElement
from xsdata.formats.dataclass.parsers import XmlParser

from benchmarks.__main__ import main, parse_sizes
from benchmarks.payloads import (
    TWELVE_X_ONLY,
    DeviceSpec,
    bare_response,
    device_spec,
    device_specs,
    get_device_response,
    get_device_response_12x,
    get_device_response_12x_peer,
)
from benchmarks.suite import (
    BASELINE,
    QUICK_SIZES,
    BenchmarkReport,
    OperationResult,
    ReleaseResult,
    SizeResult,
    check_12x,
    format_report,
    lineless,
    operations_12x,
    run,
    twelve_x_fields,
    twelve_x_values,
    without_12x,
)
from benchmarks.targets import (
    TWELVE_X_GOALS,
    _peak_mb,
    _write_payload,
    _write_payload_12x,
    timing_targets_12x,
)
from benchmarks.timing import Timing, measure, measure_with_setup
from ucxml import DeviationWarning, parse, serialize, validate
from ucxml.bindings import Extra, Unknown
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

XSI = "http://www.w3.org/2001/XMLSchema-instance"

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
OPERATIONS_12X = {BASELINE, "ucxml.parse", "xsdata.parse.peer"}


@pytest.fixture(autouse=True)
def _no_deviation_warnings() -> Iterator[None]:
    """The 12.x-only elements are unknown content until the schema has them: warned."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviationWarning)
        yield


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

        twelve = size["release_12x"]
        assert twelve["release"] == "12.x"
        assert twelve["payload_bytes"] == len(get_device_response_12x(size["devices"]))
        peer = get_device_response_12x_peer(size["devices"], twelve_x_only=twelve_x_fields())
        assert twelve["peer_bytes"] == len(peer)
        ops_12x = {op["key"]: op for op in twelve["operations"]}
        assert [op["key"] for op in twelve["operations"]] == [
            BASELINE,
            "ucxml.parse",
            "xsdata.parse.peer",
        ]
        for op in ops_12x.values():
            assert op["median_ms"] > 0 and op["repeat"] == len(op["samples_ms"]) >= 1, op
            assert math.isfinite(op["ratio"]) and op["ratio"] > 0
        assert ops_12x[BASELINE]["ratio"] == 1.0
        assert ops_12x["xsdata.parse.peer"]["bytes"] == len(peer)

    printed = capsys.readouterr().out
    assert "10 SCCP devices" in printed and "100 SCCP devices" in printed
    assert "1.0×" in printed
    assert "ucxml.parse(data, api='cme')" in printed
    for size in report["sizes"]:
        devices = size["devices"]
        assert f"ISgetDevice response (2008), {devices:,} SCCP devices" in printed
        assert f"ISgetDevice response (12.x), {devices:,} SCCP devices" in printed
        # The side-by-side rows carry this size's 2008 and 12.x medians, in that order.
        block = printed.split(f"2008 vs 12.x, {devices:,} devices:")[1].split("\n\n")[0]
        medians = {op["key"]: op["median_ms"] for op in size["operations"]}
        medians_12x = {op["key"]: op["median_ms"] for op in size["release_12x"]["operations"]}
        for label, old, new in (
            ("lxml.etree.fromstring(data)", BASELINE, BASELINE),
            ("ucxml.parse(data, api='cme')", "ucxml.parse", "ucxml.parse"),
            ("xsdata peer:", "xsdata.parse.lxml", "xsdata.parse.peer"),
        ):
            row = next(line for line in block.splitlines() if line.startswith(label))
            numbers = re.findall(r"\d+\.\d+", row.removeprefix(label))
            assert numbers[0] == f"{medians[old]:.2f}" and numbers[2] == f"{medians_12x[new]:.2f}"
        assert "ucxml.parse / xsdata peer" in block
    assert "parse 10,000 devices, 12.x" not in printed  # 12.x timing targets: 10,000 only


def test_no_12x_run_times_the_2008_answer_alone() -> None:
    report = run([10], repeat=1, twelve_x=False)
    assert report.sizes[0].twelve_x is None
    assert "release_12x" not in report.sizes[0].to_dict()
    assert {op.key for op in report.sizes[0].operations} == OPERATIONS
    printed = format_report(report)
    assert "(2008), 10 SCCP devices" in printed and "12.x" not in printed


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


def test_12x_payload_has_the_12x_shape() -> None:
    count = 4
    root = etree.fromstring(get_device_response_12x(count))
    assert root.tag == "response" and not root.attrib and not root.nsmap
    assert [child.tag for child in root] == ["ISDevices"]
    devices = root[0].findall("ISDevice")
    assert len(devices) == len(root[0]) == count
    for index, device in enumerate(devices):
        spec = device_spec(index)
        tags = [child.tag for child in device]
        assert "ISDevUserName" not in tags and "ISDevLineButton" not in tags
        assert "ISDevTapiCLastStatus" not in tags
        assert device.findtext("ISDevUsername") == spec.user_name
        assert device.findtext("ISTapiCLastStatus") == ""
        buttons = device.find("ISDevLineButtons")
        assert buttons is not None and len(buttons) == len(spec.line_buttons)
        assert device.findtext("ISconfigDevType") == spec.config_type
        assert device.findtext("description") == spec.description == f"ephone{index + 1}"
        # In the router's order: the configured type after ISDevType, then the user name.
        assert tags.index("ISconfigDevType") == tags.index("ISDevType") + 1
        assert tags.index("description") == tags.index("ISDevLineButtons") + 1
    assert device_spec(0).config_type == "7960"
    assert get_device_response_12x(5) == get_device_response_12x(5)
    assert get_device_response_12x(5).count(b"<ISDevice>") == 5
    with pytest.raises(ValueError, match=">= 0"):
        get_device_response_12x(-1)


def test_12x_payload_is_valid() -> None:
    report = validate(get_device_response_12x(3), "cme")
    assert report.valid, report.issues
    assert report.message == "ISgetDeviceResponse"
    # Until the schema has them, the 12.x-only elements are its only deviations (kept).
    unknown = [tag for tag in TWELVE_X_ONLY if tag not in twelve_x_fields()]
    for issue in report.issues:
        assert issue.code == "T-UNKNOWN" and issue.severity == "warning", issue
        assert any(f"<{tag}>" in issue.message for tag in unknown), issue
    assert len(report.issues) == 3 * len(unknown)


def test_12x_payload_reads_as_the_2008_devices() -> None:
    count = 12
    model = parse(get_device_response_12x(count), "cme")
    assert isinstance(model, ISgetDeviceResponse)
    assert model.release == "12.x"
    shared = without_12x(model)
    assert shared.device == [expected_device(s) for s in device_specs(count)]
    assert shared == parse(get_device_response(count), "cme")
    for index, device in enumerate(model.device):
        spec = device_spec(index)
        assert twelve_x_values(device) == {
            "ISconfigDevType": spec.config_type,
            "description": spec.description,
        }
    assert check_12x(model, parse(get_device_response(count), "cme")) is model


def test_12x_peer_holds_the_same_devices_in_the_2008_shape() -> None:
    count = 7
    model = parse(get_device_response_12x(count), "cme")
    assert isinstance(model, ISgetDeviceResponse)
    peer = get_device_response_12x_peer(count, twelve_x_only=twelve_x_fields())
    root = etree.fromstring(peer)
    assert root.tag == "response" and root.get(f"{{{XSI}}}type") == "ISgetDeviceResponse"
    assert [child.tag for child in root] == ["ISDevice"] * count
    bound = XmlParser().parse(etree.fromstring(peer), ISgetDeviceResponse)
    assert isinstance(bound, DerivedElement)  # a typed element: xsdata wraps the object
    assert bound.value == without_12x(model, keep_fields=True)
    assert parse(peer, "cme") == without_12x(model, keep_fields=True)
    assert b"ISconfigDevType" not in get_device_response_12x_peer(count)
    full = get_device_response_12x_peer(count, twelve_x_only=TWELVE_X_ONLY)
    assert full.count(b"<ISconfigDevType>") == full.count(b"<description>") == count
    with pytest.raises(ValueError, match=r"12\.x-only"):
        get_device_response_12x_peer(1, twelve_x_only=["ISDevName"])


def test_operations_12x_check_their_results() -> None:
    count = 9
    data, data_2008 = get_device_response_12x(count), get_device_response(count)
    peer = get_device_response_12x_peer(count, twelve_x_only=twelve_x_fields())
    ops = operations_12x(data, peer, data_2008)
    assert [op.key for op in ops] == [BASELINE, "ucxml.parse", "xsdata.parse.peer"]
    assert [op.nbytes for op in ops] == [len(data), len(data), len(peer)]
    reference = without_12x(parse(data, "cme"), keep_fields=True)
    assert ops[2].func(None) == reference
    assert parse(data, "cme") == ops[1].func(None)

    # Each check fails on answers that do not hold the same devices.
    other = data.replace(b"<ExtNumber>2003</ExtNumber>", b"<ExtNumber>9999</ExtNumber>", 1)
    assert other != data
    with pytest.raises(AssertionError, match=r"12\.x and 2008 results differ"):
        operations_12x(other, peer, data_2008)
    retyped = data.replace(b"<ISconfigDevType>7940<", b"<ISconfigDevType>7941<", 1)
    assert retyped != data
    with pytest.raises(AssertionError, match=r"12\.x device 1:"):
        operations_12x(retyped, peer, data_2008)
    short_peer = get_device_response_12x_peer(count - 1, twelve_x_only=twelve_x_fields())
    with pytest.raises(AssertionError, match=r"xsdata .* disagree"):
        operations_12x(data, short_peer, data_2008)
    with pytest.raises(AssertionError, match="release '2008'"):
        check_12x(parse(data_2008, "cme"), parse(data_2008, "cme"))


def test_12x_serialize_re_reads_equal_but_for_source_lines() -> None:
    model = parse(get_device_response_12x(5), "cme")
    written = serialize(model, release="12.x")
    assert b"<ISDevices>" in written and b"xsi:type" not in written
    reread = parse(written, "cme")
    assert isinstance(reread, ISgetDeviceResponse) and reread.release == "12.x"
    assert lineless(reread) == lineless(model)

    device = ISDevice(dev_id=1, extra=Extra(elements=(Unknown(3, "<a>1</a>", line=8),)))
    moved = dataclasses.replace(device, extra=Extra(elements=(Unknown(3, "<a>1</a>", line=2),)))
    changed = dataclasses.replace(device, extra=Extra(elements=(Unknown(3, "<a>2</a>", line=8),)))
    response = ISgetDeviceResponse(device=[device])
    assert device != moved and lineless(device) == lineless(moved)
    assert lineless(response) == lineless(ISgetDeviceResponse(device=[moved]))
    assert lineless(response) != lineless(ISgetDeviceResponse(device=[changed]))


def _result(key: str, median_ms: float, best_ms: float) -> OperationResult:
    samples = (median_ms / 1000, best_ms / 1000, median_ms / 1000)
    return OperationResult(key, key, 1, Timing(samples, 0, True, 0), 1.0)


def _report_12x(devices: int, lxml: float, ours: float, peer: float) -> BenchmarkReport:
    twelve = ReleaseResult(
        "12.x",
        1,
        1,
        (
            _result(BASELINE, lxml, lxml * 0.9),
            _result("ucxml.parse", ours, ours * 0.8),
            _result("xsdata.parse.peer", peer, peer * 0.9),
        ),
    )
    return BenchmarkReport({}, {}, (SizeResult(devices, 1, 1, (), twelve),))


@pytest.mark.parametrize(
    ("ours", "peer", "met"),
    [(390.0, 3200.0, [True, True]), (410.0, 3400.0, [False, True]), (390.0, 3000.0, [True, False])],
)
def test_12x_timing_targets(ours: float, peer: float, met: list[bool]) -> None:
    assert TWELVE_X_GOALS == {10_000: (4.0, 8.0)}
    targets = timing_targets_12x(_report_12x(10_000, 100.0, ours, peer))
    assert [t.name for t in targets] == [
        "parse 10,000 devices, 12.x vs raw lxml",
        "parse 10,000 devices, 12.x vs xsdata",
    ]
    assert [t.met for t in targets] == met
    assert targets[0].ratio == pytest.approx(ours / 100.0)
    assert targets[1].ratio == pytest.approx(peer / ours)
    assert f"best-of ratio {ours * 0.8 / 90.0:.2f}x" in targets[0].peer
    assert f"best-of ratio {peer * 0.9 / (ours * 0.8):.2f}x" in targets[1].peer
    assert (targets[0].goal, targets[1].goal) == ("<= 4x", ">= 8x faster")
    assert timing_targets_12x(_report_12x(1_000, 100.0, ours, peer)) == []


def test_memory_script_12x_mode(tmp_path: Path) -> None:
    path = _write_payload_12x(tmp_path, 50)
    assert path.with_name(path.name + ".small").read_bytes() == get_device_response_12x(10)
    peak = _peak_mb("ucxml.parse.12x", path)
    assert math.isfinite(peak) and peak >= 0
    peer = _write_payload_12x(tmp_path, 50, peer=True)
    assert peer.read_bytes() == get_device_response_12x_peer(50, twelve_x_only=twelve_x_fields())
    assert _peak_mb("xsdata.peer", peer) >= 0
    # The 12.x mode refuses an answer that is not read as 12.x (the enveloped 2008 one).
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _peak_mb("ucxml.parse.12x", _write_payload(tmp_path, 50))
    assert "not read as a 12.x answer: release '2008'" in refused.value.stderr
