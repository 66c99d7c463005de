"""generated/terraform: the file set, provider pin, variables and outputs, and each model part as HCL."""

from __future__ import annotations

import re

from tests.infra.terraform_stack import (
    CASES,
    CONCERNS,
    TERRAFORM,
    Stack,
    lifecycle,
    many,
    one,
    ref,
    stack,
)

from generator.pipeline import generate
from generator.ir.names import kebab
from generator.render.header import is_generated_header


def test_one_file_per_concern_each_with_the_header(any_stack: Stack) -> None:
    optional = {"frontend": any_stack.ir.frontend, "auth": any_stack.ir.cognito}
    wanted = [c for c in CONCERNS if optional.get(c, True)]
    assert sorted(any_stack.files) == sorted(f"{c}.tf" for c in wanted)
    for name, text in any_stack.files.items():
        assert is_generated_header(text.splitlines()[0]), name
        assert text.endswith("\n") and not text.endswith("\n\n"), (
            f"{name}: exactly one trailing newline"
        )


def test_pins_aws_6_and_uses_no_other_provider(any_stack: Stack) -> None:
    (terraform,) = any_stack.singles["terraform"]
    (providers,) = terraform["required_providers"]
    assert providers == {"aws": {"source": "hashicorp/aws", "version": "~> 6.0"}}
    assert {name for p in any_stack.singles["provider"] for name in p} == {"aws"}
    types = [t for kind in ("resource", "data") for t in any_stack.blocks.get(kind, {})]
    assert types and all(t.startswith("aws_") for t in types), [
        t for t in types if not t.startswith("aws_")
    ]


def test_output_is_byte_identical_across_runs() -> None:
    first = generate(CASES["reference"], use_cache=False, emitters=(TERRAFORM,))[1]
    second = generate(CASES["reference"], use_cache=False, emitters=(TERRAFORM,))[1]
    assert [(f.path, f.content) for f in first] == [(f.path, f.content) for f in second]


def test_variables_and_outputs_of_the_issue(any_stack: Stack) -> None:
    variables = any_stack.variables
    for name in (
        "region",
        "stage",
        "name_prefix",
        "alarm_email",
        "alarm_sns_topic_arn",
        "log_retention_days",
    ):
        assert name in variables, name
    assert variables["name_prefix"]["default"] == any_stack.ir.name
    outputs = set(any_stack.outputs)
    ir = any_stack.ir
    archived = any(s.archive for s in ir.streams)
    assert {"api_url", "api_stage_arn", "alarm_topic_arn"} <= outputs
    assert ("datalake_bucket" in outputs) == archived
    assert ({"cdn_url", "cdn_distribution_id", "web_bucket"} & outputs) == (
        {"cdn_url", "cdn_distribution_id", "web_bucket"} if ir.frontend else set()
    )
    assert ({"user_pool_id", "user_pool_client_id"} & outputs) == (
        {"user_pool_id", "user_pool_client_id"} if ir.cognito else set()
    )
    assert ("logs_bucket" in outputs) == (ir.frontend or archived)


def test_stage_validation_matches_the_runtime_contract(reference: Stack) -> None:
    condition = one(reference.variables["stage"], "validation")["condition"]
    pattern = re.search(r'regex\("(.*?)", var\.stage\)', condition)
    assert pattern, condition
    regex = re.compile(pattern.group(1))
    assert all(regex.match(s) for s in ("dev", "prod", "eu-west-12ab", "a"))
    assert not any(regex.match(s) for s in ("Dev", "1dev", "dev_1", "thirteen-char"))


def test_tables_follow_the_model(any_stack: Stack) -> None:
    for t in any_stack.ir.tables:
        body = any_stack.resource("aws_dynamodb_table", t.ident)
        assert body["name"] == f"${{local.prefix}}-{kebab(t.name)}"
        assert body["billing_mode"] == "PAY_PER_REQUEST"
        assert body["hash_key"] == t.partition_key.name
        assert body.get("range_key") == (t.sort_key.name if t.sort_key else None)
        assert {(a["name"], a["type"]) for a in many(body, "attribute")} == {
            (a.name, a.type) for a in t.attribute_types
        }
        gsis = {g["name"]: g for g in many(body, "global_secondary_index")}
        assert set(gsis) == {i.name for i in t.indexes}
        for i in t.indexes:
            assert gsis[i.name]["hash_key"] == i.partition_key.name
            assert gsis[i.name].get("range_key") == (i.sort_key.name if i.sort_key else None)
            assert gsis[i.name]["projection_type"] == i.projection.upper()
        if t.ttl:
            assert one(body, "ttl") == {"attribute_name": t.ttl, "enabled": True}
        else:
            assert "ttl" not in body


def test_idempotency_table_exactly_when_a_stream_processor_exists(any_stack: Stack) -> None:
    wanted = any(p.kind == "stream" for p in any_stack.ir.processors)
    body = any_stack.resources("aws_dynamodb_table").get("idempotency")
    assert (body is not None) == wanted
    if body:
        assert body["name"] == "${local.prefix}-idempotency"
        assert body["hash_key"] == "id" and many(body, "attribute") == [{"name": "id", "type": "S"}]
        assert one(body, "ttl") == {"attribute_name": "expiration", "enabled": True}


def test_streams_follow_the_model(any_stack: Stack) -> None:
    assert set(any_stack.resources("aws_kinesis_stream")) == {s.ident for s in any_stack.ir.streams}
    for s in any_stack.ir.streams:
        body = any_stack.resource("aws_kinesis_stream", s.ident)
        assert body["name"] == f"${{local.prefix}}-{kebab(s.name)}"
        assert body["retention_period"] == s.retention_hours
        mode = one(body, "stream_mode_details")["stream_mode"]
        assert mode == ("ON_DEMAND" if s.on_demand else "PROVISIONED")
        assert body.get("shard_count") == (None if s.on_demand else s.shards)


