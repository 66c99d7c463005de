"""Instances of the spec's schemas for `gen test`: valid examples, and one-field violations.

`example(ir, schema, variant, known)` builds a value that satisfies `schema` (IR form), different
per `variant`. A string property whose name is in `known` takes one of those values (the seed's
keys, so an event about a device names a device that exists). `violation(ir, schema, value)`
breaks exactly one property of an object example and names it. Pure: no I/O, no clock except
`now` passed in.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from generator.ir.nodes import Ir, Schema

MAX_DEPTH = 6


def resolve(ir: Ir, schema: Schema) -> Schema:
    seen = 0
    while schema.kind == "ref" and schema.ref is not None and seen < 20:
        schema = ir.model(schema.ref).schema
        seen += 1
    return schema


def example(ir: Ir, schema: Schema, variant: int, known: Mapping[str, Sequence[Any]] | None = None,
            now: datetime | None = None, name: str = "", depth: int = 0) -> Any:
    """A valid value of `schema` (see the module docstring)."""
    schema = resolve(ir, schema)
    known = known or {}
    if schema.enum:
        return schema.enum[variant % len(schema.enum)]
    if name in known and known[name] and schema.kind in ("string", "integer", "number"):
        return known[name][variant % len(known[name])]
    kind = schema.kind
    if kind == "string":
        return _string(schema, variant, now)
    if kind == "integer":
        return int(_bounded(schema, Decimal(variant + 1), integer=True))
    if kind == "number":
        return _bounded(schema, Decimal(variant) + Decimal("1.5"), integer=False)
    if kind == "boolean":
        return variant % 2 == 0
    if kind == "object":
        if depth >= MAX_DEPTH:
            return {f.name: example(ir, f.schema, variant, known, now, f.name, depth + 1)
                    for f in schema.properties if f.required}
        return {f.name: example(ir, f.schema, variant, known, now, f.name, depth + 1) for f in schema.properties}
    if kind == "map":
        value = schema.values or Schema(kind="string")
        return {f"key{variant}": example(ir, value, variant, known, now, "", depth + 1)}
    if kind == "array":
        count = max(1, int(schema.constraint("minItems") or 0))
        maximum = schema.constraint("maxItems")
        if maximum is not None:
            count = min(count, int(maximum))
        items = schema.items or Schema(kind="string")
        return [example(ir, items, variant + i, known, now, "", depth + 1) for i in range(count)]
    return f"gen-test-{variant}"


def _string(schema: Schema, variant: int, now: datetime | None) -> str:
    fmt = schema.format
    moment = (now or datetime(2025, 1, 1)) - timedelta(seconds=variant)
    if fmt == "date-time":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt == "date":
        return moment.strftime("%Y-%m-%d")
    if fmt == "email":
        return f"gen-test-{variant}@example.com"
    if fmt == "uuid":
        return str(uuid.UUID(int=variant + 1))
    text = f"gen-test-{variant}"
    pattern = schema.constraint("pattern")
    if isinstance(pattern, str) and not re.search(pattern, text):
        text = _matching(pattern, variant) or text
    minimum = int(schema.constraint("minLength") or 0)
    maximum = schema.constraint("maxLength")
    if len(text) < minimum:
        text = text + "x" * (minimum - len(text))
    if maximum is not None and len(text) > int(maximum):
        text = text[-int(maximum):] if int(maximum) > 0 else ""
    return text


def _matching(pattern: str, variant: int) -> str | None:
    """A string matching `pattern`, found by Hypothesis (deterministically), or None."""
    try:
        from hypothesis import HealthCheck, find, settings
        from hypothesis import strategies as st

        found: str = find(st.from_regex(pattern), lambda s: len(s) >= 1,
                          settings=settings(database=None, derandomize=True, max_examples=200,
                                            suppress_health_check=list(HealthCheck)))
        return found
    except Exception:  # no match found: the example stays as it is and the API will say so
        return None


def _bounded(schema: Schema, value: Decimal, integer: bool) -> Decimal:
    low, high = schema.constraint("minimum"), schema.constraint("maximum")
    if schema.constraint("exclusiveMinimum") not in (None, False):
        bound = schema.constraint("exclusiveMinimum")
        low = (Decimal(str(bound)) if not isinstance(bound, bool) else Decimal(str(low))) + (1 if integer
                                                                                             else Decimal("0.5"))
    if schema.constraint("exclusiveMaximum") not in (None, False):
        bound = schema.constraint("exclusiveMaximum")
        high = (Decimal(str(bound)) if not isinstance(bound, bool) else Decimal(str(high))) - (1 if integer
                                                                                               else Decimal("0.5"))
    if low is not None and value < Decimal(str(low)):
        value = Decimal(str(low))
    if high is not None and value > Decimal(str(high)):
        value = Decimal(str(high))
    return value


def violation(ir: Ir, schema: Schema, value: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """`value` with one property broken (a required one removed, else one of the wrong type),
    and that property's name; None when the schema has no property to break."""
    schema = resolve(ir, schema)
    if schema.kind != "object" or not schema.properties:
        return None
    required = [f for f in schema.properties if f.required]
    if required:
        broken = dict(value)
        broken.pop(required[0].name, None)
        return broken, required[0].name
    target = schema.properties[0]
    kind = resolve(ir, target.schema).kind
    wrong: Any = 12345 if kind in ("string", "boolean") else "gen-test-wrong-type"
    return {**value, target.name: wrong}, target.name
