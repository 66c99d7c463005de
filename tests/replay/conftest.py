"""The replay round trip's world: gen dev on a copy of the reference project, with events
posted through its API (signed, as a producer sends them), processed, and archived to the lake.

The copy's `apply_readings` raises on the event whose id is in ``REPLAY_TEST_POISON`` (unset in
this process, so gen dev applies everything; a replay run with it set meets a poison record).
`gen replay` runs as a user runs it: the CLI in a child process, against the stack's moto.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.dev.local_aws.resources import LOCAL_STAGE
from generator.dev.stack import RunningStack, start_stack
from generator.seeding import load_seed_file
from tests.localstack.support import (
    REPO,
    Http,
    aws_client,
    drain,
    envelope,
    now_iso,
    reading,
    registered,
    unique,
)

POISON_ENV = "REPLAY_TEST_POISON"
_POISON_HOOK = '''    """Store the batch's readings and move each device's state forward."""
    import os

    poison = os.environ.get("REPLAY_TEST_POISON")
    if poison and any(event.id == poison for event in batch):
        raise ValueError(f"poison event {poison}")
'''


@dataclass
class World:
    root: Path
    stack: RunningStack
    dynamodb: Any
    devices: list[str]
    readings: list[dict[str, Any]]  # the reading.recorded events posted, in order
    heartbeats: list[dict[str, Any]]
    expected: list[dict[str, Any]]  # the readings table's items of `devices` once gen dev applied them
    snapshot: list[dict[str, Any]]  # the whole readings table then (the seed's items too)

    @property
    def readings_table(self) -> str:
        return self.stack.names.tables["readings"]

    def replay(self, *args: str, env: dict[str, str] | None = None,
               where: tuple[str, ...] | None = None) -> subprocess.CompletedProcess[str]:
        """`gen replay` in a child process, against this stack's moto (or `where`)."""
        where = where if where is not None else ("--endpoint-url", self.stack.aws_endpoint)
        return subprocess.run(
            [sys.executable, "-m", "generator", "-C", str(self.root), "replay", *where, *args],
            capture_output=True, text=True, timeout=300,
            env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        )

    def rebuild_args(self, checkpoint: Path, *args: str) -> tuple[str, ...]:
        return ("--processor", "apply_readings", "--reapply", "--checkpoint", str(checkpoint), *args)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "generator", "-C", str(self.root), "replay",
             "--endpoint-url", self.stack.aws_endpoint, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )

    def items(self, table: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=table):
            items.extend(page["Items"])
        return sorted(items, key=lambda i: (i["deviceId"]["S"], i["time"]["S"]))

    def wipe(self, table: str) -> None:
        for item in self.items(table):
            self.dynamodb.delete_item(TableName=table, Key={k: item[k] for k in ("deviceId", "time")})
        assert self.items(table) == []

    def reseed(self) -> None:
        """What `gen seed` loads: the items no event made (the lake cannot bring them back)."""
        load_seed_file(self.root, stage=LOCAL_STAGE, client=self.dynamodb)

    def posted(self, table_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items of the devices this world's events are about."""
        return [i for i in table_items if i["deviceId"]["S"] in self.devices]


def _copy_project(target: Path) -> Path:
    for part in ("spec", "generated", "handwritten"):
        shutil.copytree(REPO / part, target / part,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    module = target / "handwritten" / "processors" / "apply_readings.py"
    text = module.read_text(encoding="utf-8")
    docstring = '    """Store the batch\'s readings and move each device\'s state forward."""\n'
    assert docstring in text
    module.write_text(text.replace(docstring, _POISON_HOOK, 1), encoding="utf-8")
    return target


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = _copy_project(tmp_path_factory.mktemp("replay") / "project")
    stack = start_stack(root, "127.0.0.1", 0, log_level="WARNING")
    try:
        http = Http(stack.url)
        devices = [unique("replay-dev") for _ in range(3)]
        answer = http.post("/api/events", body=[registered(d, "site-replay") for d in devices])
        assert answer.status == 202, answer.text
        assert drain(http, 20)
        readings = [reading(d, now_iso(-3600 + 60 * i), 20.0 + i) for i in range(10) for d in devices]
        heartbeats = [envelope("device.heartbeat", d, {"deviceId": d, "time": now_iso(-60)})
                      for d in devices]
        answer = http.post("/api/events", body=readings + heartbeats)
        assert answer.status == 202, answer.text
        assert drain(http, 20)
        assert http.post("/_local/archives/flush").status == 200
        world = World(root, stack, aws_client("dynamodb", stack.aws_endpoint, stack.region),
                      devices, readings, heartbeats, [], [])
        world.snapshot = world.items(world.readings_table)
        world.expected = world.posted(world.snapshot)
        assert len(world.expected) == len(readings)
        yield world
    finally:
        stack.stop()
