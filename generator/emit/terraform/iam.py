"""iam.tf's view: one role per function, per API integration, per schedule and per archive,
and the producer role of IAM-protected ingestion.

Least privilege by construction: every statement lists exact actions (never ``*`` nor
``service:*``) on the ARNs of this stack's own resources (tables, indexes, streams, queues,
log groups, the key, API routes), referenced from Terraform, never typed as wildcards. The one
exception is X-Ray's trace upload, which has no resource-level permissions. A function gets
for each table exactly the actions of the typed access its processor is given
(`emit.python.tables.dynamodb_actions`). Service trust policies carry `aws:SourceAccount` and,
where the service passes it, `aws:SourceArn` (built from names: the resources refer to their
roles, so a reference back would be a cycle).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.python.tables import dynamodb_actions, queried_indexes
from generator.emit.terraform import refs
from generator.emit.terraform.access import producer_routes
from generator.ir.names import pascal
from generator.ir.nodes import Ir, Operation, Processor, Stream, Table
from generator.render.filters import HclExpr, hcl_frag

IDEMPOTENCY_ACTIONS = (
    # BatchLedger: TransactWriteItems is authorised per item as PutItem / UpdateItem, so it needs
    # no action of its own; BatchGetItem looks up refused claims, BatchWriteItem deletes.
    # PowertoolsLedger (IDEMPOTENCY_MODE=powertools): GetItem, PutItem, UpdateItem, DeleteItem.
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
STREAM_READ = (
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)
OPERATION_ACTIONS = {
    "get_item": "dynamodb:GetItem",
    "scan": "dynamodb:Scan",
    "query": "dynamodb:Query",
}


@dataclass(frozen=True, slots=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[HclExpr, ...]


XRAY_ACTIONS = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")


@dataclass(frozen=True, slots=True)
class Condition:
    test: str
    variable: str
    value: HclExpr


@dataclass(frozen=True, slots=True)
class Role:
    """A role, its trust and its one inline policy. The trust is a service principal, or (with
    `trusted`, an HCL list of ARNs) AWS principals; `conditions` all hold for the trust."""

    label: str
    name_suffix: str
    description: str
    service: str
    statements: tuple[Statement, ...]
    conditions: tuple[Condition, ...] = ()
    trusted: HclExpr | None = None


def _arn(service: str, resource: str, region: bool = True) -> HclExpr:
    """``"arn:<partition>:<service>:<region>:<account>:<resource>"`` (resource escaped)."""
    where = "${var.region}" if region else ""
    return HclExpr(f'"arn:${{local.partition}}:{service}:{where}:${{local.account_id}}:{resource}"')


def _source(arn: HclExpr | None) -> tuple[Condition, ...]:
    """The confused-deputy conditions: this account, and (when given) this resource."""
    account = Condition("StringEquals", "aws:SourceAccount", HclExpr("local.account_id"))
    return (account,) if arn is None else (account, Condition("ArnLike", "aws:SourceArn", arn))


def _logs(log_group: str) -> Statement:
    return Statement(
        "Logs",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        (refs.interp(f"{log_group}.arn", ":*"),),
    )


def _key(*actions: str) -> Statement:
    return Statement("Key", tuple(sorted(actions)), (refs.ref(refs.KEY, "arn"),))


def _table_statement(t: Table, read: bool, write: bool) -> Statement:
    resources = [refs.ref(refs.table(t.ident), "arn")]
    if read:
        resources += [refs.index_arn(t.ident, name) for name in queried_indexes(t)]
    return Statement(f"Table{pascal(t.name)}", dynamodb_actions(t, read=read, write=write), tuple(resources))


def function_role(ir: Ir, p: Processor) -> Role:
    statements = [_logs(refs.function_log_group(p.ident))]
    # Active tracing: the function uploads its segments (X-Ray takes no resource ARN).
    statements.append(Statement("Traces", XRAY_ACTIONS, (HclExpr('"*"'),)))
    statements += [_table_statement(ir.table(t), t in p.reads, t in p.writes) for t in p.tables]
    key_actions = ["kms:Decrypt", "kms:GenerateDataKey"]
    if p.kind == "stream" and p.stream:
        statements.append(
            Statement(
                "Idempotency", IDEMPOTENCY_ACTIONS, (refs.ref(refs.table(refs.IDEMPOTENCY), "arn"),)
            )
        )
        statements.append(
            Statement(
                "ReadStream",
                STREAM_READ,
                (refs.ref(refs.stream(ir.stream(p.stream).ident), "arn"),),
            )
        )
    statements.append(
        Statement("DeadLetters", ("sqs:SendMessage",), (refs.ref(refs.dlq(p.ident), "arn"),))
    )
    statements.append(_key(*key_actions))
    return Role(
        label=f"fn_{p.ident}",
        name_suffix=refs.role_suffix(ir.name, p.name, "fn"),
        description=f"Lambda function {p.name}",
        service="lambda.amazonaws.com",
        statements=tuple(statements),
        conditions=_source(_arn("lambda", "function:${local.prefix}-" + hcl_frag(refs.physical(p.name)))),
    )


def operation_role(ir: Ir, op: Operation) -> Role:
    statements: tuple[Statement, ...]
    if op.kind == "ingest":
        s = ir.stream(op.stream or "")
        statements = (
            Statement(
                "PutRecords",
                ("kinesis:PutRecord", "kinesis:PutRecords"),
                (refs.ref(refs.stream(s.ident), "arn"),),
            ),
            _key("kms:GenerateDataKey"),
        )
    else:
        t = ir.table(op.table or "")
        target = (
            refs.index_arn(t.ident, op.index) if op.index else refs.ref(refs.table(t.ident), "arn")
        )
        statements = (
            Statement(
                pascal(OPERATION_ACTIONS[op.kind].split(":")[1]),
                (OPERATION_ACTIONS[op.kind],),
                (target,),
            ),
        )
    return Role(
        label=f"api_{op.ident}",
        name_suffix=refs.role_suffix(ir.name, op.operation_id, "api"),
        description=f"API Gateway integration of {op.operation_id}",
        service="apigateway.amazonaws.com",
        statements=statements,
        # the API's id is not known here (its definition names this role): any API of the account
        conditions=_source(_arn("execute-api", "*")),
    )


def schedule_role(ir: Ir, p: Processor) -> Role:
    statements = (
        Statement("Invoke", ("lambda:InvokeFunction",), (refs.ref(refs.function(p.ident), "arn"),)),
        Statement("DeadLetters", ("sqs:SendMessage",), (refs.ref(refs.dlq(p.ident), "arn"),)),
        _key("kms:Decrypt", "kms:GenerateDataKey"),
    )
    return Role(
        label=f"schedule_{p.ident}",
        name_suffix=refs.role_suffix(ir.name, p.name, "schedule"),
        description=f"EventBridge Scheduler target of {p.name}",
        service="scheduler.amazonaws.com",
        statements=statements,
        # Scheduler passes the schedule group; the stack's schedules are in the default group
        conditions=_source(_arn("scheduler", "schedule-group/default")),
    )


def archive_role(ir: Ir, s: Stream) -> Role:
    bucket = "aws_s3_bucket.datalake"
    objects = tuple(refs.interp(f"{bucket}.arn", f"/{prefix}*") for prefix in archive_prefixes(s))
    statements = (
        Statement("ReadStream", STREAM_READ, (refs.ref(refs.stream(s.ident), "arn"),)),
        Statement(
            "Bucket",
            ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"),
            (refs.ref(bucket, "arn"),),
        ),
        Statement("Objects", ("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"), objects),
        Statement(
            "Logs",
            ("logs:PutLogEvents",),
            (refs.interp(f"aws_cloudwatch_log_group.archive_{s.ident}.arn", ":*"),),
        ),
        _key("kms:Decrypt", "kms:GenerateDataKey"),
    )
    return Role(
        label=f"archive_{s.ident}",
        name_suffix=refs.role_suffix(ir.name, s.name, "archive"),
        description=f"Firehose archive of stream {s.name}",
        service="firehose.amazonaws.com",
        statements=statements,
        conditions=(
            Condition("StringEquals", "sts:ExternalId", HclExpr("local.account_id")),
            *_source(_arn("firehose", "deliverystream/${local.prefix}-"
                          + hcl_frag(refs.physical(s.name) + "-archive"))),
        ),
    )


def api_logs_role(ir: Ir) -> Role:
    groups = ("aws_cloudwatch_log_group.api_access", "aws_cloudwatch_log_group.api_execution")
    # API Gateway manages execution logging itself (it creates the group when missing); the
    # groups exist already, so the grant stays on exactly these two groups and their streams.
    statements = (
        Statement(
            "Logs",
            (
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ),
            tuple(r for g in groups for r in (refs.ref(g, "arn"), refs.interp(f"{g}.arn", ":*"))),
        ),
    )
    return Role(
        label="api_logs",
        name_suffix=refs.role_suffix(ir.name, "api", "logs"),
        description="API Gateway access and execution logging",
        service="apigateway.amazonaws.com",
        statements=statements,
        # account-wide: API Gateway assumes it for every REST API of the region
        conditions=_source(None),
    )


def producer_role(ir: Ir) -> Role | None:
    """Who may send events to the IAM-protected ingestion routes: exactly those routes. Trusted
    by the principals of `var.producer_principals` (default: this account's IAM principals
    that are allowed to assume it); the same document is the attachable policy `producer`."""
    routes = producer_routes(ir)
    if not routes:
        return None
    return Role(
        label="producer",
        name_suffix=refs.role_suffix(ir.name, "ingest", "producer"),
        description="Producers of events: may invoke the SigV4-protected ingestion routes",
        service="",
        statements=(Statement("Invoke", ("execute-api:Invoke",), routes),),
        trusted=HclExpr("local.producer_principals"),
    )


def archive_prefixes(s: Stream) -> tuple[str, str]:
    """The data-lake prefixes a stream's archive writes: data, then delivery errors."""
    return f"{s.name}/", f"errors/{s.name}/"


def roles(ir: Ir) -> tuple[Role, ...]:
    out = [function_role(ir, p) for p in ir.processors]
    out += [operation_role(ir, op) for op in ir.operations]
    out += [schedule_role(ir, p) for p in ir.processors if p.kind == "schedule"]
    out += [archive_role(ir, s) for s in ir.streams if s.archive]
    out.append(api_logs_role(ir))
    producer = producer_role(ir)
    if producer is not None:
        out.append(producer)
    return tuple(out)
