"""The benchmark suite: operations timed on the same bytes, and the report table.

For each size, on the same synthetic ``ISgetDevice`` response:

1. ``lxml.etree.fromstring(data)``: the baseline every ratio is relative to.
2. ``ucxml.parse``: :func:`ucxml.documents.parse` with ``api="cme"`` (hardened parse,
   envelope, ``xsi:type`` dispatch, strict xsdata binding).
3. xsdata's generic ``XmlParser(handler=LxmlEventHandler)`` into the same generated class
   ``ISgetDeviceResponse``, three ways: the same bytes parsed by lxml and the
   ``<response>`` element handed to the parser (the fair peer of 2); the binding alone, on
   an element parsed beforehand; and the bare ``<response>`` document read from a
   ``BytesIO``.
4. ``ucxml.validate``: :func:`ucxml.validation.validate_bytes` with ``api="cme"``.
5. For information: ``ucxml.serialize`` and xsdata's ``XmlSerializer`` on the same object,
   next to ``lxml.etree.tostring`` of the parsed tree.

Results are checked once outside the timing (the payload is valid, every parser gives the
same object); no time is ever asserted.
"""

from __future__ import annotations

import io
import os
import platform
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from lxml import etree
from xsdata.formats.dataclass.context import XmlContext
from xsdata.formats.dataclass.models.generics import DerivedElement
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
from xsdata.formats.dataclass.serializers import XmlSerializer

from benchmarks.payloads import SOAP_ENV_NS, bare_response, get_device_response
from benchmarks.timing import Timing, measure_with_setup
from ucxml.documents import DeviationWarning, parse, serialize, serialize_generic
from ucxml.generated.cme.models import ISgetDeviceResponse
from ucxml.validation import validate_bytes

__all__ = [
    "BASELINE",
    "DEFAULT_SIZES",
    "QUICK_REPEAT",
    "QUICK_SIZES",
    "BenchmarkReport",
    "Operation",
    "OperationResult",
    "SizeResult",
    "default_repeat",
    "environment",
    "format_header",
    "format_report",
    "format_size",
    "operations",
    "run",
    "run_size",
    "settings",
]

#: Sizes (number of devices) of a full run.
DEFAULT_SIZES: tuple[int, ...] = (100, 1000, 10000)
#: Sizes and samples of the ``--quick`` smoke run.
QUICK_SIZES: tuple[int, ...] = (10, 100)
QUICK_REPEAT = 3
#: Key of the operation every ratio is relative to.
BASELINE = "lxml.fromstring"

_MB = 1_000_000
_RESPONSE_PATH = f"{{{SOAP_ENV_NS}}}Body/axl/response"


def default_repeat(size: int) -> int:
    """Timed samples per operation when ``--repeat`` is not given: fewer for bigger sizes.

    Chosen so a full default run (100, 1000, 10000 devices, plus the targets) takes about
    three to four minutes on a 2-core machine, with enough samples for a steady median on a
    noisy one; cheap operations still get extra samples up to ``min_time``.
    """
    if size <= 100:
        return 31
    if size <= 1000:
        return 15
    return 5


def _no_setup() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Operation:
    """One timed operation: a stable key, a label for the table, its size and its call.

    ``func`` is timed on what ``setup`` returns; ``setup`` runs untimed before every call
    (by default it returns None, which ``func`` ignores).
    """

    key: str
    label: str
    nbytes: int
    func: Callable[[Any], object]
    setup: Callable[[], Any] = _no_setup


