"""`kill -9` of a `gen dev --state DIR`, then a restart: what was acknowledged survives.

A real `gen dev` subprocess ingests and processes events, holds some acknowledged records
unprocessed (pollers stopped), and is killed with SIGKILL once the journal holds those writes
(the test polls the journal for them; it asserts on data, never on timing). A stack started on
the same DIR serves the processed items and processes the held records. While the first
`gen dev` runs, a second one on the same DIR is refused with exit code 2 and one line.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.dev.stack import start_stack
from generator.dev.state import journal
from tests.localstack.support import REPO, Http, aws_client, drain, now_iso, reading, registered, unique
from tests.localstack.test_6_cli import _ready_line

pytestmark = pytest.mark.slow
GEN = [sys.executable, "-m", "generator"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _journaled(state: Path, needle: str) -> bool:
    """Does the journal hold a write whose body (or Kinesis record data) names `needle`?"""
    for entry in journal.read(state / "journal", 0):
        body = str(entry.get("b", ""))
        texts = [body]
        if '"Records"' in body or '"Data"' in body:
            request = json.loads(body)
            for record in request.get("Records", [request]):
                if "Data" in record:
                    texts.append(base64.b64decode(record["Data"]).decode("utf-8", "replace"))
        if any(needle in text for text in texts):
            return True
    return False


def _wait_for(probe: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the journal never held the writes"
        time.sleep(0.05)


def _start_gen_dev(state: Path) -> subprocess.Popen[str]:
    """`gen dev --state STATE` on a free port, as a child process this test can `kill -9`."""
    return subprocess.Popen([*GEN, "-C", str(REPO), "dev", "--port", "0", "--state", str(state)],
                            cwd=REPO, text=True, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_after_kill_9_acknowledged_writes_survive_and_held_records_are_processed(tmp_path: Path) -> None:
    state = tmp_path / "state"
    device = unique("dev")
    process = _start_gen_dev(state)
    try:
        url, banner = _ready_line(process, timeout=60)
        assert any(line.strip().startswith("state") and str(state) in line for line in banner)
        http = Http(url)
        assert http.post("/api/events", body=[registered(device, "site-k")]).status == 202
        assert drain(http, 20)
        assert http.post("/api/events", body=[reading(device, now_iso(-50), 11.5)]).status == 202
        assert drain(http, 20)
        assert http.post("/_local/pollers/stop").status == 200
        held = reading(device, now_iso(-20), 12.5)
        assert http.post("/api/events", body=[held]).status == 202

        refused = subprocess.run([*GEN, "-C", str(REPO), "dev", "--port", "0", "--state", str(state)],
                                 cwd=REPO, text=True, env=_env(), capture_output=True, timeout=60)
        assert refused.returncode == 2
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and "another gen dev" in lines[0] and str(process.pid) in lines[0]

        _wait_for(lambda: _journaled(state, held["id"]))  # the held record's PutRecords
        _wait_for(lambda: _journaled(state, "11.5"))  # the processed reading's table write
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    stack = start_stack(REPO, port=0, state=state)
    try:
        http = Http(stack.url)
        assert drain(http, 20)
        temperatures = sorted(r["temperature"] for r in http.get(
            f"/api/devices/{device}/readings").json["items"])
        assert temperatures == [11.5, 12.5]
        assert stack.workers.pollers["apply_readings"].stats().records_in == 1
    finally:
        stack.stop()


def test_after_kill_9_writes_from_another_process_survive(tmp_path: Path) -> None:
    """A write made through moto's port by another process (here: this test, with a boto3
    session gen dev's in-process hook does not answer) is journaled like gen dev's own, so
    `kill -9` loses none that were answered."""
    import boto3

    state = tmp_path / "state"
    site = unique("site")
    process = _start_gen_dev(state)
    try:
        url, _ = _ready_line(process, timeout=60)
        aws = Http(url).get("/_local/status").json["aws"]
        dynamodb = boto3.session.Session().client(
            "dynamodb", endpoint_url=aws["endpoint"], region_name=aws["region"],
            aws_access_key_id="testing", aws_secret_access_key="testing")
        table = next(t for t in dynamodb.list_tables()["TableNames"] if t.endswith("-sites"))
        dynamodb.put_item(TableName=table, Item={"siteId": {"S": site}, "name": {"S": "from the CLI"},
                                                 "timezone": {"S": "UTC"}})
        _wait_for(lambda: _journaled(state, site))
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)

    stack = start_stack(REPO, port=0, state=state)
    try:
        item = aws_client("dynamodb", stack.aws_endpoint, stack.region).get_item(
            TableName=stack.names.tables["sites"], Key={"siteId": {"S": site}}).get("Item")
        assert item is not None and item["name"] == {"S": "from the CLI"}
    finally:
        stack.stop()
