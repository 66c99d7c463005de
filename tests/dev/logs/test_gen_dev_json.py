"""`gen dev --log-format json` as a user runs it: every line on stdout is one JSON object with
time, source, name, level and message; requests, the processors' logs and metrics, and gen dev's
own messages all arrive, and each processor's lines carry only its own keys."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from generator.dev.logsink.records import SOURCES
from tests.localstack.support import INGEST_PATH, REPO, Http, drain, now_iso, reading, registered, unique

pytestmark = pytest.mark.slow


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _ready(lines: queue.Queue[str | None], seen: list[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        message = json.loads(line).get("message", "")
        if message.startswith("ready: "):
            return str(message.removeprefix("ready: "))
    raise AssertionError(f"no ready record within {timeout} s: {seen}")


def test_gen_dev_json_logs_one_object_per_line() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "-C", str(REPO), "dev", "--port", "0", "--log-format", "json"],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []
    pump = threading.Thread(target=_pump, args=(process, lines), daemon=True)
    pump.start()
    try:
        url = _ready(lines, seen, timeout=60)
        http = Http(url)
        devices = [unique("logdev") for _ in range(4)]
        for device in devices:
            events = [registered(device, "site-logs"), reading(device, now_iso(), 21.5)]
            assert http.post(INGEST_PATH, body=events).status == 202
            assert http.get(f"/api/devices/{devices[0]}").status in (200, 404)
        assert drain(http, 30)
        assert http.post("/_local/schedules/mark_offline/fire").status == 200
        process.send_signal(signal.SIGINT)
        # not communicate(): it would read stdout too, racing the pump for the last records
        process.wait(timeout=30)
        assert process.stderr is not None
        stderr = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    pump.join(10)
    while (line := lines.get()) is not None:
        seen.append(line)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr

    records: list[dict[str, Any]] = [json.loads(line) for line in seen]  # every line parses
    for record in records:
        assert record.keys() >= {"time", "source", "name", "level", "message"}, record
        assert record["source"] in SOURCES, record
    access = [r["message"] for r in records if r["source"] == "access"]
    assert access.count("POST /api/events -> 202") == 0  # timings are part of the message
    assert sum(m.startswith("POST /api/events -> 202 (") for m in access) == len(devices)
    functions = [r for r in records if r["source"] == "function"]
    assert {r["name"] for r in functions} >= {"apply_readings", "register_devices", "mark_offline"}
    for record in functions:
        data = record.get("data") or {}
        if "processor" in data:  # a Powertools record or an EMF document: its own processor's
            assert data["processor"] == record["name"], record
    metrics = [r for r in functions if r["name"] == "register_devices" and r["message"].startswith("metrics ")]
    assert sum(r["data"]["DevicesRegistered"][0] for r in metrics) >= len(devices)
    stack = [r["message"] for r in records if r["source"] == "stack"]
    assert any(m.startswith("ready: ") for m in stack) and "gen dev: stopped" in stack