@dataclass(frozen=True, slots=True)
class OperationResult:
    """The timing of one operation at one size, with throughput and ratio to the baseline."""

    key: str
    label: str
    nbytes: int
    timing: Timing
    ratio: float

    @property
    def median_ms(self) -> float:
        """Median sample in milliseconds."""
        return self.timing.median * 1000.0

    @property
    def best_ms(self) -> float:
        """Best sample in milliseconds."""
        return self.timing.best * 1000.0

    @property
    def megabytes(self) -> float:
        """Bytes read (parsers) or written (serializers), in MB (10^6 bytes)."""
        return self.nbytes / _MB

    @property
    def mb_per_s(self) -> float:
        """Throughput at the median: MB per second."""
        return self.megabytes / self.timing.median if self.timing.median > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "label": self.label,
            "median_ms": self.median_ms,
            "best_ms": self.best_ms,
            "samples_ms": [s * 1000.0 for s in self.timing.samples],
            "repeat": self.timing.repeat,
            "warmup": self.timing.warmup,
            "gc_enabled": self.timing.gc_enabled,
            "gc_collections": self.timing.gc_collections,
            "bytes": self.nbytes,
            "mb": self.megabytes,
            "mb_per_s": self.mb_per_s,
            "ratio": self.ratio,
        }


@dataclass(frozen=True, slots=True)
class SizeResult:
    """All operations at one size (number of devices)."""

    devices: int
    payload_bytes: int
    bare_bytes: int
    operations: tuple[OperationResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "devices": self.devices,
            "payload_bytes": self.payload_bytes,
            "payload_mb": self.payload_bytes / _MB,
            "bare_response_bytes": self.bare_bytes,
            "operations": [op.to_dict() for op in self.operations],
        }


@dataclass(frozen=True, slots=True)
class BenchmarkReport:
    """A whole run: the environment, the settings and one :class:`SizeResult` per size."""

    environment: dict[str, str]
    settings: dict[str, Any]
    sizes: tuple[SizeResult, ...] = field(default=())
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "environment": self.environment,
            "settings": self.settings,
            "seconds": self.seconds,
            "sizes": [size.to_dict() for size in self.sizes],
        }


def environment() -> dict[str, str]:
    """Versions and machine the numbers were taken on."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count() or "?"),
        "lxml": metadata.version("lxml"),
        "libxml2": ".".join(str(part) for part in etree.LIBXML_VERSION),
        "xsdata": metadata.version("xsdata"),
    }


def _response_element(root: etree._Element) -> etree._Element:
    element = root.find(_RESPONSE_PATH)
    if element is None:
        raise ValueError("no SOAP-ENV:Body/axl/response in the payload")
    return element


def _unwrap(result: object) -> object:
    return result.value if isinstance(result, DerivedElement) else result


def _check(condition: bool, message: str) -> None:
    """A result check that ``python -O`` does not skip (unlike ``assert``)."""
    if not condition:
        raise AssertionError(message)


def operations(data: bytes, bare: bytes) -> list[Operation]:
    """The operations of one size, after checking once that they agree on the result.

    ``data`` is the enveloped message, ``bare`` its ``<response>`` element alone.
    Raises :class:`AssertionError` when the payload is invalid or the parsers disagree.
    """
    report = validate_bytes(data, "cme")
    _check(report.valid, f"synthetic payload is invalid: {report.issues}")
    model = parse(data, "cme")
    _check(isinstance(model, ISgetDeviceResponse), f"ucxml.parse gave {type(model)}")

    # One parser and one context for all xsdata calls, built outside the timing, as a
    # program would keep them; the generic parser keeps xsdata's default configuration.
    # xsdata's lxml handler empties the tree it walks: every call gets a fresh tree.
    context = XmlContext()
    xs_parser = XmlParser(context=context, handler=LxmlEventHandler)
    xs_serializer = XmlSerializer(context=context)

    def fresh_response() -> etree._Element:
        return _response_element(etree.fromstring(data))

    def xsdata_bind(element: etree._Element) -> object:
        return _unwrap(xs_parser.parse(element, ISgetDeviceResponse))

    def xsdata_bytesio(_: None) -> object:
        return _unwrap(xs_parser.parse(io.BytesIO(bare), ISgetDeviceResponse))

    _check(xsdata_bind(fresh_response()) == model, "xsdata (element) and ucxml disagree")
    _check(xsdata_bytesio(None) == model, "xsdata (bare bytes) and ucxml disagree")
    _check(serialize(model) == serialize_generic(model), "fast and xsdata serializers disagree")

    tree = etree.fromstring(data)
    lxml_out = etree.tostring(tree)
    ucxml_out = serialize(model)
    xsdata_out = xs_serializer.render(model).encode("utf-8")

    return [
        Operation(
            BASELINE,
            "lxml.etree.fromstring(data)  [baseline]",
            len(data),
            lambda _: etree.fromstring(data),
        ),
        Operation(
            "ucxml.parse",
            "ucxml.parse(data, api='cme')",
            len(data),
            lambda _: parse(data, "cme"),
        ),
        Operation(
            "xsdata.parse.lxml",
            "xsdata XmlParser: lxml parse + bind <response>",
            len(data),
            lambda _: xsdata_bind(fresh_response()),
        ),
        Operation(
            "xsdata.parse.element",
            "xsdata XmlParser: bind pre-parsed <response> only",
            len(data),
            xsdata_bind,
            fresh_response,
        ),
        Operation(
            "xsdata.parse.bytesio",
            "xsdata XmlParser: bare <response> bytes (BytesIO)",
            len(bare),
            xsdata_bytesio,
        ),
        Operation(
            "ucxml.validate",
            "ucxml.validate(data, api='cme')",
            len(data),
            lambda _: validate_bytes(data, "cme"),
        ),
        Operation(
            "lxml.tostring",
            "lxml.etree.tostring(tree)  [info]",
            len(lxml_out),
            lambda _: etree.tostring(tree),
        ),
        Operation(
            "ucxml.serialize",
            "ucxml.serialize(obj)  [info]",
            len(ucxml_out),
            lambda _: serialize(model),
        ),
        Operation(
            "xsdata.serialize",
            "xsdata XmlSerializer.render(obj)  [info]",
            len(xsdata_out),
            lambda _: xs_serializer.render(model).encode("utf-8"),
        ),
    ]


def _joined(parts: list[Timing], warmup: int) -> Timing:
    """The samples of one operation's blocks as one timing."""
    return Timing(
        samples=tuple(t for part in parts for t in part.samples),
        warmup=warmup,
        gc_enabled=parts[0].gc_enabled,
        gc_collections=sum(part.gc_collections for part in parts),
    )


