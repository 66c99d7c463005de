"""Browse and query a table's items through the local AWS, a page at a time.

Contract: `browse(dynamodb, table, limit, after)` scans; `query(dynamodb, table, key, limit,
after)` reads the items whose partition key equals ``key`` (its type from the table's
attribute definitions: a number key is sent as a number). Both answer ``{"table", "keys":
{"partition", "sort"}, "items": [...], "next": token | None}``: items as plain JSON (numbers
as numbers, sets as sorted lists, binary as base64), ``next`` an opaque token to pass back as
``after`` for the following page. A bad token, limit or key raises `TableRequestError` (the
view answers 400); an unknown table is the caller's to refuse (it knows the spec's names).
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MAX_LIMIT = 100
_deserializer = TypeDeserializer()


class TableRequestError(ValueError):
    """A browse or query request that cannot be answered as asked."""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "value") and isinstance(value.value, bytes):  # boto3's Binary
        return base64.b64encode(value.value).decode("ascii")
    return value


def plain_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item (attribute values with type tags) as plain JSON."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def _token(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode("ascii")


def _start_key(after: str | None) -> dict[str, Any]:
    if not after:
        return {}
    try:
        key = json.loads(base64.urlsafe_b64decode(after.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        raise TableRequestError("after is not a token this console gave") from None
    if not isinstance(key, dict):
        raise TableRequestError("after is not a token this console gave")
    return {"ExclusiveStartKey": key}


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise TableRequestError(f"limit must be within 1..{MAX_LIMIT}")
    return limit


def key_schema(dynamodb: DynamoDBClient, table: str) -> tuple[tuple[str, str], tuple[str, str] | None]:
    """((partition name, type), (sort name, type) or None) of ``table``."""
    description = dynamodb.describe_table(TableName=table)["Table"]
    types = {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]}
    partition: tuple[str, str] | None = None
    sort: tuple[str, str] | None = None
    for element in description["KeySchema"]:
        pair = (element["AttributeName"], types.get(element["AttributeName"], "S"))
        if element["KeyType"] == "HASH":
            partition = pair
        else:
            sort = pair
    assert partition is not None, f"{table} has no partition key"
    return partition, sort


def _page(
    table: str,
    keys: tuple[tuple[str, str], tuple[str, str] | None],
    answer: Any,
) -> dict[str, Any]:
    return {
        "table": table,
        "keys": {"partition": keys[0][0], "sort": keys[1][0] if keys[1] else None},
        "items": [plain_item(item) for item in answer.get("Items", [])],
        "next": _token(answer.get("LastEvaluatedKey")),
    }


def browse(
    dynamodb: DynamoDBClient, table: str, limit: int = 25, after: str | None = None
) -> dict[str, Any]:
    keys = key_schema(dynamodb, table)
    answer = dynamodb.scan(TableName=table, Limit=_limit(limit), **_start_key(after))
    return _page(table, keys, answer)


def query(
    dynamodb: DynamoDBClient, table: str, key: str, limit: int = 25, after: str | None = None
) -> dict[str, Any]:
    keys = key_schema(dynamodb, table)
    name, kind = keys[0]
    if kind == "N":
        try:
            Decimal(key)
        except ArithmeticError:
            raise TableRequestError(f"{name} is a number; {key!r} is not") from None
    elif kind == "B":
        raise TableRequestError(f"{name} is binary: browse the table instead")
    answer = dynamodb.query(
        TableName=table,
        KeyConditionExpression="#k = :v",
        ExpressionAttributeNames={"#k": name},
        ExpressionAttributeValues={":v": {kind: key}},  # type: ignore[misc]
        Limit=_limit(limit),
        **_start_key(after),
    )
    return _page(table, keys, answer)
