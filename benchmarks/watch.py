"""Benchmark of `gen dev --watch`: save -> new behaviour served, against a full restart.

    .venv/bin/python benchmarks/watch.py [--runs 5] [--tables 200] [--out FILE]

Two projects, each copied to a temporary directory: the reference system (spec/, handwritten/,
generated/ of this repository) and a synthetic spec of ``--tables`` tables (two GET operations
each: 200 tables is ~400 operations, `benchmarks/synth.py`). For each, in one process:
1. watch, add an operation: the stack runs with its watcher thread (polling every 100 ms, as
   `gen dev --watch`); the benchmark saves spec/openapi.yaml with one more GET operation and
   times until that route answers 200 (a client polls it every 5 ms): save -> served, `gen
   build` included (the watcher's own figures split it into build and stack reload);
2. watch, edit an operation: saves the spec with the first ``maximum: 100`` (a list's `limit`)
   set to 50 (and back, alternately) and times until ``?limit=75`` answers 400 (200);
3. watch, handwritten: saves a processor's module and times until the reload is done (the
   next event runs the new code);
4. restart (the baselines): what a user does without --watch, until the new route answers 200:
   in process (stop the stack, `gen build`, start it again with schedules run once, as `gen dev`
   does: Python's start-up and imports not counted, which flatters it), and as a user does it
   (`gen build` and `gen dev --port 0` as processes, the old one stopped first).
Prints a Markdown table (medians, and the ratio restart / watch).
"""

from __future__ import annotations

import argparse
import copy
import logging
import platform
import shutil
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synth import write_project  # noqa: E402
from generator import pipeline  # noqa: E402
from generator.dev.stack import start_stack  # noqa: E402
from generator.dev.watch import Watcher  # noqa: E402
from generator.speed import last_build as memo  # noqa: E402


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _until_served(url: str, timeout: float = 60, status: int = 200) -> None:
    deadline = time.monotonic() + timeout
    while _status(url) != status:
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} was not served within {timeout} s")
        time.sleep(0.005)


def _build(root: Path) -> None:
    result = pipeline.build(root)
    if not result.plan.warnings:
        memo.record(root, result.plan.manifest_text, [d.render() for d in result.diagnostics])


class Project:
    """A copy of a project, and how to add the k-th extra GET operation to its spec."""

    def __init__(self, root: Path, template_path: str, processor: str, list_path: str) -> None:
        self.root = root
        self.list_path = list_path
        self.limit = 100
        self.openapi = yaml.safe_load((root / "spec/openapi.yaml").read_text(encoding="utf-8"))
        self.template_path = template_path
        self.processor = root / "handwritten/processors" / f"{processor}.py"
        self.added = 0

    def next_spec(self) -> tuple[str, str]:
        """The text of spec/openapi.yaml with one more operation, and that route's path."""
        self.added += 1
        item = copy.deepcopy(self.openapi["paths"][self.template_path])
        item["get"]["operationId"] += f"Copy{self.added}"
        path = f"/copy{self.added}{self.template_path}"
        self.openapi["paths"][path] = item
        return yaml.safe_dump(self.openapi, sort_keys=False), path

    def next_limit(self) -> tuple[str, int]:
        """The spec with the first `limit` maximum toggled 100 <-> 50; what ?limit=75 answers."""
        old, self.limit = self.limit, 150 - self.limit
        text = (self.root / "spec/openapi.yaml").read_text(encoding="utf-8")
        assert f"maximum: {old}" in text
        self.openapi = yaml.safe_load(text.replace(f"maximum: {old}", f"maximum: {self.limit}", 1))
        return text.replace(f"maximum: {old}", f"maximum: {self.limit}", 1), 200 if self.limit == 100 else 400

    def save_spec(self, text: str) -> None:
        (self.root / "spec/openapi.yaml").write_text(text, encoding="utf-8")


def _route(path: str, key: str) -> str:
    return path[: path.index("{")] + key if "{" in path else path


