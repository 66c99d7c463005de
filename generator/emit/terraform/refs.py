"""Terraform addresses and physical-name suffixes shared by every concern's view.

One place decides the resource labels (``aws_lambda_function.apply_readings``) and the
``<prefix>-<resource>`` suffixes of docs/runtime-contract.md, so the files of one stack refer
to each other consistently. Everything here is pure string building; values that reach HCL are
`HclExpr` (references) or plain `str` (literals the templates quote).
"""

from __future__ import annotations

import hashlib

from generator.ir.changes import table_label, table_physical
from generator.ir.names import STAGE_MAX, kebab
from generator.ir.nodes import Table
from generator.render.filters import HclExpr, hcl_frag

IDEMPOTENCY = "idempotency"
KEY = "aws_kms_key.main"
ROLE_NAME_MAX = 64


def ref(address: str, attr: str) -> HclExpr:
    """``aws_dynamodb_table.devices`` + ``arn`` -> the reference expression."""
    return HclExpr(f"{address}.{attr}")


def interp(reference: str, suffix: str) -> HclExpr:
    """A quoted template: ``"${<reference>}<suffix>"`` with `suffix` escaped."""
    return HclExpr('"${' + reference + "}" + hcl_frag(suffix) + '"')


def table(ident: str) -> str:
    return f"aws_dynamodb_table.{ident}"


def table_of(t: Table) -> str:
    """The address of a table's current generation (``aws_dynamodb_table.readings_v2``)."""
    return table(label_of(t))


def label_of(t: Table) -> str:
    return table_label(t.ident, t.generation)


def physical_of(t: Table) -> str:
    return table_physical(t.name, t.generation)


def stream(ident: str) -> str:
    return f"aws_kinesis_stream.{ident}"


def function(ident: str) -> str:
    return f"aws_lambda_function.{ident}"


def function_log_group(ident: str) -> str:
    return f"aws_cloudwatch_log_group.fn_{ident}"


def dlq(ident: str) -> str:
    return f"aws_sqs_queue.dlq_{ident}"


def role(label: str) -> str:
    return f"aws_iam_role.{label}"


def index_arn(table_ident: str, index_name: str) -> HclExpr:
    return interp(f"{table(table_ident)}.arn", f"/index/{index_name}")


def physical(resource: str) -> str:
    """The part after ``<prefix>-`` of a physical name (docs/runtime-contract.md)."""
    return kebab(resource)


def role_suffix(project: str, base: str, kind: str) -> str:
    """``<kebab(base)>-<kind>``, shortened with a stable hash if the role name could exceed 64."""
    suffix = f"{kebab(base)}-{kind}"
    room = ROLE_NAME_MAX - len(project) - STAGE_MAX - 2
    if len(suffix) <= room:
        return suffix
    digest = hashlib.sha256(suffix.encode()).hexdigest()[:8]
    keep = room - len(kind) - len(digest) - 2
    return f"{kebab(base)[:keep].rstrip('-')}-{digest}-{kind}"
