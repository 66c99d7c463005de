"""Benchmark: what the event-time and map-key guards cost in the ingestion request template.

    .venv/bin/python benchmarks/ingest_guard.py [--rounds 30] [--batch 100]

Renders the reference system's ingestion request template for one batch of readings and
registrations (half each) with the emulator's Velocity engine, as `gen dev` does per request,
with the guards (the generated template) and without them (the same IR with `max_future: null`
and no map bounds), side by side, and prints the medians and their ratio. API Gateway's own
template time is not measured here (it is not observable locally).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from generator import pipeline
from generator.dev.apigw.context import new_context
from generator.dev.apigw.velocity.variables import Params, TemplateVariables, render
from generator.emit.api import emit_api

ROOT = Path(__file__).resolve().parent.parent


def _template(guarded: bool) -> str:
    ir, _ = pipeline.validate(ROOT, use_cache=False)
    assert ir is not None
    if not guarded:
        ir = replace(ir, events=tuple(replace(e, max_future_seconds=None, key_limits=()) for e in ir.events))
    files = {f.path: f.content for f in emit_api(ir)}
    return files["generated/api/vtl/ingestEvents.request.vtl"]


def _batch(size: int, now: datetime) -> str:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    events = []
    for i in range(size):
        device = f"dev-{i:04d}"
        if i % 2:
            data = {"deviceId": device, "time": stamp, "temperature": 21.5, "battery": 90}
            kind = "reading.recorded"
        else:
            data = {"deviceId": device, "siteId": "site-zrh", "name": "n", "model": "m",
                    "tags": {"floor": "2", "room": "b"}}
            kind = "device.registered"
        events.append({"specversion": "1.0", "id": f"e-{i}", "source": "bench", "type": kind,
                       "subject": device, "time": stamp, "data": data})
    return json.dumps(events)


def _median_ms(text: str, body: str, now: datetime, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        context = new_context(request_id="r", extended_request_id="e", http_method="POST", resource_path="/events",
                              path="/events", stage="api", request_time=now, source_ip="127.0.0.1",
                              user_agent="bench", claims=None, domain_name="localhost", account_id="123456789012",
                              api_id="local")
        variables = TemplateVariables(body=body, params=Params(path={}, querystring={}), context=context,
                                      stage_variables={"stream_telemetry": "telemetry"})
        started = time.perf_counter()
        out = render(text, "ingest.vtl", variables)
        samples.append((time.perf_counter() - started) * 1000)
        assert '"telemetry"' in out
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    now = datetime.now(UTC)
    body = _batch(args.batch, now)
    plain, guarded = _template(False), _template(True)
    _median_ms(guarded, body, now, 3)  # warm up the engine's template cache
    _median_ms(plain, body, now, 3)
    without = _median_ms(plain, body, now, args.rounds)
    with_guards = _median_ms(guarded, body, now, args.rounds)
    print(f"| ingestion request template, batch of {args.batch} | without guards | with guards | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| median render time (ms, {args.rounds} rounds) | {without:.1f} | {with_guards:.1f} | "
          f"{with_guards / without:.2f}x |")


if __name__ == "__main__":
    main()
