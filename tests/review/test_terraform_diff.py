"""The Terraform comparison of gen review, on small hand-written trees and on gen's own output."""

from __future__ import annotations

import re

from generator.review.replacement import FORCE_NEW, forces_new
from generator.review.terraform import arguments, infra_findings, parse
from tests.infra.terraform_stack import CASES, stack

TABLE = '''resource "aws_dynamodb_table" "orders" {
  name         = "${local.prefix}-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "orderId"

  attribute {
    name = "orderId"
    type = "S"
  }

  lifecycle {
    prevent_destroy = true
  }
}
'''
MAPPING = '''resource "aws_lambda_event_source_mapping" "apply" {
  event_source_arn = aws_kinesis_stream.events.arn
  function_name    = aws_lambda_function.apply.arn
}
'''
STREAM = '''resource "aws_kinesis_stream" "events" {
  name = "${local.prefix}-events"
}
'''


def _rules(base: dict[str, str], head: dict[str, str]) -> list[tuple[str, str]]:
    return [(f.rule, f.target) for f in infra_findings(base, head, {}, False)]


def test_arguments_split_nested_blocks_and_multi_line_values() -> None:
    body = tuple('''  name = "x"
  tags = {
    a = "{"
  }
  attribute {
    name = "id"
  }
  attribute {
    name = "sk"
  }'''.split("\n"))
    args = arguments(body)
    assert args["name"] == ['"x"'] and args["tags"] == ['{\na = "{"\n}']
    assert args["attribute"] == ['name = "id"', 'name = "sk"']


def test_alignment_alone_is_not_a_change() -> None:
    head = TABLE.replace('  name         = "${local.prefix}-orders"', '  name     = "${local.prefix}-orders"')
    assert head != TABLE
    assert _rules({"d.tf": TABLE}, {"d.tf": head}) == []


def test_a_key_argument_replaces_a_table_and_says_terraform_refuses() -> None:
    head = TABLE.replace('"orderId"', '"id"')
    findings = infra_findings({"d.tf": TABLE}, {"d.tf": head}, {}, False)
    assert [(f.rule, f.target) for f in findings] == [("infra.stateful-resource-replaced", "aws_dynamodb_table.orders")]
    assert "changed hash_key" in findings[0].message and "prevent_destroy" in findings[0].message
    assert str(findings[0].location) == "generated/terraform/d.tf:1:1"


def test_an_in_place_argument_updates() -> None:
    head = TABLE.replace('"PAY_PER_REQUEST"', '"PROVISIONED"')
    assert _rules({"d.tf": TABLE}, {"d.tf": head}) == [("infra.resource-updated", "aws_dynamodb_table.orders")]


def test_replacement_cascades_through_arguments_that_force_a_new_resource() -> None:
    base = {"k.tf": STREAM, "l.tf": MAPPING}
    head = {"k.tf": STREAM.replace("-events", "-events2"), "l.tf": MAPPING}
    assert _rules(base, head) == [("infra.resource-replaced", "aws_kinesis_stream.events"),
                                  ("infra.resource-replaced", "aws_lambda_event_source_mapping.apply")]


def test_a_removed_block_forgets_instead_of_destroying() -> None:
    removed = "removed {\n  from = aws_dynamodb_table.orders\n\n  lifecycle {\n    destroy = false\n  }\n}\n"
    assert _rules({"d.tf": TABLE}, {"d.tf": removed}) == [("infra.resource-forgotten", "aws_dynamodb_table.orders")]
    assert _rules({"d.tf": TABLE}, {"d.tf": ""}) == [("infra.stateful-resource-destroyed", "aws_dynamodb_table.orders")]


def test_a_changed_data_source_updates_what_reads_it() -> None:
    doc = 'data "aws_iam_policy_document" "p" {\n  statement {\n    actions = ["a"]\n  }\n}\n'
    policy = 'resource "aws_iam_role_policy" "p" {\n  name   = "p"\n  policy = data.aws_iam_policy_document.p.json\n}\n'
    assert _rules({"i.tf": doc + "\n" + policy}, {"i.tf": doc.replace('"a"', '"b"') + "\n" + policy}) == [
        ("infra.resource-updated", "aws_iam_role_policy.p")]


def test_gen_knows_the_replacement_rules_of_every_resource_type_it_emits() -> None:
    types: set[str] = set()
    for case in CASES:
        for text in stack(case).files.values():
            types |= set(re.findall(r'^resource "([^"]+)"', text, flags=re.M))
    unknown = sorted(t for t in types if t not in FORCE_NEW and not t.startswith("aws_s3_bucket_"))
    assert unknown == []
    assert forces_new("aws_s3_bucket_versioning", {"bucket", "versioning_configuration"}) == ["bucket"]


def test_parse_reads_every_resource_of_the_reference_stack() -> None:
    files = stack("reference").files
    tree = parse(files)
    declared = sum(len(re.findall(r'^resource "', text, flags=re.M)) for text in files.values())
    assert len([a for a in tree.blocks if not a.startswith("data.")]) == declared
    assert _rules(files, files) == []
