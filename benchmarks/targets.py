"""The performance targets, each measured in the same run as its peers and reported as ratios.

1. Parse into the typed models: ``ucxml.parse`` at most 5x the raw lxml parse (3.5x at
   10,000 devices, issue 16's bound with unknown content kept), and at least
   6x faster than xsdata's generic parser into the same classes (from the timing tables).
2. Serialize: ``ucxml.serialize`` at least 6x faster than xsdata's serializer (same object,
   byte-identical output: checked before timing).
3. Memory: peak RSS added by parsing the 10,000-device response (each reader in a fresh
   process, the payload already loaded; Linux's VmHWM reset through /proc/self/clear_refs
   just before the call, minus VmRSS then), at most 35 MB; and ``iter_records`` at 10,000 and
   100,000 devices, whose peak must not grow with the number of records.
4. Validation: ``ucxml._validation.validate_bytes`` over a folder of 10,000 mixed captures
   (every API, ~5 % invalid, a few large; see :mod:`benchmarks.validation`), in payloads
   per second, at least 10x xmlschema alone on the same folder (API given to xmlschema in
   advance) and at most 2x the time of parsing alone; the verdicts of ucxml and xmlschema
   must agree on every file (a disagreement fails the run's result check).
5. Start-up: ``python -c "import ucxml"`` and ``ucxml --help``, median of 9 runs, < 150 ms.
6. Regeneration: ``python -m ucxml.codegen`` for all APIs into a scratch folder, < 30 s.
7. Captures of many messages: ``ucxml._payloads.split_capture`` of 10,000 HTTP exchanges
   (or SIP NOTIFYs) at most 12x the time of 1,000: linear, not quadratic.
8. Decompression bombs: the peak memory a client call adds when answered with a 1 MB
   gzip of 1 GB, or 1,827 bytes of double gzip, at most 64 MB (it was over 2 GB).
9. CME 12.x answers (:func:`benchmarks.payloads.get_device_response_12x`), at 10,000
   devices: ``ucxml.parse`` at most 4x the raw lxml parse of the same bytes and at least 8x
   faster than xsdata's peer (binding the same devices in the 2008 shape), from the 12.x
   timing table; peak memory added while parsing at most 35 MB (as in 3); ``iter_records``
   over 10,000 and 100,000 12.x devices, whose peak must not grow with the records.

Nothing here asserts: missed targets are printed as missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.payloads import (
    get_device_response,
    get_device_response_12x,
    get_device_response_12x_peer,
    http_capture,
    sip_capture,
)
from benchmarks.suite import BenchmarkReport, ReleaseResult, SizeResult, twelve_x_fields
from benchmarks.validation import DEFAULT_CAPTURES, ValidationReport, run_validation

__all__ = [
    "TWELVE_X_GOALS",
    "Target",
    "format_targets",
    "measure_targets",
    "timing_targets_12x",
    "validation_targets",
]

_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Target:
    """One target: what was measured, ours, the peer's, the ratio and whether it is met."""

    name: str
    ours: str
    peer: str
    ratio: float | None
    goal: str
    met: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "ours": self.ours,
            "peer": self.peer,
            "ratio": self.ratio,
            "goal": self.goal,
            "met": self.met,
        }


#: The 12.x timing targets by size: (at most this times raw lxml, at least this times faster
#: than xsdata's peer). Sizes not here get none.
TWELVE_X_GOALS: dict[int, tuple[float, float]] = {10_000: (4.0, 8.0)}


def _median(result: SizeResult | ReleaseResult, key: str) -> float:
    for op in result.operations:
        if op.key == key:
            return op.median_ms
    raise KeyError(key)


def _best(result: SizeResult | ReleaseResult, key: str) -> float:
    for op in result.operations:
        if op.key == key:
            return op.best_ms
    raise KeyError(key)


