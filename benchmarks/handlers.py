"""Benchmark of the generated Lambda entry modules, in one run:

1. per-record cost of decode + validate + dispatch of a Kinesis batch through the generated
   entry module (msgspec) vs the same models as pydantic through Powertools' parser
   (`parse(..., envelope=KinesisDataStreamEnvelope)`), dispatching to the same no-op processor;
2. cold import time of an entry module in a fresh interpreter (boto3 must stay unloaded), with
   the generated and handwritten modules compiled from source (what the Lambda zip, which has
   no .pyc, pays) and with all bytecode cached.

The pydantic models are built from the same IR (same fields, wire names, types, bounds,
nullability, the subject check), so both sides validate the same contract. Idempotency,
logging and metrics are off on both sides: they cost the same network calls either way.

Run: `.venv/bin/python benchmarks/handlers.py [--records 100] [--check]`; `--check` exits 1
when a target is missed (>= 5x faster per record; cold import <= 50 ms).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Union

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / "generated" / "python"
sys.path[:0] = [str(PYTHON), str(ROOT)]

TARGET_SPEEDUP = 5.0
TARGET_IMPORT_MS = 50.0


def sample_event(n: int) -> dict[str, Any]:
    """A Kinesis event of `n` records: readings and heartbeats of 20 devices, in order."""
    start = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
    records = []
    for i in range(n):
        device = f"dev-{i % 20:03d}"
        at = (start + dt.timedelta(seconds=i)).isoformat().replace("+00:00", "Z")
        if i % 4 == 3:
            data: dict[str, Any] = {"deviceId": device, "time": at, "firmware": "1.2.3"}
            type_ = "device.heartbeat"
        else:
            data = {"deviceId": device, "time": at, "temperature": round(-20 + (i * 0.37) % 60, 2),
                    "humidity": None if i % 7 == 0 else round(30 + (i * 0.11) % 50, 1), "battery": 100 - i % 100}
            type_ = "reading.recorded"
        event = {"specversion": "1.0", "id": f"evt-{i:06d}", "source": "bench", "type": type_,
                 "time": at, "subject": device, "datacontenttype": "application/json", "data": data}
        records.append({
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": device,
                        "sequenceNumber": f"4959{i:032d}", "approximateArrivalTimestamp": 1764000000.0 + i,
                        "data": base64.b64encode(json.dumps(event).encode()).decode()},
            "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": f"shardId-000000000000:{i}",
            "eventName": "aws:kinesis:record", "invokeIdentityArn": "arn:aws:iam::123456789012:role/bench",
            "awsRegion": "us-east-1", "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/bench",
        })
    return {"Records": records}


# --- the generated side -----------------------------------------------------------------------

def generated_path() -> tuple[Callable[[dict[str, Any]], int], Callable[[], list[Any]]]:
    """process(event) through the entry module's decoder and runner; returns (run, last batch)."""
    from fleet.entry import apply_readings as entry
    from fleet.runtime.idempotency import NullLedger
    from fleet.runtime.stream import StreamRunner

    seen: list[Any] = []

    def noop(batch: Any, ctx: Any) -> None:
        seen[:] = batch.events

    runner: StreamRunner[Any, Any] = StreamRunner(
        project="fleet", processor="apply_readings", decoder=entry.RUNNER.decoder,
        accepts=entry.RUNNER.accepts, handle=noop, context=lambda telemetry: None, idempotency_seconds=60)
    ledger = NullLedger()

    def run(event: dict[str, Any]) -> int:
        answer = runner.process(event, None, ledger)
        return len(answer["batchItemFailures"])

    return run, lambda: list(seen)


# --- the pydantic side: the same models, built from the IR ---------------------------------------

