"""Speed: moto parses each DynamoDB condition expression once, not once per item and call.

moto lexes and parses a ``ConditionExpression`` from scratch every time it meets one: in the
response layer (to check which names and values it uses) and again in the backend (to
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

Touches (moto private): ``moto.dynamodb.comparisons.ConditionExpressionParser`` -- ``parse``
(replaced), ``_lex_condition_expression``, ``_parse_paths``, ``_apply_functions``,
``_apply_comparator``, ``_apply_in``, ``_apply_between``, ``_apply_parens_and_booleans``,
``_find_literals``, ``_find_expr_attr_values``, ``_make_op_condition``, ``Kind``,
``expr_attr_names_found`` / ``expr_attr_values_found``, and its nodes' ``kind`` / ``text`` /
``children`` / ``_replace``.
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found; report text in docs/upstream/moto-dynamodb-expression-parsing.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.dynamodb import comparisons

_Parser: Any = comparisons.ConditionExpressionParser
_VALUE = _Parser.Kind.EXPRESSION_ATTRIBUTE_VALUE
_LIMIT = 4096  # distinct (expression, names) pairs kept; the stack uses a few dozen
_trees: dict[tuple[str, tuple[tuple[str, str], ...]], _Parsed] = {}
# moto's operators are stateless: one per (expression, names, values used), shared. moto
# evaluates a transaction item's condition twice, and a batch's claims share their values.
_ops: dict[tuple[Any, Any], Any] = {}
_lock = threading.Lock()
_original: list[Callable[..., Any]] = []
_HELPERS = (
    "_lex_condition_expression", "_parse_paths", "_apply_functions", "_apply_comparator",
    "_apply_in", "_apply_between", "_apply_parens_and_booleans", "_find_literals",
    "_find_expr_attr_values", "_make_op_condition",
)


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


def installed() -> bool:
    return bool(_original)


def install() -> None:
    """Patch ``ConditionExpressionParser.parse`` in this process; again does nothing."""
    if _original:
        return
    for name in _HELPERS:
        if not callable(getattr(_Parser, name, None)):
            raise RuntimeError(f"moto's ConditionExpressionParser has no {name}(): not supported")
    _original.append(_Parser.parse)
    _Parser.parse = _parse


def uninstall() -> None:
    """Restore moto's own parser and forget what was kept; calling it again does nothing."""
    if _original:
        _Parser.parse = _original.pop()
    _trees.clear()
    _ops.clear()
