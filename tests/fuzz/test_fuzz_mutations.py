"""Mutation fuzzing of every documented example and capture (seeded, deterministic).

Each sample yields ``MUTANTS`` mutants (byte flips, insertions, deletions, truncation, tag
swaps and renames, duplicated / removed / moved elements and attributes, namespace
changes, encoding lies, corrupted values, carrier header and chunk damage); each mutant
goes through every entry point that reads such bytes, which must return a value or raise
a ``UcxmlError``. ``UCXML_FUZZ=long`` raises the count and chains mutations.
"""

from __future__ import annotations

import pytest
from fuzzlib import (
    CORPUS,
    COUNTS,
    LONG,
    MUTATORS,
    RUN_SEED,
    Sample,
    check_mutant,
    mutants_for,
    mutators_for,
)

MUTANTS = 60 if LONG else 6


@pytest.mark.parametrize("sample", CORPUS, ids=[s.path for s in CORPUS])
def test_mutants_raise_only_typed_errors(sample: Sample) -> None:
    COUNTS["samples"] += 1
    for mutation, seed in mutants_for(sample, MUTANTS, RUN_SEED):
        check_mutant(sample, mutation, seed)


def test_corpus_covers_every_kind_and_api() -> None:
    """The corpus reaches every API and carrier kind, and every mutator has a use."""
    assert {s.api for s in CORPUS} >= {"cme", "em", "cup", "uccn", "pidf", "huawei"}
    assert {s.kind for s in CORPUS} == {"xml", "json", "sip", "capture"}
    used = {name for s in CORPUS for name in mutators_for(s)}
    assert used == set(MUTATORS)


@pytest.mark.parametrize("name", sorted(MUTATORS))
def test_mutators_change_the_bytes(name: str) -> None:
    """Each mutator changes most samples (a mutator that returns its input tests nothing)."""
    from fuzzlib import mutant

    samples = [s for s in CORPUS if name in mutators_for(s)]
    changed = sum(mutant(s, name, seed) != s.data for s in samples[:40] for seed in range(3))
    assert changed >= 0.6 * min(len(samples), 40) * 3
