"""monitoring.tf's view: one alarm per thing that can silently go wrong, all to one SNS topic.

Per stream: iterator age and throttled writes. Per function: errors and throttles (and, for
Kinesis consumers, iterator age and the runtime's own `RecordsPoison` EMF metric: records it could
never apply). Per dead-letter queue: any message. Per table (the idempotency table too): read and
write throttles. The API: 5xx, the rate of 4xx (refused signatures, keys over quota, invalid
batches) and p99 latency. Per archive: delivery freshness.
The access-log bucket exists only when something logs into it (the web bucket and CloudFront,
the data lake).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import refs
from generator.emit.terraform.storage import needs_idempotency
from generator.ir.names import Resource
from generator.ir.nodes import Ir, Processor
from generator.render.filters import HclExpr

PERIOD = 300
ITERATOR_AGE_MS = 5 * 60 * 1000  # a consumer five minutes behind is falling behind
API_P99_MS = 1000
API_4XX_RATE = 0.05  # more than 5% of requests refused: broken producers, or someone probing
ARCHIVE_FRESHNESS_S = 900 + 300  # Firehose's buffer interval (300 s) plus 15 minutes of slack


@dataclass(frozen=True, slots=True)
class Alarm:
    names: Resource
    description: str
    namespace: str
    metric: str
    statistic: str
    dimensions: tuple[tuple[str, object], ...]
    threshold: int | float
    percentile: bool = False


def _count(
    names: Resource,
    what: str,
    namespace: str,
    metric: str,
    dimensions: tuple[tuple[str, object], ...],
) -> Alarm:
    return Alarm(names, what, namespace, metric, "Sum", dimensions, 0)


def function_alarms(ir: Ir, p: Processor) -> list[Alarm]:
    dims = (("FunctionName", refs.ref(p.names.function.address, "function_name")),)
    alarms = [
        _count(
            p.names.errors_alarm,
            f"Function {p.name} raised errors",
            "AWS/Lambda",
            "Errors",
            dims,
        ),
        _count(
            p.names.throttles_alarm,
            f"Function {p.name} was throttled",
            "AWS/Lambda",
            "Throttles",
            dims,
        ),
    ]
    if p.kind == "stream":
        alarms.append(
            Alarm(
                p.names.iterator_alarm,
                f"Function {p.name} is more than {ITERATOR_AGE_MS // 60000} minutes behind its stream",
                "AWS/Lambda",
                "IteratorAge",
                "Maximum",
                dims,
                ITERATOR_AGE_MS,
            )
        )
        # The runtime's EMF metrics: namespace POWERTOOLS_METRICS_NAMESPACE, dimensions service
        # (POWERTOOLS_SERVICE_NAME) and processor; both names are the model's (compute.environment).
        alarms.append(
            _count(
                p.names.poison_alarm,
                f"Function {p.name} met records it can never apply (they go to its dead-letter queue)",
                ir.name,
                "RecordsPoison",
                (("processor", p.name), ("service", ir.name)),
            )
        )
    alarms.append(
        Alarm(
            p.names.dlq_alarm,
            f"Records of {p.name} reached its dead-letter queue",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "Maximum",
            (("QueueName", refs.ref(p.names.dlq.address, "name")),),
            0,
        )
    )
    return alarms


def table_alarms(table: Resource, alarms: tuple[Resource, Resource], name: str) -> list[Alarm]:
    """Read, then write throttles of `table` (`alarms` names them, in that order)."""
    dims = (("TableName", refs.ref(table.address, "name")),)
    return [
        _count(
            names,
            f"Table {name}: throttled {kind}s",
            "AWS/DynamoDB",
            f"{kind.capitalize()}ThrottleEvents",
            dims,
        )
        for kind, names in zip(("read", "write"), alarms, strict=True)
    ]


def alarms(ir: Ir) -> list[Alarm]:
    out: list[Alarm] = []
    for s in ir.streams:
        out.append(
            Alarm(
                s.names.iterator_alarm,
                f"A consumer of stream {s.name} is more than {ITERATOR_AGE_MS // 60000} minutes behind",
                "AWS/Kinesis",
                "GetRecords.IteratorAgeMilliseconds",
                "Maximum",
                (("StreamName", refs.ref(s.names.stream.address, "name")),),
                ITERATOR_AGE_MS,
            )
        )
        out.append(
            _count(
                s.names.write_alarm,
                f"Stream {s.name} refused writes over its throughput (ingestion answers them as failed events)",
                "AWS/Kinesis",
                "WriteProvisionedThroughputExceeded",
                (("StreamName", refs.ref(s.names.stream.address, "name")),),
            )
        )
        if s.archive:
            out.append(
                Alarm(
                    s.names.archive_alarm,
                    f"The archive of {s.name} is more than {ARCHIVE_FRESHNESS_S} s behind",
                    "AWS/Firehose",
                    "DeliveryToS3.DataFreshness",
                    "Maximum",
                    (
                        (
                            "DeliveryStreamName",
                            refs.ref(s.names.archive.address, "name"),
                        ),
                    ),
                    ARCHIVE_FRESHNESS_S,
                )
            )
    for p in ir.processors:
        out += function_alarms(ir, p)
    for t in ir.tables:
        out += table_alarms(t.names.table, t.names.alarms, t.name)
    if needs_idempotency(ir):
        out += table_alarms(ir.names.idempotency, ir.names.idempotency_alarms, ir.names.idempotency.label)
    api = (
        ("ApiName", HclExpr("aws_api_gateway_rest_api.api.name")),
        ("Stage", HclExpr("aws_api_gateway_stage.api.stage_name")),
    )
    errors, rate_4xx, latency = ir.names.api_alarms
    out.append(
        _count(
            errors,
            "The API answered with 5xx errors",
            "AWS/ApiGateway",
            "5XXError",
            api,
        )
    )
    out.append(
        Alarm(
            rate_4xx,
            f"More than {API_4XX_RATE:.0%} of the API's requests were refused (4xx)",
            "AWS/ApiGateway",
            "4XXError",
            "Average",
            api,
            API_4XX_RATE,
        )
    )
    out.append(
        Alarm(
            latency,
            f"The API's p99 latency is above {API_P99_MS} ms",
            "AWS/ApiGateway",
            "Latency",
            "p99",
            api,
            API_P99_MS,
            percentile=True,
        )
    )
    return out


@dataclass(frozen=True, slots=True)
class LogsBucket:
    """The access-log bucket: its comment lines, object ownership and checkov exceptions."""

    comment: tuple[str, ...]
    ownership: str
    bucket_skips: tuple[tuple[str, str], ...]
    ownership_skips: tuple[tuple[str, str], ...]


LOGS_BUCKET_SKIPS = (
    ("CKV_AWS_145", "S3 server access logging delivers only to buckets encrypted with SSE-S3 (AES256), "
     "which this bucket uses."),
    ("CKV_AWS_18", "This is the access-log bucket; logging it into itself would log every log delivery."),
    ("CKV2_AWS_62", "Nothing consumes object events of the access-log bucket."),
)


def needs_access_logs(ir: Ir) -> bool:
    """Whether a bucket or distribution delivers access logs: the frontend or an archive."""
    return ir.frontend or any(s.archive for s in ir.streams)


def logs_bucket(ir: Ir) -> LogsBucket | None:
    """The access-log bucket, None when nothing logs into it. CloudFront's standard logs are
    delivered through a bucket ACL grant, so with a frontend the bucket keeps ACLs enabled."""
    if not needs_access_logs(ir):
        return None
    if not ir.frontend:
        return LogsBucket(("Access logs of the other buckets. S3 delivers server access logs only to SSE-S3",
                           "buckets, hence the exception."), "BucketOwnerEnforced", LOGS_BUCKET_SKIPS, ())
    return LogsBucket(
        ("Access logs of the other buckets and of CloudFront. S3 delivers server access logs only to",
         "SSE-S3 buckets, and CloudFront standard logs need bucket ACLs, hence the two exceptions."),
        "BucketOwnerPreferred", LOGS_BUCKET_SKIPS,
        (("CKV2_AWS_65", "CloudFront standard logging writes through the awslogsdelivery ACL grant, "
          "so ACLs stay enabled here."),))


def monitoring_view(ir: Ir) -> dict[str, object]:
    return {"alarms": alarms(ir), "period": PERIOD, "logs_bucket": logs_bucket(ir)}
