"""generated/dynamodb/seed.json: seed items as DynamoDB JSON, pre-chunked for BatchWriteItem.

Layout: ``{"format": 1, "tables": {<table>: [[{"PutRequest": {"Item": ...}}, ...<=25], ...]},
"names": {<table>: <physical name after "<name>-<stage>-">}}``; each inner list is one
BatchWriteItem ``RequestItems`` value. Tables are the spec's names; `names` gives each one's
DynamoDB table as the IR decided it (``orders-v2`` after an acknowledged key change), so
`gen seed` and `gen dev` write the table Terraform and the stack created, without building the
IR. Numbers keep the digits they were written with.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from generator.emit.base import OutputFile
from generator.ir.nodes import Ir
from generator.canonical import canonical_json

BATCH = 25


def to_attribute(value: Any) -> dict[str, Any]:
    """A plain value as a DynamoDB attribute value (S, N, BOOL, NULL, M, L)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, Decimal):
        text = str(value)
        return {"N": format(value, "f") if "E" in text else text}
    if isinstance(value, float):
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, dict):
        return {"M": {str(k): to_attribute(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def emit_seed(ir: Ir) -> list[OutputFile]:
    tables: dict[str, list[list[dict[str, Any]]]] = {}
    names: dict[str, str | None] = {}
    for seed in ir.seeds:
        requests = [{"PutRequest": {"Item": to_attribute(item)["M"]}} for item in seed.items]
        tables[seed.table] = [requests[i:i + BATCH] for i in range(0, len(requests), BATCH)]
        names[seed.table] = ir.table(seed.table).names.table.physical
    content = canonical_json({"format": 1, "tables": tables, "names": names})
    return [OutputFile(path="generated/dynamodb/seed.json", content=content, source="spec/seed", header=False)]
