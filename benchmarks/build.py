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

    .venv/bin/python benchmarks/build.py [--sizes 10,50,200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
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


def _timed(cmd: list[str], cwd: Path, expect: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
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


def bench(tables: int, repeat: int, work: Path) -> dict[str, float | int]:
    project = write_project(work / f"p{tables}", tables)
    gen = [str(BIN / "gen"), "-C", str(project)]
    cold: list[float] = []
    for _ in range(repeat):
        shutil.rmtree(project / "generated", ignore_errors=True)
        shutil.rmtree(project / "handwritten", ignore_errors=True)
        shutil.rmtree(project / ".gen-cache", ignore_errors=True)
        cold.append(_timed(gen + ["build", "-q"], project))
    noop = [_timed(gen + ["build", "--check", "-q"], project) for _ in range(repeat + 2)]
    one: list[float] = []
    for i in range(repeat):
        _touch_one_path(project, i)
        one.append(_timed(gen + ["build", "-q"], project))
    files = sum(1 for p in (project / "generated").rglob("*") if p.is_file())
    dmc_out = work / f"models{tables}.py"
    dmc = [_timed([str(BIN / "datamodel-codegen"), "--input", str(project / "spec/openapi.yaml"),
                   "--input-file-type", "openapi", "--output-model-type", "pydantic_v2.BaseModel",
                   "--no-formatters", "--disable-timestamp", "--output", str(dmc_out)], work)
           for _ in range(repeat)]
    ops = sum(text.count("operationId:") for text in [(project / "spec/openapi.yaml").read_text()])
    return {"tables": tables, "operations": ops, "files": files, "cold_s": statistics.median(cold),
            "noop_check_s": statistics.median(noop), "one_path_s": statistics.median(one),
            "datamodel_codegen_s": statistics.median(dmc)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(bench(size, args.repeat, Path(tmp)))
            print(f"measured {size} tables", file=sys.stderr)
    print("| tables | operations | files written | cold `gen build` | datamodel-codegen | ratio | "
          "no-op `--check` | one-path rebuild |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        ratio = float(r["cold_s"]) / float(r["datamodel_codegen_s"])
        print(f"| {r['tables']} | {r['operations']} | {r['files']} | {r['cold_s']:.2f} s | "
              f"{r['datamodel_codegen_s']:.2f} s | {ratio:.2f}x | {r['noop_check_s']:.3f} s | {r['one_path_s']:.2f} s |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
