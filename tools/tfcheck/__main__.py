"""CLI: `python -m tools.tfcheck DIR` validates DIR offline and checks its formatting.

Prints one located line per diagnostic and per non-canonical file, then a summary; exits 0
when there are no errors and every file is canonical, 1 otherwise, 2 when DIR cannot be checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.tfcheck.check import fmt_check, validate
from tools.tfcheck.terraform_runner import TfCheckError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.tfcheck",
        description="terraform validate (against the AWS provider schema) and fmt -check, offline",
    )
    parser.add_argument("dir", type=Path, help="directory of *.tf files")
    parser.add_argument("--no-fmt", action="store_true", help="skip the fmt -check")
    args = parser.parse_args(argv)
    try:
        result = validate(args.dir)
        unformatted = [] if args.no_fmt else fmt_check(args.dir, recursive=True)
    except TfCheckError as exc:
        print(f"tfcheck: {exc}", file=sys.stderr)
        return 2
    for diagnostic in result.diagnostics:
        print(diagnostic.format(args.dir))
    for name in unformatted:
        print(f"{args.dir / name}: not in canonical format (run `terraform fmt`)")
    errors = len(result.errors)
    warnings = len(result.diagnostics) - errors
    print(
        f"tfcheck: {errors} error(s), {warnings} warning(s), "
        f"{len(unformatted)} file(s) not canonical; validate took {result.seconds:.1f}s"
    )
    return 0 if result.ok and not unformatted else 1


if __name__ == "__main__":
    sys.exit(main())
