"""The benchmark suite: operations timed on the same bytes, and the report table.

For each size, on the same synthetic ``ISgetDevice`` response:

1. ``lxml.etree.fromstring(data)``: the baseline every ratio is relative to.
2. ``ucxml.parse``: :func:`ucxml._documents.parse` with ``api="cme"`` (hardened parse,
   envelope, ``xsi:type`` dispatch, strict xsdata binding).
3. xsdata's generic ``XmlParser(handler=LxmlEventHandler)`` into the same generated class
   ``ISgetDeviceResponse``, three ways: the same bytes parsed by lxml and the
   ``<response>`` element handed to the parser (the fair peer of 2); the binding alone, on
   an element parsed beforehand; and the bare ``<response>`` document read from a
   ``BytesIO``.
4. ``ucxml.validate``: :func:`ucxml._validation.validate_bytes` with ``api="cme"``.
5. For information: ``ucxml.serialize`` and xsdata's ``XmlSerializer`` on the same object,
   next to ``lxml.etree.tostring`` of the parsed tree.

Beside them, sampled in the same rounds, the CME 12.x answer of the same devices
(:func:`benchmarks.payloads.get_device_response_12x`: bare ``<response>``, plural
containers, 12.x spellings, ``ISconfigDevType`` and ``description``):

6. ``lxml.etree.fromstring`` of the 12.x bytes: the 12.x ratios' baseline.
7. ``ucxml.parse`` of the 12.x bytes with ``api="cme"`` (into the same models, release
   ``"12.x"``).
8. xsdata's generic parser producing the same objects: it cannot read the 12.x shape into
   ``ISgetDeviceResponse``, so its peer is the lxml parse and binding of the same devices
   in the 2008 shape (:func:`benchmarks.payloads.get_device_response_12x_peer`).

Results are checked once outside the timing (the payload is valid, every parser gives the
same object; ucxml reads the 12.x answer into the objects it reads from the 2008 one, but
for the 12.x-only content, and re-reads what it writes as 12.x); no time is ever asserted.
"""

from __future__ import annotations

import dataclasses
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

from benchmarks.payloads import (
    SOAP_ENV_NS,
    TWELVE_X_ONLY,
    bare_response,
    device_spec,
    get_device_response,
    get_device_response_12x,
    get_device_response_12x_peer,
)
from benchmarks.timing import Timing, measure_with_setup
from ucxml._documents import DeviationWarning, parse, serialize, serialize_generic
from ucxml._validation import validate_bytes
from ucxml.bindings import Extra
from ucxml.generated.cme.models import ISDevice, ISgetDeviceResponse

__all__ = [
    "BASELINE",
    "DEFAULT_SIZES",
    "QUICK_REPEAT",
    "QUICK_SIZES",
    "TWELVE_X",
    "BenchmarkReport",
    "Operation",
    "OperationResult",
    "ReleaseResult",
    "SizeResult",
    "check_12x",
    "default_repeat",
    "environment",
    "format_header",
    "format_report",
    "format_size",
    "lineless",
    "operations",
    "operations_12x",
    "run",
    "run_size",
    "settings",
    "twelve_x_fields",
    "twelve_x_values",
    "without_12x",
]

#: Sizes (number of devices) of a full run.
DEFAULT_SIZES: tuple[int, ...] = (100, 1000, 10000)
#: Sizes and samples of the ``--quick`` smoke run.
QUICK_SIZES: tuple[int, ...] = (10, 100)
QUICK_REPEAT = 3
#: Key of the operation every ratio is relative to.
BASELINE = "lxml.fromstring"
#: The release whose answers are timed beside the 2008 ones.
TWELVE_X = "12.x"

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
class ReleaseResult:
    """The operations on one size's answer in another release's dialect (CME 12.x).

    Their ratios are to the lxml parse of this release's bytes (``payload_bytes``);
    ``peer_bytes`` is the 2008-shaped ``<response>`` xsdata's peer binds.
    """

    release: str
    payload_bytes: int
    peer_bytes: int
    operations: tuple[OperationResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "release": self.release,
            "payload_bytes": self.payload_bytes,
            "payload_mb": self.payload_bytes / _MB,
            "peer_bytes": self.peer_bytes,
            "operations": [op.to_dict() for op in self.operations],
        }


