"""What a replay selects and what it does with a record the processor raises on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.replay.conftest import POISON_ENV, World
from tests.replay.test_round_trip import counts

pytestmark = pytest.mark.slow


def test_types_and_since_select_the_events_replayed(world: World, tmp_path: Path) -> None:
    table = world.readings_table
    world.wipe(table)
    since = world.readings[5 * len(world.devices)]["time"]  # the 6th reading of each device
    done = world.replay(*world.rebuild_args(tmp_path / "cp.json", "--type", "reading.recorded",
                                            "--since", since),
                        where=("--dev-url", world.stack.url))  # found through gen dev's status
    assert done.returncode == 0, done.stdout + done.stderr
    seen = counts(done.stdout)
    wanted = [item for item in world.expected if item["time"]["S"] >= since]
    assert len(wanted) == 5 * len(world.devices)
    assert seen["applied"] == len(wanted)
    # in the window but not replayed: the heartbeats (--type) and the registrations (not its type)
    assert seen["skipped"] == 2 * len(world.devices)
    assert f"({len(world.readings) - len(wanted)} outside the window)" in done.stdout
    assert world.posted(world.items(table)) == wanted


def test_a_record_the_processor_raises_on_is_failed_and_the_rest_applied(
    world: World, tmp_path: Path
) -> None:
    table = world.readings_table
    world.wipe(table)
    poison = world.readings[7]
    checkpoint = tmp_path / "cp.json"
    done = world.replay(*world.rebuild_args(checkpoint), env={POISON_ENV: poison["id"]})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    seen = counts(done.stdout)
    assert seen["failed"] == 1
    assert seen["applied"] == len(world.readings) + len(world.heartbeats) - 1
    lines = (tmp_path / "cp.json.failed.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    failed = json.loads(lines[0])
    assert failed["event"]["id"] == poison["id"]
    assert "poison event" in failed["error"] and failed["condition"] == "RetryAttemptsExhausted"
    assert failed["object"].startswith("telemetry/year=")
    key = (poison["data"]["deviceId"], poison["time"])
    assert world.posted(world.items(table)) == [
        item for item in world.expected if (item["deviceId"]["S"], item["time"]["S"]) != key
    ]
