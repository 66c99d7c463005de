"""AWS naming limits (generator.aws.limits), checked on the physical names the IR decided.

Lengths assume the longest stage the generated Terraform accepts (`STAGE_MAX`) and, for
buckets, the 12-digit account id suffix that keeps bucket names globally unique.
"""

from __future__ import annotations

import re

from generator.aws.limits import ACCOUNT_ID_LEN, NAME_LIMITS, STAGE_MAX
from generator.ir.context import BuildContext
from generator.ir.names import IDEMPOTENCY, Resource
from generator.ir.nodes import Processor, Stream, Table

_STAGE = "s" * STAGE_MAX


def _check(ctx: BuildContext, kind: str, physical: str, ptr: tuple[str | int, ...], label: str) -> None:
    limit, pattern, what = NAME_LIMITS[kind]
    if len(physical) > limit:
        over = len(physical) - limit
        ctx.error("E-AWS-NAME", f"{label}: the {what} '{physical}' would be {len(physical)} characters "
                  f"(limit {limit}, with a {STAGE_MAX}-character stage)", ctx.model_doc, ptr,
                  f"shorten the name by at least {over} characters", key=True)
    elif not re.match(pattern, physical):
        ctx.error("E-AWS-NAME", f"{label}: '{physical}' is not a valid {what}", ctx.model_doc, ptr, key=True)


RESERVED_TABLES = (IDEMPOTENCY,)


def check_aws_names(ctx: BuildContext, project: str, tables: tuple[Table, ...], streams: tuple[Stream, ...],
                    processors: tuple[Processor, ...]) -> None:
    prefix = f"{project}-{_STAGE}"

    def longest(resource: Resource) -> str:
        return f"{prefix}-{resource.physical}"

    for t in tables:
        if t.names.table.physical in RESERVED_TABLES:
            ctx.error("E-AWS-NAME", f"table '{t.name}' would collide with the idempotency table gen creates",
                      ctx.model_doc, t.source.pointer, "rename the table", key=True)
    for t in tables:
        _check(ctx, "table", longest(t.names.table), t.source.pointer, f"table '{t.name}'")
    for s in streams:
        _check(ctx, "stream", longest(s.names.stream), s.source.pointer, f"stream '{s.name}'")
        if s.archive:
            _check(ctx, "delivery", longest(s.names.archive), s.source.pointer, f"stream '{s.name}'")
    for p in processors:
        _check(ctx, "function", longest(p.names.function), p.source.pointer, f"processor '{p.name}'")
        _check(ctx, "role", longest(p.names.role.role), p.source.pointer, f"processor '{p.name}'")
    account = "0" * ACCOUNT_ID_LEN
    for purpose in ("datalake", "web", "logs"):
        _check(ctx, "bucket", f"{prefix}-{purpose}-{account}", ("name",), "name")
