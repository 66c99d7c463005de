"""Benchmark `gen build` against datamodel-code-generator on the same synthesized specs.

For projects of 10, 50 and 200 tables (about 2 GET operations per table, events and processors
in proportion) it measures, in one run and as whole commands (interpreter start-up included
for both tools):
  - cold `gen build` (no generated/, no .gen-cache/): validation of everything + every emitter;
  - no-op `gen build --check` (nothing changed since the last build);
  - `gen build` after one path's operation changed;
  - `datamodel-codegen --input-file-type openapi --output-model-type pydantic_v2.BaseModel
    --no-formatters --disable-timestamp` over the same openapi.yaml (models only).
Each figure is the median of several runs. Prints a Markdown table; `--json FILE` saves raw data.

`--baseline DIR` measures another copy of the generator too (e.g. `git archive REV | tar -x -C
DIR`), command by command in alternation with this one, each on its own project, so that the
other load of a shared machine hits both alike; it prints a second table for the baseline.

    .venv/bin/python benchmarks/build.py [--sizes 10,50,200] [--repeat 3] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.synth import write_project  # noqa: E402

BIN = Path(sys.executable).parent


def _timed(cmd: list[str], cwd: Path, expect: tuple[int, ...] = (0,), env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in expect:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def _touch_one_path(project: Path, n: int) -> None:
    """Change the response description of one operation (a one-path edit)."""
    import re

    spec = project / "spec/openapi.yaml"
    text, count = re.subn(r"description: one( edit \d+)?\n", f"description: one edit {n}\n", spec.read_text(), count=1)
    assert count == 1
    spec.write_text(text)


class _Gen:
    """One generator under test: this checkout, or another copy (`--baseline`)."""

    def __init__(self, work: Path, tables: int, source: Path | None) -> None:
        self.project = write_project(work / f"p{tables}{'' if source is None else '-baseline'}", tables)
        self.cmd = [str(BIN / "gen"), "-C", str(self.project)]
        self.env = None if source is None else dict(os.environ, PYTHONPATH=str(source.resolve()))
        self.cold: list[float] = []
        self.noop: list[float] = []
        self.one: list[float] = []

    def run(self, *args: str) -> float:
        return _timed(self.cmd + list(args), self.project, env=self.env)

    def clean(self) -> None:
        for folder in ("generated", "handwritten", ".gen-cache"):
            shutil.rmtree(self.project / folder, ignore_errors=True)


def bench(tables: int, repeat: int, work: Path, baseline: Path | None = None) -> list[dict[str, float | int]]:
    gens = [_Gen(work, tables, None)] + ([_Gen(work, tables, baseline)] if baseline else [])
    for _ in range(repeat):
        for gen in gens:
            gen.clean()
            gen.cold.append(gen.run("build", "-q"))
    for _ in range(repeat + 2):
        for gen in gens:
            gen.noop.append(gen.run("build", "--check", "-q"))
    for i in range(repeat):
        for gen in gens:
            _touch_one_path(gen.project, i)
            gen.one.append(gen.run("build", "-q"))
    project = gens[0].project
    files = sum(1 for p in (project / "generated").rglob("*") if p.is_file())
    dmc_out = work / f"models{tables}.py"
    dmc = [_timed([str(BIN / "datamodel-codegen"), "--input", str(project / "spec/openapi.yaml"),
                   "--input-file-type", "openapi", "--output-model-type", "pydantic_v2.BaseModel",
                   "--no-formatters", "--disable-timestamp", "--output", str(dmc_out)], work)
           for _ in range(repeat)]
    ops = (project / "spec/openapi.yaml").read_text().count("operationId:")
    rows: list[dict[str, float | int]] = [
        {"tables": tables, "operations": ops, "files": files, "cold_s": statistics.median(gen.cold),
         "noop_check_s": statistics.median(gen.noop), "one_path_s": statistics.median(gen.one),
         "datamodel_codegen_s": statistics.median(dmc)} for gen in gens]
    if baseline:
        # each run against the baseline's run right next to it: robust to load that comes and goes
        this, other = gens
        for name, ours, theirs in (("cold", this.cold, other.cold), ("noop_check", this.noop, other.noop),
                                   ("one_path", this.one, other.one)):
            rows[0][f"{name}_vs_baseline"] = statistics.median(a / b for a, b in zip(ours, theirs))
    return rows


def _table(rows: list[dict[str, float | int]]) -> None:
    print("| tables | operations | files written | cold `gen build` | datamodel-codegen | ratio | "
          "no-op `--check` | one-path rebuild |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        ratio = float(r["cold_s"]) / float(r["datamodel_codegen_s"])
        print(f"| {r['tables']} | {r['operations']} | {r['files']} | {r['cold_s']:.2f} s | "
              f"{r['datamodel_codegen_s']:.2f} s | {ratio:.2f}x | {r['noop_check_s']:.3f} s | {r['one_path_s']:.2f} s |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--baseline", type=Path, help="another copy of the generator, measured alternately")
    args = parser.parse_args()
    rows: list[dict[str, float | int]] = []
    baseline_rows: list[dict[str, float | int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            measured = bench(size, args.repeat, Path(tmp), args.baseline)
            rows.append(measured[0])
            baseline_rows += measured[1:]
            print(f"measured {size} tables", file=sys.stderr)
    _table(rows)
    if args.baseline:
        print(f"\nbaseline ({args.baseline}):\n")
        _table(baseline_rows)
        print("\nthis / baseline, median of the ratios of runs made side by side:\n")
        print("| tables | cold `gen build` | no-op `--check` | one-path rebuild |\n| --- | --- | --- | --- |")
        for r in rows:
            print(f"| {r['tables']} | {r['cold_vs_baseline']:.2f}x | {r['noop_check_vs_baseline']:.2f}x | "
                  f"{r['one_path_vs_baseline']:.2f}x |")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "baseline": baseline_rows} if args.baseline else rows,
                                        indent=2) + "\n")


if __name__ == "__main__":
    main()
