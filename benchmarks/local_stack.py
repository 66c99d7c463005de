"""Benchmark of the local stack (`gen dev`) on the reference system, in one run.

    .venv/bin/python benchmarks/local_stack.py [--events 5000] [--rate 1000] [--no-idempotency] [--out FILE]

What it measures, all over HTTP against one `gen dev --port 0` subprocess (`--in-process`: a
`start_stack` in this process instead):
1. ingestion: POST /api/events in batches of 100 readings (100 registered devices) as fast as
   one client can, then wait until every poller has settled the stream ("drained"): the events/s
   accepted by the API and the events/s fully processed (first POST to drained);
2. sustained: POST at a fixed rate (default 1,000 events/s) for a while; whether processing keeps
   up (the largest backlog seen, and how long the last events took to drain);
3. GET latency: GET /api/devices/{id} and a page of readings, p50/p99, with the pipeline idle;
4. ingest-to-visible: POST one reading, poll GET /api/devices/{id} until it shows; p50/p99.
Prints a Markdown report (and writes it with --out). Counts come from `/_local/status`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.dev.stack import RunningStack, start_stack  # noqa: E402

BATCH = 100
DEVICES = 100


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.pool = urllib3.PoolManager(maxsize=8)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if method == "POST":  # POST /events takes SigV4: sign as a device does (local key pair)
            request = AWSRequest(method=method, url=self.base + path, data=data, headers=headers)
            SigV4Auth(Credentials("testing", "testing"), "execute-api", "us-east-1").add_auth(request)
            headers = dict(request.headers.items())
        # The server closes every connection (werkzeug); a pooled one may be found closed: retry.
        retries = urllib3.Retry(total=2, connect=2, read=0, allowed_methods=None, status=0)
        answer = self.pool.request(method, self.base + path, body=data, headers=headers, retries=retries)
        return answer.status, json.loads(answer.data) if answer.data else None


def _time(n: int) -> str:
    return datetime.fromtimestamp(1_790_000_000 + n, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Events:
    """Readings with distinct (device, time) keys, in batches of 100."""

    def __init__(self) -> None:
        self.n = 0

    def batch(self, size: int = BATCH) -> list[dict[str, Any]]:
        out = []
        for _ in range(size):
            n = self.n
            self.n += 1
            device = f"bench-{n % DEVICES:03d}"
            out.append({
                "specversion": "1.0", "id": f"bench-{os.getpid()}-{n}", "source": "benchmark",
                "type": "reading.recorded", "subject": device, "time": _time(n),
                "data": {"deviceId": device, "time": _time(n), "temperature": (n % 400) / 10,
                         "humidity": None, "battery": n % 101},
            })
        return out


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _status(client: Client) -> dict[str, Any]:
    status, body = client.call("GET", "/_local/status")
    assert status == 200
    return dict(body)


def _backlog(client: Client) -> int:
    lags = [p.get("lag") or 0 for p in _status(client)["processors"].values() if p["kind"] == "stream"]
    return max(lags, default=0)


def _drain(client: Client, timeout: float = 900.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status, body = client.call("POST", "/_local/drain?timeout=30")
        if status == 200 and body.get("drained"):
            return
        if status not in (200, 504) or time.monotonic() > deadline:
            raise RuntimeError(f"the pipeline did not drain: {status} {body}")


def _post(client: Client, events: list[dict[str, Any]]) -> None:
    status, body = client.call("POST", "/api/events", events)
    if status != 202 or body["failed"]:
        raise RuntimeError(f"ingestion failed: {status} {body}")


@dataclass
class Throughput:
    events: int
    post_seconds: float
    drain_seconds: float

    @property
    def accepted_per_s(self) -> float:
        return self.events / self.post_seconds

    @property
    def processed_per_s(self) -> float:
        return self.events / self.drain_seconds


def burst(client: Client, events: Events, total: int) -> Throughput:
    started = time.perf_counter()
    for _ in range(total // BATCH):
        _post(client, events.batch())
    posted = time.perf_counter()
    _drain(client)
    drained = time.perf_counter()
    return Throughput(total, posted - started, drained - started)


@dataclass
class Sustained:
    rate: int
    seconds: float
    events: int
    max_backlog: int
    tail_drain_s: float

    @property
    def achieved_per_s(self) -> float:
        return self.events / self.seconds


def sustained(client: Client, events: Events, rate: int, seconds: float) -> Sustained:
    interval = BATCH / rate
    backlog = [0]
    done = threading.Event()

    def watch() -> None:
        watcher = Client(client.base)
        while not done.wait(0.25):
            backlog[0] = max(backlog[0], _backlog(watcher))

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    started = time.perf_counter()
    sent = 0
    while time.perf_counter() - started < seconds:
        due = started + (sent // BATCH) * interval
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        _post(client, events.batch())
        sent += BATCH
    elapsed = time.perf_counter() - started
    last = time.perf_counter()
    _drain(client)
    tail = time.perf_counter() - last
    done.set()
    thread.join()
    return Sustained(rate, elapsed, sent, backlog[0], tail)


def latency(call: Callable[[], object], requests: int, warmup: int = 50) -> tuple[float, float]:
    samples = []
    for i in range(warmup + requests):
        began = time.perf_counter()
        call()
        if i >= warmup:
            samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), _percentile(samples, 0.99)


def visible(client: Client, events: Events, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        batch = events.batch(1)
        device, taken = batch[0]["subject"], batch[0]["data"]["time"]
        began = time.perf_counter()
        _post(client, batch)
        deadline = began + 10
        while True:
            status, body = client.call("GET", f"/api/devices/{device}")
            if status == 200 and (body.get("lastReading") or {}).get("time") == taken:
                break
            if time.perf_counter() > deadline:
                raise RuntimeError("an event did not become visible within 10 s")
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), _percentile(samples, 0.99)


class GenDev:
    """`gen dev` in its own process, as a user runs it (clients are other processes)."""

    def __init__(self, extra_env: dict[str, str]) -> None:
        gen = ROOT / ".venv" / "bin" / "gen"
        command = [str(gen)] if gen.exists() else [sys.executable, "-m", "generator.cli"]
        self.process = subprocess.Popen(
            [*command, "-C", str(ROOT), "dev", "--port", "0"], cwd=ROOT, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **extra_env})
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("ready: "):
                self.url = line.removeprefix("ready: ").strip()
                break
        else:
            raise RuntimeError("gen dev exited before it was ready")
        # Keep reading its stdout (metrics and logs) so the pipe never fills and blocks it.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


class InProcess:
    def __init__(self, extra_env: dict[str, str]) -> None:
        self.stack: RunningStack = start_stack(ROOT, "127.0.0.1", 0, log_level="ERROR",
                                               function_env=extra_env)
        self.url = self.stack.url

    def stop(self) -> None:
        self.stack.stop()


def run(args: argparse.Namespace) -> str:
    began = time.perf_counter()
    extra = {"POWERTOOLS_IDEMPOTENCY_DISABLED": "true"} if args.no_idempotency else {}
    stack: GenDev | InProcess = InProcess(extra) if args.in_process else GenDev(extra)
    startup = time.perf_counter() - began
    try:
        client = Client(stack.url)
        registrations = [{
            "specversion": "1.0", "id": f"reg-{os.getpid()}-{d}", "source": "benchmark",
            "type": "device.registered", "subject": f"bench-{d:03d}", "time": _time(0),
            "data": {"deviceId": f"bench-{d:03d}", "siteId": "site-zrh", "name": f"Bench {d}",
                     "model": "TH-200"},
        } for d in range(DEVICES)]
        _post(client, registrations)
        _drain(client)
        events = Events()
        burst(client, events, 1000)  # warm-up: imports, connections, first invocations
        throughput = burst(client, events, args.events)
        steady = sustained(client, events, args.rate, args.seconds)
        get_device = latency(lambda: client.call("GET", "/api/devices/bench-007"), args.requests)
        get_page = latency(lambda: client.call("GET", "/api/devices/bench-007/readings?limit=25"),
                           args.requests)
        to_visible = visible(client, events, args.visible)
        status = _status(client)
    finally:
        stack.stop()
    processors = status["processors"]
    lines = [
        "# Local stack performance (`gen dev`)",
        "",
        "Measured by `benchmarks/local_stack.py` over HTTP against one local stack of the reference",
        "system (moto, API Gateway emulator, in-process pollers running the generated handlers and",
        "handwritten processors), all in one process: "
        + ("`start_stack` in the benchmark's own process (`--in-process`)." if args.in_process
           else "`gen dev` as a user runs it, the benchmark client in another process.")
        + " Idempotency (Powertools, per event): "
        + ("**off** (`--no-idempotency`)." if args.no_idempotency else "on, as deployed."),
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU(s) (shared), Python "
        f"{platform.python_version()}, {platform.system()}.",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        f"| start-up (until `ready:` / `start_stack` returns) | {startup:.2f} s | < 5 s |",
        f"| ingestion accepted by the API ({throughput.events} events, batches of {BATCH}) | "
        f"{throughput.accepted_per_s:,.0f} events/s | |",
        f"| ingestion processed end to end (first POST until drained) | "
        f"{throughput.processed_per_s:,.0f} events/s | >= 1,000 events/s |",
        f"| sustained {steady.rate:,} events/s for {steady.seconds:.0f} s: achieved | "
        f"{steady.achieved_per_s:,.0f} events/s | |",
        f"| sustained: largest backlog seen / drain after the last POST | "
        f"{steady.max_backlog:,} records / {steady.tail_drain_s:.2f} s | keeps up |",
        f"| GET /api/devices/{{id}} p50 / p99 ({args.requests} requests) | "
        f"{get_device[0]:.2f} ms / {get_device[1]:.2f} ms | p50 <= 5 ms |",
        f"| GET /api/devices/{{id}}/readings?limit=25 p50 / p99 | "
        f"{get_page[0]:.2f} ms / {get_page[1]:.2f} ms | |",
        f"| ingest-to-visible (POST, then GET until shown) p50 / p99 ({args.visible} events) | "
        f"{to_visible[0]:.0f} ms / {to_visible[1]:.0f} ms | |",
        "",
        "Processor counters at the end (`/_local/status`):",
        "",
        "| processor | invocations | records delivered | acknowledged | to DLQ |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, p in sorted(processors.items()):
        if p["kind"] == "stream":
            inv = p["invocations"]
            lines.append(f"| {name} | {inv['invocations']:,} | {inv['delivered']:,} | "
                         f"{inv['acknowledged']:,} | {p['toDlq']:,} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=5_000, help="events in the burst (a multiple of 100)")
    parser.add_argument("--rate", type=int, default=1_000, help="events/s of the sustained run")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the sustained run")
    parser.add_argument("--requests", type=int, default=1_000, help="GETs per latency measure")
    parser.add_argument("--visible", type=int, default=50, help="events timed to visibility")
    parser.add_argument("--no-idempotency", action="store_true",
                        help="run the functions with POWERTOOLS_IDEMPOTENCY_DISABLED=true (for comparison)")
    parser.add_argument("--in-process", action="store_true",
                        help="run the stack with start_stack() in this process instead of `gen dev`")
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args()
    report = run(args)
    print(report)
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
