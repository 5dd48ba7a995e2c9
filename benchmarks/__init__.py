"""Benchmarks of ucxml against its peers, reported and never gated.

``python -m benchmarks`` (what ``make bench`` runs) builds deterministic synthetic CME
``ISgetDevice`` responses of several sizes and times, on the same bytes: the raw lxml parse
(the baseline), ``ucxml`` parsing and validation, xsdata's generic ``XmlParser`` into the
same generated class, and serialization by ucxml and by xsdata's ``XmlSerializer``.

Modules:

- :mod:`benchmarks.payloads`: the synthetic payload generator.
- :mod:`benchmarks.timing`: best-of / median timing with ``time.perf_counter``.
- :mod:`benchmarks.suite`: the operations, the run over all sizes and the report table.
- :mod:`benchmarks.validation`: ``ucxml.validate`` over a folder of 10,000 mixed captures
  of every API, next to xmlschema alone and to parsing alone (payloads per second).
- :mod:`benchmarks.targets`: the performance targets, as ratios measured in the run.
- :mod:`benchmarks.__main__`: the command line.
"""

from __future__ import annotations

__all__: list[str] = []
