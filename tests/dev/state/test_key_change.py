"""A table whose key changed since the last run: its old items stay out, are kept aside, and
the stack starts (never crashes), seeding the new table. Removed tables' items are kept aside too.

The last run's state is written by hand here: a snapshot whose ``devices`` table was keyed on
``serial`` and which had a table the spec no longer has, plus a journaled write to it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from generator.dev.freshness import check_generated
from generator.dev.local_aws.resources import local_names
from generator.dev.stack import start_stack
from generator.dev.state.journal import Journal
from tests.conftest import REPO
from tests.localstack.support import Http

pytestmark = pytest.mark.slow


def test_old_items_of_a_rekeyed_or_removed_table_are_kept_out_and_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    names = local_names(check_generated(REPO))
    devices = names.tables["devices"]
    gone = f"{names.prefix}-old-table"
    state = tmp_path / "state"
    (state / "journal").mkdir(parents=True)
    old_item = {"serial": {"S": "ser-1"}, "deviceId": {"S": "dev-orphan"}, "siteId": {"S": "x"}}
    lines = [
        {"k": "meta", "version": 1, "journal_from": 2},
        {"k": "header", "version": 1, "tables": {devices: [["serial", "S"]], gone: [["id", "S"]]}},
        {"k": "item", "table": devices, "item": old_item},
        {"k": "item", "table": gone, "item": {"id": {"S": "a"}}},
    ]
    (state / "snapshot.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    journaled = Journal(state / "journal", 2)
    body = json.dumps({"TableName": devices, "Item": {**old_item, "serial": {"S": "ser-2"}}})
    journaled.append({"k": "aws", "ts": 0, "m": "POST", "t": "/", "b": body, "h": [
        ["X-Amz-Target", "DynamoDB_20120810.PutItem"],
        ["Content-Type", "application/x-amz-json-1.0"],
        ["Authorization", "AWS4-HMAC-SHA256 Credential=t/20200101/us-east-1/dynamodb/aws4_request, "
                          "SignedHeaders=host, Signature=0"]]})
    journaled.close()

    with caplog.at_level(logging.WARNING):
        stack = start_stack(REPO, port=0, state=state)
    try:
        assert stack.seeded.get(devices), "the re-keyed table starts from the seed"
        http = Http(stack.url)
        assert http.get("/api/devices/dev-orphan").status == 404
        assert http.get("/api/devices/dev-001").status == 200
    finally:
        stack.stop()
    text = caplog.text
    assert f"table {devices}'s key changed (serial S -> deviceId S)" in text
    assert f"table {gone} is no longer in the spec" in text
    orphans = {p.name.split("-", 1)[1]: p.read_text().splitlines() for p in (state / "orphans").iterdir()}
    assert [json.loads(x) for x in orphans[f"{devices}.jsonl"]] == [
        {"item": old_item}, {"request": {"PutItem": json.loads(body)}}]
    assert [json.loads(x) for x in orphans[f"{gone}.jsonl"]] == [{"item": {"id": {"S": "a"}}}]
