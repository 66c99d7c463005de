"""What Terraform does to a changed resource: which arguments force a replacement, which
resources hold data. Knowledge of the hashicorp/aws provider (6.x), for the resource types gen
emits; each entry is the provider documentation's "forces new resource" (or, for nested blocks,
the schema's ForceNew) for that argument. Anything not listed updates in place.
"""

from __future__ import annotations

FORCE_NEW: dict[str, frozenset[str]] = {
    "aws_dynamodb_table": frozenset({"name", "hash_key", "range_key", "local_secondary_index"}),
    "aws_kinesis_stream": frozenset({"name"}),
    "aws_kinesis_firehose_delivery_stream": frozenset({"name", "destination", "kinesis_source_configuration"}),
    "aws_lambda_function": frozenset({"function_name"}),
    "aws_lambda_event_source_mapping": frozenset({"event_source_arn", "starting_position",
                                                  "starting_position_timestamp"}),
    "aws_sqs_queue": frozenset({"name", "name_prefix", "fifo_queue"}),
    "aws_s3_bucket": frozenset({"bucket", "bucket_prefix"}),
    "aws_s3_object": frozenset({"bucket", "key"}),
    "aws_iam_role": frozenset({"name", "name_prefix", "path"}),
    "aws_iam_role_policy": frozenset({"name", "name_prefix", "role"}),
    "aws_cloudwatch_log_group": frozenset({"name", "name_prefix"}),
    "aws_cloudwatch_log_stream": frozenset({"name", "log_group_name"}),
    "aws_cloudwatch_metric_alarm": frozenset({"alarm_name"}),
    "aws_scheduler_schedule": frozenset({"name", "name_prefix", "group_name"}),
    "aws_cognito_user_pool": frozenset({"name", "alias_attributes", "username_attributes", "schema"}),
    "aws_cognito_user_pool_client": frozenset({"user_pool_id", "generate_secret"}),
    "aws_cognito_user_pool_domain": frozenset({"domain", "user_pool_id"}),
    "aws_cognito_resource_server": frozenset({"identifier", "user_pool_id"}),
    "aws_kms_key": frozenset({"customer_master_key_spec", "key_usage"}),
    "aws_kms_alias": frozenset({"name", "name_prefix"}),
    "aws_sns_topic": frozenset({"name", "name_prefix", "fifo_topic"}),
    "aws_sns_topic_subscription": frozenset({"topic_arn", "protocol", "endpoint"}),
    "aws_api_gateway_stage": frozenset({"rest_api_id", "stage_name"}),
    "aws_api_gateway_deployment": frozenset({"rest_api_id", "triggers"}),
    "aws_api_gateway_method_settings": frozenset({"rest_api_id", "stage_name", "method_path"}),
    "aws_cloudfront_origin_access_control": frozenset(),
    "aws_cloudfront_response_headers_policy": frozenset(),
    "aws_cloudfront_distribution": frozenset(),
    "aws_api_gateway_rest_api": frozenset(),
    "aws_api_gateway_account": frozenset(),
    "aws_api_gateway_domain_name": frozenset({"domain_name"}),
    "aws_api_gateway_base_path_mapping": frozenset({"domain_name"}),
    "aws_acm_certificate": frozenset({"domain_name", "subject_alternative_names", "validation_method"}),
    "aws_acm_certificate_validation": frozenset({"certificate_arn", "validation_record_fqdns"}),
    "aws_route53_record": frozenset({"name", "type", "zone_id"}),
    "aws_api_gateway_api_key": frozenset({"value"}),
    "aws_api_gateway_usage_plan": frozenset(),
    "aws_api_gateway_usage_plan_key": frozenset({"key_id", "key_type", "usage_plan_id"}),
    "aws_iam_policy": frozenset({"name", "name_prefix", "path", "description"}),
    "aws_wafv2_web_acl": frozenset({"name", "name_prefix", "scope"}),
    "aws_wafv2_web_acl_association": frozenset({"resource_arn", "web_acl_arn"}),
    "aws_wafv2_web_acl_logging_configuration": frozenset({"resource_arn"}),
}
# every aws_s3_bucket_* companion resource is bound to its bucket
_BUCKET_PARTS = frozenset({"bucket", "expected_bucket_owner"})

# resources whose destruction loses data that cannot be rebuilt from the spec
STATEFUL: frozenset[str] = frozenset({"aws_dynamodb_table", "aws_s3_bucket", "aws_cognito_user_pool", "aws_kms_key"})


def forces_new(rtype: str, changed: set[str]) -> list[str]:
    """The changed arguments of a `rtype` resource that force its replacement, sorted."""
    known = FORCE_NEW.get(rtype)
    if known is None and rtype.startswith("aws_s3_bucket_"):
        known = _BUCKET_PARTS
    return sorted(changed & (known or frozenset()))
