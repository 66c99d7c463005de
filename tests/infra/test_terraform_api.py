"""The REST API: the generated definition deployed with templatefile(), redeployed when it
changes, an explicit stage with access logs, tracing and throttling (docs/api-definition.md)."""

from __future__ import annotations

import json
import re

import pytest
from tests.infra.terraform_stack import CASES, Stack, one, ref

from generator.pipeline import generate
from generator.emit import EMITTERS

API_EMITTER = next((e for e in EMITTERS if e.startswith("generator.emit.api:")), None)
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def template_variables(st: Stack) -> dict[str, str]:
    text = ref(st.locals["api_definition"])
    match = re.fullmatch(r"templatefile\(local\.api_file, (\{.*\})\)", text, flags=re.S)
    assert match, text
    return {k: ref(v) for k, v in json.loads(match.group(1)).items()}


def test_the_definition_is_templatefile_of_the_generated_document(any_stack: Stack) -> None:
    assert (
        any_stack.locals["api_file"]
        == '${coalesce(var.api_definition_file, "${path.module}/../api/openapi.json")}'
    )
    variables = template_variables(any_stack)
    expected = {
        f"role_{op.operation_id}": f"aws_iam_role.api_{op.ident}.arn"
        for op in any_stack.ir.operations
    }
    expected["region"] = "var.region"
    if any_stack.ir.cognito:  # the pool exists only when the spec uses Cognito
        expected["user_pool_arn"] = "aws_cognito_user_pool.users.arn"
    assert variables == expected
    assert (
        ref(any_stack.resource("aws_api_gateway_rest_api", "api")["body"]) == "local.api_definition"
    )


@pytest.mark.skipif(API_EMITTER is None, reason="the API definition emitter is not registered yet")
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_placeholder_of_the_definition_is_filled(case: str) -> None:
    from tests.infra.terraform_stack import stack

    _, files, _ = generate(CASES[case], use_cache=False, emitters=(str(API_EMITTER),))
    (document,) = [f.content for f in files if f.path == "generated/api/openapi.json"]
    placeholders = set(PLACEHOLDER.findall(document))
    variables = template_variables(stack(case))
    assert placeholders <= set(variables), sorted(placeholders - set(variables))
    roles = {k for k in variables if k.startswith("role_")}
    assert roles <= placeholders, f"roles no integration uses: {sorted(roles - placeholders)}"
    assert "%{" not in document, "templatefile would read %{ as a template directive"
    # What the Terraform leaves to the definition: validators, gateway responses, stage variables.
    parsed = json.loads(document)
    assert parsed.get("x-amazon-apigateway-request-validators")
    assert parsed.get("x-amazon-apigateway-gateway-responses")
    used = set(re.findall(r"\$stageVariables\.([A-Za-z0-9_]+)", document))
    assert used <= set(stack(case).resource("aws_api_gateway_stage", "api")["variables"])


def test_a_definition_change_redeploys(any_stack: Stack) -> None:
    deployment = any_stack.resource("aws_api_gateway_deployment", "api")
    assert deployment["triggers"] == {"definition": "${sha256(aws_api_gateway_rest_api.api.body)}"}
    assert one(deployment, "lifecycle")["create_before_destroy"] is True
    assert (
        ref(any_stack.resource("aws_api_gateway_stage", "api")["deployment_id"])
        == "aws_api_gateway_deployment.api.id"
    )


def test_the_stage_logs_traces_throttles_and_names_the_stores(any_stack: Stack) -> None:
    stage = any_stack.resource("aws_api_gateway_stage", "api")
    assert stage["stage_name"] == "${var.stage}"
    assert stage["xray_tracing_enabled"] is True
    logs = one(stage, "access_log_settings")
    assert ref(logs["destination_arn"]) == "aws_cloudwatch_log_group.api_access.arn"
    assert "$context.requestId" in logs["format"]
    ir = any_stack.ir
    # only what some operation reads or ingests into: a stream no route feeds is no stage variable
    bound = {op.table for op in ir.operations} | {op.stream for op in ir.operations}
    expected = {f"table_{t.name}": f"aws_dynamodb_table.{t.ident}.name" for t in ir.tables if t.name in bound}
    expected |= {f"stream_{s.name}": f"aws_kinesis_stream.{s.ident}.name" for s in ir.streams if s.name in bound}
    expected["cors_origin"] = "local.cors_origin"
    assert {k: ref(v) for k, v in stage["variables"].items()} == expected
    settings = one(any_stack.resource("aws_api_gateway_method_settings", "api"), "settings")
    assert settings["throttling_rate_limit"] == "${var.api_throttle_rate_limit}"
    assert settings["throttling_burst_limit"] == "${var.api_throttle_burst_limit}"
    assert settings["metrics_enabled"] is True and settings["logging_level"] == "ERROR"


def test_api_logging_has_a_role_and_its_log_groups(any_stack: Stack) -> None:
    account = any_stack.resource("aws_api_gateway_account", "api")
    assert ref(account["cloudwatch_role_arn"]) == "aws_iam_role.api_logs.arn"
    execution = any_stack.resource("aws_cloudwatch_log_group", "api_execution")
    assert (
        execution["name"]
        == "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.api.id}/${var.stage}"
    )
