"""`gen dev`: start the local stack, say where everything is, run until Ctrl-C or SIGTERM.

Contract: `serve(root, host, port)` raises `StackError` (a `UserError`: the CLI prints one
clear line and exits 2) when the stack cannot start (generated/ stale or missing, port in use,
an entry module that does not import), never a traceback. Otherwise it prints a summary of the
stack (URLs, resources, the local token form with a ready-made example, the local SigV4 key pair
and API keys of the protected ingestion routes) and then ``ready: http://HOST:PORT`` on stdout,
flushed, once requests are served. SIGINT or SIGTERM stops it cleanly (threads joined, moto
stopped) and it exits 0; a second Ctrl-C while stopping aborts. With ``watch``, a save under spec/
or handwritten/ reloads the running stack (`generator.dev.watch`), each outcome printed on stdout.
Every line it prints goes through one writer (`logsink`), in ``log_format``: ``pretty`` (the
banner and ``ready:`` as they are, records as readable lines) or ``json`` (one object a line).
"""

from __future__ import annotations

import gc
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from generator.dev import logsink
from generator.dev.apigw.auth import local_token
from generator.dev.apigw.access.sigv4 import LOCAL_CREDENTIALS, SERVICE
from generator.dev.http.guard import is_loopback
from generator.dev.stack import RunningStack, start_stack
from generator.dev.watch import Watcher
from generator.ir.nodes import Ir


def example_subject(ir: Ir) -> str:
    """A ``sub`` that finds a seeded item through a protected operation (else a placeholder)."""
    for op in ir.operations:
        if not op.key_claims or op.table is None:
            continue
        attr, claim = op.key_claims[0]
        if claim != "sub":
            continue
        for seed in ir.seeds:
            if seed.table == op.table and seed.items:
                value = seed.items[0].get(attr) if isinstance(seed.items[0], dict) else None
                if isinstance(value, str):
                    return value
    return "local-user"


def _frontend_note(root: Path) -> str:
    """What the dashboard line says when there is no build (a new project has no frontend)."""
    frontend = root / "frontend"
    if (frontend / "dist" / "index.html").is_file():
        return ""
    if not (frontend / "package.json").is_file():
        return "   (no frontend: the page lists the API's routes and how to add one)"
    install = "npm ci" if (frontend / "package-lock.json").is_file() else "npm install"
    return f"   (not built: cd frontend && {install} && npm run build)"


def summary(stack: RunningStack, root: Path, started: float) -> list[str]:
    ir, names, url = stack.ir, stack.names, stack.url
    took = time.monotonic() - started
    lines = [
        f"gen dev: {ir.name}, stage local, started in {took:.1f} s",
        f"  API         {stack.api_url}   ({len(ir.operations)} operations, generated/api/openapi.json)",
        f"  dashboard   {url}/" + _frontend_note(root),
        f"  console     {url}/_local/   (requests, events, tables, streams, schedules, dead letters)",
        f"  status      {url}/_local/status   (also POST /_local/pollers/stop|start, "
        "/_local/drain, /_local/archives/flush)",
        f"  AWS (moto)  {stack.aws_endpoint}   region {stack.region}, access key/secret `testing`",
        f"  state       {stack.state_line}",
    ]
    for table in ir.tables:
        physical = names.tables[table.name]
        lines.append(f"  table       {physical} ({stack.seeded.get(physical, 0)} seeded)")
    for stream in ir.streams:
        consumers = [p.name for p in ir.processors if p.stream == stream.name]
        lake = (
            f"; archived to s3://{names.datalake_bucket}/{stream.name}/" if stream.archive else ""
        )
        lines.append(
            f"  stream      {names.streams[stream.name]} -> {', '.join(consumers) or 'nobody'}{lake}"
        )
    for p in ir.processors:
        if p.kind == "schedule":
            lines.append(
                f"  schedule    {p.name}: {p.schedule}; ran once at start-up; fire now: "
                f"curl -X POST -d '' {url}/_local/schedules/{p.name}/fire"
            )
    protected_ops = [op for op in ir.operations if op.protected]
    protected = [op.operation_id for op in protected_ops]
    if protected:
        example = next((op.path for op in protected_ops if "{" not in op.path), "/...")
        token = local_token({"sub": example_subject(ir), "email": "dev@example.com"})
        lines += [
            f"Local auth ({', '.join(protected)}): send `Authorization: Bearer <JWT>` (or the bare JWT)",
            '  with an unsigned JWT: header {"alg":"none"}, payload = the claims, empty signature',
            "  (`<b64url header>.<b64url payload>.`). `sub` is required; a past `exp` answers 401.",
            f"  e.g. curl -H 'Authorization: Bearer {token}' {stack.api_url}{example}",
        ]
    return lines + access_lines(ir, stack.region)


