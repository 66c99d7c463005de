"""Names decided once in the IR (generator.ir.names) and the collision check over all of them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import pipeline
from generator.aws.limits import ROLE_NAME_MAX, STAGE_MAX
from generator.ir.names import operation_names, processor_names, project_names, stream_names, table_names

MINIMAL = Path(__file__).resolve().parents[1] / "golden" / "cases" / "minimal" / "spec"


def test_a_table_keeps_its_spec_name_only_where_the_spec_name_is_safe() -> None:
    n = table_names("orders_")
    assert n.table.address == "aws_dynamodb_table.orders" and n.table.physical == "orders"
    assert n.stage_variable == "table_orders_"  # printed in VTL, set by Terraform and gen dev
    assert n.env_var == "TABLE_ORDERS"
    assert (n.table_class, n.reads_class, n.writes_class) == ("OrdersTable", "OrdersReads", "OrdersWrites")
    assert [a.address for a in n.alarms] == ["aws_cloudwatch_metric_alarm.table_orders_read_throttles",
                                            "aws_cloudwatch_metric_alarm.table_orders_write_throttles"]
    assert table_names("telemetry").context_attr == "telemetry_table"  # every context has .telemetry
    assert table_names("class").context_attr == "class_"


def test_processor_operation_and_stream_names() -> None:
    p = processor_names("my-shop", "apply_orders")
    assert p.function.address == "aws_lambda_function.apply_orders" and p.function.physical == "apply-orders"
    assert (p.dlq.label, p.dlq.physical) == ("dlq_apply_orders", "apply-orders-dlq")
    assert p.role.role.physical == "apply-orders-fn" and p.role.trust.address == \
        "data.aws_iam_policy_document.fn_apply_orders_trust"
    assert p.handler == "my_shop.entry.apply_orders.handler"
    assert p.entry_file == "generated/python/my_shop/entry/apply_orders.py"
    assert (p.impl_module, p.scaffold_file, p.zip_file) == (
        "handwritten.processors.apply_orders", "handwritten/processors/apply_orders.py", "apply_orders.zip")
    op = operation_names("my-shop", "getOrder")
    assert op.role.role.address == "aws_iam_role.api_get_order" and op.role_variable == "role_getOrder"
    assert op.request_vtl == "generated/api/vtl/getOrder.request.vtl" and op.body_model == "GetOrderBody"
    s = stream_names("my-shop", "events")
    assert (s.stage_variable, s.archive.physical, s.archive_prefix) == ("stream_events", "events-archive", "events/")
    assert project_names("my-shop").physical("local", s.stream) == "my-shop-local-events"


def test_role_names_always_fit() -> None:
    project = "p" * 20
    long = processor_names(project, "apply_every_incoming_order_event_to_the_orders_table_now")
    assert len(f"{project}-{'s' * STAGE_MAX}-{long.role.role.physical}") <= ROLE_NAME_MAX


# -- collisions, through the whole IR build ----------------------------------------------------------

Spec = tuple[dict[str, Any], dict[str, Any]]


def _rename_table(old: str, new: str) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        model, api = spec
        model["tables"][new] = model["tables"].pop(old)
        model["processors"]["apply_orders"]["writes"] = [new]
        for item in api["paths"].values():
            if "get" in item:
                item["get"]["x-gen"]["table"] = new
    return change


def _add_table(name: str) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec[0]["tables"][name] = {"partition_key": "orderId", "item": "Order"}
    return change


def _add_event(type_: str, stream: str = "events") -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec[0]["events"][type_] = {"stream": stream, "data": "OrderPlaced", "subject": "orderId"}
    return change


def _add_stream(name: str, **raw: Any) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec[0]["streams"][name] = {"shards": 1, **raw}
    return change


def _rename_operation(old: str, new: str) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        for item in spec[1]["paths"].values():
            for op in item.values():
                if op["operationId"] == old:
                    op["operationId"] = new
    return change


def _set_name(name: str) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec[0]["name"] = name
    return change


def _both(*changes: Callable[[Spec], None]) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        for c in changes:
            c(spec)
    return change


def _add_processor(name: str, **raw: Any) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec[0]["processors"][name] = raw
    return change


def _errors(tmp_path: Path, change: Callable[[Spec], None]) -> list[str]:
    root = tmp_path / "p"
    shutil.copytree(MINIMAL, root / "spec")
    model = yaml.safe_load((root / "spec/model.yaml").read_text())
    for processor in model["processors"].values():
        if True in processor:  # YAML 1.1 reads the key `on` as a boolean
            processor["on"] = processor.pop(True)
    api = yaml.safe_load((root / "spec/openapi.yaml").read_text())
    change((model, api))
    (root / "spec/model.yaml").write_text(yaml.safe_dump(model, sort_keys=False))
    (root / "spec/openapi.yaml").write_text(yaml.safe_dump(api, sort_keys=False))
    _, diags = pipeline.validate(root, use_cache=False)
    return [f"{d.location.file}:{d.code}: {d.message}" for d in diags.errors]


COLLISIONS = {
    "table_trailing_underscore": (
        _add_table("orders_"),
        "spec/model.yaml:E-NAME: tables 'orders' and 'orders_' both map to the Terraform address "
        "aws_dynamodb_table.orders"),
    "table_double_underscore": (
        _both(_rename_table("orders", "open_orders"), _add_table("open__orders")),
        "spec/model.yaml:E-NAME: tables 'open__orders' and 'open_orders' both map to the Terraform address "
        "aws_dynamodb_table.open_orders"),
    "table_digits_only_meet_in_classes": (
        _both(_add_table("a_1"), _add_table("a1")),
        "spec/model.yaml:E-NAME: tables 'a1' and 'a_1' both map to the IAM statement id TableA1"),
    "table_context_attribute": (
        _both(_add_table("telemetry"), _add_table("telemetry_table")),
        "spec/model.yaml:E-NAME: tables 'telemetry' and 'telemetry_table' both map to the processor context "
        "attribute telemetry_table"),
    "event_classes": (
        _add_event("order_.placed"),
        "spec/model.yaml:E-NAME: events 'order.placed' and 'order_.placed' both map to the events.py class "
        "OrderPlacedEvent"),
    "stream_union_and_event_class": (
        _both(_add_stream("order_placed"), _add_event("order.shipped", "order_placed")),
        "spec/model.yaml:E-NAME: stream 'order_placed' and event 'order.placed' both map to the events.py class "
        "OrderPlacedEvent"),
    "processor_trailing_underscore": (
        _add_processor("apply_orders_", on=["order.placed"], writes=["orders"]),
        "spec/model.yaml:E-NAME: processors 'apply_orders' and 'apply_orders_' both map to the Terraform "
        "address aws_lambda_function.apply_orders"),
    "operation_reserved_trust_document": (
        _rename_operation("getOrder", "logs_trust"),
        "spec/openapi.yaml:E-NAME: operation 'logs_trust' maps to the Terraform address "
        "data.aws_iam_policy_document.api_logs_trust, which is part of the API's logging role"),
    "operation_files_on_case_insensitive_disks": (
        _rename_operation("getOrder", "listorders"),
        "spec/openapi.yaml:E-NAME: operations 'listOrders' and 'listorders' both map to the files "
        "generated/api/vtl/listOrders.request.vtl and generated/api/vtl/listorders.request.vtl, one file on "
        "a case-insensitive file system"),
    "operation_idents": (
        _rename_operation("getOrder", "list_orders"),
        "spec/openapi.yaml:E-NAME: operations 'listOrders' and 'list_orders' both map to the Terraform address "
        "aws_iam_role.api_list_orders"),
    "archived_stream_under_the_error_prefix": (
        _add_stream("errors", archive=True),
        "spec/model.yaml:E-NAME: stream 'errors' maps to the data-lake prefix errors/, which is where Firehose "
        "writes delivery errors"),
}


@pytest.mark.parametrize("case", sorted(COLLISIONS))
def test_each_collision_is_one_located_error(case: str, tmp_path: Path) -> None:
    change, expected = COLLISIONS[case]
    assert [e for e in _errors(tmp_path, change) if "E-NAME" in e] == [expected]


@pytest.mark.parametrize("change", [
    _add_stream("errors"),  # not archived: nothing is written under errors/
    _add_processor("events", schedule="rate(5 minutes)", reads=["orders"]),  # no union class
    _add_stream("quiet"),  # carries no event: no union class (only a warning)
], ids=["unarchived_errors_stream", "scheduled_processor_named_like_a_stream", "stream_without_events"])
def test_names_that_do_not_meet(change: Callable[[Spec], None], tmp_path: Path) -> None:
    assert _errors(tmp_path, change) == []


@pytest.mark.parametrize(("project", "package"), [("json", "json_"), ("handwritten", "handwritten_"),
                                                  ("lambda", "lambda_"), ("my-service", "my_service")])
def test_a_project_name_that_would_shadow_a_module_gets_its_own_package(project: str, package: str) -> None:
    from generator.ir.names import project_names

    assert project_names(project).package == package
