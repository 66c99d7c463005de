"""monitoring.tf's view: one alarm per thing that can silently go wrong, all to one SNS topic.

Per stream: iterator age. Per function: errors and throttles (and iterator age for Kinesis
consumers). Per dead-letter queue: any message. Per table (the idempotency table too): read
and write throttles. The API: 5xx and p99 latency. Per archive: delivery freshness.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import refs
from generator.emit.terraform.storage import needs_idempotency
from generator.ir.names import kebab
from generator.ir.nodes import Ir, Processor
from generator.render.filters import HclExpr

PERIOD = 300
ITERATOR_AGE_MS = 5 * 60 * 1000  # a consumer five minutes behind is falling behind
API_P99_MS = 1000
ARCHIVE_FRESHNESS_S = 900 + 300  # Firehose's buffer interval (300 s) plus 15 minutes of slack


@dataclass(frozen=True, slots=True)
class Alarm:
    label: str
    name_suffix: str
    description: str
    namespace: str
    metric: str
    statistic: str
    dimensions: tuple[tuple[str, object], ...]
    threshold: int
    percentile: bool = False


def _count(
    label: str,
    suffix: str,
    what: str,
    namespace: str,
    metric: str,
    dimensions: tuple[tuple[str, object], ...],
) -> Alarm:
    return Alarm(label, suffix, what, namespace, metric, "Sum", dimensions, 0)


def function_alarms(p: Processor) -> list[Alarm]:
    dims = (("FunctionName", refs.ref(refs.function(p.ident), "function_name")),)
    alarms = [
        _count(
            f"fn_{p.ident}_errors",
            f"fn-{kebab(p.name)}-errors",
            f"Function {p.name} raised errors",
            "AWS/Lambda",
            "Errors",
            dims,
        ),
        _count(
            f"fn_{p.ident}_throttles",
            f"fn-{kebab(p.name)}-throttles",
            f"Function {p.name} was throttled",
            "AWS/Lambda",
            "Throttles",
            dims,
        ),
    ]
    if p.kind == "stream":
        alarms.append(
            Alarm(
                f"fn_{p.ident}_iterator_age",
                f"fn-{kebab(p.name)}-iterator-age",
                f"Function {p.name} is more than {ITERATOR_AGE_MS // 60000} minutes behind its stream",
                "AWS/Lambda",
                "IteratorAge",
                "Maximum",
                dims,
                ITERATOR_AGE_MS,
            )
        )
    alarms.append(
        Alarm(
            f"dlq_{p.ident}",
            f"dlq-{kebab(p.name)}",
            f"Records of {p.name} reached its dead-letter queue",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "Maximum",
            (("QueueName", refs.ref(refs.dlq(p.ident), "name")),),
            0,
        )
    )
    return alarms


def table_alarms(ident: str, name: str, label: str | None = None) -> list[Alarm]:
    dims = (("TableName", refs.ref(refs.table(label or ident), "name")),)
    return [
        _count(
            f"table_{ident}_{kind}_throttles",
            f"table-{kebab(name)}-{kind}-throttles",
            f"Table {name}: throttled {kind}s",
            "AWS/DynamoDB",
            f"{kind.capitalize()}ThrottleEvents",
            dims,
        )
        for kind in ("read", "write")
    ]


def alarms(ir: Ir) -> list[Alarm]:
    out: list[Alarm] = []
    for s in ir.streams:
        out.append(
            Alarm(
                f"stream_{s.ident}_iterator_age",
                f"stream-{kebab(s.name)}-iterator-age",
                f"A consumer of stream {s.name} is more than {ITERATOR_AGE_MS // 60000} minutes behind",
                "AWS/Kinesis",
                "GetRecords.IteratorAgeMilliseconds",
                "Maximum",
                (("StreamName", refs.ref(refs.stream(s.ident), "name")),),
                ITERATOR_AGE_MS,
            )
        )
        if s.archive:
            out.append(
                Alarm(
                    f"archive_{s.ident}_freshness",
                    f"archive-{kebab(s.name)}-freshness",
                    f"The archive of {s.name} is more than {ARCHIVE_FRESHNESS_S} s behind",
                    "AWS/Firehose",
                    "DeliveryToS3.DataFreshness",
                    "Maximum",
                    (
                        (
                            "DeliveryStreamName",
                            HclExpr(f"aws_kinesis_firehose_delivery_stream.{s.ident}.name"),
                        ),
                    ),
                    ARCHIVE_FRESHNESS_S,
                )
            )
    for p in ir.processors:
        out += function_alarms(p)
    for t in ir.tables:
        out += table_alarms(t.ident, t.name, refs.label_of(t))
    if needs_idempotency(ir):
        out += table_alarms(refs.IDEMPOTENCY, refs.IDEMPOTENCY)
    api = (
        ("ApiName", HclExpr("aws_api_gateway_rest_api.api.name")),
        ("Stage", HclExpr("aws_api_gateway_stage.api.stage_name")),
    )
    out.append(
        _count(
            "api_5xx",
            "api-5xx",
            "The API answered with 5xx errors",
            "AWS/ApiGateway",
            "5XXError",
            api,
        )
    )
    out.append(
        Alarm(
            "api_latency",
            "api-latency",
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


def monitoring_view(ir: Ir) -> dict[str, object]:
    return {"alarms": alarms(ir), "period": PERIOD}
