"""`gen dev --watch`: a save under spec/ or handwritten/ changes the running stack, data kept.

Each test edits its own copy of a `gen init` project and polls the watcher by hand (the thread
only calls the same `poll()` every 100 ms): what is served after the poll is what the save says.
"""

from __future__ import annotations

from pathlib import Path

import boto3

from generator.dev.stack import RunningStack
from generator.dev.watch import Watcher
from tests.dev.watch.support import add_customers, edit, get, place_order

Running = tuple[RunningStack, Watcher, list[str]]


def test_nothing_changed_is_no_reload(running: Running) -> None:
    _, watcher, printed = running
    assert watcher.poll() is None and printed == []


def test_an_added_operation_and_table_are_served_seeded(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    assert get(f"{stack.api_url}/customers/c-1")[0] in (403, 404)  # no such route yet
    add_customers(demo)
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", printed
    assert get(f"{stack.api_url}/customers/c-1") == (200, {"customerId": "c-1", "name": "Ada"})
    assert get(f"{stack.api_url}/customers/c-9")[0] == 404
    assert outcome.created == {stack.names.tables["customers"]: 1}
    assert any("table demo-local-customers created (1 item(s) seeded)" in line for line in printed)
    # the generated/ the stack now serves is what `gen build` writes: nothing stale
    assert (demo / "generated/python/demo/entry").is_dir()
    status = get(f"{stack.url}/_local/status")[1]
    assert status["reload"]["state"] == "reloaded" and status["reload"]["generation"] == 1


def test_data_survives_a_spec_reload_and_only_new_tables_are_seeded(running: Running, demo: Path) -> None:
    stack, watcher, _ = running
    place_order(stack, "o-kept", 5)
    edit(demo / "spec/seed/orders.yaml", "o-2", "o-3")  # an edited seed of an existing table...
    add_customers(demo)
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", outcome.lines()
    assert get(f"{stack.api_url}/orders/o-kept")[0] == 200
    assert get(f"{stack.api_url}/orders/o-2")[0] == 200
    assert get(f"{stack.api_url}/orders/o-3")[0] == 404  # ...is not loaded into it again


def test_an_edited_processor_handles_the_next_event_and_the_data_is_kept(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    place_order(stack, "o-before", 10)
    assert get(f"{stack.api_url}/orders/o-before")[1]["status"] == "placed"
    edit(demo / "handwritten/processors/apply_orders.py", 'status="placed"', 'status="shipped"')
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded" and outcome.reloaded == ["processors"], printed
    place_order(stack, "o-after", 20)
    assert get(f"{stack.api_url}/orders/o-after")[1]["status"] == "shipped"
    # the earlier event was neither lost nor applied again by the new code
    assert get(f"{stack.api_url}/orders/o-before")[1]["status"] == "placed"
    assert get(f"{stack.api_url}/orders/o-1")[0] == 200
    counts = get(f"{stack.url}/_local/status")[1]["processors"]["apply_orders"]["invocations"]
    assert counts["acknowledged"] == 2, counts


def test_a_processor_that_does_not_import_keeps_the_old_one_running(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    edit(demo / "handwritten/processors/apply_orders.py", "def handle(", "def handle(((")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "failed"
    assert "cannot import demo.entry.apply_orders" in outcome.message and "SyntaxError" in outcome.message
    place_order(stack, "o-old-code", 1)
    assert get(f"{stack.api_url}/orders/o-old-code")[1]["status"] == "placed"


def test_an_invalid_spec_keeps_the_old_stack_and_reports_located_errors(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    edit(demo / "spec/model.yaml", "    partition_key: orderId", "    partition_key: orderId\n    sortkey: total")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "invalid"
    assert printed[0].startswith("reload: spec/model.yaml -> the spec is invalid; still serving")
    assert any(line.startswith("spec/model.yaml:8:5: error[") for line in printed), printed
    assert get(f"{stack.api_url}/orders/o-1")[0] == 200
    reload = get(f"{stack.url}/_local/status")[1]["reload"]
    assert reload["state"] == "invalid" and reload["changed"] == ["spec/model.yaml"]
    (error,) = reload["errors"]
    assert (error["file"], error["line"], error["col"]) == ("spec/model.yaml", 8, 5)
    assert "sortkey" in error["message"]
    # fixing it reloads
    edit(demo / "spec/model.yaml", "\n    sortkey: total", "")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded"
    assert get(f"{stack.url}/_local/status")[1]["reload"]["errors"] == []


def _sort_orders_by_status(root: Path) -> None:
    edit(root / "spec/model.yaml", "partition_key: orderId", "partition_key: orderId\n    sort_key: status")
    edit(root / "spec/openapi.yaml", "/orders/{orderId}:", "/orders/{orderId}/{status}:")
    edit(root / "spec/openapi.yaml", "        - {name: orderId, in: path, required: true, schema: {type: string}}",
         "        - {name: orderId, in: path, required: true, schema: {type: string}}\n"
         "        - {name: status, in: path, required: true, schema: {type: string}}")


def test_a_key_change_is_refused_with_its_reason(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    place_order(stack, "o-9", 9)
    _sort_orders_by_status(demo)
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "refused", printed
    assert printed[0].startswith("reload: spec/model.yaml, spec/openapi.yaml -> refused; still serving")
    assert any(line.startswith("spec/model.yaml:") and "error[E-DESTRUCTIVE]" in line and "orders" in line
               for line in printed), printed
    assert get(f"{stack.api_url}/orders/o-9")[0] == 200
    assert get(f"{stack.url}/_local/status")[1]["reload"]["state"] == "refused"


def test_an_acknowledged_key_change_creates_the_next_generation_and_keeps_the_old(
    running: Running, demo: Path
) -> None:
    stack, watcher, printed = running
    place_order(stack, "o-9", 9)
    old_table = stack.names.tables["orders"]
    _sort_orders_by_status(demo)
    with (demo / "spec/model.yaml").open("a", encoding="utf-8") as model:
        model.write("\nchanges:\n  - {rule: data.key-changed, target: orders, reason: sort by status}\n")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", printed
    assert outcome.created == {f"{old_table}-v2": 2} and outcome.kept == [old_table]
    assert get(f"{stack.api_url}/orders/o-1/placed")[0] == 200
    assert get(f"{stack.api_url}/orders/o-9/placed")[0] == 404  # a new table: seeded only
    # the old generation still holds its items
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint, region_name=stack.region)
    assert "Item" in dynamodb.get_item(TableName=old_table, Key={"orderId": {"S": "o-9"}})


def test_after_an_acknowledged_key_change_gen_dev_starts_and_gen_seed_writes_the_new_generation(
    demo: Path,
) -> None:
    """The next generation's name comes from the IR through seed.json: `gen dev` starts on the
    changed project (it stopped with "table ...-orders does not exist") and `gen seed` fills
    `orders-v2`, not the generation Terraform forgot."""
    from generator.dev.stack import start_stack
    from tests.conftest import run_cli

    assert run_cli("-C", str(demo), "build").exit_code == 0  # the manifest records orders
    _sort_orders_by_status(demo)
    with (demo / "spec/model.yaml").open("a", encoding="utf-8") as model:
        model.write("\nchanges:\n  - {rule: data.key-changed, target: orders, reason: sort by status}\n")
    built = run_cli("-C", str(demo), "build")
    assert built.exit_code == 0, built.stderr
    stack = start_stack(demo, port=0)
    try:
        table = stack.names.tables["orders"]
        assert table.endswith("-orders-v2") and stack.seeded[table] == 2
        assert get(f"{stack.api_url}/orders/o-1/placed")[0] == 200
        dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint, region_name=stack.region)
        dynamodb.delete_item(TableName=table, Key={"orderId": {"S": "o-1"}, "status": {"S": "placed"}})
        seeded = run_cli("-C", str(demo), "seed", "--endpoint-url", stack.aws_endpoint, "--region", stack.region)
        assert seeded.exit_code == 0, seeded.stderr
        assert f"seeded {table}: 2 item(s)" in seeded.stderr
        assert get(f"{stack.api_url}/orders/o-1/placed")[0] == 200
    finally:
        stack.stop()


def test_a_changed_event_source_takes_over_the_checkpoints(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    place_order(stack, "o-first", 1)
    place_order(stack, "o-second", 2)
    old_poller = stack.workers.pollers["apply_orders"]
    edit(demo / "spec/model.yaml", "batch_size: 100", "batch_size: 10")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", printed
    assert stack.workers.pollers["apply_orders"] is not old_poller
    assert stack.workers.pollers["apply_orders"].config.batch_size == 10
    place_order(stack, "o-third", 3)
    status = get(f"{stack.url}/_local/status")[1]["processors"]["apply_orders"]
    # the new poller started after the old one's checkpoint: it read the one new record only
    assert status["records"] == 1 and status["lag"] == 0 and status["running"] is True
    assert get(f"{stack.api_url}/orders/o-third")[0] == 200


def test_an_unchanged_event_source_keeps_its_poller(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    old_poller = stack.workers.pollers["apply_orders"]
    add_customers(demo)
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", printed
    assert stack.workers.pollers["apply_orders"] is old_poller


def test_an_index_added_to_a_table_that_holds_data_is_refused_until_restart(running: Running, demo: Path) -> None:
    stack, watcher, printed = running
    edit(demo / "spec/model.yaml", "    item: Order", "    item: Order\n    indexes:\n      byStatus: {partition_key: status}")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "refused", printed
    assert "table orders: its indexes changed; restart gen dev" in outcome.message
    assert printed[-1].startswith("  table orders: its indexes changed")
    assert get(f"{stack.api_url}/orders/o-1")[0] == 200
    assert get(f"{stack.url}/_local/status")[1]["reload"]["message"] == outcome.message


def test_an_added_processor_gets_its_scaffold_queue_and_poller_without_a_second_reload(
    running: Running, demo: Path
) -> None:
    stack, watcher, printed = running
    edit(demo / "spec/model.yaml", "    batch_size: 100",
         "    batch_size: 100\n  audit_orders:\n    on: [order.placed]\n    reads: [orders]")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", printed
    assert "processors" in outcome.reloaded
    assert outcome.written == ["handwritten/processors/audit_orders.py"]
    assert (demo / "handwritten/processors/audit_orders.py").is_file()
    assert watcher.poll() is None  # the scaffold gen build wrote is not a save of the user's
    status = get(f"{stack.url}/_local/status")[1]["processors"]
    assert status["audit_orders"]["running"] is True
    assert status["audit_orders"]["dlq"]["url"].endswith("demo-local-audit-orders-dlq")


def test_fixing_a_processor_after_a_failed_spec_reload_brings_the_whole_spec_in(
    running: Running, demo: Path
) -> None:
    stack, watcher, printed = running
    handler = demo / "handwritten/processors/apply_orders.py"
    edit(handler, "def handle(", "def handle(((")
    add_customers(demo)
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "failed", printed
    assert get(f"{stack.api_url}/customers/c-1")[0] != 200  # the old API still serves
    edit(handler, "def handle(((", "def handle(")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", printed
    assert outcome.change.spec and outcome.change.paths == ("handwritten/processors/apply_orders.py",)
    assert get(f"{stack.api_url}/customers/c-1")[0] == 200
