"""Make moto parse each DynamoDB condition and update expression once, not once per item and call.

moto 5.1.x lexes and parses a ``ConditionExpression`` from scratch every time it meets one: in
the response layer (to check which names and values it uses) and again in the backend (to
evaluate it), for every item of a ``TransactWriteItems``. The local stack sends the same few
expressions thousands of times a second (idempotency claims, the processors' conditional
updates), and parsing them was a third of the process's CPU.

`install()` wraps ``ConditionExpressionParser.parse``: the syntax tree moto builds depends only
on the expression text and the expression attribute *names*; the attribute *values* are only
copied into its leaves. So the tree is kept per (expression, names), and each later parse binds
that call's values into a copy of the leaves (a value missing from the call raises the
``KeyError`` moto's own parser raises). The names and values moto records as used are kept with
the tree; moto's operator objects are built from the bound tree by moto's own code, when the
condition is first evaluated (moto's response layer parses every condition a second time only
to check the names and values, and never evaluates that parse). An expression moto rejects is
never kept, so it is rejected again, with moto's own error, every time.

Update expressions are parsed by ``UpdateExpressionParser.make(text)``, a function of the text
alone, whose tree moto only reads (its validator works on a deep copy): `install()` keeps the
tree per text, and a text that does not parse raises moto's error each time.

Applying an update is the other half of moto's cost: per item it deep-copies the tree and runs
ten validating passes over it. The updates the local stack sends most (the processors' state
updates, the idempotency ledger's completions) are plain ``SET #name = :value, ...`` of
top-level attributes that are not key attributes of the table or of an index. For exactly those,
`install()` has ``DynamoDBBackend.update_item`` do what moto's passes conclude for them: check
the condition (moto's own evaluation), create a missing item, assign each ``DynamoType`` value,
record the change on the table's stream. Anything else -- another clause, a nested path, a
function, a key attribute, a repeated attribute, a placeholder without its name or value,
``Expected``/``AttributeUpdates`` -- goes through moto's own ``update_item`` unchanged, so its
errors are moto's.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.dynamodb import comparisons
from moto.dynamodb import models as backends
from moto.dynamodb.exceptions import ConditionalCheckFailed, ItemSizeToUpdateTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing import expressions

from generator.dev.moto_dynamodb import ITEM_SIZE_LIMIT

_Parser: Any = comparisons.ConditionExpressionParser
_VALUE = _Parser.Kind.EXPRESSION_ATTRIBUTE_VALUE
_LIMIT = 4096  # distinct (expression, names) pairs kept; the stack uses a few dozen
_trees: dict[tuple[str, tuple[tuple[str, str], ...]], _Parsed] = {}
# moto's operators are stateless: one per (expression, names, values used), shared. moto
# evaluates a transaction item's condition twice, and a batch's claims share their values.
_ops: dict[tuple[Any, Any], Any] = {}
_lock = threading.Lock()
_original: list[Callable[..., Any]] = []
_updates: dict[str, Any] = {}
_Update: Any = getattr(expressions, "UpdateExpressionParser")  # noqa: B009 (untyped in moto)
_Backend: Any = backends.DynamoDBBackend
_SIMPLE_SET = re.compile(r"SET +#\w+ *= *:\w+(?: *, *#\w+ *= *:\w+)*")
_ASSIGNMENT = re.compile(r"(#\w+) *= *(:\w+)")


def _tree(parser: Any) -> Any:
    """moto's own syntax tree for `parser`'s expression (its `parse()` up to the operators)."""
    nodes = parser._lex_condition_expression()
    nodes = parser._parse_paths(nodes)
    nodes = parser._apply_functions(nodes)
    nodes = parser._apply_comparator(nodes)
    nodes = parser._apply_in(nodes)
    nodes = parser._apply_between(nodes)
    nodes = parser._apply_parens_and_booleans(nodes)
    return nodes[0]


@dataclass(frozen=True)
class _Parsed:
    """What moto's parse concludes from an expression and its names, values aside."""

    key: tuple[str, tuple[tuple[str, str], ...]]  # (expression, names)
    tree: Any
    names_found: list[str]
    values_found: list[str]  # the value placeholders, in moto's order
    valued: frozenset[int]  # ids of the tree's nodes with a value placeholder below them


def _valued(node: Any, into: set[int]) -> bool:
    below: bool = node.kind == _VALUE
    for child in node.children:
        below = _valued(child, into) or below
    if below:
        into.add(id(node))
    return below


