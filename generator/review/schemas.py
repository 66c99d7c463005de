"""Compare two schemas (BASE, HEAD) structurally: the raw changes the API and event rules classify.

`$ref`s are followed through each side's component models, with a guard against recursion; a
change is reported where it happens (the property's pointer in components/schemas, on the side
that still has it). Direction is the caller's business: the same raw change narrows a request
and widens a response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from generator.ir.nodes import Model, Schema
from generator.load.yaml_loader import Pointer

Kind = Literal[
    "type-changed", "type-generalized", "nullable-added", "nullable-removed", "enum-added",
    "enum-removed", "became-enum", "enum-dropped", "narrowed", "relaxed", "pattern-changed",
    "property-added", "property-removed", "became-required", "became-optional",
]
# keyword -> the direction in which a larger value narrows the accepted values
BOUNDS: dict[str, str] = {
    "maximum": "max", "exclusiveMaximum": "max", "maxLength": "max", "maxItems": "max",
    "maxProperties": "max", "minimum": "min", "exclusiveMinimum": "min", "minLength": "min",
    "minItems": "min", "minProperties": "min",
}
ROOT = "(body)"


@dataclass(frozen=True, slots=True)
class Change:
    """One structural difference. `path` is the property path (``address.zip``, ``items[]``);
    `keyword` names the constraint for narrowed/relaxed; `required` tells whether an added or
    removed property is required (on the side that has it)."""

    kind: Kind
    path: str
    detail: str
    base: Pointer | None
    head: Pointer | None
    keyword: str | None = None
    action: str | None = None  # set, unset, increased, decreased (constraints)
    required: bool = False


def model_pointer(name: str) -> Pointer:
    return ("components", "schemas", name)


class Differ:
    def __init__(self, base_models: dict[str, Model], head_models: dict[str, Model]) -> None:
        self.models = (base_models, head_models)
        self.out: list[Change] = []
        self._seen: set[tuple[str, str]] = set()

    def compare(self, base: Schema, head: Schema, bptr: Pointer | None, hptr: Pointer | None,
                path: str = ROOT) -> list[Change]:
        self.out = []
        self._seen = set()
        self._compare(base, head, bptr, hptr, path)
        return self.out

    def _resolve(self, side: int, schema: Schema, ptr: Pointer | None) -> tuple[Schema, bool, Pointer | None]:
        nullable = schema.nullable
        hops = 0
        while schema.kind == "ref" and schema.ref in self.models[side] and hops < 32:
            ptr = model_pointer(str(schema.ref))
            schema = self.models[side][str(schema.ref)].schema
            nullable = nullable or schema.nullable
            hops += 1
        return schema, nullable, ptr

    def _add(self, kind: Kind, path: str, detail: str, b: Pointer | None, h: Pointer | None, **kw: Any) -> None:
        self.out.append(Change(kind, path, detail, b, h, **kw))

    def _compare(self, base: Schema, head: Schema, bptr: Pointer | None, hptr: Pointer | None, path: str) -> None:
        if base.ref is not None and head.ref is not None:
            if (base.ref, head.ref) in self._seen:
                return  # compared already (a recursive schema, or one model used twice)
            self._seen.add((base.ref, head.ref))
        b, bnull, bptr = self._resolve(0, base, bptr)
        h, hnull, hptr = self._resolve(1, head, hptr)
        if bnull != hnull:
            self._add("nullable-added" if hnull else "nullable-removed", path,
                      "now nullable" if hnull else "no longer nullable", bptr, hptr)
        if b.kind != h.kind:
            general = b.kind == "integer" and h.kind == "number"
            self._add("type-generalized" if general else "type-changed", path, f"{_type(b)} -> {_type(h)}", bptr, hptr)
            return
        if b.format != h.format:
            kind: Kind = "type-generalized" if h.format is None else "type-changed"
            self._add(kind, path, f"{_type(b)} -> {_type(h)}", bptr, hptr)
        self._enum(b, h, bptr, hptr, path)
        self._constraints(b, h, bptr, hptr, path)
        if b.kind == "object":
            self._properties(b, h, bptr, hptr, path)
        elif b.kind == "array" and b.items is not None and h.items is not None:
            self._compare(b.items, h.items, _sub(bptr, "items"), _sub(hptr, "items"), _join(path, "[]"))
        elif b.kind == "map" and b.values is not None and h.values is not None:
            self._compare(b.values, h.values, _sub(bptr, "additionalProperties"), _sub(hptr, "additionalProperties"),
                          _join(path, "{}"))

    def _enum(self, b: Schema, h: Schema, bptr: Pointer | None, hptr: Pointer | None, path: str) -> None:
        before, after = set(b.enum), set(h.enum)
        if before == after:
            return
        if not before:
            self._add("became-enum", path, f"now one of {_values(after)}", bptr, hptr)
        elif not after:
            self._add("enum-dropped", path, f"no longer limited to {_values(before)}", bptr, hptr)
        else:
            if after - before:
                self._add("enum-added", path, f"new value(s) {_values(after - before)}", bptr, hptr)
            if before - after:
                self._add("enum-removed", path, f"value(s) {_values(before - after)} removed", bptr, hptr)

    def _constraints(self, b: Schema, h: Schema, bptr: Pointer | None, hptr: Pointer | None, path: str) -> None:
        for keyword in sorted({k for k, _ in b.constraints} | {k for k, _ in h.constraints}):
            if keyword == "default":
                continue
            old, new = b.constraint(keyword), h.constraint(keyword)
            if old == new:
                continue
            detail = f"{keyword} {_show(old)} -> {_show(new)}"
            if keyword == "pattern":
                if new is None:
                    self._add("relaxed", path, detail, bptr, hptr, keyword=keyword, action="unset")
                elif old is None:
                    self._add("narrowed", path, detail, bptr, hptr, keyword=keyword, action="set")
                else:
                    self._add("pattern-changed", path, detail, bptr, hptr, keyword=keyword, action="changed")
                continue
            narrowed, action = _bound(keyword, old, new)
            if narrowed is not None:
                self._add("narrowed" if narrowed else "relaxed", path, detail, bptr, hptr, keyword=keyword,
                          action=action)

    def _properties(self, b: Schema, h: Schema, bptr: Pointer | None, hptr: Pointer | None, path: str) -> None:
        before = {f.name: f for f in b.properties}
        after = {f.name: f for f in h.properties}
        for name in sorted(set(before) | set(after)):
            sub = _join(path, name)
            bp = _sub(bptr, "properties", name) if name in before else None
            hp = _sub(hptr, "properties", name) if name in after else None
            old, new = before.get(name), after.get(name)
            if old is None and new is not None:
                self._add("property-added", sub, "required" if new.required else "optional", None, hp,
                          required=new.required)
            elif new is None and old is not None:
                self._add("property-removed", sub, "was required" if old.required else "was optional", bp, None,
                          required=old.required)
            elif old is not None and new is not None:
                if old.required != new.required:
                    self._add("became-required" if new.required else "became-optional", sub,
                              "now required" if new.required else "now optional", bp, hp)
                self._compare(old.schema, new.schema, bp, hp, sub)


def _bound(keyword: str, old: Any, new: Any) -> tuple[bool | None, str]:
    """(narrowed?, action) for a numeric bound; (None, '') when values cannot be compared."""
    upper = BOUNDS.get(keyword) == "max"
    if keyword not in BOUNDS and keyword != "multipleOf" and keyword != "uniqueItems":
        return None, ""
    if keyword == "uniqueItems":
        return bool(new), "set" if new else "unset"
    if new is None:
        return False, "unset"
    if old is None:
        return True, "set"
    if keyword == "multipleOf":
        return True, "changed"
    try:
        grew = float(new) > float(old)
    except (TypeError, ValueError):
        return None, ""
    action = "increased" if grew else "decreased"
    return (not grew) if upper else grew, action


def _sub(ptr: Pointer | None, *parts: str) -> Pointer | None:
    return None if ptr is None else ptr + parts


def _join(path: str, name: str) -> str:
    if path == ROOT:
        return name
    return f"{path}{name}" if name in ("[]", "{}") else f"{path}.{name}"


def _type(s: Schema) -> str:
    return s.kind + (f" ({s.format})" if s.format else "")


def _values(values: set[str]) -> str:
    return ", ".join(sorted(values))


def _show(value: Any) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else str(value)
