"""Alarms: every function, stream, queue, table and the API has one for what can go wrong."""

from __future__ import annotations

from tests.infra.terraform_stack import Stack, ref


def watched(st: Stack) -> set[tuple[str, str, str]]:
    """(namespace, metric, the watched resource reference) of every alarm."""
    out = set()
    for name, alarm in st.resources("aws_cloudwatch_metric_alarm").items():
        dims = alarm["dimensions"]
        target = ref(dims.get("ApiName", next(iter(dims.values()))))
        out.add((alarm["namespace"], alarm["metric_name"], target.rsplit(".", 1)[0]))
    return out


def test_alarms_cover_functions_streams_queues_tables_and_the_api(any_stack: Stack) -> None:
    ir = any_stack.ir
    want = set()
    for p in ir.processors:
        fn = f"aws_lambda_function.{p.ident}"
        want |= {("AWS/Lambda", "Errors", fn), ("AWS/Lambda", "Throttles", fn)}
        want.add(("AWS/SQS", "ApproximateNumberOfMessagesVisible", f"aws_sqs_queue.dlq_{p.ident}"))
        if p.kind == "stream":
            want.add(("AWS/Lambda", "IteratorAge", fn))
    for s in ir.streams:
        want.add(
            ("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", f"aws_kinesis_stream.{s.ident}")
        )
        want.add(("AWS/Kinesis", "WriteProvisionedThroughputExceeded", f"aws_kinesis_stream.{s.ident}"))
    tables = [t.ident for t in ir.tables] + (
        ["idempotency"] if any(p.kind == "stream" for p in ir.processors) else []
    )
    for t in tables:
        want |= {
            ("AWS/DynamoDB", m, f"aws_dynamodb_table.{t}")
            for m in ("ReadThrottleEvents", "WriteThrottleEvents")
        }
    want |= {
        ("AWS/ApiGateway", "5XXError", "aws_api_gateway_rest_api.api"),
        ("AWS/ApiGateway", "4XXError", "aws_api_gateway_rest_api.api"),
        ("AWS/ApiGateway", "Latency", "aws_api_gateway_rest_api.api"),
    }
    assert want <= watched(any_stack), sorted(want - watched(any_stack))


def test_the_4xx_alarm_watches_a_rate_and_write_throttles_any_refusal(any_stack: Stack) -> None:
    """4XXError's Average is the share of refused requests; one refused Kinesis write is news."""
    alarms = any_stack.resources("aws_cloudwatch_metric_alarm")
    rate = alarms["api_4xx"]
    assert (rate["statistic"], rate["comparison_operator"]) == ("Average", "GreaterThanThreshold")
    assert 0 < rate["threshold"] < 0.5
    for s in any_stack.ir.streams:
        throttled = alarms[f"stream_{s.ident}_write_throttles"]
        assert (throttled["metric_name"], throttled["statistic"], throttled["threshold"]) == (
            "WriteProvisionedThroughputExceeded", "Sum", 0)
        assert ref(throttled["dimensions"]["StreamName"]) == f"aws_kinesis_stream.{s.ident}.name"


def test_every_alarm_notifies_the_topic(any_stack: Stack) -> None:
    alarms = any_stack.resources("aws_cloudwatch_metric_alarm")
    assert alarms
    for name, alarm in alarms.items():
        assert alarm["alarm_actions"] == alarm["ok_actions"] == "${local.alarm_actions}", name
        assert alarm["alarm_name"].startswith("${local.prefix}-"), name
    assert "aws_sns_topic.alarms.arn" in any_stack.locals["alarm_actions"]
    assert "var.alarm_sns_topic_arn" in any_stack.locals["alarm_actions"]
    names = [a["alarm_name"] for a in alarms.values()]
    assert len(names) == len(set(names)), "alarm names must be unique"


def test_the_email_subscription_is_optional(any_stack: Stack) -> None:
    sub = any_stack.resource("aws_sns_topic_subscription", "alarm_email")
    assert sub["count"] == "${var.alarm_email == null ? 0 : 1}"
    assert sub["protocol"] == "email"
    assert any_stack.variables["alarm_email"]["default"] is None
