"""DynamoDB's request checks that moto skips, made in our own call path: 400 as DynamoDB answers.

moto 5.1 accepts requests DynamoDB rejects, so a test passes locally and the deployed system
fails: a GetItem with a 2,049-byte partition key answers "no item" (the API says 404), a Query
whose BETWEEN bounds are reversed answers no items. `check(headers, body)` looks at one DynamoDB
JSON request (`X-Amz-Target: DynamoDB_20120810.<Action>`) and returns the answer DynamoDB gives
-- (400, headers, body) of a `ValidationException` -- or None to let moto answer. Checked:

- key values (GetItem, BatchGetItem; DeleteItem with GetItem's wording, by analogy): a
  partition key over 2,048 bytes, a sort key over 1,024 bytes (UTF-8 bytes of S, bytes of B;
  numbers are always fine);
- empty key values (GetItem, BatchGetItem, PutItem): an S or B key attribute that is empty, with
  the operation's own wording (moto words both differently);
- `BETWEEN` in a Query's KeyConditionExpression (and KeyConditions) with the lower bound above
  the upper (S by UTF-8 bytes, N by value, B by bytes);
- expression sizes: a KeyCondition-, Filter-, Condition-, Update- or ProjectionExpression over
  4,096 UTF-8 bytes.
Item size (400 KB) is moto's own check, with DynamoDB's message; it is tested, not repeated here.

The messages are DynamoDB's, as the dynalite test suite (run against live DynamoDB) asserts them
(github.com/mhart/dynalite, test/getItem.js, putItem.js, batchGetItem.js, query.js), and for the
expression size as DynamoDB answers it (quoted in public code; the 4 KB limit is in DynamoDB's
"Service, account, and table quotas"). Key schemas come from moto's own tables. A request this
module cannot read (not JSON, unknown table) is left to moto.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

_TARGET_PREFIX = "DynamoDB_20120810."
_TYPE = "com.amazon.coral.validate#ValidationException"
_INVALID = "One or more parameter values were invalid: "
_NOT_VALID = "One or more parameter values are not valid. "
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
MAX_EXPRESSION_BYTES = 4096
_EXPRESSIONS = (
    "KeyConditionExpression",
    "FilterExpression",
    "ConditionExpression",
    "UpdateExpression",
    "ProjectionExpression",
)
_BETWEEN = re.compile(r"([#\w.]+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)", re.I)
_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")

Answer = tuple[int, dict[str, str], bytes]


class Rejected(Exception):
    """The request breaks a DynamoDB rule; the message is DynamoDB's."""


def check(headers: Iterable[tuple[str, str]], body: bytes) -> Answer | None:
    """DynamoDB's 400 answer to a request moto would wrongly accept, or None (see the doc)."""
    named = {name.lower(): value for name, value in headers}
    target = named.get("x-amz-target", "")
    if not target.startswith(_TARGET_PREFIX):
        return None
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return None
    if not isinstance(request, dict):
        return None
    region = _region(named.get("authorization", ""))
    try:
        _check_action(target.removeprefix(_TARGET_PREFIX), request, region)
    except Rejected as error:
        return _validation_error(str(error))
    return None


def _check_action(action: str, request: Mapping[str, Any], region: str) -> None:
    _check_expressions(request)
    if action in ("GetItem", "DeleteItem"):
        schema = key_schema(request.get("TableName"), region)
        if schema is not None:
            _check_key(request.get("Key"), schema, empty=action == "GetItem")
    elif action == "PutItem":
        schema = key_schema(request.get("TableName"), region)
        if schema is not None:
            _check_empty(request.get("Item"), schema, prefix=_NOT_VALID)
    elif action == "BatchGetItem":
        for table, entry in (request.get("RequestItems") or {}).items():
            schema = key_schema(table, region)
            if schema is not None and isinstance(entry, Mapping):
                for key in entry.get("Keys") or []:
                    _check_key(key, schema, empty=True)
    elif action == "Query":
        _check_between(request)


def _check_expressions(request: Mapping[str, Any]) -> None:
    for name in _EXPRESSIONS:
        text = request.get(name)
        if isinstance(text, str):
            size = len(text.encode("utf-8"))
            if size > MAX_EXPRESSION_BYTES:
                raise Rejected(
                    f"Invalid {name}: Expression size has exceeded the maximum allowed size; "
                    f"expression size: {size}"
                )


