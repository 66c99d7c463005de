"""Benchmark `gen review` on a synthesized project, side by side with `gen build` on it.

The project (benchmarks/synth.py) has 200 tables and about 400 operations; its spec is committed
to a throw-away git repository as `main`, then changed in the working tree, and
`gen review main` compares the two (BASE through `git archive`, both sides validated, generated
and compared). Two changes:
  - one path: an optional query parameter on one operation;
  - every table: a new global secondary index on each of the 200 tables (200 data findings,
    each table's Terraform updated, every processor role granted the new index).
For each, whole commands are timed (interpreter start-up included), median of several runs, as
wall time and as CPU time (the command and the children it waited for: less sensitive to what
else the machine runs):
  - `gen review` with no .gen-cache at all (a fresh CI checkout: both sides from scratch);
  - `gen review` right after `gen build` (its caches seed the review's);
  - `gen review` repeated (the review's own caches warm, or a CI cache restored);
  - `gen build` of the changed project, cold (no generated/, no .gen-cache) and after the change
    (generated/ and .gen-cache built from `main`).
Prints a Markdown table; `--json FILE` saves raw data. Runs this checkout's generator.

    .venv/bin/python benchmarks/review.py [--tables 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from benchmarks.synth import write_project  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
KINDS = ("review_cold", "review_after_build", "review_repeat", "build_cold", "build_after_change")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str], cwd: Path, expect: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the command and the children it waited for, stdout)."""
    cpu, start = _cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if proc.returncode not in expect:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return elapsed, _cpu() - cpu, proc.stdout


def _gen(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "generator", "-C", str(project), *args]


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), "-c", "user.email=b@example.com", "-c", "user.name=bench", *args],
                   check=True, capture_output=True)


def one_path(project: Path) -> None:
    """An optional query parameter on the first GetItem operation."""
    spec = project / "spec/openapi.yaml"
    text, n = re.subn(r"(      parameters:\n)(      - name: id0\n)",
                      r"\1      - name: expand\n        in: query\n        schema:\n          type: boolean\n\2",
                      spec.read_text(), count=1)
    assert n == 1
    spec.write_text(text)


def every_table(project: Path) -> None:
    """A global secondary index on `name` for each table."""
    spec = project / "spec/model.yaml"
    text, n = re.subn(r"(  (t\d{3}):\n    partition_key: id\d+\n    item: Item\d{3}\n)",
                      r"\1    indexes:\n      byName:\n        partition_key: name\n", spec.read_text())
    assert n > 0
    spec.write_text(text)


def _project(work: Path, tables: int) -> Path:
    project = write_project(work / f"p{tables}", tables)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "spec")
    _git(project, "commit", "-q", "-m", "base")
    return project


def bench(tables: int, repeat: int, work: Path, change: Callable[[Path], None]) -> dict[str, float | int]:
    project = _project(work, tables)
    change(project)
    review = _gen(project, "review", "main", "--format", "json")
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in KINDS}
    findings = 0
    for _ in range(repeat):
        for folder in ("generated", "handwritten", ".gen-cache"):
            shutil.rmtree(project / folder, ignore_errors=True)
        runs["review_cold"].append(_run(review, project, (0, 1))[:2])
        shutil.rmtree(project / ".gen-cache", ignore_errors=True)
        runs["build_cold"].append(_run(_gen(project, "build", "-q"), project)[:2])
        runs["review_after_build"].append(_run(review, project, (0, 1))[:2])
        wall, cpu, out = _run(review, project, (0, 1))
        runs["review_repeat"].append((wall, cpu))
        findings = len(json.loads(out)["findings"])
        # the same change as a rebuild: build main's spec first, then the changed one
        changed = {p: p.read_text() for p in (project / "spec").glob("*.yaml")}
        _git(project, "checkout", "-q", "--", "spec")
        _run(_gen(project, "build", "-q"), project)
        for path, text in changed.items():
            path.write_text(text)
        runs["build_after_change"].append(_run(_gen(project, "build", "-q"), project)[:2])
    operations = len(re.findall(r"operationId:", (project / "spec/openapi.yaml").read_text()))
    row: dict[str, float | int] = {"tables": tables, "operations": operations, "findings": findings}
    for name, measured in runs.items():
        row[name] = statistics.median(w for w, _ in measured)
        row[name + "_cpu"] = statistics.median(c for _, c in measured)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="gen-bench-review-") as tmp:
        for name, change in (("one path", one_path), ("every table", every_table)):
            row = bench(args.tables, args.repeat, Path(tmp) / name.replace(" ", "-"), change)
            rows.append({"change": name, **row})
            print(f"{name}: {row}", file=sys.stderr)
    print(f"load average before: {load:.1f}; wall seconds (CPU seconds, the command and its children)")
    print()
    print("| change | findings | `gen review`, no cache (fresh CI checkout) | `gen review` after `gen build` "
          "| `gen review` repeated | `gen build` cold | `gen build` after the change |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        cells = " | ".join(f"{r[k]:.2f} s ({r[k + '_cpu']:.2f})" for k in KINDS)
        print(f"| {r['change']} ({r['tables']} tables, {r['operations']} operations) | {r['findings']} | {cells} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
