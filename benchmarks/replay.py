"""Benchmark of `gen replay` beside the pipeline it replays, on the reference system.

    .venv/bin/python benchmarks/replay.py [--events 2000] [--out FILE]

A `start_stack` in this process (gen dev); 100 devices registered; `--events` readings posted
in batches of 100 and processed by gen dev's poller: the time from the first POST until the
pipeline is drained is the baseline. Then the archive is flushed to the lake, the readings
table is wiped of them, and `gen replay` runs as a user runs it (the CLI, a child process,
over HTTP to the stack's moto), three times:
1. `--reapply`: the rebuild (idempotency records deleted, every reading applied again);
2. plain: every event already applied (the idempotency lookups, nothing written);
3. `--reapply --dry-run`: the same rebuild against a private copy (a moto child process and a
   copy of the tables), writing nothing.
For each: wall time of the command, the replay's own time (its summary: after start-up), and
both as a ratio to gen dev's processing time for the same events. Prints Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.local_stack import DEVICES, Client, Events, _drain, _post, _time  # noqa: E402
from generator.dev.stack import start_stack  # noqa: E402


def _wipe(stack: object, dynamodb: object, table: str) -> int:
    removed = 0
    paginator = dynamodb.get_paginator("scan")  # type: ignore[attr-defined]
    for page in paginator.paginate(TableName=table):
        keys = [{"deviceId": i["deviceId"], "time": i["time"]} for i in page["Items"]
                if i["deviceId"]["S"].startswith("bench-")]
        for start in range(0, len(keys), 25):
            dynamodb.batch_write_item(RequestItems={  # type: ignore[attr-defined]
                table: [{"DeleteRequest": {"Key": k}} for k in keys[start:start + 25]]})
        removed += len(keys)
    return removed


def _replay(endpoint: str, checkpoint: Path, *extra: str) -> tuple[float, float, str]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(ROOT), "replay", "--endpoint-url", endpoint,
         "--processor", "apply_readings", "--type", "reading.recorded", "--restart",
         "--checkpoint", str(checkpoint), *extra],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"gen replay {' '.join(extra)} failed: {done.stdout}{done.stderr}")
    own = re.search(r"bisections, ([\d.]+) s", done.stdout)
    counts = re.search(r"applied \d+, duplicates \d+", done.stdout)
    assert own and counts, done.stdout
    return wall, float(own.group(1)), counts.group(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    stack = start_stack(ROOT, "127.0.0.1", 0, log_level="ERROR")
    try:
        client = Client(stack.url)
        _post(client, [{
            "specversion": "1.0", "id": f"reg-{os.getpid()}-{d}", "source": "benchmark",
            "type": "device.registered", "subject": f"bench-{d:03d}", "time": _time(0),
            "data": {"deviceId": f"bench-{d:03d}", "siteId": "site-zrh", "name": f"Bench {d}",
                     "model": "TH-200"},
        } for d in range(DEVICES)])
        _drain(client)
        events = Events()
        began = time.perf_counter()
        for _ in range(args.events // 100):
            _post(client, events.batch())
        _drain(client)
        pipeline = time.perf_counter() - began
        client.call("POST", "/_local/archives/flush")
        import boto3

        dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint, region_name=stack.region,
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        table = stack.names.tables["readings"]
        rows = []
        with tempfile.TemporaryDirectory() as scratch:
            checkpoint = Path(scratch) / "cp.json"
            for label, extra in (("rebuild (`--reapply`)", ("--reapply",)),
                                 ("all duplicates (plain)", ()),
                                 ("dry run (`--reapply --dry-run`)", ("--reapply", "--dry-run"))):
                if extra and extra[0] == "--reapply" and "--dry-run" not in extra:
                    assert _wipe(stack, dynamodb, table) == events.n
                wall, own, counts = _replay(stack.aws_endpoint, checkpoint, *extra)
                rows.append(f"| {label} | {wall:.1f} s | {own:.1f} s | {own / pipeline:.2f}x "
                            f"| {events.n / own:,.0f} | {counts} |")
        report = "\n".join([
            f"`benchmarks/replay.py --events {args.events}` ({platform.python_version()}, "
            f"{os.cpu_count()} CPUs, shared machine): gen dev processed {events.n} readings "
            f"(posted in batches of 100) in {pipeline:.1f} s ({events.n / pipeline:,.0f}/s).",
            "",
            "| replay of the same readings | command wall | replay's own time | ratio to gen dev "
            "| readings/s | outcome |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
        ])
        print(report)
        if args.out:
            args.out.write_text(report + "\n", encoding="utf-8")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
