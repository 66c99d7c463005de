"""Encryption at rest everywhere, private buckets, and stateful resources that cannot be destroyed."""

from __future__ import annotations

import re

from tests.infra.terraform_stack import Stack, lifecycle, many, one, ref

KEY = "aws_kms_key.main.arn"
# Resource types that hold data, and the argument that names their customer-managed key.
KEYED = {
    "aws_kinesis_stream": "kms_key_id",
    "aws_sqs_queue": "kms_master_key_id",
    "aws_sns_topic": "kms_master_key_id",
    "aws_cloudwatch_log_group": "kms_key_id",
    "aws_lambda_function": "kms_key_arn",
    "aws_scheduler_schedule": "kms_key_arn",
    "aws_s3_object": "kms_key_id",
}
STATEFUL = ("aws_dynamodb_table", "aws_kinesis_stream", "aws_kms_key", "aws_cognito_user_pool")
SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+):(.*)")


def test_every_store_uses_the_stack_key(any_stack: Stack) -> None:
    for rtype, arg in KEYED.items():
        for name, body in any_stack.resources(rtype).items():
            assert ref(body.get(arg)) == KEY, f"{rtype}.{name}.{arg}"
    for name, table in any_stack.resources("aws_dynamodb_table").items():
        assert one(table, "server_side_encryption") == {
            "enabled": True,
            "kms_key_arn": f"${{{KEY}}}",
        }, name
    for name in any_stack.resources("aws_kinesis_stream"):
        assert any_stack.resource("aws_kinesis_stream", name)["encryption_type"] == "KMS"
    for name, fh in any_stack.resources("aws_kinesis_firehose_delivery_stream").items():
        assert ref(one(fh, "extended_s3_configuration")["kms_key_arn"]) == KEY, name
    assert one(any_stack.resource("aws_kms_key", "main"), "lifecycle")["prevent_destroy"] is True
    assert any_stack.resource("aws_kms_key", "main")["enable_key_rotation"] is True


def test_every_bucket_is_private_encrypted_versioned_and_logged(any_stack: Stack) -> None:
    buckets = any_stack.resources("aws_s3_bucket")
    ir = any_stack.ir
    archived = any(s.archive for s in ir.streams)
    # a web bucket only with a frontend; the log bucket only when something logs into it
    wanted = {"web": ir.frontend, "datalake": archived, "logs": ir.frontend or archived}
    assert set(buckets) == {label for label, present in wanted.items() if present}
    for label in buckets:
        block = any_stack.resource("aws_s3_bucket_public_access_block", label)
        assert all(
            block[k] is True
            for k in (
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            )
        ), label
        sse = one(
            many(
                any_stack.resource("aws_s3_bucket_server_side_encryption_configuration", label),
                "rule",
            )[0],
            "apply_server_side_encryption_by_default",
        )
        if label == "logs":  # S3 server access logs can only be delivered to SSE-S3 buckets
            assert sse == {"sse_algorithm": "AES256"}
        else:
            assert sse == {"sse_algorithm": "aws:kms", "kms_master_key_id": f"${{{KEY}}}"}, label
        versioning = one(
            any_stack.resource("aws_s3_bucket_versioning", label), "versioning_configuration"
        )
        assert versioning["status"] == "Enabled"
        logging = any_stack.resources("aws_s3_bucket_logging").get(label)
        assert (logging is None) == (label == "logs"), label
        assert label in any_stack.resources("aws_s3_bucket_lifecycle_configuration"), label


def test_stateful_resources_are_protected(any_stack: Stack) -> None:
    for rtype in STATEFUL:
        for name, body in any_stack.resources(rtype).items():
            assert lifecycle(body)["prevent_destroy"] is True, f"{rtype}.{name}"
    for name, table in any_stack.resources("aws_dynamodb_table").items():
        assert table["deletion_protection_enabled"] is True, name
        assert one(table, "point_in_time_recovery") == {"enabled": True}, name
    for pool in any_stack.resources("aws_cognito_user_pool").values():
        assert pool["deletion_protection"] == "ACTIVE"
    if "datalake" in any_stack.resources("aws_s3_bucket"):
        assert lifecycle(any_stack.resource("aws_s3_bucket", "datalake"))["prevent_destroy"] is True


def test_every_inline_policy_skip_gives_its_reason(any_stack: Stack) -> None:
    skips = [m for text in any_stack.files.values() for m in SKIP.finditer(text)]
    for m in skips:
        assert len(m.group(2).strip()) >= 30, f"{m.group(1)} needs a real reason"
    ids = {m.group(1) for m in skips}
    ir = any_stack.ir
    assert ("CKV_AWS_174" in ids) == (ir.frontend and ir.frontend_domain is None)
    # ACLs stay enabled on the log bucket only for CloudFront's standard logs
    assert ("CKV2_AWS_65" in ids) == ir.frontend
    assert ("CKV_AWS_145" in ids) == ("logs" in any_stack.resources("aws_s3_bucket"))