def pydantic_models(ir: Any) -> dict[str, Any]:
    """Pydantic equivalents of the processor's event envelopes, from the same IR schemas."""
    import pydantic

    built: dict[str, Any] = {}

    def annotation(schema: Any, hint: str) -> Any:
        kind = schema.kind
        if kind == "ref":
            base = model(schema.ref)
        elif kind == "string" and schema.enum:
            base = Literal[tuple(schema.enum)]
        elif kind == "string" and schema.format == "date-time":
            base = pydantic.AwareDatetime
        elif kind == "string":
            base = Annotated[str, pydantic.Field(min_length=schema.constraint("minLength"),
                                                 max_length=schema.constraint("maxLength"))]
        elif kind in ("integer", "number"):
            number: Any = int if kind == "integer" else Decimal
            bounds = pydantic.Field(ge=schema.constraint("minimum"), le=schema.constraint("maximum"))
            base = Annotated[number, bounds]
        elif kind == "boolean":
            base = bool
        elif kind == "map":
            base = dict[str, annotation(schema.values, hint)]  # type: ignore[misc]
        elif kind == "array":
            base = list[annotation(schema.items, hint)]  # type: ignore[misc]
        elif kind == "object":
            base = struct(hint, schema)
        else:
            base = Any
        return base | None if schema.nullable else base

    def struct(name: str, schema: Any) -> Any:
        fields: dict[str, Any] = {}
        for f in schema.properties:
            ann = annotation(f.schema, name + f.name)
            default = ... if f.required else None
            if not f.required:
                ann = ann | None
            fields[f.py_name] = (ann, pydantic.Field(default, alias=f.name))
        config = pydantic.ConfigDict(populate_by_name=True, frozen=True)
        return pydantic.create_model(name, __config__=config, **fields)

    def model(name: str) -> Any:
        if name not in built:
            built[name] = struct(ir.model(name).class_name, ir.model(name).schema)
        return built[name]

    envelopes = []
    for type_ in ir.processor("apply_readings").events:
        event = ir.event(type_)
        data_model = model(event.data)
        subject_py = next(f.py_name for f in ir.model(event.data).schema.properties if f.name == event.subject)

        def check_subject(self: Any, _field: str = subject_py) -> Any:
            if self.subject != getattr(self.data, _field):
                raise ValueError("subject must equal the payload's subject field")
            return self

        envelopes.append(pydantic.create_model(
            event.class_name, __config__=pydantic.ConfigDict(frozen=True),
            __validators__={"subject_check": pydantic.model_validator(mode="after")(check_subject)},
            specversion=(Literal["1.0"], ...), id=(Annotated[str, pydantic.Field(min_length=1)], ...),
            source=(Annotated[str, pydantic.Field(min_length=1)], ...), type=(Literal[type_], ...),
            subject=(Annotated[str, pydantic.Field(min_length=1)], ...), data=(data_model, ...),
            time=(pydantic.AwareDatetime | None, None), datacontenttype=(str | None, None),
            dataschema=(str | None, None)))
    union = Annotated[Union[tuple(envelopes)], pydantic.Field(discriminator="type")]  # noqa: UP007
    return {"union": union, "envelopes": envelopes}


def pydantic_path(ir: Any) -> tuple[Callable[[dict[str, Any]], int], Callable[[], list[Any]]]:
    from aws_lambda_powertools.utilities.parser import parse
    from aws_lambda_powertools.utilities.parser.envelopes import KinesisDataStreamEnvelope

    union = pydantic_models(ir)["union"]
    seen: list[Any] = []

    def noop(batch: list[Any]) -> None:
        seen[:] = batch

    def run(event: dict[str, Any]) -> int:
        noop(parse(event=event, model=union, envelope=KinesisDataStreamEnvelope))
        return 0

    return run, lambda: list(seen)


# --- measurements -------------------------------------------------------------------------------

def per_record_us(runs: dict[str, Callable[[dict[str, Any]], int]], event: dict[str, Any],
                  budget_s: float = 3.0) -> dict[str, float]:
    """Best time per record in microseconds for each contender.

    Rounds alternate between the contenders, so a load spike on a shared machine hits both
    alike; each contender's figure is its best round (the least disturbed one).
    """
    n = len(event["Records"])
    loops: dict[str, int] = {}
    for name, run in runs.items():
        assert run(event) == 0, f"{name}: the benchmark batch must decode without failures"
        loops[name] = 1
        while True:  # calibrate: one round takes >= 0.05 s
            t0 = time.perf_counter()
            for _ in range(loops[name]):
                run(event)
            if time.perf_counter() - t0 >= 0.05:
                break
            loops[name] *= 2
    best = dict.fromkeys(runs, float("inf"))
    deadline = time.perf_counter() + budget_s
    while time.perf_counter() < deadline:
        for name, run in runs.items():
            t0 = time.perf_counter()
            for _ in range(loops[name]):
                run(event)
            best[name] = min(best[name], (time.perf_counter() - t0) / (loops[name] * n))
    return {name: value * 1e6 for name, value in best.items()}


