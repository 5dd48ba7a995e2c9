"""Command line of the benchmarks: ``python -m benchmarks`` (what ``make bench`` runs).

Usage::

    python -m benchmarks [--sizes 100,1000,10000] [--repeat N] [--warmup N]
                         [--min-time S] [--no-gc] [--quick] [--json PATH] [--quiet]
                         [--captures N] [--validation-only] [--no-12x]

Tables go to stdout as each size finishes; progress goes to stderr. Every size is timed
twice: the 2008 answer (SOAP envelope, ``xsi:type``) and the CME 12.x answer of the same
devices (bare ``<response>``, ``<ISDevices>``), whose table follows with both side by side;
``--no-12x`` times the 2008 answer alone (and skips the 12.x targets). The numbers are
reported, never compared with a threshold: the exit status is 0 unless the arguments are
wrong (2) or a result check fails (1), such as ucxml and xmlschema disagreeing on a
capture of the validation folder.

``--validation-only`` runs only the validation measurement (:mod:`benchmarks.validation`:
ucxml, xmlschema alone and parsing alone over one folder of mixed captures).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.suite import (
    DEFAULT_SIZES,
    QUICK_REPEAT,
    QUICK_SIZES,
    BenchmarkReport,
    SizeResult,
    environment,
    format_header,
    format_size,
    run,
    settings,
)
from benchmarks.targets import format_targets, measure_targets
from benchmarks.validation import (
    DEFAULT_CAPTURES,
    QUICK_CAPTURES,
    ValidationReport,
    format_validation,
)

__all__ = ["build_parser", "main", "parse_sizes"]


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"100,1000,10000"`` -> ``(100, 1000, 10000)``; every size a positive integer."""
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be integers, got {text!r}") from None
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be positive integers, got {text!r}")
    return sizes


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {value}")
    return value


def _join(sizes: Sequence[int]) -> str:
    return ",".join(str(size) for size in sizes)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m benchmarks``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Time ucxml against raw lxml and xsdata on synthetic CME ISgetDevice responses "
            "(2008 and 12.x dialects), and ucxml.validate against xmlschema on a folder of "
            "mixed captures."
        ),
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=None,
        help=f"comma-separated device counts (default: {_join(DEFAULT_SIZES)})",
    )
    parser.add_argument(
        "--repeat",
        type=_positive,
        default=None,
        help="timed samples per operation (default: by size, 15/7/3 for 100/1000/10000 "
        "devices, more for cheap operations up to --min-time)",
    )
    parser.add_argument(
        "--warmup", type=_non_negative, default=1, help="untimed runs first (default: 1)"
    )
    parser.add_argument(
        "--min-time",
        type=_seconds,
        default=0.5,
        help="with automatic repeats, sample an operation until this many seconds (default: 0.5)",
    )
    parser.add_argument(
        "--no-gc", action="store_true", help="disable the garbage collector during samples"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"fast smoke run: sizes {_join(QUICK_SIZES)}, {QUICK_REPEAT} samples, "
        "unless --sizes/--repeat say otherwise",
    )
    parser.add_argument(
        "--captures",
        type=_non_negative,
        default=None,
        help=f"files in the validation folder (default: {DEFAULT_CAPTURES:,}, "
        f"{QUICK_CAPTURES:,} with --quick; 0: skip the validation targets)",
    )
    parser.add_argument(
        "--validation-only",
        action="store_true",
        help="only the validation targets: ucxml vs xmlschema vs parsing over the folder",
    )
    parser.add_argument(
        "--no-12x",
        dest="twelve_x",
        action="store_false",
        help="time only the 2008 answers: no CME 12.x run beside each size, no 12.x targets",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _print_size(result: SizeResult) -> None:
    print()
    print(format_size(result), flush=True)


def _run_validation_only(args: argparse.Namespace, captures: int) -> int:
    progress = (lambda _: None) if args.quiet else _progress
    started = time.perf_counter()
    measured: list[ValidationReport] = []

    def show(report: ValidationReport) -> None:
        measured.append(report)
        print(format_validation(report), flush=True)

    targets = measure_targets(
        None, progress, captures=max(captures, 1), on_validation=show, validation_only=True
    )
    from ucxml import _fastpath as fastpath

    print(format_targets(targets, fastpath.stats.fast, fastpath.stats.generic))
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "validation": measured[0].to_dict(),
            "targets": [t.to_dict() for t in targets],
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 0 if all(r.ok for r in measured) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; return the exit status."""
    args = build_parser().parse_args(argv)
    quick: bool = args.quick
    captures: int = (
        args.captures
        if args.captures is not None
        else (QUICK_CAPTURES if quick else DEFAULT_CAPTURES)
    )
    if args.validation_only:
        return _run_validation_only(args, captures)
    sizes: tuple[int, ...] = args.sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)
    repeat: int | None = args.repeat or (QUICK_REPEAT if quick else None)
    min_time: float = 0.0 if quick else args.min_time
    disable_gc: bool = args.no_gc
    warmup: int = args.warmup
    header = format_header(
        environment(),
        settings(sizes, repeat=repeat, warmup=warmup, min_time=min_time, disable_gc=disable_gc),
    )
    print(header, flush=True)
    report: BenchmarkReport = run(
        sizes,
        repeat=repeat,
        warmup=warmup,
        min_time=min_time,
        disable_gc=disable_gc,
        progress=None if args.quiet else _progress,
        on_size=_print_size,
        twelve_x=args.twelve_x,
    )
    from ucxml import _fastpath as fastpath

    started = time.perf_counter()
    measured: list[ValidationReport] = []

    def show(validation: ValidationReport) -> None:
        measured.append(validation)
        print(format_validation(validation), flush=True)

    targets = measure_targets(
        report,
        (lambda _: None) if args.quiet else _progress,
        memory=not quick,
        captures=captures,
        on_validation=show,
        twelve_x=args.twelve_x,
    )
    print(format_targets(targets, fastpath.stats.fast, fastpath.stats.generic))
    print(f"\ntotal {report.seconds + time.perf_counter() - started:.1f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        result = report.to_dict() | {"targets": [t.to_dict() for t in targets]}
        if measured:
            result["validation"] = measured[0].to_dict()
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 0 if all(v.ok for v in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
