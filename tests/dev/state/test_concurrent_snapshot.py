"""Snapshots taken while writes run: after a restart from the last snapshot plus the journal,
a counter incremented by concurrent UpdateItem ADDs is exact -- no increment lost, none applied
twice (a write is either in the snapshot or in the journal after it, never both).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from generator.dev.stack import start_stack
from generator.dev.state.persistence import Persistence
from tests.localstack.support import REPO, aws_client

pytestmark = pytest.mark.slow
THREADS, EACH = 4, 60


def test_a_counter_is_exact_across_snapshots_taken_under_concurrent_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    running: list[Persistence] = []
    original_start = Persistence.start

    def start(self: Persistence) -> None:
        running.append(self)
        original_start(self)

    monkeypatch.setattr(Persistence, "start", start)
    stack = start_stack(REPO, port=0, state=state)
    try:
        table = stack.names.tables["devices"]
        key = {"deviceId": {"S": "dev-counter"}}

        def add(client: Any) -> None:
            for _ in range(EACH):
                client.update_item(TableName=table, Key=key, UpdateExpression="ADD n :one",
                                   ExpressionAttributeValues={":one": {"N": "1"}})

        threads = [threading.Thread(target=add, args=(aws_client("dynamodb", stack.aws_endpoint,
                                                                  stack.region),))
                   for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        snapshots = 0
        while any(t.is_alive() for t in threads) or snapshots < 2:
            running[0].snapshot()
            snapshots += 1
        for thread in threads:
            thread.join()
        monkeypatch.setattr(Persistence, "snapshot", lambda self: {})  # stop as a crash would
    finally:
        stack.stop()
        monkeypatch.undo()

    again = start_stack(REPO, port=0, state=state)
    try:
        dynamodb = aws_client("dynamodb", again.aws_endpoint, again.region)
        item = dynamodb.get_item(TableName=again.names.tables["devices"], Key=key)["Item"]
        assert item["n"] == {"N": str(THREADS * EACH)}
    finally:
        again.stop()
