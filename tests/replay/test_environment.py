"""Usage and environment errors: exit 2 and one clear line (and a hint), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator.errors import UsageError
from generator.replay.run import ReplayOptions, replay

from tests.localstack.support import REPO


def gen_replay(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "-C", str(REPO), "replay", *args],
        capture_output=True, text=True, timeout=120,
        env={**(env if env is not None else os.environ), "PYTHONPATH": str(REPO)},
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("  hint:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.slow  # botocore gives a refused connection a few seconds
def test_a_dead_endpoint() -> None:
    line = one_line(gen_replay("--processor", "apply_readings", "--endpoint-url", "http://127.0.0.1:9"))
    assert "cannot reach" in line


def test_no_gen_dev_running() -> None:
    line = one_line(gen_replay("--processor", "apply_readings", "--dev-url", "http://127.0.0.1:9"))
    assert "cannot reach gen dev at http://127.0.0.1:9" in line


def test_a_stage_without_credentials(tmp_path: object) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
               AWS_EC2_METADATA_DISABLED="true", AWS_REGION="us-east-1")
    line = one_line(gen_replay("--processor", "apply_readings", "--stage", "prod", env=env))
    assert "no AWS credentials" in line


def test_a_usage_error_on_the_command_line() -> None:
    assert "no stream processor" in one_line(gen_replay("--processor", "mark_offline"))


@pytest.mark.parametrize(("options", "says"), [
    (ReplayOptions("mark_offline"), "no stream processor"),
    (ReplayOptions("nothing"), "stream processors: apply_readings, register_devices"),
    (ReplayOptions("apply_readings", types=("device.registered",)), "does not handle"),
    (ReplayOptions("apply_readings", since="yesterday"), "neither an ISO 8601 time nor an age"),
    (ReplayOptions("apply_readings", since="1h", until="2h"), "the window is empty"),
    (ReplayOptions("apply_readings", rate=0), "must be positive"),
])
def test_usage_errors(options: ReplayOptions, says: str) -> None:
    with pytest.raises(UsageError) as raised:
        replay(REPO, options)
    assert says in raised.value.message + (raised.value.hint or "")
