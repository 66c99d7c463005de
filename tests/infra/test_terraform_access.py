"""Who may call the API and how much (#11): SigV4 producers, API-key usage plans, route throttles,
the WAF web ACL, the stage's CORS origin; and the stack-wide defaults that must be safe to apply
(API Gateway's account role left alone, Lambda traces on)."""

from __future__ import annotations

import re

import pytest
from tests.infra.terraform_stack import Stack, jsonencoded, many, one, ref, stack
from tests.infra.test_terraform_iam import statements

from generator.emit.terraform.access import PRODUCTION_STAGES

ORIGIN_VALUE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?$")


def test_the_account_wide_logging_role_is_left_alone_by_default(any_stack: Stack) -> None:
    """M5: applying must not replace the region's API Gateway CloudWatch role."""
    assert any_stack.variables["manage_api_gateway_account"]["default"] is False
    account = any_stack.resource("aws_api_gateway_account", "api")
    assert account["count"] == "${var.manage_api_gateway_account ? 1 : 0}"


def test_functions_trace_actively(any_stack: Stack) -> None:
    for label, fn in any_stack.resources("aws_lambda_function").items():
        assert one(fn, "tracing_config")["mode"] == "Active", label


def test_producers_may_invoke_exactly_the_signed_ingestion_routes(any_stack: Stack) -> None:
    ir = any_stack.ir
    signed = [op for op in ir.operations if op.kind == "ingest" and op.auth == "iam"]
    if not signed:
        assert "producer" not in any_stack.resources("aws_iam_role")
        assert "producer_principals" not in any_stack.variables
        return
    routes = [f"${{aws_api_gateway_stage.api.execution_arn}}/{op.invoke_route}" for op in signed]
    assert statements(any_stack, "producer") == {"Invoke": {"actions": ["execute-api:Invoke"], "resources": routes}}
    policy = any_stack.resource("aws_iam_policy", "producer")
    assert ref(policy["policy"]) == "data.aws_iam_policy_document.producer.json"
    assert any_stack.variables["producer_principals"]["default"] is None
    assert "producer_role_arn" in any_stack.outputs and "producer_policy_arn" in any_stack.outputs


def test_the_reference_signs_its_ingestion_route() -> None:
    ref_stack = stack("reference")
    (op,) = [o for o in ref_stack.ir.operations if o.kind == "ingest"]
    assert (op.auth, op.invoke_route) == ("iam", "POST/events")
    assert statements(ref_stack, "producer")["Invoke"]["resources"] == [
        "${aws_api_gateway_stage.api.execution_arn}/POST/events"]


def test_api_key_clients_get_a_key_and_a_usage_plan_each(any_stack: Stack) -> None:
    clients = any_stack.ir.api_clients
    plans = any_stack.resources("aws_api_gateway_usage_plan")
    if not clients:
        assert not plans and "api_clients" not in any_stack.variables
        return
    default = any_stack.variables["api_clients"]["default"]
    assert default == {c.name: {"rate_limit": c.rate_limit, "burst_limit": c.burst_limit, "quota": c.quota,
                                "period": c.period} for c in clients}
    plan = plans["clients"]
    assert plan["for_each"] == "${var.api_clients}"
    assert one(plan, "quota_settings") == {"limit": "${each.value.quota}", "period": "${each.value.period}"}
    assert one(plan, "throttle_settings") == {"rate_limit": "${each.value.rate_limit}",
                                              "burst_limit": "${each.value.burst_limit}"}
    stages = one(plan, "api_stages")
    assert ref(stages["stage"]) == "aws_api_gateway_stage.api.stage_name"
    key = any_stack.resource("aws_api_gateway_api_key", "clients")
    assert key["for_each"] == "${var.api_clients}"
    link = any_stack.resource("aws_api_gateway_usage_plan_key", "clients")
    assert ref(link["key_id"]) == "aws_api_gateway_api_key.clients[each.key].id"
    assert ref(link["usage_plan_id"]) == "aws_api_gateway_usage_plan.clients[each.key].id"
    assert "api_key_ids" in any_stack.outputs


def test_a_case_uses_api_keys_with_declared_clients() -> None:
    clients = stack("golden-query_gsi_nested").ir.api_clients
    assert [(c.name, c.quota, c.period) for c in clients] == [("library-kiosk", 2000, "WEEK"),
                                                               ("scanner-app", 50000, "DAY")]
    (default,) = stack("tuned_domain").ir.api_clients
    assert default.name == "default"


