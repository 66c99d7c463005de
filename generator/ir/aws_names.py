"""AWS naming limits, checked on the names gen will create (``<name>-<stage>-<resource>``).

Lengths assume the longest stage the generated Terraform accepts (`STAGE_MAX`) and, for
buckets, the 12-digit account id suffix that keeps bucket names globally unique.
"""

from __future__ import annotations

import re

from generator.ir.context import BuildContext
from generator.ir.names import ACCOUNT_ID_LEN, STAGE_MAX, kebab
from generator.ir.nodes import Processor, Stream, Table

_STAGE = "s" * STAGE_MAX
_LIMITS = {
    # kind: (max length, allowed characters, what it is)
    "table": (255, r"^[A-Za-z0-9_.-]+$", "DynamoDB table name"),
    "stream": (128, r"^[A-Za-z0-9_.-]+$", "Kinesis stream name"),
    "function": (64, r"^[A-Za-z0-9_-]+$", "Lambda function name"),
    "role": (64, r"^[A-Za-z0-9+=,.@_-]+$", "IAM role name"),
    "bucket": (63, r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", "S3 bucket name"),
    "delivery": (64, r"^[A-Za-z0-9_.-]+$", "Firehose delivery stream name"),
}


def _check(ctx: BuildContext, kind: str, physical: str, ptr: tuple[str | int, ...], label: str) -> None:
    limit, pattern, what = _LIMITS[kind]
    if len(physical) > limit:
        over = len(physical) - limit
        ctx.error("E-AWS-NAME", f"{label}: the {what} '{physical}' would be {len(physical)} characters "
                  f"(limit {limit}, with a {STAGE_MAX}-character stage)", ctx.model_doc, ptr,
                  f"shorten the name by at least {over} characters", key=True)
    elif not re.match(pattern, physical):
        ctx.error("E-AWS-NAME", f"{label}: '{physical}' is not a valid {what}", ctx.model_doc, ptr, key=True)


RESERVED_TABLES = ("idempotency",)


def check_aws_names(ctx: BuildContext, project: str, tables: tuple[Table, ...], streams: tuple[Stream, ...],
                    processors: tuple[Processor, ...]) -> None:
    prefix = f"{project}-{_STAGE}"
    for t in tables:
        if kebab(t.name) in RESERVED_TABLES:
            ctx.error("E-AWS-NAME", f"table '{t.name}' would collide with the idempotency table gen creates",
                      ctx.model_doc, t.source.pointer, "rename the table", key=True)
    for t in tables:
        _check(ctx, "table", f"{prefix}-{kebab(t.name)}", t.source.pointer, f"table '{t.name}'")
    for s in streams:
        _check(ctx, "stream", f"{prefix}-{kebab(s.name)}", s.source.pointer, f"stream '{s.name}'")
        if s.archive:
            _check(ctx, "delivery", f"{prefix}-{kebab(s.name)}-archive", s.source.pointer, f"stream '{s.name}'")
    for p in processors:
        _check(ctx, "function", f"{prefix}-{kebab(p.name)}", p.source.pointer, f"processor '{p.name}'")
        _check(ctx, "role", f"{prefix}-{kebab(p.name)}-fn", p.source.pointer, f"processor '{p.name}'")
    account = "0" * ACCOUNT_ID_LEN
    for purpose in ("datalake", "web", "logs"):
        _check(ctx, "bucket", f"{prefix}-{purpose}-{account}", ("name",), "name")
