"""Worst-case sizes of items and events from their schemas' bounds: `W-SIZE` (#11 M3).

An item of a table must fit DynamoDB's 400 KB, an ingested event (its CloudEvents envelope as
the JSON API Gateway puts on the stream) a Kinesis record's 1 MiB. Whatever the API accepts
but the store cannot take fails later, in a processor, and keeps failing: so `gen validate`
computes each item's and event's largest possible size from `maxLength`, `maxItems`,
`maxProperties` and `propertyNames.maxLength` (map keys), and warns

- at every string, array or map that has no bound (the size is then unbounded), and
- at the item or event schema when every part is bounded but the sum exceeds the limit.

The sizes are upper estimates (docs/spec-format.md, "Size guards"): DynamoDB counts UTF-8 bytes
of names and values (4 per character at worst), 21 bytes per number, 3 bytes per map or list
plus 1 per element; JSON counts 6 bytes per character (API Gateway escapes control characters
as \\uXXXX), 32 per number. Enum strings are bounded by their longest value, booleans, numbers
and null need no bound. Contract: `check_sizes` only adds warnings; it never stops a build.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from generator.aws.limits import DYNAMODB_ITEM_BYTES, KINESIS_RECORD_BYTES
from generator.ir.context import BuildContext
from generator.ir.nodes import Event, Table
from generator.load.yaml_loader import Pointer

Encoding = Literal["dynamodb", "json"]

ENVELOPE_MAX_LENGTHS: dict[str, int] = {
    "id": 256, "source": 1024, "subject": 256, "time": 64, "datacontenttype": 256, "dataschema": 2048,
}
"""The bounds of the CloudEvents attributes gen's ingestion model sets (emit.api.ingest)."""

_CHAR = {"dynamodb": 4, "json": 6}
_NUMBER = {"dynamodb": 21, "json": 32}
_SCALAR = {"boolean": {"dynamodb": 1, "json": 5}, "null": {"dynamodb": 1, "json": 4}}


@dataclass
class _Walk:
    """One walk from a root schema: its worst size, and where a bound is missing."""

    encoding: Encoding
    ctx: BuildContext
    unbounded: dict[Pointer, str] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)

    def string(self, chars: int) -> int:
        return chars * _CHAR[self.encoding] + (2 if self.encoding == "json" else 0)

    def name(self, text: str) -> int:
        return len(text.encode("utf-8")) + (3 if self.encoding == "json" else 0)

    def size(self, raw: Any, ptr: Pointer) -> float:
        if not isinstance(raw, dict):
            return 0
        if "$ref" in raw:
            name = str(raw["$ref"]).rsplit("/", 1)[-1]
            if name in self.active:  # a recursive schema has no largest value
                self.unbounded.setdefault(ptr, "a recursive schema")
                return math.inf
            self.active.add(name)
            try:
                return self.size(self.ctx.raw_schema(name), ("components", "schemas", name))
            finally:
                self.active.discard(name)
        for combo in ("oneOf", "anyOf"):
            options = raw.get(combo)
            if isinstance(options, list):
                return max((self.size(o, ptr + (combo, i)) for i, o in enumerate(options)), default=0)
        kinds = raw.get("type")
        kinds = [k for k in kinds if k != "null"] if isinstance(kinds, list) else [kinds]
        kind = kinds[0] if kinds else "null"
        if kind is None:
            kind = "object" if "properties" in raw or "additionalProperties" in raw else "array" if "items" in raw else None
        if kind == "string":
            return self._string(raw, ptr)
        if kind in ("integer", "number"):
            return _NUMBER[self.encoding]
        if kind in _SCALAR:
            return _SCALAR[kind][self.encoding]
        if kind == "array":
            return self._array(raw, ptr)
        if kind == "object":
            return self._object(raw, ptr)
        return 0

    def _string(self, raw: dict[str, Any], ptr: Pointer) -> float:
        if isinstance(raw.get("enum"), list):
            return self.string(max((len(str(v)) for v in raw["enum"]), default=0))
        limit = raw.get("maxLength")
        if not isinstance(limit, int):
            self.unbounded.setdefault(ptr, "a string without maxLength")
            return math.inf
        return self.string(limit)

    def _array(self, raw: dict[str, Any], ptr: Pointer) -> float:
        element = self.size(raw.get("items"), ptr + ("items",))
        limit = raw.get("maxItems")
        if not isinstance(limit, int):
            self.unbounded.setdefault(ptr, "an array without maxItems")
            return math.inf
        return 3 + limit * (element + 1)

    def _object(self, raw: dict[str, Any], ptr: Pointer) -> float:
        props = raw.get("properties")
        total: float = 3
        if isinstance(props, dict):
            for name, sub in props.items():
                total += self.name(str(name)) + 1 + self.size(sub, ptr + ("properties", name))
        extra = raw.get("additionalProperties")
        if isinstance(extra, dict):
            value = self.size(extra, ptr + ("additionalProperties",))
            count, keys = raw.get("maxProperties"), (raw.get("propertyNames") or {}).get("maxLength")
            if not isinstance(count, int):
                self.unbounded.setdefault(ptr, "a map without maxProperties")
            elif not isinstance(keys, int):
                self.unbounded.setdefault(ptr + ("propertyNames",) if "propertyNames" in raw else ptr,
                                          "a map whose keys have no propertyNames.maxLength")
            if not (isinstance(count, int) and isinstance(keys, int)):
                return math.inf
            total += count * (self.string(keys) + 1 + value)
        return total


