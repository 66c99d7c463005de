"""Benchmark of the local stack (`gen dev`) on the reference system, in one run.

    .venv/bin/python benchmarks/local_stack.py [--events 5000] [--rate 1000] [--no-idempotency] [--out FILE]
    .venv/bin/python benchmarks/local_stack.py --concurrency 20 --duration 20 [--baseline DIR]

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

`--concurrency N --duration S` measures only the server under load instead: N clients, each
with its own keep-alive connection and no retries, for S seconds send a mix of GETs (3 in 4: a
device, a page of readings) and signed POSTs of 10 events; it reports every failed request
(connection errors, timeouts, 5xx, unexpected statuses) and p50/p99 per kind. `--baseline DIR`
first runs the same load against `gen dev` from another checkout of the code (for example
`git archive main | tar -x -C DIR`), then against this one, and reports both side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
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


# Event times start two days back and step by a millisecond: distinct (device, time) keys, and
# never ahead of the clock (the ingestion template refuses events beyond their max_future).
_EPOCH_MS = (int(time.time()) - 2 * 86_400) * 1000


def _time(n: int) -> str:
    at = datetime.fromtimestamp((_EPOCH_MS + n) / 1000, UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


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
    """`gen dev` in its own process, as a user runs it (clients are other processes).

    `code`: run the `gen` of another checkout (its package and its project) instead of this one."""

    def __init__(self, extra_env: dict[str, str], code: Path | None = None) -> None:
        gen = ROOT / ".venv" / "bin" / "gen"
        command = [str(gen)] if gen.exists() and code is None else [sys.executable, "-m", "generator"]
        root = code or ROOT
        env = {**os.environ, **extra_env, **({"PYTHONPATH": str(code)} if code else {})}
        self.process = subprocess.Popen(
            [*command, "-C", str(root), "dev", "--port", "0"], cwd=root, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
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


LOAD_BATCH = 10


@dataclass
class Load:
    """What N concurrent clients saw in S seconds."""

    clients: int
    seconds: float
    latencies: dict[str, list[float]]  # kind -> ms of each answered request
    failures: dict[str, int]  # reason -> count

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + self.failed

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def stats(self, kind: str) -> tuple[int, float, float]:
        samples = self.latencies.get(kind) or [0.0]
        return len(self.latencies.get(kind) or []), statistics.median(samples), _percentile(samples, 0.99)


def load(base: str, clients: int, seconds: float, post_share: float = 0.25, pace: float = 0.0,
         fresh: bool = False) -> Load:
    """`clients` threads, one keep-alive connection each and no retries, for `seconds`.

    `pace` > 0: each client sends `pace` requests per second (open loop), and a latency counts
    from when the request was due, so a server that falls behind shows it (no coordinated
    omission); 0: each client sends its next request as soon as the last is answered. `fresh`:
    every request on a new connection (``Connection: close``), as curl and scripts do."""
    latencies: dict[str, list[float]] = {"GET": [], "POST": []}
    failures: dict[str, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(number: int) -> None:
        pool = urllib3.HTTPConnectionPool(base.split("//", 1)[1].split(":")[0],
                                          int(base.rsplit(":", 1)[1]), maxsize=1, block=True)
        events = Events()
        events.n = number * 1_000_000  # distinct readings per client
        rng = random.Random(number)
        start.wait()
        sent = 0
        first = time.perf_counter() + rng.random() / pace if pace else 0.0
        while time.perf_counter() < stop_at[0]:
            due = first + sent / pace if pace else time.perf_counter()
            sent += 1
            if due > time.perf_counter():
                time.sleep(due - time.perf_counter())
            if rng.random() >= post_share:
                kind, device = "GET", f"bench-{rng.randrange(DEVICES):03d}"
                path = rng.choice([f"/api/devices/{device}", f"/api/devices/{device}/readings?limit=25"])
                method, data, headers, expected = "GET", None, {}, (200,)
            else:
                kind, path = "POST", "/api/events"
                data = json.dumps(events.batch(LOAD_BATCH)).encode()
                request = AWSRequest(method="POST", url=base + path, data=data,
                                     headers={"Content-Type": "application/json"})
                SigV4Auth(Credentials("testing", "testing"), "execute-api", "us-east-1").add_auth(request)
                method, headers, expected = "POST", dict(request.headers.items()), (202,)
            if fresh:
                headers = {**headers, "Connection": "close"}
            began = min(due, time.perf_counter())
            try:
                answer = pool.urlopen(method, path, body=data, headers=headers, retries=False,
                                      timeout=urllib3.Timeout(connect=10, read=30))
                reason = None if answer.status in expected else f"{kind} answered {answer.status}"
            except Exception as error:  # a dropped connection, a reset, a timeout
                reason = f"{kind} {type(error).__name__}"
            took = (time.perf_counter() - began) * 1000
            with lock:
                if reason is None:
                    latencies[kind].append(took)
                else:
                    failures[reason] = failures.get(reason, 0) + 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(clients, time.perf_counter() - began, latencies, failures)


def _register(base: str) -> None:
    client = Client(base)
    _post(client, [{
        "specversion": "1.0", "id": f"reg-{os.getpid()}-{d}", "source": "benchmark",
        "type": "device.registered", "subject": f"bench-{d:03d}", "time": _time(0),
        "data": {"deviceId": f"bench-{d:03d}", "siteId": "site-zrh", "name": f"Bench {d}",
                 "model": "TH-200"},
    } for d in range(DEVICES)])
    _drain(client)


def run_load(args: argparse.Namespace) -> str:
    trees: list[tuple[str, Path | None]] = []
    if args.baseline is not None:
        trees.append((f"baseline ({args.baseline})", args.baseline))
    trees.append(("this tree", None))
    results: list[tuple[str, Load]] = []
    for label, code in trees:
        stack = GenDev({}, code)
        try:
            _register(stack.url)
            results.append((label, load(stack.url, args.concurrency, args.duration, args.post_share,
                                        args.pace, args.fresh)))
        finally:
            stack.stop()
    lines = [
        f"`benchmarks/local_stack.py --concurrency {args.concurrency} --duration {args.duration:g}"
        f"{' --fresh' if args.fresh else ''}{f' --pace {args.pace:g}' if args.pace else ''}{f' --post-share {args.post_share:g}' if args.post_share != 0.25 else ''}`: "
        f"{args.concurrency} clients, "
        + ("a new connection per request" if args.fresh else "one keep-alive connection each")
        + ", no retries, "
        + (f"{args.pace:g} requests/s each (latency from when a request was due), " if args.pace
           else "each request as soon as the last is answered, ")
        + f"for "
        f"{args.duration:g} s against `gen dev` in its own process; {1 - args.post_share:.0%} of the "
        f"requests GET a device or a page of readings, {args.post_share:.0%} POST {LOAD_BATCH} signed events.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU(s) (shared), Python "
        f"{platform.python_version()}, {platform.system()}.",
        "",
        "| server | requests | failed | GET p50 / p99 | POST p50 / p99 | failures |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, result in results:
        gets, posts = result.stats("GET"), result.stats("POST")
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(result.failures.items())) or "none"
        lines.append(
            f"| {label} | {result.requests:,} | {result.failed:,} | {gets[1]:.1f} ms / {gets[2]:.1f} ms | "
            f"{posts[1]:.1f} ms / {posts[2]:.1f} ms | {reasons} |"
        )
    if len(results) == 2:
        (_, before), (_, after) = results
        ratio = before.stats("GET")[2] / max(after.stats("GET")[2], 1e-9)
        lines += ["", f"GET p99 ratio baseline / this tree: {ratio:.2f}x."]
    return "\n".join(lines) + "\n"


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
    parser.add_argument("--concurrency", type=int, default=0,
                        help="measure only the server under load: this many concurrent clients")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the load (--concurrency)")
    parser.add_argument("--pace", type=float, default=0.0,
                        help="with --concurrency: requests/s per client (0: as fast as answered)")
    parser.add_argument("--fresh", action="store_true",
                        help="with --concurrency: a new connection per request (Connection: close)")
    parser.add_argument("--post-share", type=float, default=0.25,
                        help="with --concurrency: the share of requests that are POSTs")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="with --concurrency: first load `gen dev` from this other checkout")
    args = parser.parse_args()
    report = run_load(args) if args.concurrency else run(args)
    print(report)
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