@dataclass(frozen=True, slots=True)
class SizeResult:
    """All operations at one size (number of devices); ``twelve_x``: the 12.x run beside."""

    devices: int
    payload_bytes: int
    bare_bytes: int
    operations: tuple[OperationResult, ...]
    twelve_x: ReleaseResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the 12.x run under ``"release_12x"``, when it ran)."""
        out = {
            "devices": self.devices,
            "payload_bytes": self.payload_bytes,
            "payload_mb": self.payload_bytes / _MB,
            "bare_response_bytes": self.bare_bytes,
            "operations": [op.to_dict() for op in self.operations],
        }
        if self.twelve_x is not None:
            out["release_12x"] = self.twelve_x.to_dict()
        return out


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


def twelve_x_fields() -> dict[str, str]:
    """The ``ISDevice`` fields of the 12.x-only elements that the models have, by element.

    Empty until the schema has ``ISconfigDevType`` and ``description``: until then ucxml
    keeps them as unknown content (``device.extra``) and xsdata's generic parser fails on
    them, so its 2008-shaped peer leaves them out.
    """
    names = {
        str(f.metadata.get("name", f.name)): f.name
        for f in dataclasses.fields(ISDevice)
        if f.metadata.get("type") == "Element"
    }
    return {tag: names[tag] for tag in TWELVE_X_ONLY if tag in names}


def _unknown_tag(piece: Any) -> str:
    return str(etree.fromstring(piece.xml).tag)


def twelve_x_values(device: ISDevice) -> dict[str, str | None]:
    """The 12.x-only elements' values of ``device``: from its fields once the models have
    them, else from its unknown content (the element's text; None when absent)."""
    fields = twelve_x_fields()
    found: dict[str, str | None] = {tag: None for tag in TWELVE_X_ONLY}
    for tag, name in fields.items():
        value = getattr(device, name)
        found[tag] = None if value is None else str(value)
    for piece in device.extra.elements if device.extra is not None else ():
        element = etree.fromstring(piece.xml)
        if element.tag in found and found[str(element.tag)] is None:
            found[str(element.tag)] = element.text or ""
    return found


def without_12x(model: ISgetDeviceResponse, *, keep_fields: bool = False) -> ISgetDeviceResponse:
    """``model`` without its devices' 12.x-only content: the unknown pieces of
    :data:`~benchmarks.payloads.TWELVE_X_ONLY` dropped, and unless ``keep_fields`` the
    fields of those elements (once the models have them) emptied too.

    ``keep_fields=False`` gives what the 2008 answer of the same devices reads as;
    ``keep_fields=True`` what xsdata binds from :func:`get_device_response_12x_peer`.
    """
    cleared = {} if keep_fields else dict.fromkeys(twelve_x_fields().values())
    devices = []
    for device in model.device:
        extra = device.extra
        if extra is not None:
            kept = tuple(p for p in extra.elements if _unknown_tag(p) not in TWELVE_X_ONLY)
            extra = dataclasses.replace(extra, elements=kept)
        devices.append(dataclasses.replace(device, extra=extra or None, **cleared))
    return dataclasses.replace(model, device=devices)


def lineless(obj: Any) -> Any:
    """``obj`` with the source line of every unknown piece (``Unknown.line``) forgotten.

    Where a piece was read is part of its equality; a re-read of what ``serialize`` wrote
    finds it on other lines (one line a document), with the same content and position.
    """
    if isinstance(obj, list):
        return [lineless(item) for item in obj]
    if isinstance(obj, Extra):
        return dataclasses.replace(
            obj, elements=tuple(dataclasses.replace(p, line=None) for p in obj.elements)
        )
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return obj
    changes = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, list) or dataclasses.is_dataclass(value):
            changes[f.name] = lineless(value)
    return dataclasses.replace(obj, **changes) if changes else obj


