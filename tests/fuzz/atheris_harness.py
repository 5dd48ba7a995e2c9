"""Coverage-guided fuzzing of every reader with atheris (libFuzzer), for ``make fuzz``.

    python -m tests.fuzz.atheris_harness [libFuzzer options]

The corpus starts from every documented example and capture, copied into a work folder
(``UCXML_FUZZ_CORPUS``, default ``build/fuzz-corpus``, kept between runs); ucxml's own
modules are instrumented, so inputs that reach new branches of the readers are kept and
mutated further. Each input goes
through the entry points of its kind (XML, JSON, SIP / HTTP capture), as in
``test_fuzz_mutations``: anything but a value, a ``UcxmlError`` or a known open bug is a
crash, written to ``build/fuzz-artifacts/``. Without options the run is bounded:
``FUZZ_CASES`` inputs (default 20000) and at most ``FUZZ_SECONDS`` seconds (default 600).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fuzzlib  # noqa: E402  (the folder is not a package: put it on the path first)

_APIS = ("cme", "em", "cup", "uccn", "pidf", None)
_SIP_START = (b"SIP/2.0", b"NOTIFY", b"PUBLISH", b"SUBSCRIBE", b"MESSAGE", b"REGISTER")


def _kind(data: bytes) -> str:
    head = data.lstrip()[:16]
    if head[:1] in (b"{", b"["):
        return "json"
    if head.startswith(_SIP_START):
        return "sip"
    if head[:1] == b"<" or not head:
        return "xml"
    return "capture"


def _seed_corpus(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for sample in fuzzlib.CORPUS:
        shutil.copyfile(fuzzlib.ROOT / sample.path, folder / sample.path.replace("/", "__"))
    return len(fuzzlib.CORPUS)


def main() -> int:
    try:
        import atheris
    except ImportError:
        print(
            "atheris_harness: SKIPPED, atheris is not installed.\n"
            "  Install it with `pip install -e '.[fuzz]'`; atheris 3.1.0 ships wheels for\n"
            "  CPython 3.12+ only (on 3.11 use atheris 3.0.0, or build it with clang).",
            file=sys.stderr,
        )
        return 0
    with atheris.instrument_imports(include=["ucxml"]):
        import ucxml  # noqa: F401
        from ucxml import _documents, _jsondocs, _payloads, _sip, _validation, pidf, uccn  # noqa: F401
        from ucxml.errors import UcxmlError

    logging.getLogger("ucxml").setLevel(logging.CRITICAL)
    logging.getLogger("xsdata").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    points = {
        (kind, api): fuzzlib.entry_points(kind, api)
        for kind in ("xml", "json", "sip", "capture")
        for api in _APIS
    }

    def test_one_input(data: bytes) -> None:
        kind = _kind(data)
        api = _APIS[len(data) % len(_APIS)] if kind == "xml" else None
        for _name, call in points[(kind, api)]:
            try:
                call(data)
            except UcxmlError:
                pass
            except Exception as exc:
                # Open bugs pinned by a strict xfail (regressions/expected.toml) do not stop
                # the run: it goes on looking for new ones.
                if f"{type(exc).__name__}: {exc}" not in fuzzlib.KNOWN_OPEN:
                    raise

    corpus = Path(os.environ.get("UCXML_FUZZ_CORPUS") or fuzzlib.ROOT / "build" / "fuzz-corpus")
    seeded = _seed_corpus(corpus)
    artifacts = fuzzlib.ROOT / "build" / "fuzz-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    options = sys.argv[1:] or [
        f"-runs={int(os.environ.get('FUZZ_CASES', '20000'))}",
        f"-max_total_time={int(os.environ.get('FUZZ_SECONDS', '600'))}",
        "-max_len=65536",
        "-timeout=30",
        "-rss_limit_mb=4096",
    ]
    print(f"atheris_harness: {seeded} seeds in {corpus}; options {' '.join(options)}")
    argv = [sys.argv[0], *options, f"-artifact_prefix={artifacts}/", str(corpus)]
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
