"""An interrupted replay (Ctrl-C) exits 130 and the same command resumes it: each event once."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.localstack.support import eventually
from tests.replay.conftest import World
from tests.replay.test_round_trip import counts

pytestmark = pytest.mark.slow


def test_interrupted_replay_resumes_and_applies_each_event_once(world: World, tmp_path: Path) -> None:
    table = world.readings_table
    world.wipe(table)
    checkpoint = tmp_path / "cp.json"
    args = world.rebuild_args(checkpoint, "--rate", "6")  # pages of 6 records, 6 per second

    def progressed() -> bool:
        try:
            return json.loads(checkpoint.read_text(encoding="utf-8"))["position"] is not None
        except (OSError, ValueError):
            return False

    first = world.popen(*args)
    eventually(progressed, timeout=60)
    first.send_signal(signal.SIGINT)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 130, out + err
    assert "replay interrupted" in out and "run the same command to resume" in out
    before = counts(out)
    assert 0 < before["read"] < len(world.readings)  # it stopped part of the way

    second = world.replay(*args)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "resumed from the checkpoint" in second.stdout
    after = counts(second.stdout)
    events = len(world.readings) + len(world.heartbeats)
    assert after["duplicates"] == 0
    assert before["applied"] + after["applied"] == events
    assert world.posted(world.items(table)) == world.expected

    # A finished checkpoint does not hold a replay back: it starts over (--rate is not part of
    # what makes it the same replay), and --reapply applies every event again.
    third = world.replay(*world.rebuild_args(checkpoint))
    assert third.returncode == 0, third.stdout + third.stderr
    assert "resumed" not in third.stdout
    assert counts(third.stdout)["applied"] == events