def check_12x(model_12x: object, model_2008: object) -> ISgetDeviceResponse:
    """Check that ucxml read the 12.x answer into the 2008 answer's objects; return it.

    Same model, release ``"12.x"``, the same devices once the 12.x-only content is set
    aside, and that content there on every device (the values of
    :func:`benchmarks.payloads.device_spec`, as fields or as unknown content).
    Raises :class:`AssertionError` otherwise.
    """
    if not isinstance(model_12x, ISgetDeviceResponse):
        raise AssertionError(f"12.x: ucxml.parse gave {type(model_12x).__name__}")
    _check(
        model_12x.release == TWELVE_X,
        f"12.x: release {model_12x.release!r}, expected {TWELVE_X!r}",
    )
    _check(
        isinstance(model_2008, ISgetDeviceResponse) and model_2008.release == "2008",
        f"the 2008 answer read as {type(model_2008).__name__}, release "
        f"{getattr(model_2008, 'release', None)!r}",
    )
    _check(without_12x(model_12x) == model_2008, "ucxml's 12.x and 2008 results differ")
    for index, device in enumerate(model_12x.device):
        spec = device_spec(index)
        expected = {"ISconfigDevType": spec.config_type, "description": spec.description}
        found = twelve_x_values(device)
        _check(found == expected, f"12.x device {index}: {found} != {expected}")
    return model_12x