def run_size(
    devices: int,
    *,
    repeat: int,
    warmup: int = 1,
    min_time: float = 0.0,
    max_repeat: int | None = None,
    disable_gc: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SizeResult:
    """Time every operation on a payload of ``devices`` devices, sampled round-robin."""
    data = get_device_response(devices)
    bare = bare_response(devices)
    blocks = max(1, repeat)
    samples: dict[str, list[Timing]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviationWarning)
        ops = operations(data, bare)
        # The samples are taken round-robin (every operation's first sample, then every
        # operation's second...; a cheap one takes a few per round, up to ``min_time``): a
        # slow spell of a shared machine then lands on every operation alike, not on one
        # side of a ratio.
        for block in range(blocks):
            for operation in ops:
                if progress is not None and block == 0:
                    progress(f"  {devices} devices: {operation.key}")
                timing = measure_with_setup(
                    operation.setup,
                    operation.func,
                    repeat=-(-repeat // blocks),
                    warmup=warmup if block == 0 else 0,
                    min_time=min_time / blocks,
                    max_repeat=-(-max_repeat // blocks) if max_repeat is not None else None,
                    disable_gc=disable_gc,
                )
                samples.setdefault(operation.key, []).append(timing)
    timings = [(op, _joined(samples[op.key], warmup)) for op in ops]
    baseline = next(t for op, t in timings if op.key == BASELINE).median
    results = tuple(
        OperationResult(
            key=op.key,
            label=op.label,
            nbytes=op.nbytes,
            timing=timing,
            ratio=timing.median / baseline if baseline > 0 else float("inf"),
        )
        for op, timing in timings
    )
    return SizeResult(devices, len(data), len(bare), results)


def settings(
    sizes: Sequence[int],
    *,
    repeat: int | None,
    warmup: int,
    min_time: float,
    disable_gc: bool,
) -> dict[str, Any]:
    """The settings of a run, as recorded in the report."""
    return {
        "sizes": list(sizes),
        "repeat": repeat if repeat is not None else "auto",
        "warmup": warmup,
        "min_time": min_time if repeat is None else 0.0,
        "gc": "disabled during samples" if disable_gc else "enabled, collected before samples",
    }


def run(
    sizes: Sequence[int],
    *,
    repeat: int | None = None,
    warmup: int = 1,
    min_time: float = 0.0,
    disable_gc: bool = False,
    progress: Callable[[str], None] | None = None,
    on_size: Callable[[SizeResult], None] | None = None,
) -> BenchmarkReport:
    """Run the suite over ``sizes``; ``repeat`` None picks :func:`default_repeat` per size.

    With an explicit ``repeat`` every operation gets exactly that many samples; otherwise
    cheap operations get more samples until they add up to ``min_time`` seconds (at most
    ten times the default). ``on_size`` is called with each size's result as it is done.
    """
    start = time.perf_counter()
    results: list[SizeResult] = []
    for devices in sizes:
        samples = repeat if repeat is not None else default_repeat(devices)
        result = run_size(
            devices,
            repeat=samples,
            warmup=warmup,
            min_time=min_time if repeat is None else 0.0,
            max_repeat=samples * 10 if repeat is None else samples,
            disable_gc=disable_gc,
            progress=progress,
        )
        results.append(result)
        if on_size is not None:
            on_size(result)
    return BenchmarkReport(
        environment(),
        settings(sizes, repeat=repeat, warmup=warmup, min_time=min_time, disable_gc=disable_gc),
        tuple(results),
        time.perf_counter() - start,
    )


def _ratio(value: float) -> str:
    return f"{value:.1f}×" if value < 1000 else f"{value:,.0f}×"


def format_size(result: SizeResult) -> str:
    """The table of one size: operation, median/best ms, samples, MB, MB/s, ratio.

    ``gc/run`` is the number of garbage collections (all generations) per timed sample;
    the ratio is the median over the median of the raw lxml parse.
    """
    head = (
        f"ISgetDevice response, {result.devices:,} SCCP devices: "
        f"payload {result.payload_bytes / _MB:.3f} MB "
        f"(bare <response> {result.bare_bytes / _MB:.3f} MB)"
    )
    width = max(len(op.label) for op in result.operations)
    columns = (
        f"{'operation':<{width}}  {'median ms':>10}  {'best ms':>10}  {'n':>3}  "
        f"{'MB':>7}  {'MB/s':>8}  {'gc/run':>6}  {'vs lxml':>8}"
    )
    lines = [head, columns, "-" * len(columns)]
    for op in result.operations:
        lines.append(
            f"{op.label:<{width}}  {op.median_ms:>10.2f}  {op.best_ms:>10.2f}  "
            f"{op.timing.repeat:>3}  {op.megabytes:>7.3f}  {op.mb_per_s:>8.2f}  "
            f"{op.timing.gc_collections / op.timing.repeat:>6.1f}  {_ratio(op.ratio):>8}"
        )
    by_key = {op.key: op for op in result.operations}
    ours, peer = by_key.get("ucxml.parse"), by_key.get("xsdata.parse.lxml")
    if ours is not None and peer is not None and peer.timing.median > 0:
        lines.append(
            f"ucxml.parse / xsdata (lxml parse + bind): "
            f"{ours.timing.median / peer.timing.median:.2f}×"
        )
    return "\n".join(lines)


def format_header(env: dict[str, str], settings: dict[str, Any]) -> str:
    """Where and how the numbers were taken: versions, machine, gc, warm-up and repeats."""
    return "\n".join(
        [
            f"Python {env['python']} ({env['implementation']}) on {env['platform']}, "
            f"{env['cpus']} CPUs; lxml {env['lxml']} (libxml2 {env['libxml2']}), "
            f"xsdata {env['xsdata']}",
            f"gc: {settings['gc']}; warm-up runs: {settings['warmup']}; "
            f"repeat: {settings['repeat']}; ratios are median / median of the lxml parse",
        ]
    )


def format_report(report: BenchmarkReport) -> str:
    """The header and every size's table."""
    lines = [format_header(report.environment, report.settings)]
    for size in report.sizes:
        lines += ["", format_size(size)]
    return "\n".join(lines)
