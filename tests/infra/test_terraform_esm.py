"""Kinesis event source mappings: partial batch failures, bisection, bounded retries and age,
the processor's own encrypted dead-letter queue, and only the processor's event types."""

from __future__ import annotations

from tests.infra.terraform_stack import Stack, jsonencoded, one, ref


def test_one_mapping_per_stream_processor_with_the_spec_settings(any_stack: Stack) -> None:
    ir = any_stack.ir
    streamed = [p for p in ir.processors if p.kind == "stream"]
    assert set(any_stack.resources("aws_lambda_event_source_mapping")) == {
        p.ident for p in streamed
    }
    for p in streamed:
        m = any_stack.resource("aws_lambda_event_source_mapping", p.ident)
        assert ref(m["function_name"]) == f"aws_lambda_function.{p.ident}.arn"
        assert (
            ref(m["event_source_arn"])
            == f"aws_kinesis_stream.{ir.stream(p.stream or '').ident}.arn"
        )
        assert m["function_response_types"] == ["ReportBatchItemFailures"]
        assert m["bisect_batch_on_function_error"] is True
        assert m["maximum_retry_attempts"] == p.max_retries
        assert m["maximum_record_age_in_seconds"] == p.max_record_age_seconds
        assert m["batch_size"] == p.batch_size
        assert m["maximum_batching_window_in_seconds"] == p.window_seconds
        assert m["starting_position"] == "TRIM_HORIZON"
        on_failure = one(one(m, "destination_config"), "on_failure")
        assert ref(on_failure["destination_arn"]) == f"aws_sqs_queue.dlq_{p.ident}.arn"


def test_filter_criteria_pass_exactly_the_processor_event_types(any_stack: Stack) -> None:
    for p in (p for p in any_stack.ir.processors if p.kind == "stream"):
        m = any_stack.resource("aws_lambda_event_source_mapping", p.ident)
        pattern = jsonencoded(one(one(m, "filter_criteria"), "filter")["pattern"])
        assert pattern == {"data": {"type": sorted(p.events)}}
        others = {e.type for e in any_stack.ir.events} - set(p.events)
        assert not others & set(pattern["data"]["type"])


def test_every_processor_has_its_own_encrypted_dead_letter_queue(any_stack: Stack) -> None:
    queues = any_stack.resources("aws_sqs_queue")
    assert set(queues) == {f"dlq_{p.ident}" for p in any_stack.ir.processors}
    for p in any_stack.ir.processors:
        q = queues[f"dlq_{p.ident}"]
        assert ref(q["kms_master_key_id"]) == "aws_kms_key.main.arn"
        assert q["message_retention_seconds"] == 14 * 24 * 3600
        fn = any_stack.resource("aws_lambda_function", p.ident)
        assert (
            ref(one(fn, "dead_letter_config")["target_arn"]) == f"aws_sqs_queue.dlq_{p.ident}.arn"
        )


def test_functions_wait_for_their_permissions_and_log_group(any_stack: Stack) -> None:
    for p in any_stack.ir.processors:
        fn = any_stack.resource("aws_lambda_function", p.ident)
        assert {ref(d) for d in fn["depends_on"]} == {
            f"aws_cloudwatch_log_group.fn_{p.ident}",
            f"aws_iam_role_policy.fn_{p.ident}",
        }
