"""Hypothesis strategies of stored DynamoDB items for an IR schema: hostile strings and numbers,
and (unless `complete`) absent, NULL and wrongly typed attributes anywhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from generator.ir.nodes import Model, Schema
from tests.vtl.support import HOSTILE_INTEGERS, HOSTILE_NUMBERS, HOSTILE_STRINGS, resolve

_WRONG: tuple[dict[str, Any], ...] = ({"NULL": True}, {"S": "wrong"}, {"N": "7"}, {"BOOL": False}, {"M": {}}, {"L": []})
_TYPE = {"string": "S", "number": "N", "integer": "N", "boolean": "BOOL", "object": "M", "map": "M", "array": "L"}

strings = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=12))
integers = st.one_of(st.sampled_from(HOSTILE_INTEGERS), st.integers().map(str))
numbers = st.one_of(st.sampled_from(HOSTILE_NUMBERS), integers,
                    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str))


def attribute(schema: Schema, models: Mapping[str, Model], *, complete: bool, required: bool = True) -> Any:
    """A stored attribute value (None: absent). `complete` keeps required values well typed."""
    resolved, _ = resolve(schema, models)
    right = typed(resolved, models, complete=complete)
    if complete and required:
        return right
    wrong = st.sampled_from([w for w in _WRONG if _TYPE[resolved.kind] not in w])
    return st.one_of(right, right, right, st.none(), wrong)


def typed(schema: Schema, models: Mapping[str, Model], *, complete: bool) -> Any:
    kind = schema.kind
    if kind == "string":
        return strings.map(lambda s: {"S": s})
    if kind == "integer":
        return integers.map(lambda n: {"N": n})
    if kind == "number":
        return numbers.map(lambda n: {"N": n})
    if kind == "boolean":
        return st.booleans().map(lambda b: {"BOOL": b})
    if kind == "object":
        return item(schema, models, complete=complete).map(lambda m: {"M": m})
    if kind == "map":
        assert schema.values is not None
        values = attribute(schema.values, models, complete=complete, required=False)
        return st.dictionaries(strings, values, max_size=3).map(
            lambda d: {"M": {k: v for k, v in d.items() if v is not None}})
    assert kind == "array" and schema.items is not None
    element = attribute(schema.items, models, complete=complete, required=False).filter(lambda v: v is not None)
    return st.lists(element, max_size=3).map(lambda items: {"L": items})


def item(schema: Schema, models: Mapping[str, Model], *, complete: bool) -> Any:
    """An attribute map (a stored item, or the M of an object)."""
    resolved, _ = resolve(schema, models)
    fields = {f.name: attribute(f.schema, models, complete=complete, required=f.required)
              for f in resolved.properties}
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not None})
