"""Benchmark of `gen dev --state` and of the retention sweeps, on the reference system.

    .venv/bin/python benchmarks/state.py [--events 2000] [--rounds 2] [--out FILE]

Both parts run `start_stack` in this process (so tracemalloc sees moto's memory), over HTTP:
1. memory per event: with tracemalloc on, POST `--events` readings (batches of 100), wait until
   processed and archived, and take the traced memory the events added (per event); then run
   one retention sweep as if a day had passed (`local_aws.retention`: Kinesis records past the
   24 h retention trimmed, items whose TTL passed deleted -- idempotency records, readings) and
   take it again. Side by side: before/after, the ratio, and where what remains is held.
2. the cost of journaling: ingestion throughput (events/s accepted by POST, and processed end to
   end until drained) without `--state` and with it, `--rounds` times each, alternating; the
   ratio of the medians, and the journal's bytes per event;
3. stop and start after `--events` events, without and with `--state` (the last snapshot, the
   restore), and the size of DIR.
Prints a Markdown section (and writes it with --out).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.local_stack import DEVICES, Client, Events, _drain, _post, _time, burst  # noqa: E402
from generator.dev.local_aws.identity import LOCAL_ACCOUNT  # noqa: E402
from generator.dev.local_aws.retention import Retention  # noqa: E402
from generator.dev.stack import RunningStack, start_stack  # noqa: E402

DAY_S = 25 * 3600.0


def _start(state: Path | None) -> tuple[RunningStack, Client]:
    stack = start_stack(ROOT, "127.0.0.1", 0, log_level="ERROR", state=state)
    client = Client(stack.url)
    _post(client, [{
        "specversion": "1.0", "id": f"reg-{os.getpid()}-{d}-{time.time_ns()}", "source": "benchmark",
        "type": "device.registered", "subject": f"bench-{d:03d}", "time": _time(0),
        "data": {"deviceId": f"bench-{d:03d}", "siteId": "site-zrh", "name": f"Bench {d}",
                 "model": "TH-200"},
    } for d in range(DEVICES)])
    _drain(client)
    return stack, client


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def _holders(snapshot: tracemalloc.Snapshot, base: tracemalloc.Snapshot) -> list[tuple[str, int]]:
    """Growth by package (moto's services, botocore, ...), largest first."""
    grown: dict[str, int] = {}
    for stat in snapshot.compare_to(base, "filename"):
        path = stat.traceback[0].filename
        parts = Path(path).parts
        key = "other"
        for anchor in ("moto", "botocore", "aws_lambda_powertools", "generator", "werkzeug"):
            if anchor in parts:
                i = parts.index(anchor)
                key = "/".join(parts[i:i + 2]) if anchor == "moto" else anchor
                break
        grown[key] = grown.get(key, 0) + stat.size_diff
    return sorted(grown.items(), key=lambda kv: -kv[1])[:6]


def memory(events_n: int) -> dict[str, Any]:
    stack, client = _start(None)
    try:
        events = Events()
        burst(client, events, 500)  # warm-up: imports, first invocations
        stack.workers.flush_archives()
        tracemalloc.start(1)
        base = _traced()
        base_snapshot = tracemalloc.take_snapshot()
        burst(client, events, events_n)
        stack.workers.flush_archives()
        before = _traced() - base
        before_snapshot = tracemalloc.take_snapshot()
        dynamodb = start_client(stack)
        swept = Retention(dynamodb, stack.region, LOCAL_ACCOUNT).sweep(time.time() + DAY_S)
        after = _traced() - base
        after_snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        return {"events": events_n, "before": before, "after": after, "swept": swept,
                "holders_before": _holders(before_snapshot, base_snapshot),
                "holders_after": _holders(after_snapshot, base_snapshot)}
    finally:
        stack.stop()


def start_client(stack: RunningStack) -> Any:
    import boto3

    return boto3.client("dynamodb", endpoint_url=stack.aws_endpoint, region_name=stack.region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def throughput(events_n: int, state: Path | None) -> dict[str, float]:
    stack, client = _start(state)
    try:
        events = Events()
        burst(client, events, 500)  # warm-up
        cpu = time.process_time()
        measured = burst(client, events, events_n)
        cpu = time.process_time() - cpu  # this process: the stack and the client, both runs alike
        journal = sum(p.stat().st_size for p in (state / "journal").glob("*.jsonl")) if state else 0
        return {"accepted": measured.accepted_per_s, "processed": measured.processed_per_s,
                "cpu_ms": cpu * 1000 / events_n, "journal_bytes": journal}
    finally:
        stack.stop()


def _kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB"


def memory_lines(mem: dict[str, Any]) -> list[str]:
    n = mem["events"]
    return [
        f"Memory per event (tracemalloc, after {n:,} events processed and archived):",
        "",
        "| | traced memory added | per event |",
        "| --- | --- | --- |",
        f"| before the retention sweep | {_kb(mem['before'])} | {mem['before'] / n / 1024:.2f} KB |",
        f"| after one sweep a day later ({mem['swept'].records:,} Kinesis records trimmed, "
        f"{mem['swept'].items:,} expired items deleted) | {_kb(mem['after'])} | "
        f"{mem['after'] / n / 1024:.2f} KB |",
        f"| ratio after / before | {mem['after'] / mem['before']:.2f} | |",
        "",
        "Where the growth is held (by package, before -> after the sweep): "
        + "; ".join(f"{k} {_kb(v)}" for k, v in mem["holders_before"])
        + " -> " + "; ".join(f"{k} {_kb(v)}" for k, v in mem["holders_after"]) + ".",
        "",
    ]


def journal_lines(args: argparse.Namespace) -> list[str]:
    plain: list[dict[str, float]] = []
    kept: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            plain.append(throughput(args.events, None))
            kept.append(throughput(args.events, Path(tmp) / f"state-{r}"))
    keys = ("accepted", "processed", "cpu_ms")
    med = {k: statistics.median(x[k] for x in plain) for k in keys}
    med_state = {k: statistics.median(x[k] for x in kept) for k in keys}
    # a run's journal holds its registrations, its warm-up and the measured burst
    journal_per_event = statistics.median(x["journal_bytes"] for x in kept) / (args.events + 500 + DEVICES)
    return [
        f"Ingestion with and without `--state` ({args.events:,} events per run, median of "
        f"{args.rounds} alternating runs; CPU: this process's CPU time per event, the stack's and "
        "the client's, which is less sensitive than wall time to other load on the machine):",
        "",
        "| | without --state | with --state | ratio |",
        "| --- | --- | --- | --- |",
        f"| accepted by POST /api/events | {med['accepted']:,.0f} events/s | "
        f"{med_state['accepted']:,.0f} events/s | {med_state['accepted'] / med['accepted']:.2f} |",
        f"| processed end to end (until drained) | {med['processed']:,.0f} events/s | "
        f"{med_state['processed']:,.0f} events/s | {med_state['processed'] / med['processed']:.2f} |",
        f"| CPU per event, ingestion to drained | {med['cpu_ms']:.2f} ms | {med_state['cpu_ms']:.2f} ms"
        f" | {med_state['cpu_ms'] / med['cpu_ms']:.2f} |",
        f"| journal written per event | | {journal_per_event / 1024:.2f} KB | |",
        "",
    ]


def _timed_restart(events_n: int, state: Path | None) -> dict[str, float]:
    stack, client = _start(state)
    burst(client, Events(), events_n)
    began = time.perf_counter()
    stack.stop()  # with --state: the workers stop, then the last snapshot
    stopped = time.perf_counter() - began
    began = time.perf_counter()
    again = start_stack(ROOT, "127.0.0.1", 0, log_level="ERROR", state=state)  # restore
    started = time.perf_counter() - began
    again.stop()
    size = sum(p.stat().st_size for p in state.rglob("*") if p.is_file()) if state else 0
    return {"stop": stopped, "start": started, "bytes": size}


def restart_lines(args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        plain = _timed_restart(args.events, None)
        kept = _timed_restart(args.events, Path(tmp) / "state")
    return [
        f"Stop and start after {args.events:,} events (one run each; start: `start_stack` until it "
        "serves, with --state including the restore):",
        "",
        "| | without --state | with --state | ratio |",
        "| --- | --- | --- | --- |",
        f"| stop (with --state: the last snapshot) | {plain['stop']:.2f} s | {kept['stop']:.2f} s | "
        f"{kept['stop'] / plain['stop']:.2f} |",
        f"| start (with --state: the restore) | {plain['start']:.2f} s | {kept['start']:.2f} s | "
        f"{kept['start'] / plain['start']:.2f} |",
        f"| DIR on disk | | {kept['bytes'] / 1024:,.0f} KB | |",
        "",
    ]


def run(args: argparse.Namespace) -> str:
    lines = [
        "## State across restarts and bounded memory (`gen dev --state`, retention)",
        "",
        "Measured by `benchmarks/state.py` (`start_stack` in the benchmark's process, the reference",
        f"system, batches of 100 readings over HTTP). Machine: {platform.machine()}, {os.cpu_count()}"
        f" CPU(s) (shared), Python {platform.python_version()}.",
        "",
    ]
    if args.part in ("all", "memory"):
        lines += memory_lines(memory(args.events))
    if args.part in ("all", "journal"):
        lines += journal_lines(args)
    if args.part in ("all", "restart"):
        lines += restart_lines(args)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=2_000, help="events per run (a multiple of 100)")
    parser.add_argument("--rounds", type=int, default=2, help="runs with and without --state")
    parser.add_argument("--part", choices=("all", "memory", "journal", "restart"), default="all")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = run(args)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
