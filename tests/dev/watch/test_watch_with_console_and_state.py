"""A reload (`gen dev --watch`) keeps the other parts of gen dev whole: the console traces the new
gateway and observes the new pollers under their processors' names, and `--state` keeps what
the reload added (a table created by a save survives a restart with its items)."""

from __future__ import annotations

from pathlib import Path

import boto3

from generator.dev.stack import start_stack
from generator.dev.watch import Watcher
from tests.dev.watch.support import add_customers, edit, get, place_order
from tests.dev.watch.test_watch_reload import Running


def test_the_console_follows_a_reload(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    edit(demo / "spec/model.yaml", "    batch_size: 100",
         "    batch_size: 100\n  audit_orders:\n    on: [order.placed]\n    reads: [orders]")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", printed
    place_order(stack, "o-traced", 4)
    events = get(f"{stack.url}/_local/events?stream=events")[1]
    records = events["events"] if isinstance(events, dict) else events
    processors = {r["processor"] for r in records if r.get("partitionKey", r.get("partition_key")) == "o-traced"}
    assert {"apply_orders", "audit_orders"} <= processors, records
    # the gateway swapped in by the reload reports to the console as the first one did
    assert get(f"{stack.api_url}/orders/o-traced")[0] == 200
    traces = get(f"{stack.url}/_local/requests")[1]
    listed = traces["requests"] if isinstance(traces, dict) else traces
    assert any("/orders/o-traced" in str(t) for t in listed), listed


def test_state_keeps_a_table_a_reload_added(demo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    stack = start_stack(demo, port=0, state=state)
    try:
        watcher = Watcher(stack, demo, lambda line: None)
        add_customers(demo)
        outcome = watcher.poll()
        assert outcome is not None and outcome.state == "reloaded"
        dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint, region_name=stack.region,
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        dynamodb.put_item(TableName=stack.names.tables["customers"],
                          Item={"customerId": {"S": "c-added"}, "name": {"S": "Grace"}})
    finally:
        stack.stop()
    again = start_stack(demo, port=0, state=state)
    try:
        status, item = get(f"{again.api_url}/customers/c-added")
        assert status == 200 and item["name"] == "Grace", item
    finally:
        again.stop()
