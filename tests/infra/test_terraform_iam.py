"""IAM: one role per function, integration, schedule and archive; exact actions on exact ARNs."""

from __future__ import annotations

import re

from tests.infra.terraform_stack import Stack, many, one, parse, ref, stack

from generator.aws.limits import STAGE_MAX
from generator.ir.names import role_suffix
from generator.ir.nodes import Ir, Table

# A resource is specific when it is an attribute of a resource this stack manages, optionally
# followed by a fixed suffix (an index, a key prefix, a log group's streams).
_SPECIFIC = re.compile(
    r"^\$\{aws_[a-z0-9_]+\.[a-z0-9_]+\.(arn|name|id)\}(/[A-Za-z0-9_./=-]+\*?|:\*)?$"
)
# One API route of this stack's stage: METHOD/path, a path parameter as one `*` segment.
_ROUTE = re.compile(r"^\$\{aws_api_gateway_stage\.api\.execution_arn\}/[A-Z]+/([A-Za-z0-9_.-]+|\*)(/([A-Za-z0-9_.-]+|\*))*$")
# X-Ray's trace upload takes no resource ARN (AWS: resource "*" only).
_NO_RESOURCE_ACTIONS = {"xray:PutTelemetryRecords", "xray:PutTraceSegments"}


def role_policies(st: Stack) -> dict[str, dict[str, object]]:
    """role label -> its policy document (through aws_iam_role_policy)."""
    docs = st.data("aws_iam_policy_document")
    out: dict[str, dict[str, object]] = {}
    for label, attachment in st.resources("aws_iam_role_policy").items():
        role = ref(attachment["role"]).removeprefix("aws_iam_role.").removesuffix(".id")
        document = (
            ref(attachment["policy"])
            .removeprefix("data.aws_iam_policy_document.")
            .removesuffix(".json")
        )
        assert role not in out, f"role {role} has two inline policies"
        out[role] = docs[document]
    return out


def wildcard_problems(st: Stack) -> list[str]:
    """Every way a role policy is broader than exact actions on this stack's own ARNs."""
    problems = []
    for role, doc in role_policies(st).items():
        for s in many(doc, "statement"):
            where = f"{role}/{s.get('sid')}"
            if s.get("effect", "Allow") != "Allow":
                continue
            if not s.get("actions") or "not_actions" in s or "not_resources" in s:
                problems.append(f"{where}: needs explicit actions and resources")
            problems += [f"{where}: wildcard action {a}" for a in s.get("actions", []) if "*" in a]
            if set(s.get("actions", [])) <= _NO_RESOURCE_ACTIONS and s.get("resources") == ["*"]:
                continue
            problems += [
                f"{where}: unspecific resource {r}"
                for r in s.get("resources", ["*"])
                if not (_SPECIFIC.match(str(r)) or _ROUTE.match(str(r)))
            ]
    return problems


def statements(st: Stack, role: str) -> dict[str, dict[str, list[str]]]:
    return {
        s["sid"]: {"actions": s["actions"], "resources": [ref(r) for r in s["resources"]]}
        for s in many(role_policies(st)[role], "statement")
    }


def expected_roles(ir: Ir) -> set[str]:
    roles = {f"fn_{p.ident}" for p in ir.processors} | {f"api_{op.ident}" for op in ir.operations}
    roles |= {f"schedule_{p.ident}" for p in ir.processors if p.kind == "schedule"}
    roles |= {f"archive_{s.ident}" for s in ir.streams if s.archive}
    roles |= {"producer"} if any(op.kind == "ingest" and op.auth == "iam" for op in ir.operations) else set()
    return roles | {"api_logs"}


def test_no_wildcards_in_any_role_policy(any_stack: Stack) -> None:
    assert wildcard_problems(any_stack) == []


def test_the_wildcard_check_catches_wildcards() -> None:
    bad = parse(
        {
            "iam.tf": """
resource "aws_iam_role_policy" "x" {
  role   = aws_iam_role.x.id
  policy = data.aws_iam_policy_document.x.json
}
data "aws_iam_policy_document" "x" {
  statement {
    sid       = "A"
    actions   = ["dynamodb:*"]
    resources = [aws_dynamodb_table.t.arn]
  }
  statement {
    sid       = "B"
    actions   = ["s3:GetObject"]
    resources = ["*", "arn:aws:s3:::other-bucket/*", "${aws_s3_bucket.b.arn}/*/x/${var.y}"]
  }
}
"""
        },
        "bad",
        stack("bare").ir,
    )
    found = wildcard_problems(bad)
    assert any("wildcard action dynamodb:*" in p for p in found)
    assert sum("unspecific resource" in p for p in found) == 3, found


