"""`gen dev` runs every schedule once at start-up, so the seed obeys the schedules' rules at once.

The reference seed has devices `online` whose `lastSeen` is days old; before, they showed
"Online, last seen last week" until mark_offline first fired (5 minutes later).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest

from generator.dev.stack import start_stack
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def test_the_seed_is_consistent_with_mark_offline_when_the_stack_starts() -> None:
    import yaml

    from handwritten.fleet_rules import OFFLINE_AFTER

    started = dt.datetime.now(dt.UTC)
    stack = start_stack(REPO, port=0, run_schedules=True)
    try:
        seeded = yaml.safe_load((REPO / "spec/seed/devices.yaml").read_text())
        stale = 0
        for device in seeded:
            served = _get(f"{stack.api_url}/devices/{device['deviceId']}")
            assert isinstance(served, dict)
            seen = dt.datetime.fromisoformat(device["lastSeen"].replace("Z", "+00:00")) if device.get("lastSeen") else None
            silent = device["status"] == "online" and (seen is None or seen < started - OFFLINE_AFTER)
            stale += silent
            assert served["status"] == ("offline" if silent else device["status"]), device["deviceId"]
        assert stale >= 3, "the reference seed has online devices last seen long ago"
        status = _get(f"{stack.url}/_local/status")
        assert isinstance(status, dict)
        schedules = {s["name"]: s for s in status["schedules"]}
        assert schedules["mark_offline"]["runs"] == 1 and schedules["mark_offline"]["failures"] == 0
    finally:
        stack.stop()


def test_without_run_schedules_the_seed_is_served_as_written() -> None:
    stack = start_stack(REPO, port=0)
    try:
        served = _get(f"{stack.api_url}/devices/dev-001")
        assert isinstance(served, dict) and served["status"] == "online"
    finally:
        stack.stop()
