"""iam.tf's view: one role per function, per API integration, per schedule and per archive.

Least privilege by construction: every statement lists exact actions (never ``*`` nor
``service:*``) on the ARNs of this stack's own resources (tables, indexes, streams, queues,
log groups, the key), referenced from Terraform, never typed as wildcards.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import refs
from generator.ir import names as nm
from generator.ir.nodes import Ir, Operation, Processor, Stream, Table
from generator.render.filters import HclExpr

DDB_READ = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
DDB_WRITE = (
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
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


@dataclass(frozen=True, slots=True)
class Condition:
    test: str
    variable: str
    value: HclExpr


@dataclass(frozen=True, slots=True)
class Role:
    """A role, its trust (one service principal) and its one inline policy."""

    names: nm.Role
    description: str
    service: str
    statements: tuple[Statement, ...]
    condition: Condition | None = None


def _logs(log_group: nm.Resource) -> Statement:
    return Statement(
        "Logs",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        (refs.interp(f"{log_group.address}.arn", ":*"),),
    )


def _key(*actions: str) -> Statement:
    return Statement("Key", tuple(sorted(actions)), (refs.ref(refs.KEY, "arn"),))


def _table_statement(t: Table, read: bool, write: bool) -> Statement:
    actions = sorted(set(DDB_READ if read else ()) | set(DDB_WRITE if write else ()))
    resources = [refs.ref(t.names.table.address, "arn")]
    if read:
        resources += [refs.index_arn(t.names.table, i.name) for i in t.indexes]
    return Statement(t.names.policy_sid, tuple(actions), tuple(resources))


def function_role(ir: Ir, p: Processor) -> Role:
    statements = [_logs(p.names.log_group)]
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
        condition=Condition("StringEquals", "aws:SourceAccount", HclExpr("local.account_id")),
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
        condition=Condition("StringEquals", "sts:ExternalId", HclExpr("local.account_id")),
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
    )


def roles(ir: Ir) -> tuple[Role, ...]:
    out = [function_role(ir, p) for p in ir.processors]
    out += [operation_role(ir, op) for op in ir.operations]
    out += [schedule_role(ir, p) for p in ir.processors if p.kind == "schedule"]
    out += [archive_role(ir, s) for s in ir.streams if s.archive]
    out.append(api_logs_role(ir))
    return tuple(out)