def test_ingestion_routes_have_their_own_throttle(any_stack: Stack) -> None:
    """M4: writers get a budget apart from the stage's, so they cannot starve the reads."""
    settings = any_stack.resources("aws_api_gateway_method_settings")
    ingest = [op for op in any_stack.ir.operations if op.kind == "ingest"]
    assert set(settings) == {"api"} | {f"ingest_{op.ident}" for op in ingest}
    for op in ingest:
        route = settings[f"ingest_{op.ident}"]
        assert route["method_path"] == f"{op.path.lstrip('/')}/POST"
        throttle = one(route, "settings")
        assert throttle["throttling_rate_limit"] == "${var.ingest_throttle_rate_limit}"
        assert throttle["throttling_burst_limit"] == "${var.ingest_throttle_burst_limit}"
        assert throttle["metrics_enabled"] is True


@pytest.mark.parametrize(("stage", "on"), [("prod", True), ("production", True), ("prd", True), ("prod-eu", True),
                                           ("prod2", True), ("dev", False), ("staging", False), ("product", False),
                                           ("preprod", False)])
def test_waf_is_on_by_default_for_production_stages(stage: str, on: bool) -> None:
    assert bool(re.fullmatch(PRODUCTION_STAGES.strip("^$"), stage)) is on


def test_the_web_acl_guards_the_stage(any_stack: Stack) -> None:
    assert any_stack.locals["waf_enabled"] == (
        f'${{var.waf_enabled != null ? var.waf_enabled : can(regex("{PRODUCTION_STAGES}", var.stage))}}')
    assert any_stack.variables["waf_enabled"]["default"] is None
    acl = any_stack.resource("aws_wafv2_web_acl", "api")
    assert acl["count"] == "${local.waf_enabled ? 1 : 0}" and acl["scope"] == "REGIONAL"
    rules = {r["Name"]: r for r in jsonencoded(acl["rule_json"])}
    groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"]: r for r in rules.values()
              if "ManagedRuleGroupStatement" in r["Statement"]}
    assert set(groups) == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}  # Log4j inside
    common = groups["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    # an ingestion batch is bigger than the 8 KB this rule allows: counted, never blocked
    assert common["RuleActionOverrides"] == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    rate = rules["rate-per-ip"]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"] == {"Limit": "${var.waf_rate_limit}", "AggregateKeyType": "IP"}
    assert sorted(r["Priority"] for r in rules.values()) == [1, 2, 3]
    association = any_stack.resource("aws_wafv2_web_acl_association", "api")
    assert ref(association["resource_arn"]) == "aws_api_gateway_stage.api.arn"
    assert ref(association["web_acl_arn"]) == "aws_wafv2_web_acl.api[0].arn"
    logging = any_stack.resource("aws_wafv2_web_acl_logging_configuration", "api")
    assert logging["log_destination_configs"] == ["${aws_cloudwatch_log_group.waf[0].arn}"]
    assert any_stack.resource("aws_cloudwatch_log_group", "waf")["name"].startswith("aws-waf-logs-")


def test_cors_allows_the_stages_origin_not_any(any_stack: Stack) -> None:
    """Every CORS header reads the stage variable cors_origin (tests/emit checks the definition);
    the stage sets it from var.cors_allow_origin, else the frontend's origin."""
    stage = any_stack.resource("aws_api_gateway_stage", "api")
    assert ref(stage["variables"]["cors_origin"]) == "local.cors_origin"
    variable = any_stack.variables["cors_allow_origin"]
    assert variable["default"] is None
    ir = any_stack.ir
    if ir.frontend_domain:
        fallback = '"https://${var.domain}"'
    elif ir.frontend:
        fallback = '"https://${aws_cloudfront_distribution.web.domain_name}"'
    else:
        fallback = "local.api_origin"
    assert any_stack.locals["cors_origin"] == (
        f"${{var.cors_allow_origin != null ? var.cors_allow_origin : {fallback}}}")
    assert "*" not in any_stack.locals["cors_origin"]


@pytest.mark.parametrize(("origin", "ok"), [("https://app.example.com", True), ("http://127.0.0.1:5173", True),
                                            ("*", False), ("https://a.example.com/", False),
                                            ("https://a.example.com https://b.example.com", False)])
def test_an_origin_is_one_stage_variable_value(origin: str, ok: bool) -> None:
    """What var.cors_allow_origin's validation accepts: one origin, in characters a stage
    variable may hold (no `*`)."""
    validation = one(stack("reference").variables["cors_allow_origin"], "validation")
    pattern = re.search(r'regex\("([^"]+)"', validation["condition"])
    assert pattern and pattern.group(1) == ORIGIN_VALUE.pattern
    assert bool(ORIGIN_VALUE.fullmatch(origin)) is ok


def test_trust_of_the_producer_defaults_to_this_account(reference: Stack) -> None:
    producer_locals = reference.locals["producer_principals"]
    assert "var.producer_principals" in producer_locals
    assert 'arn:${local.partition}:iam::${local.account_id}:root' in producer_locals
    assert many(reference.data("aws_iam_policy_document")["producer_trust"], "statement")