IMPORT_SCRIPT = """
import sys, time
t = time.perf_counter()
import {module}
elapsed = time.perf_counter() - t
assert "boto3" not in sys.modules, "boto3 was imported"
print(elapsed * 1000)
"""


def cold_import_ms(module: str, runs: int, *, from_source: bool) -> list[float]:
    """Import `module` in `runs` fresh interpreters; milliseconds each.

    Bytecode lives in a private cache (PYTHONPYCACHEPREFIX), warmed by one import first. With
    `from_source`, the generated package and handwritten/ are left out of that cache, as in a
    Lambda zip (which carries no .pyc): they are compiled at every import; dependencies and
    the standard library keep their bytecode (the Lambda runtime ships the stdlib compiled).
    """
    times = []
    with tempfile.TemporaryDirectory() as prefix:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PYTHON), str(ROOT)]),
               "PYTHONPYCACHEPREFIX": prefix}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        script = IMPORT_SCRIPT.format(module=module)
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True, cwd=ROOT)
        if from_source:
            for ours in (PYTHON, ROOT / "handwritten"):
                shutil.rmtree(Path(prefix + str(ours.resolve())), ignore_errors=True)
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        for _ in range(runs):
            out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                 check=True, cwd=ROOT)
            times.append(float(out.stdout.strip()))
    return times


def same_results(a: list[Any], b: list[Any]) -> None:
    """Both sides decoded the same events with the same values."""
    assert len(a) == len(b) and a, (len(a), len(b))
    for x, y in zip(a, b, strict=True):
        assert (x.id, type(x).__name__, x.data.device_id, x.data.time) == (y.id, type(y).__name__,
                                                                           y.data.device_id, y.data.time)
        if hasattr(x.data, "temperature"):
            assert x.data.temperature == y.data.temperature and x.data.humidity == y.data.humidity


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100, help="records per Kinesis batch")
    parser.add_argument("--imports", type=int, default=15, help="fresh interpreters per import figure")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    from generator import pipeline

    ir, diags = pipeline.validate(ROOT)
    assert ir is not None, [d.render() for d in diags]
    event = sample_event(args.records)
    gen_run, gen_seen = generated_path()
    pyd_run, pyd_seen = pydantic_path(ir)
    gen_run(event)
    pyd_run(event)
    same_results(gen_seen(), pyd_seen())

    timings = per_record_us({"generated": gen_run, "pydantic": pyd_run}, event)
    gen_us, pyd_us = timings["generated"], timings["pydantic"]
    speedup = pyd_us / gen_us
    cached = cold_import_ms("fleet.entry.apply_readings", args.imports, from_source=False)
    source = cold_import_ms("fleet.entry.apply_readings", args.imports, from_source=True)
    peer = cold_import_ms("aws_lambda_powertools.utilities.parser.envelopes", max(5, args.imports // 3),
                          from_source=False)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), batch of {args.records} records "
          "(3/4 reading.recorded, 1/4 device.heartbeat)")
    print("| measurement | result |")
    print("| --- | --- |")
    print(f"| generated entry module (msgspec), per record | {gen_us:.2f} µs |")
    print(f"| pydantic via Powertools parser + KinesisDataStreamEnvelope, per record | {pyd_us:.2f} µs |")
    print(f"| speed-up (target >= {TARGET_SPEEDUP:g}x) | {speedup:.1f}x |")
    print(f"| cold import of fleet.entry.apply_readings (fresh interpreter, bytecode cached): "
          f"median (min) (target <= {TARGET_IMPORT_MS:g} ms) | {statistics.median(cached):.1f} ms "
          f"({min(cached):.1f} ms) |")
    print(f"| same, generated + handwritten compiled from source (the Lambda zip has no .pyc): "
          f"median (min) | {statistics.median(source):.1f} ms ({min(source):.1f} ms) |")
    print(f"| for comparison: import of Powertools' parser envelopes (pydantic), cached: median | "
          f"{statistics.median(peer):.1f} ms |")
    ok = speedup >= TARGET_SPEEDUP and statistics.median(cached) <= TARGET_IMPORT_MS
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
