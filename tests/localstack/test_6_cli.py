"""`gen dev` as a user runs it: a subprocess that prints `ready: URL`, serves, and stops cleanly on
SIGTERM or Ctrl-C; and that refuses, with exit code 2 and one clear line, to run a project whose
generated/ is missing, stale or edited, or a port that is taken.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import write_tree
from tests.localstack.support import REPO

pytestmark = pytest.mark.slow
GEN = [sys.executable, "-m", "generator"] if not (REPO / ".venv/bin/gen").exists() else [
    str(REPO / ".venv/bin/gen")]


def _gen(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GEN, *args], capture_output=True, text=True, timeout=timeout, cwd=REPO)


def _ready_line(process: subprocess.Popen[str], timeout: float) -> tuple[str, list[str]]:
    """Read stdout (from a thread: a pipe read cannot time out) until `ready: URL`."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if line.startswith("ready: "):
            return line.removeprefix("ready: ").strip(), seen
    process.kill()
    raise AssertionError(f"no ready line within {timeout} s: {seen}")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_gen_dev_serves_and_stops_cleanly(stop: signal.Signals) -> None:
    process = subprocess.Popen([*GEN, "-C", str(REPO), "dev", "--port", "0"], cwd=REPO, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url, lines = _ready_line(process, timeout=15)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        banner = "\n".join(lines)
        assert "Authorization: Bearer" in banner and "alg" in banner, "the local token form is documented"
        assert "/_local/schedules/mark_offline/fire" in banner
        with urllib.request.urlopen(url + "/config.json", timeout=5) as answer:
            assert json.loads(answer.read()) == {
                    "apiUrl": "/api", "auth": "local", "localAuth": True,
                    "localSigning": {"accessKeyId": "testing", "secretAccessKey": "testing", "region": "us-east-1"}}
        with urllib.request.urlopen(url + "/api/devices/dev-001", timeout=5) as answer:
            assert json.loads(answer.read())["deviceId"] == "dev-001"
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "stopped" in stderr
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/config.json", timeout=2)


def test_gen_dev_refuses_a_project_that_was_never_built(shop: Path) -> None:
    result = _gen("-C", str(shop), "dev", "--port", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "run `gen build`" in result.stderr
    assert result.stderr.count("\n") <= 2, result.stderr


def test_gen_dev_refuses_stale_or_edited_output(shop: Path) -> None:
    assert _gen("-C", str(shop), "build").returncode == 0
    seed = (shop / "spec/seed/orders.yaml").read_text()
    write_tree(shop, {"spec/seed/orders.yaml": seed + "- {orderId: o-new, status: placed, total: 1}\n"})
    stale = _gen("-C", str(shop), "dev", "--port", "0")
    assert stale.returncode == 2, stale.stderr
    assert "out of date" in stale.stderr and "run `gen build`" in stale.stderr
    assert "Traceback" not in stale.stderr
    assert _gen("-C", str(shop), "build").returncode == 0
    generated = next(p for p in sorted((shop / "generated").rglob("*.json")) if p.name != ".gen-manifest.json")
    generated.write_text(generated.read_text() + " ")
    edited = _gen("-C", str(shop), "dev", "--port", "0")
    assert edited.returncode == 2
    assert "edited by hand" in edited.stderr and "Traceback" not in edited.stderr


def test_gen_dev_refuses_a_taken_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = _gen("-C", str(REPO), "dev", "--port", str(port))
    assert result.returncode == 2
    assert f"127.0.0.1:{port} is already in use" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 10


def test_gen_dev_usage_errors_are_exit_2() -> None:
    result = _gen("dev", "--port", "not-a-number")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    env_result = subprocess.run([*GEN, "dev", "--help"], capture_output=True, text=True, timeout=30,
                                env={**os.environ}, cwd=REPO)
    assert env_result.returncode == 0 and "--port" in env_result.stdout