def access_lines(ir: Ir, region: str) -> list[str]:
    """How to call the SigV4- and API-key-protected operations locally (keys and limits)."""
    lines: list[str] = []
    signed = [op.operation_id for op in ir.operations if op.auth == "iam"]
    if signed:
        ((key, secret),) = LOCAL_CREDENTIALS.items()
        lines += [
            f"Signed requests ({', '.join(signed)}): AWS SigV4, service {SERVICE}, region {region}, with the",
            f"  local key pair {key}/{secret} (README: sending events); unsigned or badly signed -> 403.",
        ]
    keyed = [op.operation_id for op in ir.operations if op.auth == "api_key"]
    if keyed:
        lines.append(f"API keys ({', '.join(keyed)}): header x-api-key; no key or an unknown one -> 403,"
                     " over quota -> 429")
        lines += [f"  client {c.name}: {c.local_key}   (quota {c.quota} per {c.period.lower()})"
                  for c in ir.api_clients]
    return lines


GC_THRESHOLDS = (50_000, 20, 10)


def _tune_gc() -> None:
    """Collect cycles less often in this long-running process (it is `gen dev`'s own).

    The stack allocates and frees millions of small objects per minute (moto items, boto3
    requests), nearly all freed by reference counting; with CPython's default thresholds the
    cyclic collector ran ~2,000 times per 8,000 events and re-scanned the growing heap (moto's
    tables) in its older generations: 1.7 s of 11 s of CPU. What start-up built (modules, moto's
    backends, botocore's service models, the seed) is frozen out of its scans; cycles are still
    collected, every 50,000 allocations (0.25 s over the same run).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def bind_warning(host: str) -> str | None:
    """One line for stderr when `host` is reachable from other machines, else None."""
    if is_loopback(host):
        return None
    return (f"gen dev: warning: listening on {host} serves the API, the local keys "
            "(/config.json) and the dashboard to other machines; use --host 127.0.0.1 unless you mean it")


def _say(line: str) -> None:
    print(line, flush=True)


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, state: Path | None = None,
          log_format: str = "pretty", *, watch: bool = False) -> None:
    # Every line printed from here on (banner, access log, functions' output) goes through
    # one writer, whole, in `log_format` (logsink); all of it is undone before errors print.
    with logsink.installed(log_format):
        _serve(root, host, port, state, watch)


def _serve(root: Path, host: str, port: int, state: Path | None, watch: bool) -> None:
    if (warning := bind_warning(host)) is not None:
        print(warning, file=sys.stderr, flush=True)
    started = time.monotonic()
    stack = start_stack(root, host, port, log_level="INFO", run_schedules=True, state=state)
    _tune_gc()
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C aborts

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    watcher = Watcher(stack, root, _say) if watch else None
    try:
        for line in summary(stack, root, started):
            print(line)
        if watcher is not None:
            watcher.start()
            print("watching spec/ and handwritten/: a save reloads the stack, keeping its data")
        print(f"ready: {stack.url}", flush=True)
        while not stop.wait(1.0):
            pass
        print("gen dev: stopping", file=sys.stderr)
    finally:
        if watcher is not None:
            watcher.stop()
        stack.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("gen dev: stopped", file=sys.stderr)
