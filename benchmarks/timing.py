"""Best-of / median timing with ``time.perf_counter``.

Each measurement makes warm-up calls first (imports, compiled schemas and xsdata's class
metadata are built there, not in a sample), then times one call per sample. Before every
sample the collector is run, so no sample pays for the previous sample's garbage; the
collector stays enabled during the sample unless asked otherwise (the parsers allocate
many objects, and real programs run with it on). The result is kept alive until the clock
is read, so freeing it is not timed either. The collector's state and the number of
collections that ran inside the samples are recorded with the result.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Timing", "gc_collections", "measure", "measure_with_setup"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Timing:
    """The samples of one measured callable, in seconds, and the conditions of the run."""

    samples: tuple[float, ...]
    warmup: int
    gc_enabled: bool
    gc_collections: int

    @property
    def repeat(self) -> int:
        """Number of timed samples."""
        return len(self.samples)

    @property
    def best(self) -> float:
        """Fastest sample (seconds): the least disturbed run."""
        return min(self.samples)

    @property
    def median(self) -> float:
        """Median sample (seconds): the typical run."""
        return statistics.median(self.samples)

    @property
    def total(self) -> float:
        """Sum of the samples (seconds)."""
        return sum(self.samples)


def gc_collections() -> int:
    """Collections run so far by the cyclic garbage collector, all generations together."""
    return sum(int(stats["collections"]) for stats in gc.get_stats())


def measure(
    func: Callable[[], object],
    *,
    repeat: int,
    warmup: int = 1,
    min_time: float = 0.0,
    max_repeat: int | None = None,
    disable_gc: bool = False,
) -> Timing:
    """Time ``func()``: ``warmup`` untimed calls, then at least ``repeat`` timed samples.

    See :func:`measure_with_setup` for the parameters.
    """
    return measure_with_setup(
        _nothing,
        lambda _: func(),
        repeat=repeat,
        warmup=warmup,
        min_time=min_time,
        max_repeat=max_repeat,
        disable_gc=disable_gc,
    )


def _nothing() -> None:
    return None


def measure_with_setup(
    setup: Callable[[], T],
    func: Callable[[T], object],
    *,
    repeat: int,
    warmup: int = 1,
    min_time: float = 0.0,
    max_repeat: int | None = None,
    disable_gc: bool = False,
) -> Timing:
    """Time ``func(setup())``, calling ``setup`` untimed before every call.

    ``setup`` makes what one call consumes (xsdata's lxml handler empties the tree it
    walks, so each sample needs a fresh one). ``warmup`` untimed calls come first, then at
    least ``repeat`` timed samples; sampling goes on past ``repeat`` while the samples add
    up to less than ``min_time`` seconds, up to ``max_repeat`` samples (default
    ``repeat``, i.e. exactly ``repeat``), so cheap operations get more samples for the same
    wall time. With ``disable_gc`` the collector is off during each sample, as
    :mod:`timeit` does.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    if warmup < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    limit = max(repeat, max_repeat if max_repeat is not None else repeat)
    for _ in range(warmup):
        func(setup())
    was_enabled = gc.isenabled()
    enabled = was_enabled and not disable_gc
    samples: list[float] = []
    collections = 0
    clock = time.perf_counter
    try:
        while len(samples) < repeat or (sum(samples) < min_time and len(samples) < limit):
            argument = setup()
            gc.collect()
            if not enabled:
                gc.disable()
            before = gc_collections()
            start = clock()
            result = func(argument)
            elapsed = clock() - start
            del result, argument  # freeing them is not part of the sample
            collections += gc_collections() - before
            if was_enabled:
                gc.enable()
            samples.append(elapsed)
    finally:
        if was_enabled:
            gc.enable()
    return Timing(
        samples=tuple(samples),
        warmup=warmup,
        gc_enabled=enabled,
        gc_collections=collections,
    )
