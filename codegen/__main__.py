"""Command line of the generator: ``python -m ucxml.codegen [--check] [--manifest M] [--out D]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ucxml.codegen.pipeline import check, generate


def main(argv: list[str] | None = None) -> int:
    """Generate (or, with ``--check``, verify) the bindings; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m ucxml.codegen", description=__doc__)
    parser.add_argument("--manifest", type=Path, default=Path("schemas/manifest.toml"))
    parser.add_argument("--out", type=Path, default=Path("generated"))
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and fail on any difference with --out",
    )
    args = parser.parse_args(argv)
    if args.check:
        diffs = check(args.manifest, args.out)
        if diffs:
            print("generated/ is out of date with the schemas; run `make generate`:")
            for line in diffs:
                print(f"  {line}")
            return 1
        print(f"{args.out} is up to date")
        return 0
    written = generate(args.manifest, args.out)
    print(f"wrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
