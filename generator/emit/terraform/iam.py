"""iam.tf's view: one role per function, per API integration, per schedule and per archive.

Least privilege by construction: every statement lists exact actions (never ``*`` nor
``service:*``) on the ARNs of this stack's own resources (tables, indexes, streams, queues,
log groups, the key), referenced from Terraform, never typed as wildcards.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import refs
from generator.ir.names import pascal
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

    label: str
    name_suffix: str
    description: str
    service: str
    statements: tuple[Statement, ...]
    condition: Condition | None = None


def _logs(log_group: str) -> Statement:
    return Statement(
        "Logs",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        (refs.interp(f"{log_group}.arn", ":*"),),
    )


def _key(*actions: str) -> Statement:
    return Statement("Key", tuple(sorted(actions)), (refs.ref(refs.KEY, "arn"),))


def _table_statement(t: Table, read: bool, write: bool) -> Statement:
    actions = sorted(set(DDB_READ if read else ()) | set(DDB_WRITE if write else ()))
    resources = [refs.ref(refs.table_of(t), "arn")]
    if read:
        resources += [refs.index_arn(refs.label_of(t), i.name) for i in t.indexes]
    return Statement(f"Table{pascal(t.name)}", tuple(actions), tuple(resources))


def function_role(ir: Ir, p: Processor) -> Role:
    statements = [_logs(refs.function_log_group(p.ident))]
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
            refs.index_arn(refs.label_of(t), op.index) if op.index else refs.ref(refs.table_of(t), "arn")
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
        condition=Condition("StringEquals", "aws:SourceAccount", HclExpr("local.account_id")),
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
        condition=Condition("StringEquals", "sts:ExternalId", HclExpr("local.account_id")),
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
    return tuple(out)