def test_one_role_per_function_integration_schedule_and_archive(any_stack: Stack) -> None:
    ir = any_stack.ir
    roles = any_stack.resources("aws_iam_role")
    assert set(roles) == expected_roles(ir)
    assert set(role_policies(any_stack)) == set(roles)
    assert not any_stack.resources("aws_iam_role_policy_attachment"), "no managed policies"
    users: dict[str, list[str]] = {}
    for p in ir.processors:
        users.setdefault(
            ref(any_stack.resource("aws_lambda_function", p.ident)["role"]), []
        ).append(p.name)
    for name, sched in any_stack.resources("aws_scheduler_schedule").items():
        users.setdefault(ref(one(sched, "target")["role_arn"]), []).append(name)
    for name, fh in any_stack.resources("aws_kinesis_firehose_delivery_stream").items():
        users.setdefault(ref(one(fh, "extended_s3_configuration")["role_arn"]), []).append(name)
    api_vars = re.findall(
        r'"(role_[^"]+)": "\$\{(aws_iam_role\.[a-z0-9_]+\.arn)\}"',
        any_stack.locals["api_definition"],
    )
    for var, role in api_vars:
        users.setdefault(role, []).append(var)
    assert {k: v for k, v in users.items() if len(v) != 1} == {}, "a role shared by two users"
    # api_logs is API Gateway's account-level logging role; producer is assumed by producers
    assert len(users) == len(roles) - 1 - ("producer" in roles)
    assert {f"role_{op.operation_id}" for op in ir.operations} == {v for v, _ in api_vars}


SERVICES = {
    "fn": "lambda.amazonaws.com",
    "api": "apigateway.amazonaws.com",
    "schedule": "scheduler.amazonaws.com",
    "archive": "firehose.amazonaws.com",
}


def trust_statement(st: Stack, label: str) -> dict[str, object]:
    role = st.resource("aws_iam_role", label)
    trust = st.data("aws_iam_policy_document")[
        ref(role["assume_role_policy"]).removeprefix("data.aws_iam_policy_document.").removesuffix(".json")
    ]
    (statement,) = many(trust, "statement")
    return statement


def test_each_role_is_assumed_by_its_service_only(any_stack: Stack) -> None:
    for label in any_stack.resources("aws_iam_role"):
        statement = trust_statement(any_stack, label)
        assert statement["actions"] == ["sts:AssumeRole"]
        (principal,) = many(statement, "principals")
        if label == "producer":
            assert principal["type"] == "AWS"
            assert principal["identifiers"] == "${local.producer_principals}"
            continue
        assert principal["type"] == "Service"
        assert principal["identifiers"] == [SERVICES[label.split("_")[0]]], label


def test_service_trust_names_this_account_and_the_source(any_stack: Stack) -> None:
    """Confused-deputy guards: every service trust pins aws:SourceAccount, and aws:SourceArn
    where the service passes one (all but API Gateway's account-wide logging role)."""
    arns = {
        "fn": r"arn:\$\{local\.partition\}:lambda:\$\{var\.region\}:\$\{local\.account_id\}:"
              r"function:\$\{local\.prefix\}-[a-z0-9-]+",
        "api": r"arn:\$\{local\.partition\}:execute-api:\$\{var\.region\}:\$\{local\.account_id\}:\*",
        "schedule": r"arn:\$\{local\.partition\}:scheduler:\$\{var\.region\}:\$\{local\.account_id\}:"
                    r"schedule-group/default",
        "archive": r"arn:\$\{local\.partition\}:firehose:\$\{var\.region\}:\$\{local\.account_id\}:"
                   r"deliverystream/\$\{local\.prefix\}-[a-z0-9-]+-archive",
    }
    for label in any_stack.resources("aws_iam_role"):
        if label == "producer":
            continue
        conditions = {c["variable"]: c for c in many(trust_statement(any_stack, label), "condition")}
        account = conditions.pop("aws:SourceAccount")
        assert (account["test"], account["values"]) == ("StringEquals", ["${local.account_id}"]), label
        conditions.pop("sts:ExternalId", None)  # Firehose's documented external id, kept
        if label == "api_logs":
            assert conditions == {}
            continue
        source = conditions.pop("aws:SourceArn")
        assert conditions == {} and source["test"] == "ArnLike", label
        (arn,) = source["values"]
        assert re.fullmatch(arns[label.split("_")[0]], arn), (label, arn)
    fns = {label for label in any_stack.resources("aws_iam_role") if label.startswith("fn_")}
    for p in any_stack.ir.processors:  # each function's trust names that function
        (arn,) = {c["variable"]: c for c in many(trust_statement(any_stack, f"fn_{p.ident}"), "condition")}[
            "aws:SourceArn"]["values"]
        body = any_stack.resource("aws_lambda_function", p.ident)
        assert arn.endswith(":function:" + body["function_name"]) and f"fn_{p.ident}" in fns


