"""The priced lines of each component, from the IR (what is deployed) and the usage profile.

Each function returns `Line`s; a line whose inputs the profile lacks has no amount and names
the missing entries. The models, stated once here and in docs/cost.md:
- a month is 730 hours (2,628,000 s), AWS's billing convention;
- an event's `bytes` is the size of one CloudEvent as sent (envelope and data);
- Lambda on a Kinesis shard is invoked about once a second while records arrive, or once per
  full batch when more than a batch arrives per second (once per window with a batching
  window); an on-demand stream is taken to have 4 shards, its starting capacity;
- GET requests read eventually consistent: a GetItem costs 0.5 read unit per 4 KB of item, a
  Query or Scan 0.5 per 4 KB of the page (the `limit` default of the operation);
- the idempotency ledger writes 3 units per event per stream processor (a transactional claim
  of 2, a completion of 1); DynamoDB storage counts 100 bytes of overhead per item, once per
  table and once per global index projecting all attributes.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from generator.cost.prices import PriceTable
from generator.cost.usage import Usage
from generator.ir.nodes import Ir, Operation, Processor, Stream

HOURS = 730
SECONDS = HOURS * 3600
DAYS = HOURS / 24
GIB = 1024**3
ON_DEMAND_SHARDS = 4
LEDGER_UNITS = 3
LEDGER_ITEM_BYTES = 300
ITEM_OVERHEAD = 100
FIREHOSE_BUFFER_BYTES = 64 * 1024**2
FIREHOSE_BUFFER_SECONDS = 300
KMS_REUSE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Line:
    component: str
    item: str
    quantity: float | None
    unit: str
    usd: float | None
    fixed: bool
    price: str
    missing: tuple[str, ...] = ()


class Lines:
    """Collects lines, pricing a quantity when every input is known."""

    def __init__(self, prices: PriceTable) -> None:
        self.prices = prices
        self.out: list[Line] = []

    def add(self, component: str, item: str, quantity: float | None, price: str, *, fixed: bool = False,
            missing: list[str] | tuple[str, ...] = ()) -> None:
        p = self.prices[price]
        gaps = tuple(sorted(set(missing)))
        known = quantity is not None and not gaps
        self.out.append(Line(component, item, quantity if known else None, p.unit,
                             p.of(quantity) if known and quantity is not None else None, fixed, price, gaps))


class Traffic:
    """Event and request rates from the profile, with the entries that are missing."""

    def __init__(self, ir: Ir, usage: Usage) -> None:
        self.ir, self.usage = ir, usage

    def event_rate(self, types: tuple[str, ...] | list[str]) -> tuple[float, list[str]]:
        rate, missing = 0.0, []
        for t in types:
            value = self.usage.get("events", t, "per_second")
            if value is None:
                missing.append(f"events.{t}.per_second")
            else:
                rate += float(value)
        return rate, missing

    def event_bytes(self, types: list[str]) -> tuple[list[tuple[float, int]], list[str]]:
        """(rate, bytes) per event type."""
        out, missing = [], []
        for t in types:
            rate, size = self.usage.get("events", t, "per_second"), self.usage.get("events", t, "bytes")
            if rate is None:
                missing.append(f"events.{t}.per_second")
            if size is None:
                missing.append(f"events.{t}.bytes")
            if rate is not None and size is not None:
                out.append((float(rate), int(size)))
        return out, missing

    def on(self, stream: Stream) -> list[str]:
        return [e.type for e in self.ir.events_on(stream.name)]

    def op_rate(self, op: Operation) -> float | None:
        value = self.usage.get("operations", op.operation_id)
        return None if value is None else float(value)


def api_gateway(ir: Ir, traffic: Traffic, lines: Lines) -> float | None:
    """REST requests; returns requests per second (None when unknown)."""
    if not ir.operations:
        return 0.0
    rate, missing = 0.0, []
    for op in ir.operations:
        if op.kind == "ingest":
            continue
        value = traffic.op_rate(op)
        if value is None:
            missing.append(f"operations.{op.operation_id}")
        else:
            rate += value
    per_request = traffic.usage.get("ingest", "events_per_request")
    for name in sorted({op.stream for op in ir.operations if op.kind == "ingest" and op.stream}):
        events, gaps = traffic.event_rate(traffic.on(ir.stream(name)))
        missing += gaps
        if per_request is None:
            missing.append("ingest.events_per_request")
        else:
            rate += events / float(per_request)
    lines.add("API Gateway", "REST API requests", rate * SECONDS, "apigateway.rest_requests", missing=missing)
    return None if missing else rate


def kinesis(ir: Ir, traffic: Traffic, lines: Lines) -> None:
    for s in ir.streams:
        sizes, missing = traffic.event_bytes(traffic.on(s))
        raw = sum(r * b for r, b in sizes) * SECONDS
        name = f"stream {s.name}"
        if s.on_demand:
            lines.add("Kinesis", f"{name}: stream-hours", HOURS, "kinesis.on_demand_stream_hours", fixed=True)
            kb = sum(r * math.ceil(b / 1024) for r, b in sizes) * SECONDS
            lines.add("Kinesis", f"{name}: data written", kb / 1024**2, "kinesis.on_demand_ingested_gb",
                      missing=missing)
            readers = len([p for p in ir.processors if p.stream == s.name]) + (1 if s.archive else 0)
            lines.add("Kinesis", f"{name}: data read by {readers} reader(s)", kb / 1024**2 * readers,
                      "kinesis.on_demand_retrieved_gb", missing=missing)
            if s.retention_hours > 24:
                extended = raw / DAYS / GIB * (min(s.retention_hours, 168) - 24) / 24
                lines.add("Kinesis", f"{name}: retention beyond 24 h", extended,
                          "kinesis.on_demand_extended_retention_gb_months", missing=missing)
        else:
            shards = s.shards or 1
            lines.add("Kinesis", f"{name}: {shards} shard(s)", shards * HOURS, "kinesis.shard_hours", fixed=True)
            units = sum(r * math.ceil(b / 25600) for r, b in sizes) * SECONDS
            lines.add("Kinesis", f"{name}: PUT payload units", units, "kinesis.put_payload_units", missing=missing)
            if s.retention_hours > 24:
                lines.add("Kinesis", f"{name}: retention beyond 24 h", shards * HOURS,
                          "kinesis.extended_retention_shard_hours", fixed=True)
        if s.retention_hours > 168:
            lines.add("Kinesis", f"{name}: retention beyond 7 days", raw / DAYS / GIB * (s.retention_hours / 24 - 7),
                      "kinesis.long_term_retention_gb_months", missing=missing)


def archive(ir: Ir, traffic: Traffic, lines: Lines) -> None:
    archived = [s for s in ir.streams if s.archive]
    if not archived:
        return
    billed, raw, objects, missing = 0.0, 0.0, 0.0, []
    for s in archived:
        sizes, gaps = traffic.event_bytes(traffic.on(s))
        missing += gaps
        billed += sum(r * math.ceil(b / 5120) * 5120 for r, b in sizes) * SECONDS
        stream_raw = sum(r * b for r, b in sizes)
        raw += stream_raw * SECONDS
        objects += max(1 / FIREHOSE_BUFFER_SECONDS, stream_raw / FIREHOSE_BUFFER_BYTES) * SECONDS
    lines.add("Firehose", "archive ingestion", billed / GIB, "firehose.ingested_gb", missing=missing)
    lines.add("S3", "data lake objects written", objects, "s3.put_requests", missing=missing)
    lake = traffic.usage.section("lake")
    days, ratio = lake.get("retention_days"), lake.get("compression")
    gaps = missing + [f"lake.{k}" for k, v in (("retention_days", days), ("compression", ratio)) if v is None]
    daily = raw / DAYS / GIB * float(ratio or 0)
    held = float(days or 0)
    # the lake's lifecycle: Standard for 30 days, Standard-IA to day 180, Glacier IR after that
    for item, span, price in (("data lake, Standard (first 30 days)", min(held, 30), "s3.standard_gb_months"),
                              ("data lake, Standard-IA (days 30-180)", min(max(held - 30, 0), 150),
                               "s3.standard_ia_gb_months"),
                              ("data lake, Glacier IR (after 180 days)", max(held - 180, 0), "s3.glacier_ir_gb_months")):
        lines.add("S3", item, daily * span, price, missing=gaps)


def invocations(ir: Ir, p: Processor, traffic: Traffic) -> tuple[float, list[str]]:
    """Invocations per month of processor `p`, and what the profile lacks to tell."""
    if p.kind == "schedule":
        return float(schedule_fires(p.schedule or "")), []
    rate, missing = traffic.event_rate(list(p.events))
    stream = ir.stream(p.stream or "")
    shards = stream.shards if stream.shards and not stream.on_demand else ON_DEMAND_SHARDS
    per_shard = rate / shards
    if per_shard <= 0:
        return 0.0, missing
    floor = 1 / max(p.window_seconds, 1)
    return shards * min(per_shard, max(floor, per_shard / p.batch_size)) * SECONDS, missing


@functools.cache
def schedule_fires(expression: str) -> int:
    """How often a schedule fires in a 730-hour month (counted from 2026-01-01 UTC)."""
    from generator.aws.schedules import parse_schedule

    schedule = parse_schedule(expression)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end, at, count = start + timedelta(hours=HOURS), start - timedelta(microseconds=1), 0
    while count < 50_000:
        at_next = schedule.next_after(at)
        if at_next is None or at_next >= end:
            break
        at, count = at_next, count + 1
    return count


def lambdas(ir: Ir, traffic: Traffic, lines: Lines) -> float | None:
    """Invocations and compute per processor; returns invocations per month (None: unknown)."""
    total: float | None = 0.0
    for p in ir.processors:
        count, missing = invocations(ir, p, traffic)
        fixed = p.kind == "schedule"
        lines.add("Lambda", f"{p.name}: invocations", count, "lambda.requests", fixed=fixed, missing=missing)
        duration = traffic.usage.get("processors", p.name, "duration_ms")
        gaps = missing + ([f"processors.{p.name}.duration_ms"] if duration is None else [])
        gb_seconds = count * float(duration or 0) / 1000 * p.memory_mb / 1024
        lines.add("Lambda", f"{p.name}: compute ({p.memory_mb} MB)", gb_seconds, "lambda.gb_seconds_arm64",
                  fixed=fixed, missing=gaps)
        if fixed:
            lines.add("EventBridge Scheduler", f"{p.name}: {p.schedule}", count, "scheduler.invocations", fixed=True)
        total = None if missing or total is None else total + count
    return total


def _read_units(item_bytes: int, items: int) -> float:
    """Eventually consistent read units of one request returning `items` items."""
    return 0.5 * max(1, math.ceil(items * item_bytes / 4096))


def page_items(op: Operation) -> int:
    """Items a Query or Scan returns per request: the `limit` default the mapping template uses."""
    from generator.emit.api.views import DEFAULT_LIMIT

    param = next((p for p in op.params if p.location == "query" and p.name == "limit"), None)
    if param is None:
        return DEFAULT_LIMIT
    default, maximum = param.schema.constraint("default"), param.schema.constraint("maximum")
    if isinstance(default, int):
        return default
    return min(DEFAULT_LIMIT, maximum) if isinstance(maximum, int) else DEFAULT_LIMIT


def dynamodb(ir: Ir, traffic: Traffic, lines: Lines) -> None:
    usage = traffic.usage
    units, missing = 0.0, []
    for op in ir.operations:
        if op.kind == "ingest" or op.table is None:
            continue
        rate, size = traffic.op_rate(op), usage.get("tables", op.table, "item_bytes")
        if rate is None or size is None:
            missing += [f"operations.{op.operation_id}"] if rate is None else []
            missing += [f"tables.{op.table}.item_bytes"] if size is None else []
            continue
        units += rate * _read_units(int(size), 1 if op.kind == "get_item" else page_items(op)) * SECONDS
    lines.add("DynamoDB", "reads by the API", units, "dynamodb.read_request_units", missing=missing)
    for kind, price in (("read", "dynamodb.read_request_units"), ("write", "dynamodb.write_request_units")):
        total, gaps = 0.0, []
        for p in ir.processors:
            if not (p.reads if kind == "read" else p.writes):
                continue
            if p.kind == "stream":  # units per event
                rate, lacking = traffic.event_rate(list(p.events))
                runs, key = rate * SECONDS, f"{kind}_units_per_event"
            else:  # units per run
                runs, lacking, key = float(schedule_fires(p.schedule or "")), [], f"{kind}_units_per_run"
            per = usage.get("processors", p.name, key)
            gaps += lacking + ([f"processors.{p.name}.{key}"] if per is None else [])
            total += runs * float(per or 0)
        lines.add("DynamoDB", f"{kind}s by processors", total, price, missing=gaps)
    ledger, gaps, held = 0.0, [], 0.0
    for p in ir.processors:
        if p.kind == "stream":
            rate, lacking = traffic.event_rate(list(p.events))
            gaps += lacking
            ledger += rate * SECONDS * LEDGER_UNITS
            held += rate * 86400 * (LEDGER_ITEM_BYTES + ITEM_OVERHEAD)
    if any(p.kind == "stream" for p in ir.processors):
        lines.add("DynamoDB", "idempotency ledger writes", ledger, "dynamodb.write_request_units", missing=gaps)
    stored, lacking = held, list(gaps)
    for t in ir.tables:
        items, size = usage.get("tables", t.name, "items"), usage.get("tables", t.name, "item_bytes")
        lacking += [f"tables.{t.name}.{k}" for k, v in (("items", items), ("item_bytes", size)) if v is None]
        copies = 1 + sum(1 for i in t.indexes if i.projection == "all")
        stored += float(items or 0) * (float(size or 0) + ITEM_OVERHEAD) * copies
    lines.add("DynamoDB", "storage (tables, indexes, ledger)", stored / GIB, "dynamodb.storage_gb_months",
              missing=lacking)
    lines.add("DynamoDB", "point-in-time recovery", stored / GIB, "dynamodb.pitr_gb_months", missing=lacking)


def observability(ir: Ir, traffic: Traffic, lines: Lines, requests: float | None, runs: float | None) -> None:
    from generator.emit.terraform.monitoring import alarms

    lines.add("CloudWatch", "alarms", len(alarms(ir)), "cloudwatch.alarm_months", fixed=True)
    logs = traffic.usage.section("logs")
    per_run, per_request = logs.get("bytes_per_invocation"), logs.get("bytes_per_request")
    missing = [f"logs.{k}" for k, v in (("bytes_per_invocation", per_run), ("bytes_per_request", per_request))
               if v is None]
    missing += ["(invocations)"] if runs is None else []
    missing += ["(API requests)"] if requests is None else []
    monthly = (float(runs or 0) * float(per_run or 0) + float(requests or 0) * SECONDS * float(per_request or 0)) / GIB
    lines.add("CloudWatch", "logs written", monthly, "cloudwatch.logs_ingested_gb", missing=missing)
    # every log group keeps var.log_retention_days (365 by default): a year of logs, stored as written
    lines.add("CloudWatch", "logs stored (365 days)", monthly * 365 / DAYS, "cloudwatch.logs_stored_gb_months",
              missing=missing)
    lines.add("KMS", "customer managed key", 1, "kms.key_months", fixed=True)
    # data keys are reused for about 5 minutes: per shard and writer or reader, and per table
    users = sum((s.shards or ON_DEMAND_SHARDS) * (2 + len([p for p in ir.processors if p.stream == s.name]))
                for s in ir.streams) + len(ir.tables) + 1
    lines.add("KMS", "requests (data keys, approximate)", users * SECONDS / KMS_REUSE_SECONDS, "kms.requests",
              fixed=True)
    web = traffic.usage.section("frontend")
    count, size = web.get("requests_per_month"), web.get("bytes_per_request")
    lines.add("CloudFront", "HTTPS requests", float(count or 0), "cloudfront.https_requests",
              missing=["frontend.requests_per_month"] if count is None else [])
    lines.add("CloudFront", "data transfer out", float(count or 0) * float(size or 0) / GIB,
              "cloudfront.transfer_out_gb",
              missing=[f"frontend.{k}" for k, v in (("requests_per_month", count), ("bytes_per_request", size))
                       if v is None])