def _timing_targets(report: BenchmarkReport) -> list[Target]:
    targets = []
    for size in report.sizes:
        raw = _median(size, "lxml.fromstring")
        ours = _median(size, "ucxml.parse")
        peer = _median(size, "xsdata.parse.lxml")
        # Medians decide; best-of ratios are shown too, as this machine's noise is large.
        best_raw = _best(size, "ucxml.parse") / _best(size, "lxml.fromstring")
        best_peer = _best(size, "xsdata.parse.lxml") / _best(size, "ucxml.parse")
        # Issue 16 holds the 10,000-device answer to 3.5x, lossless reading included.
        goal = 3.5 if size.devices == 10_000 else 5.0
        targets.append(
            Target(
                f"parse {size.devices:,} devices vs raw lxml",
                f"{ours:.1f} ms",
                f"lxml {raw:.1f} ms (best-of ratio {best_raw:.2f}x)",
                ours / raw,
                f"<= {goal:g}x",
                ours / raw <= goal,
            )
        )
        targets.append(
            Target(
                f"parse {size.devices:,} devices vs xsdata",
                f"{ours:.1f} ms",
                f"xsdata {peer:.1f} ms (best-of ratio {best_peer:.2f}x)",
                peer / ours,
                ">= 6x faster",
                peer / ours >= 6,
            )
        )
        ser = _median(size, "ucxml.serialize")
        xser = _median(size, "xsdata.serialize")
        targets.append(
            Target(
                f"serialize {size.devices:,} devices vs xsdata",
                f"{ser:.1f} ms",
                f"xsdata {xser:.1f} ms",
                xser / ser,
                ">= 6x faster",
                xser / ser >= 6,
            )
        )
    return targets


