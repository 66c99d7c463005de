"""Speed: moto applies a plain ``SET #name = :value, ...`` update without its ten passes.

Applying an update is the costly half of moto's UpdateItem: per item it deep-copies the
expression's tree and runs ten validating passes over it. The updates the local stack sends
most (the processors' state updates, the idempotency ledger's completions) are plain
``SET #name = :value, ...`` of top-level attributes that are not key attributes of the table or
of an index. For exactly those, `install()` has ``DynamoDBBackend.update_item`` do what moto's
passes conclude for them: check the condition (moto's own evaluation), create a missing item,
assign each ``DynamoType`` value (with moto's size check, as a running total), record the
change on the table's stream. Anything else -- another clause, a nested path, a function, a key
attribute, a repeated attribute, a placeholder without its name or value,
``Expected``/``AttributeUpdates`` -- goes through moto's own ``update_item`` unchanged, so its
errors are moto's.

Touches (moto private): ``moto.dynamodb.models.DynamoDBBackend.update_item`` (replaced) and
``get_table``; ``Table.get_item`` / ``put_item`` / ``hash_key_attr`` / ``range_key_attr`` /
``attribute_keys`` / ``attr`` / ``stream_shard``; ``Item.attrs`` / ``to_json``;
``comparisons.create_condition_expression_parser``; ``ConditionalCheckFailed``,
``ItemSizeToUpdateTooLarge``; ``DynamoType``; ``bytesize``.
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found; report text in docs/upstream/moto-dynamodb-expression-parsing.md.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from moto.dynamodb import comparisons
from moto.dynamodb import models as backends
from moto.dynamodb.exceptions import ConditionalCheckFailed, ItemSizeToUpdateTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.utilities import bytesize

from generator.dev.local_aws.patches.dynamodb_item_size import ITEM_SIZE_LIMIT

_Backend: Any = backends.DynamoDBBackend
_SIMPLE_SET = re.compile(r"SET +#\w+ *= *:\w+(?: *, *#\w+ *= *:\w+)*")
_ASSIGNMENT = re.compile(r"(#\w+) *= *(:\w+)")
_original: list[Callable[..., Any]] = []


def _plain_sets(
    table: Any, key: Any, expression: Any, names: Any, values: Any
) -> list[tuple[str, Any]] | None:
    """(attribute, value) per assignment when the update is one moto would apply plainly."""
    if not isinstance(expression, str) or not _SIMPLE_SET.fullmatch(expression):
        return None
    if not isinstance(names, dict) or not isinstance(values, dict) or not isinstance(key, dict):
        return None
    key_attrs = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    if sorted(key) != sorted(key_attrs):
        return None
    protected = set(table.attribute_keys) | {a["AttributeName"] for a in table.attr}
    sets: list[tuple[str, Any]] = []
    for placeholder, value in _ASSIGNMENT.findall(expression):
        name = names.get(placeholder)
        if not isinstance(name, str) or name in protected or value not in values:
            return None
        sets.append((name, values[value]))
    if len({name for name, _ in sets}) != len(sets):
        return None
    return sets


def _update_item(
    backend: Any,
    table_name: str,
    key: dict[str, dict[str, Any]],
    update_expression: str,
    expression_attribute_names: dict[str, Any],
    expression_attribute_values: dict[str, Any],
    attribute_updates: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
    condition_expression: str | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Any:
    table = backend.get_table(table_name)
    sets = None
    if not attribute_updates and not expected:
        sets = _plain_sets(
            table, key, update_expression, expression_attribute_names, expression_attribute_values
        )
    if sets is None:
        return _original[0](
            backend, table_name, key, update_expression, expression_attribute_names,
            expression_attribute_values, attribute_updates, expected, condition_expression,
            return_values_on_condition_check_failure,
        )
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    item = table.get_item(hash_value, range_value)
    before = copy.deepcopy(item) if table.stream_shard is not None else None
    condition = comparisons.create_condition_expression_parser(
        condition_expression, expression_attribute_names, expression_attribute_values
    ).parse()
    if not condition.expr(item):
        if return_values_on_condition_check_failure == "ALL_OLD" and item is not None:
            raise ConditionalCheckFailed(item=item.to_json()["Attributes"])
        raise ConditionalCheckFailed
    if item is None:
        data = {table.hash_key_attr: {hash_value.type: hash_value.value}}
        if range_value is not None:
            data[table.range_key_attr] = {range_value.type: range_value.value}
        table.put_item(data)
        item = table.get_item(hash_value, range_value)
    # moto's LimitedSizeDict re-measures the whole item before each assignment (the current
    # item, the old value included, plus the new one); the same check, with a running total.
    attrs = item.attrs
    size = sum(bytesize(name) + value.size() for name, value in attrs.items())
    for name, value in sets:
        new = DynamoType(value)
        grows = bytesize(name) + new.size()
        if size + grows > ITEM_SIZE_LIMIT:
            raise ItemSizeToUpdateTooLarge()
        old = attrs.get(name)
        dict.__setitem__(attrs, name, new)
        size += grows - (0 if old is None else bytesize(name) + old.size())
    if table.stream_shard is not None:
        table.stream_shard.add(before, item)
    return item


def installed() -> bool:
    return bool(_original)


def install() -> None:
    """Patch ``DynamoDBBackend.update_item`` in this process; calling it again does nothing."""
    if _original:
        return
    if not callable(getattr(_Backend, "update_item", None)):
        raise RuntimeError("moto's DynamoDB backend has no update_item(): not supported")
    _original.append(_Backend.update_item)
    _Backend.update_item = _update_item


def uninstall() -> None:
    """Restore moto's own method; calling it again does nothing."""
    if _original:
        _Backend.update_item = _original.pop()
