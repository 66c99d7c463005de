"""`Schema` nodes -> plain JSON Schema (draft 4 vocabulary, which later drafts also accept).

Used to validate seed items and, by emitters, to write API Gateway models. References become
``#/definitions/<Name>`` and every referenced model is included under ``definitions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.ir.nodes import Model, Schema

_DRAFT4_SAFE = ("minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
                "uniqueItems", "multipleOf", "minProperties", "maxProperties")


def to_json_schema(schema: Schema, *, ref_prefix: str = "#/definitions/") -> dict[str, Any]:
    """One schema node as a JSON Schema dict; refs point at `ref_prefix` + name."""
    if schema.kind == "ref":
        out: dict[str, Any] = {"$ref": f"{ref_prefix}{schema.ref}"}
        return {"anyOf": [out, {"type": "null"}]} if schema.nullable else out
    out = {}
    kind = {"map": "object", "any": None}.get(schema.kind, schema.kind)
    if kind is not None:
        out["type"] = [kind, "null"] if schema.nullable else kind
    if schema.enum:
        out["enum"] = list(schema.enum) + ([None] if schema.nullable else [])
    if schema.format == "date-time":
        out["format"] = "date-time"
    for key, value in schema.constraints:
        if key in _DRAFT4_SAFE:
            out[key] = value
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            # 3.1 writes the bound itself; draft 4 wants minimum + a boolean flag
            out[key.replace("exclusiveM", "m")] = value
            out[key] = True
    if schema.kind == "object":
        out["properties"] = {f.name: to_json_schema(f.schema, ref_prefix=ref_prefix) for f in schema.properties}
        required = [f.name for f in schema.properties if f.required]
        if required:
            out["required"] = required
    elif schema.kind == "map" and schema.values is not None:
        out["additionalProperties"] = to_json_schema(schema.values, ref_prefix=ref_prefix)
    elif schema.kind == "array" and schema.items is not None:
        out["items"] = to_json_schema(schema.items, ref_prefix=ref_prefix)
    return out


def referenced_models(schema: Schema, models: Mapping[str, Model]) -> list[str]:
    """Names of every model `schema` reaches through refs (transitively), sorted."""
    seen: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if node.kind == "ref" and node.ref and node.ref not in seen:
            seen.add(node.ref)
            if node.ref in models:
                stack.append(models[node.ref].schema)
        stack.extend(f.schema for f in node.properties)
        stack.extend(s for s in (node.items, node.values) if s is not None)
    return sorted(seen)


def model_json_schema(name: str, models: Mapping[str, Model]) -> dict[str, Any]:
    """A self-contained JSON Schema for model `name` with its definitions."""
    root = models[name].schema
    out = to_json_schema(root)
    deps = referenced_models(root, models)
    if deps:
        out["definitions"] = {d: to_json_schema(models[d].schema) for d in deps if d in models}
    return out
