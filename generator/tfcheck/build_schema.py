"""Build `aws-schema.json.gz` from the `@cdktf/provider-aws` npm package (rerunnable record).

    .venv/bin/python -m generator.tfcheck.build_schema            # npm pack, parse, write table
    .venv/bin/python -m generator.tfcheck.build_schema --package DIR   # an unpacked package/

The package (21.22.1 is generated from hashicorp/aws 6.25.0) carries the provider's schema in
generated form; `cdktf_source` reads it, `table_builder` turns it into the table described in
`schema_table`, and this module fetches the package and writes the file.  Any disagreement
between the package's sources is reported and nothing is written.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Final

from generator.tfcheck.cdktf_source import load_package
from generator.tfcheck.schema_table import TABLE_PATH, Table, dump_table
from generator.tfcheck.table_builder import TableBuilder

NPM_PACKAGE: Final = "@cdktf/provider-aws@21.22.1"


class SchemaBuildError(Exception):
    """The package's sources disagree or use a form this builder does not know."""


def fetch_package(workdir: Path) -> Path:
    """`npm pack` the package into `workdir` and unpack what the builder reads; returns package/."""
    subprocess.run(
        ["npm", "pack", NPM_PACKAGE, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL
    )
    tarball = next(workdir.glob("cdktf-provider-aws-*.tgz"))
    with tarfile.open(tarball) as tar:
        wanted = [
            m
            for m in tar.getmembers()
            if m.isfile()
            and (m.name == "package/.jsii" or m.name.startswith("package/lib/"))
            and m.name.endswith((".js", ".jsii"))
        ]
        tar.extractall(workdir, members=wanted, filter="data")
    return workdir / "package"


def build_table(package_dir: Path) -> Table:
    """Parse the unpacked package and return the table; raises SchemaBuildError on problems."""
    builder = TableBuilder(load_package(package_dir))
    table = builder.build()
    if builder.problems:
        shown = "\n  ".join(builder.problems[:50])
        raise SchemaBuildError(f"{len(builder.problems)} problem(s):\n  {shown}")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--package", type=Path, help="an unpacked package/ dir (skips npm pack)")
    parser.add_argument("--output", type=Path, default=TABLE_PATH)
    args = parser.parse_args(argv)
    try:
        if args.package:
            table = build_table(args.package)
        else:
            with tempfile.TemporaryDirectory(prefix="tfcheck-npm-") as tmp:
                table = build_table(fetch_package(Path(tmp)))
    except (SchemaBuildError, subprocess.CalledProcessError, OSError) as exc:
        print(f"build_schema: {exc}", file=sys.stderr)
        return 1
    data = dump_table(table)
    args.output.write_bytes(data)
    print(
        f"{args.output}: {len(table['resources'])} resources, "
        f"{len(table['data_sources'])} data sources, {len(data)} bytes; "
        f"{len(table['unknown_schema'])} part(s) the package leaves undescribed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