_HINTS = {
    "a string without maxLength": "add maxLength (e.g. maxLength: 256), or an enum",
    "an array without maxItems": "add maxItems (e.g. maxItems: 50)",
    "a map without maxProperties": "add maxProperties (e.g. maxProperties: 20)",
    "a map whose keys have no propertyNames.maxLength": "add propertyNames: {maxLength: 64}",
    "a recursive schema": "a recursive schema has no largest value; bound its depth by hand-written types",
}


def _kb(n: float) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / (1024 * 1024):.1f} MB"


def _report(ctx: BuildContext, walk: _Walk, size: float, what: str, limit: int, limit_text: str,
            root: Pointer, seen: set[Pointer]) -> None:
    for ptr, problem in walk.unbounded.items():
        if ptr in seen:
            continue
        seen.add(ptr)
        ctx.warning("W-SIZE", f"{problem}: {what} has no largest size, and may exceed {limit_text}", ctx.api, ptr,
                    _HINTS[problem])
    if not walk.unbounded and size > limit:
        ctx.warning("W-SIZE", f"{what} may be {_kb(size)} with the bounds its schema sets, more than {limit_text}",
                    ctx.api, root, "lower the maxLength, maxItems and maxProperties of its largest parts")


def check_sizes(ctx: BuildContext, tables: Iterable[Table], events: Iterable[Event]) -> None:
    """Warn where an item may exceed DynamoDB's item limit or an event a Kinesis record's."""
    seen: set[Pointer] = set()
    for table in tables:
        root: Pointer = ("components", "schemas", table.item)
        walk = _Walk("dynamodb", ctx)
        size = walk.size(ctx.raw_schema(table.item), root)
        _report(ctx, walk, size, f"an item of table '{table.name}'", DYNAMODB_ITEM_BYTES,
                "DynamoDB's 400 KB item limit", root, seen)
    for event in events:
        root = ("components", "schemas", event.data)
        walk = _Walk("json", ctx)
        data = walk.size(ctx.raw_schema(event.data), root)
        envelope = sum(walk.name(k) + 1 + walk.string(n) for k, n in ENVELOPE_MAX_LENGTHS.items())
        envelope += walk.name("specversion") + walk.string(3) + walk.name("type") + walk.string(len(event.type))
        size = data + envelope + walk.name("data") + 2 + ENVELOPE_MAX_LENGTHS["subject"] * 4
        _report(ctx, walk, size, f"event '{event.type}'", KINESIS_RECORD_BYTES,
                "a Kinesis record's 1 MB", root, seen)