def expected_table_actions(t: Table, read: bool, write: bool) -> set[str]:
    """What the typed access of generated/python/<pkg>/tables.py calls (runtime/python/table.py):
    reads get/batch_get/scan[_all] and query (when the table has a sort key or an index that
    projects all attributes); writes put/update/update_each (TransactWriteItems, authorised as
    UpdateItem)/delete/batch_write. Never ConditionCheckItem, which nothing calls."""
    actions: set[str] = set()
    if read:
        actions |= {"GetItem", "BatchGetItem", "Scan"}
        if t.sort_key or any(i.projection == "all" for i in t.indexes):
            actions.add("Query")
    if write:
        actions |= {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
    return {f"dynamodb:{a}" for a in actions}


def test_functions_may_touch_only_their_tables_stream_and_queue(any_stack: Stack) -> None:
    ir = any_stack.ir
    for p in ir.processors:
        granted = statements(any_stack, f"fn_{p.ident}")
        tables = {sid: s for sid, s in granted.items() if sid.startswith("Table")}
        assert len(tables) == len(p.tables)
        for name in p.tables:
            t = ir.table(name)
            (s,) = [
                s
                for s in tables.values()
                if s["resources"][0] == f"aws_dynamodb_table.{t.ident}.arn"
            ]
            assert set(s["actions"]) == expected_table_actions(t, name in p.reads, name in p.writes)
            indexes = {f"${{aws_dynamodb_table.{t.ident}.arn}}/index/{i.name}" for i in t.indexes
                       if i.projection == "all"}
            assert set(s["resources"][1:]) == (indexes if name in p.reads else set())
        assert granted["DeadLetters"] == {
            "actions": ["sqs:SendMessage"],
            "resources": [f"aws_sqs_queue.dlq_{p.ident}.arn"],
        }
        assert granted["Logs"]["resources"] == [f"${{aws_cloudwatch_log_group.fn_{p.ident}.arn}}:*"]
        assert granted["Traces"] == {"actions": sorted(_NO_RESOURCE_ACTIONS), "resources": ["*"]}
        if p.kind == "stream":
            stream = ir.stream(p.stream or "")
            assert granted["ReadStream"]["resources"] == [f"aws_kinesis_stream.{stream.ident}.arn"]
            assert not any("Put" in a for a in granted["ReadStream"]["actions"])
            assert granted["Idempotency"]["resources"] == ["aws_dynamodb_table.idempotency.arn"]
        else:
            assert "ReadStream" not in granted and "Idempotency" not in granted


def test_integrations_may_do_exactly_their_operation(any_stack: Stack) -> None:
    ir = any_stack.ir
    action = {"get_item": "dynamodb:GetItem", "scan": "dynamodb:Scan", "query": "dynamodb:Query"}
    for op in ir.operations:
        granted = list(statements(any_stack, f"api_{op.ident}").values())
        if op.kind == "ingest":
            stream = ir.stream(op.stream or "")
            assert granted[0] == {
                "actions": ["kinesis:PutRecord", "kinesis:PutRecords"],
                "resources": [f"aws_kinesis_stream.{stream.ident}.arn"],
            }
            assert granted[1] == {
                "actions": ["kms:GenerateDataKey"],
                "resources": ["aws_kms_key.main.arn"],
            }
            assert len(granted) == 2
        else:
            t = ir.table(op.table or "")
            target = (
                f"${{aws_dynamodb_table.{t.ident}.arn}}/index/{op.index}"
                if op.index
                else f"aws_dynamodb_table.{t.ident}.arn"
            )
            assert granted == [{"actions": [action[op.kind]], "resources": [target]}]


def test_the_key_policy_lists_its_actions(any_stack: Stack) -> None:
    key = any_stack.data("aws_iam_policy_document")["key"]
    actions = [a for s in many(key, "statement") for a in s["actions"]]
    assert actions and not [a for a in actions if a in ("*", "kms:*")]
    assert (
        ref(any_stack.resource("aws_kms_key", "main")["policy"])
        == "data.aws_iam_policy_document.key.json"
    )


def test_buckets_refuse_plain_http(any_stack: Stack) -> None:
    docs = any_stack.data("aws_iam_policy_document")
    for label in any_stack.resources("aws_s3_bucket"):
        policy = any_stack.resource("aws_s3_bucket_policy", label)
        doc = docs[
            ref(policy["policy"])
            .removeprefix("data.aws_iam_policy_document.")
            .removesuffix(".json")
        ]
        deny = [s for s in many(doc, "statement") if s.get("effect") == "Deny"]
        assert any(
            one(s, "condition")
            == {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
            for s in deny
        ), label


def test_role_names_fit_iam_even_for_long_names() -> None:
    project = "p" * 20  # the longest spec name
    longest = f"{project}-{'s' * STAGE_MAX}-"
    short = role_suffix(project, "getDevice", "api")
    assert short == "get-device-api"
    long_a = role_suffix(project, "listEveryReadingOfEveryDeviceOfTheWholeFleetEver", "api")
    long_b = role_suffix(project, "listEveryReadingOfEveryDeviceOfTheWholeFleetEven", "api")
    assert len(longest + long_a) <= 64 and len(longest + long_b) <= 64
    assert long_a != long_b and long_a.endswith("-api")
    assert role_suffix(project, "listEveryReadingOfEveryDeviceOfTheWholeFleetEver", "api") == long_a