def timing_targets_12x(report: BenchmarkReport) -> list[Target]:
    """The 12.x parse targets of every size with a 12.x run and a goal (:data:`TWELVE_X_GOALS`).

    Ratios are to the same release's operations: the lxml parse of the 12.x bytes, and
    xsdata binding the 2008-shaped ``<response>`` of the same devices.
    """
    targets = []
    for size in report.sizes:
        run, goals = size.twelve_x, TWELVE_X_GOALS.get(size.devices)
        if run is None or goals is None:
            continue
        over_lxml, over_xsdata = goals
        raw = _median(run, "lxml.fromstring")
        ours = _median(run, "ucxml.parse")
        peer = _median(run, "xsdata.parse.peer")
        best_raw = _best(run, "ucxml.parse") / _best(run, "lxml.fromstring")
        best_peer = _best(run, "xsdata.parse.peer") / _best(run, "ucxml.parse")
        targets.append(
            Target(
                f"parse {size.devices:,} devices, {run.release} vs raw lxml",
                f"{ours:.1f} ms",
                f"lxml {raw:.1f} ms (best-of ratio {best_raw:.2f}x)",
                ours / raw,
                f"<= {over_lxml:g}x",
                ours / raw <= over_lxml,
            )
        )
        targets.append(
            Target(
                f"parse {size.devices:,} devices, {run.release} vs xsdata",
                f"{ours:.1f} ms",
                f"xsdata, 2008-shaped peer {peer:.1f} ms (best-of ratio {best_peer:.2f}x)",
                peer / ours,
                f">= {over_xsdata:g}x faster",
                peer / ours >= over_xsdata,
            )
        )
    return targets


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import gc, io, sys, warnings
    warnings.simplefilter("ignore")
    import ucxml, ucxml._documents, ucxml._fastpath
    from lxml import etree
    from xsdata.formats.dataclass.parsers import XmlParser
    from ucxml.generated.cme.models import ISgetDeviceResponse
    mode, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    small = open(path + ".small", "rb").read()
    ucxml.parse(small, api="cme"); ucxml._documents.parse_generic(small, api="cme")
    list(ucxml._fastpath.iter_records("cme", small))
    gc.collect()
    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM) to the current RSS
    before = status("VmRSS")
    if mode in ("ucxml.parse", "ucxml.parse.12x"):
        result = ucxml.parse(data, api="cme")
    elif mode == "iter_records":
        result = sum(1 for _ in ucxml._fastpath.iter_records("cme", data))
    elif mode == "lxml.tree":
        result = etree.fromstring(data)
    elif mode == "xsdata.stream":
        body = data[data.index(b"<response"):data.rindex(b"</response>") + 11]
        xsi = b'<response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        body = body.replace(b"<response ", xsi, 1)
        result = XmlParser().parse(io.BytesIO(body), ISgetDeviceResponse)
    elif mode == "xsdata.generic":
        result = ucxml._documents.parse_generic(data, api="cme")
    elif mode == "xsdata.peer":  # a bare <response xsi:type=...> document as it is
        result = XmlParser().parse(io.BytesIO(data), ISgetDeviceResponse)
    else:
        sys.exit(f"unknown mode {mode!r}")
    after = status("VmHWM")
    if mode == "ucxml.parse.12x" and (result.release != "12.x" or not result.device):
        sys.exit(f"not read as a 12.x answer: release {result.release!r}")
    print((after - before) / 1024)
    """
)


def _peak_mb(mode: str, payload: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, mode, str(payload)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def _write_payload(folder: Path, devices: int) -> Path:
    path = folder / f"devices-{devices}.xml"
    path.write_bytes(get_device_response(devices))
    (folder / f"devices-{devices}.xml.small").write_bytes(get_device_response(10))
    return path


def _write_payload_12x(folder: Path, devices: int, *, peer: bool = False) -> Path:
    """The 12.x answer of ``devices`` devices (``peer``: the same in the 2008 shape, with
    the 12.x-only elements the models know), and its 10-device warm-up beside it."""

    def build(count: int) -> bytes:
        if peer:
            return get_device_response_12x_peer(count, twelve_x_only=twelve_x_fields())
        return get_device_response_12x(count)

    path = folder / f"devices-{devices}-12x{'-peer' if peer else ''}.xml"
    path.write_bytes(build(devices))
    path.with_name(path.name + ".small").write_bytes(build(10))
    return path


def _memory_targets(progress: Any, *, twelve_x: bool = True) -> list[Target]:
    targets = []
    with tempfile.TemporaryDirectory(prefix="ucxml-bench-") as tmp:
        ten_k = _write_payload(Path(tmp), 10_000)
        progress("memory: 10,000 devices, one fresh process per reader")
        ours = _peak_mb("ucxml.parse", ten_k)
        stream = _peak_mb("xsdata.stream", ten_k)
        tree = _peak_mb("lxml.tree", ten_k)
        generic = _peak_mb("xsdata.generic", ten_k)
        targets.append(
            Target(
                "peak memory added, parse 10,000 devices",
                f"{ours:.1f} MB",
                f"xsdata stream {stream:.1f} MB, lxml tree {tree:.1f} MB, "
                f"tree+xsdata {generic:.1f} MB",
                ours / stream if stream else None,
                "<= 35 MB",
                ours <= 35,
            )
        )
        small_peak = _peak_mb("iter_records", ten_k)
        progress("memory: iter_records over 100,000 devices")
        big = _write_payload(Path(tmp), 100_000)
        big_peak = _peak_mb("iter_records", big)
        targets.append(
            Target(
                "peak memory added, iter_records 10k -> 100k devices",
                f"{small_peak:.1f} MB -> {big_peak:.1f} MB",
                "(records x10)",
                big_peak / small_peak if small_peak else None,
                "does not grow with records",
                big_peak <= small_peak * 1.5 + 2,
            )
        )
        if twelve_x:
            targets += _memory_targets_12x(Path(tmp), progress)
    return targets


def _memory_targets_12x(folder: Path, progress: Any) -> list[Target]:
    """The memory targets of 3 on 12.x answers (each reader in a fresh process)."""
    ten_k = _write_payload_12x(folder, 10_000)
    progress("memory: 10,000 12.x devices, one fresh process per reader")
    ours = _peak_mb("ucxml.parse.12x", ten_k)
    tree = _peak_mb("lxml.tree", ten_k)
    peer = _peak_mb("xsdata.peer", _write_payload_12x(folder, 10_000, peer=True))
    targets = [
        Target(
            "peak memory added, parse 10,000 12.x devices",
            f"{ours:.1f} MB",
            f"xsdata 2008-shaped peer {peer:.1f} MB, lxml tree {tree:.1f} MB",
            ours / peer if peer else None,
            "<= 35 MB",
            ours <= 35,
        )
    ]
    small_peak = _peak_mb("iter_records", ten_k)
    progress("memory: iter_records over 100,000 12.x devices")
    big_peak = _peak_mb("iter_records", _write_payload_12x(folder, 100_000))
    targets.append(
        Target(
            "peak memory added, 12.x iter_records 10k -> 100k",
            f"{small_peak:.1f} MB -> {big_peak:.1f} MB",
            "(records x10)",
            big_peak / small_peak if small_peak else None,
            "does not grow with records",
            big_peak <= small_peak * 1.5 + 2,
        )
    )
    return targets


def _median_run(command: list[str], runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _startup_targets() -> list[Target]:
    bare = _median_run([sys.executable, "-c", "pass"])
    imported = _median_run([sys.executable, "-c", "import ucxml"])
    script = Path(sys.executable).parent / "ucxml"
    help_cmd = (
        [str(script), "--help"] if script.exists() else [sys.executable, "-m", "ucxml", "--help"]
    )
    helped = _median_run(help_cmd)
    lazy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ucxml.cme; print(sorted(m for m in sys.modules "
            "if m.startswith('ucxml.generated.') and m.count('.') == 2"
            # the sync client shells (ucxml.generated._sync) are runtime code, no bindings
            " and not m.startswith('ucxml.generated._')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return [
        Target(
            "start-up: python -c 'import ucxml'",
            f"{imported:.0f} ms",
            f"python -c pass {bare:.0f} ms",
            imported / bare,
            "< 150 ms",
            imported < 150,
        ),
        Target(
            "start-up: ucxml --help",
            f"{helped:.0f} ms",
            f"python -c pass {bare:.0f} ms",
            helped / bare,
            "< 150 ms",
            helped < 150,
        ),
        Target(
            "import ucxml.cme loads only cme bindings",
            lazy,
            "['ucxml.generated.cme']",
            None,
            "lazy registry",
            lazy == "['ucxml.generated.cme']",
        ),
    ]


def _regeneration_target() -> Target:
    with tempfile.TemporaryDirectory(prefix="ucxml-regen-") as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ucxml.codegen",
                "--manifest",
                str(_ROOT / "schemas/manifest.toml"),
                "--out",
                str(Path(tmp) / "generated"),
            ],
            capture_output=True,
            check=True,
        )
        seconds = time.perf_counter() - start
    return Target("regeneration: all APIs", f"{seconds:.1f} s", "-", None, "< 30 s", seconds < 30)


def validation_targets(report: ValidationReport) -> list[Target]:
    """The two validation targets, from one measurement of the four loops over a folder."""
    ours = f"{report.ucxml.rate:,.0f} payloads/s"
    files = f"{len(report.captures):,} files"
    return [
        Target(
            "validate vs xmlschema",
            ours,
            f"xmlschema {report.peer.rate:,.0f}/s (API given), {files}",
            report.speedup,
            ">= 10x faster",
            report.speedup >= 10,
        ),
        Target(
            "validate vs parse",
            ours,
            f"lxml parse {report.parse.rate:,.0f}/s, {files}; libxml2's bare verdict "
            f"{report.libxml2.rate:,.0f}/s ({report.verdict_over_parse:.2f}x parse)",
            report.over_parse,
            "<= 2x",
            report.over_parse <= 2,
        ),
    ]


#: Messages in the small and the large capture of the linearity targets.
_CAPTURE_SIZES = (1_000, 10_000)


def _capture_targets() -> list[Target]:
    """Splitting a capture of 10x the messages costs at most 12x the time (issue 19)."""
    from ucxml._payloads import split_capture

    targets = []
    for kind, build in (("HTTP", http_capture), ("SIP", sip_capture)):
        seconds = []
        for count in _CAPTURE_SIZES:
            data = build(count)
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                found = sum(1 for _ in split_capture(data))
                runs.append(time.perf_counter() - start)
            assert found == count * (2 if kind == "HTTP" else 1), (kind, count, found)
            seconds.append(statistics.median(runs))
        small, large = seconds
        targets.append(
            Target(
                f"split a {kind} capture, {_CAPTURE_SIZES[1]:,} vs {_CAPTURE_SIZES[0]:,} msgs",
                f"{large * 1e3:.0f} ms",
                f"{_CAPTURE_SIZES[0]:,} messages {small * 1e3:.0f} ms",
                large / small,
                "<= 12x",
                large / small <= 12,
            )
        )
    return targets


def _bomb_targets() -> list[Target]:
    """Peak memory of a client answered with a decompression bomb (issue 19)."""
    targets = []
    for kind, what in (("gzip", "1 MB gzip of 1 GB"), ("double", "1,827-byte double gzip")):
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bombs", kind],
            capture_output=True,
            text=True,
            check=True,
            cwd=_ROOT,
        )
        peak = float(out.stdout.strip())
        targets.append(
            Target(
                f"peak memory added, answer: {what}",
                f"{peak:.1f} MB",
                "ResponseTooLargeError",
                None,
                "<= 64 MB",
                peak <= 64,
            )
        )
    return targets


def measure_targets(
    report: BenchmarkReport | None,
    progress: Any,
    *,
    memory: bool = True,
    captures: int = DEFAULT_CAPTURES,
    on_validation: Callable[[ValidationReport], None] | None = None,
    validation_only: bool = False,
    twelve_x: bool = True,
) -> list[Target]:
    """Every target, from the timing report of this run plus the extra measurements.

    ``captures`` is the size of the validation folder (0: no validation targets);
    ``on_validation`` receives the validation measurement (its table, its result check).
    With ``validation_only`` only the validation targets are measured (``report`` unused).
    ``twelve_x``: the 12.x targets too (their timing ones from ``report``'s 12.x runs).
    """
    targets = []
    if report is not None and not validation_only:
        targets += _timing_targets(report)
        if twelve_x:
            targets += timing_targets_12x(report)
    if captures > 0:
        validation = run_validation(captures, progress=progress)
        if on_validation is not None:
            on_validation(validation)
        targets += validation_targets(validation)
    if validation_only:
        return targets
    if memory:
        targets += _memory_targets(progress, twelve_x=twelve_x)
    progress("captures of many messages, decompression bombs")
    targets += _capture_targets()
    targets += _bomb_targets()
    progress("start-up and regeneration")
    targets += _startup_targets()
    targets.append(_regeneration_target())
    return targets


def format_targets(targets: list[Target], fast: int, generic: int) -> str:
    """The targets table, with how often the fast path handed over to the generic one."""
    lines = [
        "",
        "targets (measured in this run; ratio = median / median, "
        "validation: whole-folder time / time)",
        "-" * 116,
    ]
    lines.append(f"{'target':<50}{'ours':>16}  {'peer(s)':<34}{'ratio':>8}  {'goal':<18}met")
    for t in targets:
        ratio = f"{t.ratio:.2f}x" if t.ratio is not None else "-"
        peer = t.peer if len(t.peer) <= 34 else t.peer[:31] + "..."
        met = "yes" if t.met else "NO"
        lines.append(f"{t.name:<50}{t.ours:>16}  {peer:<34}{ratio:>8}  {t.goal:<18}{met}")
        if len(t.peer) > 34:
            lines.append(f"{'':<68}{t.peer}")
    lines.append(
        f"fast path used {fast} times; generic (xsdata) fallback {generic} times in this run"
    )
    return "\n".join(lines)