def _check_key(key: Any, schema: tuple[str, str | None], empty: bool) -> None:
    if not isinstance(key, Mapping):
        return
    if empty:
        _check_empty(key, schema, prefix=_INVALID)
    partition, sort = schema
    if _size(key.get(partition)) > MAX_PARTITION_KEY_BYTES:
        raise Rejected(
            _INVALID + "Size of hashkey has exceeded the maximum size limit of"
            f"{MAX_PARTITION_KEY_BYTES} bytes"
        )
    if sort is not None and _size(key.get(sort)) > MAX_SORT_KEY_BYTES:
        raise Rejected(
            _INVALID + "Aggregated size of all range keys has exceeded the size limit of "
            f"{MAX_SORT_KEY_BYTES} bytes"
        )


def _check_empty(item: Any, schema: tuple[str, str | None], prefix: str) -> None:
    if not isinstance(item, Mapping):
        return
    for name in (attribute for attribute in schema if attribute is not None):
        value = item.get(name)
        if isinstance(value, Mapping):
            for kind, word in (("S", "string"), ("B", "binary")):
                if value.get(kind) == "":
                    raise Rejected(
                        f"{prefix}The AttributeValue for a key attribute cannot contain an "
                        f"empty {word} value. Key: {name}"
                    )


def _size(value: Any) -> int:
    """The bytes a key value counts for: UTF-8 of S, bytes of B; N (and anything else) 0."""
    if not isinstance(value, Mapping):
        return 0
    if isinstance(value.get("S"), str):
        return len(value["S"].encode("utf-8"))
    if isinstance(value.get("B"), str):
        try:
            return len(base64.b64decode(value["B"]))
        except (binascii.Error, ValueError):
            return 0
    return 0


def _check_between(request: Mapping[str, Any]) -> None:
    expression = request.get("KeyConditionExpression")
    values = request.get("ExpressionAttributeValues") or {}
    if isinstance(expression, str) and isinstance(values, Mapping):
        for _, low_name, high_name in _BETWEEN.findall(expression):
            low, high = values.get(low_name), values.get(high_name)
            if _reversed(low, high):
                raise Rejected(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound "
                    "to be greater than or equal to lower bound; lower bound operand: "
                    f"AttributeValue: {_operand(low)}, upper bound operand: "
                    f"AttributeValue: {_operand(high)}"
                )
    for condition in (request.get("KeyConditions") or {}).values():
        if isinstance(condition, Mapping) and condition.get("ComparisonOperator") == "BETWEEN":
            bounds = condition.get("AttributeValueList") or []
            if len(bounds) == 2 and _reversed(bounds[0], bounds[1]):
                raise Rejected(
                    "The BETWEEN condition was provided a range where the lower bound is "
                    "greater than the upper bound"
                )


def _comparable(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, Mapping) or len(value) != 1:
        return None
    kind, raw = next(iter(value.items()))
    try:
        if kind == "S" and isinstance(raw, str):
            return kind, raw.encode("utf-8")
        if kind == "N" and isinstance(raw, str):
            return kind, Decimal(raw)
        if kind == "B" and isinstance(raw, str):
            return kind, base64.b64decode(raw)
    except (InvalidOperation, binascii.Error, ValueError):
        return None
    return None


def _reversed(low: Any, high: Any) -> bool:
    left, right = _comparable(low), _comparable(high)
    if left is None or right is None or left[0] != right[0]:
        return False  # mixed or unreadable bounds: moto's (and DynamoDB's) other checks
    return bool(left[1] > right[1])


def _operand(value: Any) -> str:
    kind, raw = next(iter(value.items()))
    return f"{{{kind}:{raw}}}"


def _region(authorization: str) -> str:
    found = _REGION.search(authorization)
    return found.group(1) if found else "us-east-1"


def key_schema(table: Any, region: str) -> tuple[str, str | None] | None:
    """(partition key, sort key) of a table in moto's DynamoDB, in any account; None if unknown."""
    if not isinstance(table, str):
        return None
    from moto.dynamodb.models import dynamodb_backends

    for account in list(dynamodb_backends.values()):
        backend = dict.get(account, region)
        found = getattr(backend, "tables", {}).get(table) if backend is not None else None
        if found is not None:
            return str(found.hash_key_attr), found.range_key_attr
    return None


def _validation_error(message: str) -> Answer:
    payload = json.dumps({"__type": _TYPE, "message": message}).encode("utf-8")
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "x-amzn-RequestId": str(uuid.uuid4()),
        "Content-Length": str(len(payload)),
    }
    return 400, headers, payload