def operations_12x(data: bytes, peer: bytes, data_2008: bytes) -> list[Operation]:
    """The 12.x operations of one size, after checking their results once.

    ``data`` is the 12.x answer, ``peer`` the same devices in the 2008 shape for xsdata,
    ``data_2008`` the 2008 answer of the same devices. Checked: :func:`check_12x`;
    ``serialize(obj, release="12.x")`` re-reads as the same objects (source lines of
    unknown pieces aside, :func:`lineless`); xsdata binds from ``peer`` the objects
    ucxml reads (its 12.x-only fields once the models have them).
    Raises :class:`AssertionError` when a check fails.
    """
    model = check_12x(parse(data, "cme"), parse(data_2008, "cme"))
    written = serialize(model, release=TWELVE_X)
    reread = parse(written, "cme")
    _check(
        getattr(reread, "release", None) == TWELVE_X,
        "serialize(obj, release='12.x') re-reads as another release",
    )
    _check(lineless(reread) == lineless(model), "serialize(obj, release='12.x') re-reads unequal")

    context = XmlContext()
    xs_parser = XmlParser(context=context, handler=LxmlEventHandler)

    def xsdata_peer(_: None) -> object:
        return _unwrap(xs_parser.parse(etree.fromstring(peer), ISgetDeviceResponse))

    _check(
        xsdata_peer(None) == without_12x(model, keep_fields=True),
        "xsdata (2008-shaped peer) and ucxml (12.x) disagree",
    )
    return [
        Operation(
            BASELINE,
            "lxml.etree.fromstring(data)  [12.x baseline]",
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
            "xsdata.parse.peer",
            "xsdata XmlParser: lxml parse + bind 2008-shaped <response>  [peer]",
            len(peer),
            xsdata_peer,
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


def _results(
    ops: list[Operation], samples: list[list[Timing]], warmup: int
) -> tuple[OperationResult, ...]:
    """The operations of one group with their joined samples, ratios to its baseline."""
    timings = [(op, _joined(parts, warmup)) for op, parts in zip(ops, samples, strict=True)]
    baseline = next(t for op, t in timings if op.key == BASELINE).median
    return tuple(
        OperationResult(
            key=op.key,
            label=op.label,
            nbytes=op.nbytes,
            timing=timing,
            ratio=timing.median / baseline if baseline > 0 else float("inf"),
        )
        for op, timing in timings
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
    twelve_x: bool = True,
) -> SizeResult:
    """Time every operation on a payload of ``devices`` devices, sampled round-robin.

    With ``twelve_x`` the 12.x operations (:func:`operations_12x`) on the 12.x answer of
    the same devices are sampled in the same rounds, after the 2008 ones.
    """
    data = get_device_response(devices)
    bare = bare_response(devices)
    data_12x = get_device_response_12x(devices) if twelve_x else b""
    peer = (
        get_device_response_12x_peer(devices, twelve_x_only=twelve_x_fields()) if twelve_x else b""
    )
    blocks = max(1, repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviationWarning)
        groups = [("", operations(data, bare))]
        if twelve_x:
            groups.append((f"{TWELVE_X} ", operations_12x(data_12x, peer, data)))
        samples: list[list[list[Timing]]] = [[[] for _ in ops] for _, ops in groups]
        # The samples are taken round-robin (every operation's first sample, then every
        # operation's second...; a cheap one takes a few per round, up to ``min_time``): a
        # slow spell of a shared machine then lands on every operation alike, not on one
        # side of a ratio. The 12.x operations come after the 2008 ones in every round.
        for block in range(blocks):
            for (prefix, ops), group_samples in zip(groups, samples, strict=True):
                for operation, parts in zip(ops, group_samples, strict=True):
                    if progress is not None and block == 0:
                        progress(f"  {devices} devices: {prefix}{operation.key}")
                    timing = measure_with_setup(
                        operation.setup,
                        operation.func,
                        repeat=-(-repeat // blocks),
                        warmup=warmup if block == 0 else 0,
                        min_time=min_time / blocks,
                        max_repeat=-(-max_repeat // blocks) if max_repeat is not None else None,
                        disable_gc=disable_gc,
                    )
                    parts.append(timing)
    results = _results(groups[0][1], samples[0], warmup)
    release = None
    if twelve_x:
        release = ReleaseResult(
            TWELVE_X, len(data_12x), len(peer), _results(groups[1][1], samples[1], warmup)
        )
    return SizeResult(devices, len(data), len(bare), results, release)


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
    twelve_x: bool = True,
) -> BenchmarkReport:
    """Run the suite over ``sizes``; ``repeat`` None picks :func:`default_repeat` per size.

    With an explicit ``repeat`` every operation gets exactly that many samples; otherwise
    cheap operations get more samples until they add up to ``min_time`` seconds (at most
    ten times the default). ``on_size`` is called with each size's result as it is done.
    ``twelve_x``: time the 12.x answer of every size too (:func:`run_size`).
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
            twelve_x=twelve_x,
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


def _table(head: str, operations: Sequence[OperationResult]) -> list[str]:
    width = max(len(op.label) for op in operations)
    columns = (
        f"{'operation':<{width}}  {'median ms':>10}  {'best ms':>10}  {'n':>3}  "
        f"{'MB':>7}  {'MB/s':>8}  {'gc/run':>6}  {'vs lxml':>8}"
    )
    lines = [head, columns, "-" * len(columns)]
    for op in operations:
        lines.append(
            f"{op.label:<{width}}  {op.median_ms:>10.2f}  {op.best_ms:>10.2f}  "
            f"{op.timing.repeat:>3}  {op.megabytes:>7.3f}  {op.mb_per_s:>8.2f}  "
            f"{op.timing.gc_collections / op.timing.repeat:>6.1f}  {_ratio(op.ratio):>8}"
        )
    return lines


def _over(ours: OperationResult | None, peer: OperationResult | None) -> float | None:
    if ours is None or peer is None or peer.timing.median <= 0:
        return None
    return ours.timing.median / peer.timing.median


#: The rows of the side-by-side table: label, key in the 2008 run, key in the 12.x run.
_SIDE_BY_SIDE = (
    ("lxml.etree.fromstring(data)  [baseline]", BASELINE, BASELINE),
    ("ucxml.parse(data, api='cme')", "ucxml.parse", "ucxml.parse"),
    ("xsdata peer: lxml parse + bind <response>", "xsdata.parse.lxml", "xsdata.parse.peer"),
)


def _side_by_side(result: SizeResult, twelve: ReleaseResult) -> list[str]:
    """The parse operations of the 2008 and the 12.x answers of one size, side by side."""
    old = {op.key: op for op in result.operations}
    new = {op.key: op for op in twelve.operations}
    width = max(len(label) for label, _, _ in _SIDE_BY_SIDE)
    columns = (
        f"{'operation':<{width}}  {'2008 ms':>10}  {'2008 vs lxml':>12}  "
        f"{'12.x ms':>10}  {'12.x vs lxml':>12}  {'12.x / 2008':>11}"
    )
    lines = [
        f"2008 vs 12.x, {result.devices:,} devices: medians; each ratio to the lxml parse "
        "of its own bytes",
        columns,
        "-" * len(columns),
    ]
    for label, key_2008, key_12x in _SIDE_BY_SIDE:
        a, b = old.get(key_2008), new.get(key_12x)
        if a is None or b is None:
            continue
        lines.append(
            f"{label:<{width}}  {a.median_ms:>10.2f}  {_ratio(a.ratio):>12}  "
            f"{b.median_ms:>10.2f}  {_ratio(b.ratio):>12}  {_ratio(b.median_ms / a.median_ms):>11}"
        )
    ours_2008 = _over(old.get("ucxml.parse"), old.get("xsdata.parse.lxml"))
    ours_12x = _over(new.get("ucxml.parse"), new.get("xsdata.parse.peer"))
    if ours_2008 is not None and ours_12x is not None:
        lines.append(
            f"{'ucxml.parse / xsdata peer':<{width}}  {'':>10}  {ours_2008:>11.2f}×  "
            f"{'':>10}  {ours_12x:>11.2f}×"
        )
    return lines


def format_size(result: SizeResult) -> str:
    """The tables of one size: operation, median/best ms, samples, MB, MB/s, ratio.

    ``gc/run`` is the number of garbage collections (all generations) per timed sample;
    the ratio is the median over the median of the raw lxml parse. With a 12.x run, its
    table follows (ratios to the lxml parse of the 12.x bytes), then the parse operations
    of the two answers side by side.
    """
    head = (
        f"ISgetDevice response (2008), {result.devices:,} SCCP devices: "
        f"payload {result.payload_bytes / _MB:.3f} MB "
        f"(bare <response> {result.bare_bytes / _MB:.3f} MB)"
    )
    lines = _table(head, result.operations)
    by_key = {op.key: op for op in result.operations}
    over = _over(by_key.get("ucxml.parse"), by_key.get("xsdata.parse.lxml"))
    if over is not None:
        lines.append(f"ucxml.parse / xsdata (lxml parse + bind): {over:.2f}×")
    twelve = result.twelve_x
    if twelve is not None:
        head = (
            f"ISgetDevice response ({twelve.release}), {result.devices:,} SCCP devices: "
            f"payload {twelve.payload_bytes / _MB:.3f} MB (bare <response>, <ISDevices>); "
            f"xsdata's peer binds the 2008-shaped <response> {twelve.peer_bytes / _MB:.3f} MB"
        )
        lines += ["", *_table(head, twelve.operations)]
        new = {op.key: op for op in twelve.operations}
        over = _over(new.get("ucxml.parse"), new.get("xsdata.parse.peer"))
        if over is not None:
            lines.append(f"ucxml.parse / xsdata peer (lxml parse + bind, 2008 shape): {over:.2f}×")
        lines += ["", *_side_by_side(result, twelve)]
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
