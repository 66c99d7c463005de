"""The ingestion checks of `gen test`, derived from the spec's events.

- rejects: an unknown event type, an envelope without `id`, and, per event type, data that
  breaks its schema are each answered 400 before anything reaches the stream; locally the
  message must name the failing field (API Gateway's validation error string);
- pipeline (`--pipeline`, a local stack): events generated from each event schema are accepted
  (202, no failed entries) and every processor that listens to them acknowledges every record
  (nothing failed, retried into errors or sent to its dead-letter queue).
Events name existing entities where the seed has them (see `examples`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from generator.contract.examples import example, violation
from generator.contract.report import CaseResult, outcome
from generator.contract.target import Target
from generator.ir.nodes import Event, Ir, Operation

PIPELINE_EVENTS = 3
"""Events posted per event type by the pipeline check."""
DRAIN_TIMEOUT_S = 60.0


def known_values(ir: Ir) -> dict[str, list[Any]]:
    """Values of every table's partition key in the seed, by attribute name."""
    out: dict[str, list[Any]] = {}
    for seed in ir.seeds:
        attr = ir.table(seed.table).partition_key.name
        for item in seed.items:
            if isinstance(item, dict) and item.get(attr) is not None and item[attr] not in out.get(attr, []):
                out.setdefault(attr, []).append(item[attr])
    return out


def envelope(ir: Ir, event: Event, variant: int, now: datetime,
             known: Mapping[str, Sequence[Any]] | None = None) -> dict[str, Any]:
    """A CloudEvent of type `event.type` whose data satisfies the event's schema."""
    data = example(ir, ir.model(event.data).schema, variant, known, now)
    return {
        "specversion": "1.0",
        "id": f"gen-test-{uuid.uuid4()}",
        "source": "gen-test",
        "type": event.type,
        "subject": str(data.get(event.subject, "gen-test")) if isinstance(data, dict) else "gen-test",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": data,
    }


def _ingest_ops(ir: Ir) -> list[Operation]:
    return [op for op in ir.operations if op.kind == "ingest"]


def _label(op: Operation) -> str:
    return f"{op.method.upper()} {op.path}"


def check_rejects(target: Target) -> list[CaseResult]:
    ir = target.ir
    out: list[CaseResult] = []
    now = datetime.now(UTC)
    for op in _ingest_ops(ir):
        if op.needs_credentials and target.http.auth.kind == "none":
            out.append(CaseResult("rejects", _label(op), "skipped", "protected: pass --token, --sigv4 or --api-key"))
            continue
        events = ir.events_on(op.stream or "")
        if not events:
            continue
        started = time.monotonic()
        valid = envelope(ir, events[0], 0, now)
        cases: list[tuple[str, list[dict[str, Any]], str]] = [
            ("an unknown event type", [{**valid, "type": "gen-test.unknown-type"}], "type"),
            ("an envelope without id", [{k: v for k, v in valid.items() if k != "id"}], "id"),
        ]
        for event in events:
            broken = violation(ir, ir.model(event.data).schema, envelope(ir, event, 1, now)["data"])
            if broken is not None:
                data, field = broken
                cases.append((f"{event.type} data breaking '{field}'",
                              [{**envelope(ir, event, 1, now), "data": data}], field))
        problems = []
        for label, body, field in cases:
            reply = target.http.post(op.path, body=body)
            message = reply.json.get("message") if isinstance(reply.json, dict) else None
            if reply.status != 400:
                problems.append(f"{label}: POST {op.path} -> {reply.status} {reply.text[:200]} (expected 400)")
            elif target.local is not None and (not isinstance(message, str) or field not in message):
                problems.append(f"{label}: the 400 does not name '{field}': {reply.text[:300]}")
        out.append(outcome("rejects", _label(op), problems, f"{len(cases)} invalid batch(es) refused with 400",
                           time.monotonic() - started))
    return out


def check_pipeline(target: Target) -> list[CaseResult]:
    """Post generated events through the API, drain, and require every processor to have
    acknowledged every record it was given (see the module docstring)."""
    ir = target.ir
    endpoints = target.endpoints
    stream_processors = [p for p in ir.processors if p.kind == "stream"]
    if endpoints is None:
        return [CaseResult("pipeline", "processors", "skipped",
                           "needs the local stack's /_local endpoints (gen test without --url, or a gen dev URL)")]
    ops = _ingest_ops(ir)
    if ops and all(op.needs_credentials for op in ops) and target.http.auth.kind == "none":
        return [CaseResult("pipeline", "processors", "skipped",
                           "ingestion is protected: pass --token, --sigv4 or --api-key")]
    started = time.monotonic()
    known = known_values(ir)
    before = endpoints.status()["processors"]
    now = datetime.now(UTC)
    sent: dict[str, int] = {}
    problems: list[str] = []
    for op in ops:
        if op.needs_credentials and target.http.auth.kind == "none":
            continue
        batch = [envelope(ir, event, variant, now, known)
                 for event in ir.events_on(op.stream or "") for variant in range(PIPELINE_EVENTS)]
        if not batch:
            continue
        reply = target.http.post(op.path, body=batch)
        result = reply.json if isinstance(reply.json, dict) else {}
        if reply.status != 202 or result.get("failed") != 0:
            problems.append(f"POST {op.path} with {len(batch)} generated event(s) -> {reply.status} "
                            f"{reply.text[:300]}")
            continue
        for event in batch:
            sent[event["type"]] = sent.get(event["type"], 0) + 1
    if not endpoints.drain(DRAIN_TIMEOUT_S):
        problems.append(f"the processors did not settle within {DRAIN_TIMEOUT_S:.0f} s")
    after = endpoints.status()["processors"]
    for p in stream_processors:
        expected = sum(sent.get(t, 0) for t in p.events)
        problems += _acknowledged(p.name, expected, before.get(p.name, {}), after.get(p.name, {}))
    covered = (f"{sum(sent.values())} event(s) of {len(sent)} type(s); "
               f"{len(stream_processors)} processor(s) acknowledged all")
    return [outcome("pipeline", "processors", problems, covered, time.monotonic() - started)]


def _acknowledged(name: str, expected: int, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    def delta(*keys: str) -> int:
        def value(entry: Mapping[str, Any]) -> int:
            node: Any = entry
            for key in keys:
                node = node.get(key) if isinstance(node, Mapping) else None
            return int(node or 0)
        return value(after) - value(before)

    problems = []
    acknowledged, delivered = delta("invocations", "acknowledged"), delta("invocations", "delivered")
    if acknowledged < expected:
        problems.append(f"{name}: acknowledged {acknowledged} of the {expected} record(s) sent to it")
    if delivered != acknowledged:
        problems.append(f"{name}: {delivered - acknowledged} delivered record(s) were not acknowledged")
    if delta("invocations", "errors"):
        problems.append(f"{name}: raised in {delta('invocations', 'errors')} invocation(s)")
    if delta("toDlq"):
        problems.append(f"{name}: {delta('toDlq')} record(s) went to its dead-letter queue")
    return problems
