"""The expectations `gen test` compares answers with: items as the API serves them, exact value
equality, schema conformance, URL paths of operations, paging, and the truth of a table.

The truth of a table is DynamoDB itself when the stack is local (read directly, never through
the API under test); on a deployed stage it is the table's paginated Scan operation, if the spec
has one (then only consistency between operations can be checked).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from generator.contract.target import Target
from generator.ir.nodes import Ir, Operation, Table

MAX_PAGES = 10_000


def text_of(value: Any) -> str:
    """A key value as it appears in a URL or query string."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


def item_path(op: Operation, values: Mapping[str, Any]) -> str:
    """`op.path` with the path parameters filled from the key attributes in `values`."""
    path = op.path
    for attr, param in op.key_params:
        path = path.replace("{" + param + "}", quote(text_of(values[attr]), safe=""))
    return path


def claims_of(op: Operation, values: Mapping[str, Any]) -> dict[str, Any] | None:
    return {claim: text_of(values[attr]) for attr, claim in op.key_claims} if op.key_claims else None


def get_item_op(ir: Ir, table: str) -> Operation | None:
    return next((o for o in ir.operations if o.kind == "get_item" and o.table == table and o.index is None), None)


def served(ir: Ir, model: str, item: Mapping[str, Any], *, project: bool = False) -> dict[str, Any]:
    """`item` as the API answers it: nullable properties it lacks come back null; with
    `project`, attributes that are not properties of the model are dropped (stored extras)."""
    schema = ir.model(model).schema
    names = {f.name for f in schema.properties}
    out = {k: v for k, v in item.items() if not project or k in names}
    for f in schema.properties:
        if f.schema.nullable and f.name not in out:
            out[f.name] = None
    return out


def difference(expected: Any, actual: Any, where: str = "") -> str | None:
    """Where `actual` differs from `expected` (numbers by value, integers stay integers), or None."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return f"{where or '/'}: expected an object, got {actual!r}"
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                return f"{where}/{key}: missing"
            if key not in expected:
                return f"{where}/{key}: unexpected {actual[key]!r}"
            found = difference(expected[key], actual[key], f"{where}/{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where or '/'}: expected {len(expected)} element(s), got {actual!r}"
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = difference(e, a, f"{where}/{index}")
            if found:
                return found
        return None
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        return None if expected is actual or (expected == actual and type(expected) is type(actual)) else \
            f"{where or '/'}: expected {expected!r}, got {actual!r}"
    if isinstance(expected, (int, Decimal, float)):
        if not isinstance(actual, (int, Decimal, float)):
            return f"{where or '/'}: expected the number {expected}, got {actual!r}"
        if isinstance(expected, int) and not isinstance(actual, int):
            return f"{where or '/'}: expected the integer {expected}, got {actual}"
        return None if Decimal(str(expected)) == Decimal(str(actual)) else \
            f"{where or '/'}: expected {expected}, got {actual}"
    return None if expected == actual else f"{where or '/'}: expected {expected!r}, got {actual!r}"


def _nullable_to_type_lists(node: Any) -> Any:
    """OpenAPI 3.0 `nullable: true` as JSON Schema (3.1 documents pass through unchanged)."""
    if isinstance(node, dict):
        out = {k: _nullable_to_type_lists(v) for k, v in node.items()}
        if out.pop("nullable", False) is True:
            if isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
                if "enum" in out:
                    out["enum"] = [*out["enum"], None]
            else:
                return {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_nullable_to_type_lists(v) for v in node]
    return node


class Conformance:
    """Validates values against the spec's component schemas (formats included)."""

    def __init__(self, spec_document: Mapping[str, Any]) -> None:
        components = copy.deepcopy(dict(spec_document.get("components") or {}))
        self._root = {"components": _nullable_to_type_lists(components)}
        self._validators: dict[str, Any] = {}

    def problems(self, model: str, value: Any) -> list[str]:
        from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

        validator = self._validators.get(model)
        if validator is None:
            schema = {**self._root, "$ref": f"#/components/schemas/{model}"}
            validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
            self._validators[model] = validator
        return [f"{'/' + '/'.join(str(p) for p in e.absolute_path)}: {e.message}"
                for e in validator.iter_errors(_plain(value))]


def _plain(value: Any) -> Any:
    """Decimals as float/int, which the format and type checks understand."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Pages:
    """Every item of a list operation, page by page (`limit`), and what went wrong on the way."""

    def __init__(self, target: Target, path: str, limit: int, params: Mapping[str, str] | None = None,
                 claims: Mapping[str, Any] | None = None) -> None:
        self.items: list[dict[str, Any]] = []
        self.requests = 0
        self.problem: str | None = None
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            query = {**(params or {}), "limit": str(limit), **({"cursor": cursor} if cursor else {})}
            reply = target.http.get(path, params=query, claims=claims)
            self.requests += 1
            page = reply.json
            if reply.status != 200 or not isinstance(page, dict):
                self.problem = f"GET {path} {query} -> {reply.status} {reply.text[:200]}"
                return
            if set(page) != {"items", "next"} or not isinstance(page["items"], list):
                self.problem = f"GET {path} {query}: a page is {{items, next}}, got keys {sorted(page)}"
                return
            if len(page["items"]) > limit:
                self.problem = f"GET {path} {query}: {len(page['items'])} items on a page of limit {limit}"
                return
            self.items.extend(page["items"])
            cursor = page["next"]
            if cursor is None:
                return
            if not isinstance(cursor, str) or not cursor:
                self.problem = f"GET {path} {query}: next is {cursor!r}, not a cursor or null"
                return
        self.problem = f"GET {path}: pagination did not end after {MAX_PAGES} pages"


def key_of(table: Table, item: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(text_of(item.get(name)) for name in table.key_names)


def scan_table(dynamodb: Any, physical: str) -> Iterator[dict[str, Any]]:
    """Every item of a table, deserialized (numbers as Decimal)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    kwargs: dict[str, Any] = {"TableName": physical}
    while True:
        page = dynamodb.scan(**kwargs)
        for raw in page["Items"]:
            yield {k: deserializer.deserialize(v) for k, v in raw.items()}
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def truth(target: Target, table: Table) -> tuple[list[dict[str, Any]], str] | None:
    """Every item of `table` as the API would serve it, and where that came from; None when
    the target offers no way to know (deployed, and the spec has no Scan of the table)."""
    ir = target.ir
    if target.local is not None:
        physical = target.local.tables[table.name]
        items = [served(ir, table.item, raw, project=True) for raw in scan_table(target.local.dynamodb, physical)]
        return items, f"DynamoDB table {physical}"
    scan_op = next((o for o in ir.operations if o.kind == "scan" and o.table == table.name), None)
    if scan_op is None or scan_op.key_claims:
        return None
    pages = Pages(target, scan_op.path, 100)
    if pages.problem:
        return None
    return pages.items, f"GET {scan_op.path}"
