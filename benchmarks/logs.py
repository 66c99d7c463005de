"""What gen dev's one writer costs per line, beside how gen dev printed before it.

The workload of `tests/dev/logs`: threads print EMF documents from inside a function
(attributed, as gen dev's processors) while others log access records, stdout and stderr on one
file (``gen dev > file 2>&1``). Measured, alternately and in one process:
  - before: stdlib logging to stderr (``basicConfig``) and ``print()`` to a block-buffered
    stdout, as gen dev did (fast, and lines merge);
  - pretty and json: the same through `generator.dev.logsink.installed` (a lock around each
    whole line, written and flushed; EMF read and rendered).
Each figure is the median of the runs, in microseconds per line; prints a Markdown table.

    .venv/bin/python benchmarks/logs.py [--lines 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator.dev import logsink  # noqa: E402

ACCESS = logging.getLogger("generator.dev.access")
EMF = json.dumps({
    "_aws": {"Timestamp": 1, "CloudWatchMetrics": [{
        "Namespace": "fleet", "Dimensions": [["processor", "service"]],
        "Metrics": [{"Name": "ReadingsStored", "Unit": "Count"}, {"Name": "DevicesUpdated", "Unit": "Count"}]}]},
    "processor": "apply_readings", "service": "fleet", "ReadingsStored": [3.0], "DevicesUpdated": [1.0]})


def _workload(lines: int) -> Callable[[], None]:
    per_thread = lines // 4

    def emf() -> None:
        for _ in range(per_thread):
            print(EMF)

    def access() -> None:
        for _ in range(per_thread):
            ACCESS.info("%s %s -> %s (%.1f ms)", "GET", "/api/devices", "200", 1.2)

    function = logsink.attributed("apply_readings", emf)

    def run() -> None:
        threads = [threading.Thread(target=t) for t in (function, function, access, access)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    return run


def _measure(mode: str, lines: int, path: Path) -> float:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    out = open(fd, "w", buffering=8192, closefd=False)  # noqa: SIM115
    err = open(fd, "w", buffering=1, closefd=False)  # noqa: SIM115
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    run = _workload(lines)
    try:
        if mode == "before":
            handler = logging.StreamHandler(err)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
            ACCESS.addHandler(handler)
            ACCESS.setLevel(logging.INFO)
            started = time.perf_counter()
            run()
            out.flush()
            took = time.perf_counter() - started
            ACCESS.removeHandler(handler)
            ACCESS.setLevel(logging.NOTSET)
        else:
            with logsink.installed(mode):
                started = time.perf_counter()
                run()
                took = time.perf_counter() - started
    finally:
        sys.stdout, sys.stderr = saved
        out.close()
        err.close()
        os.close(fd)
    return took / lines * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    modes = ("before", "pretty", "json")
    figures: dict[str, list[float]] = {m: [] for m in modes}
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "out.log"
        for _ in range(args.repeat):
            for mode in modes:
                figures[mode].append(_measure(mode, args.lines, path))
    base = statistics.median(figures["before"])
    print(f"{args.lines} lines (half EMF documents, half access records) from 4 threads, "
          f"median of {args.repeat}\n")
    print("| output | µs per line | ratio to before |")
    print("| --- | ---: | ---: |")
    for mode in modes:
        median = statistics.median(figures[mode])
        print(f"| {mode} | {median:.1f} | {median / base:.2f} |")


if __name__ == "__main__":
    main()