def test_one_function_per_processor_as_the_runtime_contract_says(any_stack: Stack) -> None:
    ir = any_stack.ir
    assert set(any_stack.resources("aws_lambda_function")) == {p.ident for p in ir.processors}
    for p in ir.processors:
        fn = any_stack.resource("aws_lambda_function", p.ident)
        assert fn["function_name"] == f"${{local.prefix}}-{kebab(p.name)}"
        assert fn["runtime"] == "python3.12" and fn["architectures"] == ["arm64"]
        assert fn["handler"] == f"{ir.ident}.entry.{p.ident}.handler"
        assert fn["filename"] == f"${{local.package_dir}}/{p.name}.zip"
        assert (
            fn["source_code_hash"]
            == f'${{filebase64sha256("${{local.package_dir}}/{p.name}.zip")}}'
        )
        assert (fn["memory_size"], fn["timeout"]) == (p.memory_mb, p.timeout_seconds)
        env = one(fn, "environment")["variables"]
        expected = {f"TABLE_{ir.table(t).ident.upper()}" for t in p.tables}
        expected |= {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL"}
        expected |= {"IDEMPOTENCY_TABLE"} if p.kind == "stream" else set()
        assert set(env) == expected
        for t in p.tables:
            assert (
                ref(env[f"TABLE_{ir.table(t).ident.upper()}"])
                == f"aws_dynamodb_table.{ir.table(t).ident}.name"
            )
        assert env["POWERTOOLS_SERVICE_NAME"] == env["POWERTOOLS_METRICS_NAMESPACE"] == ir.name
        group = any_stack.resource("aws_cloudwatch_log_group", f"fn_{p.ident}")
        assert group["name"] == f"/aws/lambda/${{local.prefix}}-{kebab(p.name)}"
        assert group["retention_in_days"] == "${var.log_retention_days}"


def test_schedules_for_scheduled_processors_only(any_stack: Stack) -> None:
    scheduled = [p for p in any_stack.ir.processors if p.kind == "schedule"]
    assert set(any_stack.resources("aws_scheduler_schedule")) == {p.ident for p in scheduled}
    for p in scheduled:
        body = any_stack.resource("aws_scheduler_schedule", p.ident)
        assert body["schedule_expression"] == p.schedule
        target = one(body, "target")
        assert ref(target["arn"]) == f"aws_lambda_function.{p.ident}.arn"
        assert ref(target["role_arn"]) == f"aws_iam_role.schedule_{p.ident}.arn"
        assert ref(one(target, "dead_letter_config")["arn"]) == f"aws_sqs_queue.dlq_{p.ident}.arn"
        assert one(target, "retry_policy")["maximum_retry_attempts"] >= 0


def test_archive_to_a_date_partitioned_lake(any_stack: Stack) -> None:
    archived = [s for s in any_stack.ir.streams if s.archive]
    assert set(any_stack.resources("aws_kinesis_firehose_delivery_stream")) == {
        s.ident for s in archived
    }
    assert ("datalake" in any_stack.resources("aws_s3_bucket")) == bool(archived)
    for s in archived:
        body = any_stack.resource("aws_kinesis_firehose_delivery_stream", s.ident)
        assert body["name"] == f"${{local.prefix}}-{kebab(s.name)}-archive"
        assert (
            ref(one(body, "kinesis_source_configuration")["kinesis_stream_arn"])
            == f"aws_kinesis_stream.{s.ident}.arn"
        )
        s3 = one(body, "extended_s3_configuration")
        assert ref(s3["bucket_arn"]) == "aws_s3_bucket.datalake.arn"
        assert s3["prefix"].startswith(
            f"{s.name}/year=!{{timestamp:yyyy}}/month=!{{timestamp:MM}}/day=!{{timestamp:dd}}"
        )
        assert s3["error_output_prefix"].startswith(
            f"errors/{s.name}/!{{firehose:error-output-type}}/"
        )
        assert s3["compression_format"] == "GZIP"
        assert one(s3, "cloudwatch_logging_options")["enabled"] is True
    if archived:
        rules = many(
            any_stack.resource("aws_s3_bucket_lifecycle_configuration", "datalake"), "rule"
        )
        assert any("transition" in r for r in rules) and any("expiration" in r for r in rules)
        assert all(r["status"] == "Enabled" for r in rules)
        assert lifecycle(any_stack.resource("aws_s3_bucket", "datalake"))["prevent_destroy"] is True


def test_cases_cover_what_they_are_for() -> None:
    """The small cases exist to exercise the branches: keep them doing so."""
    irs = [stack(c).ir for c in CASES]
    assert any(not ir.streams and not ir.processors for ir in irs)
    assert any(ir.frontend_domain for ir in irs) and any(not ir.frontend_domain for ir in irs)
    assert any(s.on_demand for ir in irs for s in ir.streams)
    assert any(i.projection == "keys_only" for ir in irs for t in ir.tables for i in t.indexes)
    assert any(p.kind == "schedule" for ir in irs for p in ir.processors)
    assert any(op.protected for ir in irs for op in ir.operations)
    # every combination of the optional parts (frontend, Cognito), and a pool no operation uses
    assert {(ir.frontend, ir.cognito) for ir in irs} == {(False, False), (False, True), (True, False), (True, True)}
    assert any(ir.cognito and not any(op.protected for op in ir.operations) for ir in irs)
    assert any(ir.frontend and not ir.frontend_domain for ir in irs)
