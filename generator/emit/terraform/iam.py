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
from generator.ir import names as nm
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

    names: nm.Role
    description: str
    service: str
    statements: tuple[Statement, ...]
    conditions: tuple[Condition, ...] = ()
    trusted: HclExpr | None = None
    policy: nm.Resource | None = None  # with `trusted`: the same document as an attachable policy


def _arn(service: str, resource: str, region: bool = True) -> HclExpr:
    """``"arn:<partition>:<service>:<region>:<account>:<resource>"`` (resource escaped)."""
    where = "${var.region}" if region else ""
    return HclExpr(f'"arn:${{local.partition}}:{service}:{where}:${{local.account_id}}:{resource}"')


def _source(arn: HclExpr | None) -> tuple[Condition, ...]:
    """The confused-deputy conditions: this account, and (when given) this resource."""
    account = Condition("StringEquals", "aws:SourceAccount", HclExpr("local.account_id"))
    return (account,) if arn is None else (account, Condition("ArnLike", "aws:SourceArn", arn))


def _logs(log_group: nm.Resource) -> Statement:
    return Statement(
        "Logs",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        (refs.interp(f"{log_group.address}.arn", ":*"),),
    )


def _key(*actions: str) -> Statement:
    return Statement("Key", tuple(sorted(actions)), (refs.ref(refs.KEY, "arn"),))


def _table_statement(t: Table, read: bool, write: bool) -> Statement:
    resources = [refs.ref(t.names.table.address, "arn")]
    if read:
        resources += [refs.index_arn(t.names.table, name) for name in queried_indexes(t)]
    return Statement(t.names.policy_sid, dynamodb_actions(t, read=read, write=write), tuple(resources))


def function_role(ir: Ir, p: Processor) -> Role:
    statements = [_logs(p.names.log_group)]
    # Active tracing: the function uploads its segments (X-Ray takes no resource ARN).
    statements.append(Statement("Traces", XRAY_ACTIONS, (HclExpr('"*"'),)))
    statements += [_table_statement(ir.table(t), t in p.reads, t in p.writes) for t in p.tables]
    key_actions = ["kms:Decrypt", "kms:GenerateDataKey"]
    if p.kind == "stream" and p.stream:
        statements.append(
            Statement(
                "Idempotency", IDEMPOTENCY_ACTIONS, (refs.ref(ir.names.idempotency.address, "arn"),)
            )
        )
        statements.append(
            Statement(
                "ReadStream",
                STREAM_READ,
                (refs.ref(ir.stream(p.stream).names.stream.address, "arn"),),
            )
        )
    statements.append(
        Statement("DeadLetters", ("sqs:SendMessage",), (refs.ref(p.names.dlq.address, "arn"),))
    )
    statements.append(_key(*key_actions))
    return Role(
        names=p.names.role,
        description=f"Lambda function {p.name}",
        service="lambda.amazonaws.com",
        statements=tuple(statements),
        conditions=_source(_arn("lambda", "function:${local.prefix}-" + hcl_frag(refs.physical(p.names.function)))),
    )


def operation_role(ir: Ir, op: Operation) -> Role:
    statements: tuple[Statement, ...]
    if op.kind == "ingest":
        s = ir.stream(op.stream or "")
        statements = (
            Statement(
                "PutRecords",
                ("kinesis:PutRecord", "kinesis:PutRecords"),
                (refs.ref(s.names.stream.address, "arn"),),
            ),
            _key("kms:GenerateDataKey"),
        )
    else:
        t = ir.table(op.table or "")
        target = (
            refs.index_arn(t.names.table, op.index) if op.index else refs.ref(t.names.table.address, "arn")
        )
        statements = (
            Statement(
                OPERATION_ACTIONS[op.kind].split(":")[1],
                (OPERATION_ACTIONS[op.kind],),
                (target,),
            ),
        )
    return Role(
        names=op.names.role,
        description=f"API Gateway integration of {op.operation_id}",
        service="apigateway.amazonaws.com",
        statements=statements,
        # the API's id is not known here (its definition names this role): any API of the account
        conditions=_source(_arn("execute-api", "*")),
    )


def schedule_role(ir: Ir, p: Processor) -> Role:
    statements = (
        Statement("Invoke", ("lambda:InvokeFunction",), (refs.ref(p.names.function.address, "arn"),)),
        Statement("DeadLetters", ("sqs:SendMessage",), (refs.ref(p.names.dlq.address, "arn"),)),
        _key("kms:Decrypt", "kms:GenerateDataKey"),
    )
    return Role(
        names=p.names.schedule_role,
        description=f"EventBridge Scheduler target of {p.name}",
        service="scheduler.amazonaws.com",
        statements=statements,
        # Scheduler passes the schedule group; the stack's schedules are in the default group
        conditions=_source(_arn("scheduler", "schedule-group/default")),
    )


def archive_role(ir: Ir, s: Stream) -> Role:
    bucket = "aws_s3_bucket.datalake"
    prefixes = (s.names.archive_prefix, s.names.archive_error_prefix)
    objects = tuple(refs.interp(f"{bucket}.arn", f"/{prefix}*") for prefix in prefixes)
    statements = (
        Statement("ReadStream", STREAM_READ, (refs.ref(s.names.stream.address, "arn"),)),
        Statement(
            "Bucket",
            ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"),
            (refs.ref(bucket, "arn"),),
        ),
        Statement("Objects", ("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"), objects),
        Statement(
            "Logs",
            ("logs:PutLogEvents",),
            (refs.interp(f"{s.names.archive_log_group.address}.arn", ":*"),),
        ),
        _key("kms:Decrypt", "kms:GenerateDataKey"),
    )
    return Role(
        names=s.names.archive_role,
        description=f"Firehose archive of stream {s.name}",
        service="firehose.amazonaws.com",
        statements=statements,
        conditions=(
            Condition("StringEquals", "sts:ExternalId", HclExpr("local.account_id")),
            *_source(_arn("firehose", "deliverystream/${local.prefix}-"
                          + hcl_frag(refs.physical(s.names.archive)))),
        ),
    )


def api_logs_role(ir: Ir) -> Role:
    groups = (ir.names.api_access_log.address, ir.names.api_execution_log.address)
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
        names=ir.names.api_logs_role,
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
        names=ir.names.producer_role,
        policy=ir.names.producer_policy,
        description="Producers of events: may invoke the SigV4-protected ingestion routes",
        service="",
        statements=(Statement("Invoke", ("execute-api:Invoke",), routes),),
        trusted=HclExpr("local.producer_principals"),
    )


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