def measure(project: Project, key: str, runs: int) -> dict[str, list[float]]:
    root = project.root
    _build(root)
    stack = start_stack(root, port=0, run_schedules=True)
    watcher = Watcher(stack, root, out=lambda line: None)
    watcher.start()
    spec_s: list[float] = []
    edit_s: list[float] = []
    code_s: list[float] = []
    phases: dict[str, list[float]] = {"build": [], "stack": []}
    operations = len(stack.ir.operations)
    try:
        for run in range(runs):
            text, path = project.next_spec()
            generation = watcher.generation
            started = time.perf_counter()
            project.save_spec(text)
            _until_served(stack.api_url + _route(path, key))
            spec_s.append(time.perf_counter() - started)
            while watcher.generation == generation:  # served first, then reported
                time.sleep(0.002)
            assert watcher.last is not None and watcher.last.state == "reloaded", watcher.last
            for phase in phases:
                phases[phase].append(watcher.last.phases_ms[phase] / 1000)
            time.sleep(0.3)
            text, status = project.next_limit()
            generation = watcher.generation
            started = time.perf_counter()
            project.save_spec(text)
            _until_served(stack.api_url + project.list_path + "?limit=75", status=status)
            edit_s.append(time.perf_counter() - started)
            while watcher.generation == generation:
                time.sleep(0.002)
            time.sleep(0.3)
            generation = watcher.generation
            started = time.perf_counter()
            with project.processor.open("a", encoding="utf-8") as module:
                module.write(f"# edit {run}\n")
            while watcher.generation == generation:
                time.sleep(0.002)
            code_s.append(time.perf_counter() - started)
            assert watcher.last is not None and watcher.last.state == "reloaded", watcher.last
            time.sleep(0.3)  # let the last reload's stragglers settle before the next save
    finally:
        watcher.stop()
        stack.stop()
    restart_s: list[float] = []
    for _ in range(max(1, runs // 2)):
        text, path = project.next_spec()
        started = time.perf_counter()
        project.save_spec(text)
        _build(root)
        stack = start_stack(root, port=0, run_schedules=True)
        try:
            _until_served(stack.api_url + _route(path, key))
            restart_s.append(time.perf_counter() - started)
        finally:
            stack.stop()
    process_s: list[float] = []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    gen = [sys.executable, "-m", "generator", "-C", str(root)]
    for _ in range(max(1, runs // 2)):
        text, path = project.next_spec()
        started = time.perf_counter()
        project.save_spec(text)
        subprocess.run([*gen, "build", "-q"], check=True, env=env)
        server = subprocess.Popen([*gen, "dev", "--port", "0"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            url = next(line for line in server.stdout if line.startswith("ready: "))[7:].strip()
            _until_served(f"{url}/api" + _route(path, key))
            process_s.append(time.perf_counter() - started)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    return {"operations": [float(operations)], "spec": spec_s, "edit": edit_s, "code": code_s,
            "restart": restart_s, "process": process_s, **phases}


def reference(tmp: Path) -> Project:
    root = tmp / "reference"
    for part in ("spec", "handwritten", "generated"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return Project(root, "/devices/{deviceId}", "apply_readings", "/devices")


def synthetic(tmp: Path, tables: int) -> Project:
    root = write_project(tmp / "synthetic", tables)
    spec = root / "spec/openapi.yaml"
    openapi = yaml.safe_load(spec.read_text(encoding="utf-8"))
    listing = openapi["paths"]["/t000"]["get"]  # its own parameters (not a YAML alias of all)
    listing["parameters"] = copy.deepcopy(listing["parameters"])
    spec.write_text(yaml.safe_dump(openapi, sort_keys=False), encoding="utf-8")
    _build(root)  # writes the processors' scaffolds under handwritten/
    return Project(root, "/t000", "apply_000", "/t000")  # a list: 200 without seed data


def _median(values: list[float]) -> float:
    return statistics.median(values)


def report(results: dict[str, dict[str, list[float]]], runs: int) -> str:
    lines = [
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}; "
        f"medians of {runs} saves (restart: {max(1, runs // 2)} runs).",
        "",
        "| project | operations | add an operation: save -> served (build + stack) | edit an operation: "
        "save -> served | save a handler -> reloaded | restart in process (stop, gen build, start) "
        "-> served | restart as a user does (gen build; gen dev) -> served | "
        "restart / watch (add, edit; in process, processes) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        spec, edit, code = _median(r["spec"]), _median(r["edit"]), _median(r["code"])
        restart, build, stack = _median(r["restart"]), _median(r["build"]), _median(r["stack"])
        process = _median(r["process"])
        lines.append(f"| {name} | {int(r['operations'][0])} | {spec * 1000:.0f} ms ({build * 1000:.0f} + "
                     f"{stack * 1000:.0f}) | {edit * 1000:.0f} ms | {code * 1000:.0f} ms | {restart * 1000:.0f} ms "
                     f"| {process * 1000:.0f} ms | {restart / spec:.1f}x, {restart / edit:.1f}x; "
                     f"{process / spec:.1f}x, {process / edit:.1f}x |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tables", type=int, default=200, help="synthetic tables (two operations each)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the synthetic processors are scaffolds that raise
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="gen-watch-bench-") as tmp:
        cases: list[tuple[str, Callable[[], Project], str]] = [
            ("reference system", lambda: reference(Path(tmp)), "dev-001"),
            (f"synthetic, {args.tables} tables", lambda: synthetic(Path(tmp), args.tables), "x"),
        ]
        for name, make, key in cases:
            results[name] = measure(make(), key, args.runs)
            print(f"{name}: done", file=sys.stderr)
    text = report(results, args.runs)
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()


