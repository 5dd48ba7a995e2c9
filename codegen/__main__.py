"""Command line of the generator.

``python -m ucxml.codegen [--check] [--manifest M] [--out D] [--package P]``: ucxml's own
bindings by default; with ``--manifest my/manifest.toml --out my_pkg/generated`` the
bindings (and typed clients) of the APIs of a manifest of your own, in a package of yours
(``--package my_pkg.generated``: the name the generated modules import each other by).
Register that package with the runtime (``ucxml.register_api("my_pkg.generated")``, or an
entry point of the ``ucxml.apis`` group) and ``ucxml.parse``, ``detect`` and ``validate``
know its APIs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ucxml.codegen.pipeline import check, generate
from ucxml.codegen.render import BUNDLED_PACKAGE


def package_of(package: str | None) -> str:
    """The dotted package the output folder is imported as: ``package``, or
    ``ucxml.generated`` (ucxml's own bindings) when None.

    Raises:
        SystemExit: ``package`` is not a dotted Python name.
    """
    if package is None:
        return BUNDLED_PACKAGE
    if not all(part.isidentifier() for part in package.split(".")):
        raise SystemExit(f"--package {package!r} is not a dotted Python name")
    return package


def main(argv: list[str] | None = None) -> int:
    """Generate (or, with ``--check``, verify) the bindings; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m ucxml.codegen", description=__doc__)
    parser.add_argument("--manifest", type=Path, default=Path("schemas/manifest.toml"))
    parser.add_argument("--out", type=Path, default=Path("generated"))
    parser.add_argument(
        "--package",
        help="the dotted package --out is imported as, which the generated imports name "
        "(default: ucxml.generated, ucxml's own bindings)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and fail on any difference with --out",
    )
    args = parser.parse_args(argv)
    package = package_of(args.package)
    if args.check:
        diffs = check(args.manifest, args.out, package)
        if diffs:
            print(f"{args.out} is out of date with the schemas; run `make generate`:")
            for line in diffs:
                print(f"  {line}")
            return 1
        print(f"{args.out} is up to date")
        return 0
    written = generate(args.manifest, args.out, package)
    print(f"wrote {len(written)} files to {args.out} (package {package})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
