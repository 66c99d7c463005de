"""`gen dev --watch` as a user runs it: a subprocess on a copy of a `gen init` project, edited
while it serves (a new table and operation, a processor's code, a broken spec), then Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import REPO
from tests.dev.watch.support import add_customers, edit, get

pytestmark = pytest.mark.slow


class Output:
    """The subprocess's stdout and stderr lines, read by a thread (a pipe read cannot time out)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        stdout = process.stdout
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(line.rstrip("\n")) for line in stdout],
                         daemon=True).start()

    def wait_for(self, prefix: str, timeout: float = 60, containing: str = "") -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line starting {prefix!r}; saw:\n" + "\n".join(self.seen)) from None
            self.seen.append(line)
            if line.startswith(prefix) and containing in line:
                return line


def _post_order(api: str, order_id: str) -> None:
    event = {"specversion": "1.0", "id": uuid.uuid4().hex, "source": "tests/watch", "type": "order.placed",
             "time": "2026-01-01T00:00:00Z", "subject": order_id, "data": {"orderId": order_id, "total": 3}}
    request = AWSRequest(method="POST", url=f"{api}/events", data=json.dumps([event]).encode(),
                         headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("testing", "testing"), "execute-api", "us-east-1").add_auth(request)
    call = urllib.request.Request(request.url, data=request.body, method="POST", headers=dict(request.headers))
    with urllib.request.urlopen(call, timeout=10) as answer:
        assert answer.status == 202


def _eventually(url: str, expect: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (answer := get(url)) != expect:
        assert time.monotonic() < deadline, answer
        time.sleep(0.1)


def test_gen_dev_watch_reloads_on_save_and_stops_on_ctrl_c(demo: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-m", "generator", "-C", str(demo), "dev", "--watch", "--port", "0"],
                               cwd=demo, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = Output(process)
    try:
        url = out.wait_for("ready: ").removeprefix("ready: ")
        assert any(line.startswith("watching spec/ and handwritten/") for line in out.seen)
        api = f"{url}/api"
        assert get(f"{api}/orders/o-1")[0] == 200

        add_customers(demo)  # three files: a poll between two writes may see a spec half saved
        out.wait_for("reload: ", containing="reloaded")
        assert get(f"{api}/customers/c-1") == (200, {"customerId": "c-1", "name": "Ada"})

        edit(demo / "handwritten/processors/apply_orders.py", 'status="placed"', 'status="shipped"')
        assert "processors reloaded" in out.wait_for("reload: handwritten/processors/apply_orders.py")
        _post_order(api, "o-new")
        _eventually(f"{api}/orders/o-new", (200, {"orderId": "o-new", "status": "shipped", "total": 3}))

        edit(demo / "spec/model.yaml", "name: demo", "name: demo\nbogus: 1")
        assert "the spec is invalid" in out.wait_for("reload: spec/model.yaml")
        assert "error[" in out.wait_for("spec/model.yaml:")
        assert get(f"{url}/_local/status")[1]["reload"]["errors"][0]["file"] == "spec/model.yaml"
        assert get(f"{api}/customers/c-1")[0] == 200  # the previous stack still serves

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