def _bind(node: Any, values: Any, valued: frozenset[int]) -> Any:
    """`node` with every attribute-value leaf holding this call's value for its placeholder."""
    if id(node) not in valued:
        return node  # nothing below to bind: shared as it is
    if node.kind == _VALUE:
        return node._replace(value=values[node.text])
    return node._replace(children=[_bind(child, values, valued) for child in node.children])


class _Deferred:
    """moto's operator tree for one call, built the first time it is evaluated.

    moto's response layer parses each condition only to learn which names and values it uses,
    and never evaluates that parse; the backend parses it again and evaluates it. Building the
    operators only on `expr` spares the first. Every error moto's parse would raise about the
    values has been raised before this exists (see `_parse`).
    """

    __slots__ = ("_parser", "_parsed", "_values", "_op")

    def __init__(self, parser: Any, parsed: _Parsed, values: Any) -> None:
        self._parser, self._parsed, self._values = parser, parsed, values
        self._op: Any = None

    def _resolve(self) -> Any:
        if self._op is None:
            parsed = self._parsed
            used = tuple((p, _freeze(self._values[p])) for p in dict.fromkeys(parsed.values_found))
            op = _ops.get((parsed.key, used))
            if op is None:
                op = self._parser._make_op_condition(_bind(parsed.tree, self._values, parsed.valued))
                with _lock:
                    if len(_ops) >= _LIMIT:
                        _ops.clear()
                    _ops[(parsed.key, used)] = op
            self._op = op
        return self._op

    def expr(self, item: Any) -> Any:
        return self._resolve().expr(item)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolve(), name)

    def __repr__(self) -> str:
        return repr(self._resolve())


def _freeze(value: Any) -> Any:
    """A DynamoDB JSON value as a hashable key (equal keys: equal values)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("[", *(_freeze(v) for v in value))
    return value


def _parse(parser: Any) -> Any:
    expression = parser.condition_expression
    if not expression:
        return _original[0](parser)
    names = parser.expression_attribute_names
    key = (expression, tuple(sorted(names.items())) if names else ())
    parsed = _trees.get(key)
    values = parser.expression_attribute_values
    if parsed is None:
        tree = _tree(parser)  # raises exactly what moto's parse() raises
        valued: set[int] = set()
        _valued(tree, valued)
        parsed = _Parsed(key, tree, parser._find_literals(tree),
                         parser._find_expr_attr_values(tree), frozenset(valued))
        with _lock:
            if len(_trees) >= _LIMIT:
                _trees.clear()
            _trees[key] = parsed
        op = parser._make_op_condition(tree)
    else:
        for placeholder in parsed.values_found:
            value = values[placeholder]  # the KeyError / TypeError moto's lookup raises
            if not isinstance(value, dict) or not value:
                # moto would fail building its operators: let it, now, as it does
                op = parser._make_op_condition(_bind(parsed.tree, values, parsed.valued))
                break
        else:
            op = _Deferred(parser, parsed, values)
    parser.expr_attr_names_found.extend(parsed.names_found)
    parser.expr_attr_values_found.extend(parsed.values_found)
    return op


def _make_update(expression: str) -> Any:
    tree = _updates.get(expression)
    if tree is None:
        tree = _original[1](expression)  # raises exactly what moto raises
        with _lock:
            if len(_updates) >= _LIMIT:
                _updates.clear()
            _updates[expression] = tree
    return tree


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
        return _original[2](
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


def install() -> None:
    """Patch moto's expression parsers in this process; calling it again does nothing."""
    if _original:
        return
    for name in (
        "_lex_condition_expression", "_parse_paths", "_apply_functions", "_apply_comparator",
        "_apply_in", "_apply_between", "_apply_parens_and_booleans", "_find_literals",
        "_find_expr_attr_values", "_make_op_condition",
    ):
        if not callable(getattr(_Parser, name, None)):
            raise RuntimeError(f"moto's ConditionExpressionParser has no {name}(): not supported")
    if not callable(getattr(_Update, "make", None)):
        raise RuntimeError("moto's UpdateExpressionParser has no make(): not supported")
    if not callable(getattr(_Backend, "update_item", None)):
        raise RuntimeError("moto's DynamoDB backend has no update_item(): not supported")
    _original.extend([_Parser.parse, _Update.make, _Backend.update_item])
    _Parser.parse = _parse
    _Update.make = staticmethod(_make_update)
    _Backend.update_item = _update_item


def uninstall() -> None:
    """Restore moto's own parsers (for tests that compare both)."""
    if _original:
        _Parser.parse = _original[0]
        _Update.make = classmethod(getattr(_original[1], "__func__"))  # noqa: B009
        _Backend.update_item = _original[2]
        _original.clear()
    _trees.clear()
    _ops.clear()
    _updates.clear()
