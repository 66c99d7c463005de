"""Schema objects of spec/openapi.yaml (3.1 or 3.0) -> OpenAPI 3.0.1 schemas API Gateway imports.

Contract: pure functions over the raw (already validated) document. Two nullability forms:

- documentation form (responses, parameters): `type: [X, 'null']`, `nullable: true` and
  `oneOf: [X, {type: 'null'}]` all become `nullable: true` (docs/api-definition.md);
- validation form (models reachable from a request body): API Gateway turns a schema into a JSON
  Schema draft 4 model and drops `nullable`, which would make it reject a null the spec allows.
  There a nullable value becomes `anyOf: [X, {enum: [null]}]`, which OpenAPI 3.0 and draft 4 read
  the same way.

A nullable `$ref` always takes the `anyOf` form (3.0 ignores the siblings of a `$ref`).
Annotations API Gateway does not support (`default`, `example`, `examples`, `readOnly`, ...) are
dropped; they never change what validates. Unsupported *validation* keywords are left in place
for lint.py to report with a location.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from generator.ir.jsonschema import referenced_models
from generator.ir.nodes import Ir, Model

_KEEP = ("title", "description", "format", "enum", "minimum", "maximum", "minLength", "maxLength",
         "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf", "minProperties",
         "maxProperties", "required", "exclusiveMinimum", "exclusiveMaximum")


def convert_schema(raw: Any, *, body: bool) -> dict[str, Any]:
    """One schema in OpenAPI 3.0.1 form; `body` selects the validation form of nullability."""
    if not isinstance(raw, dict):
        return {}
    if "$ref" in raw:
        return {"$ref": str(raw["$ref"])}
    for combo in ("oneOf", "anyOf"):
        other = _nullable_partner(raw.get(combo))
        if other is not None:
            inner = convert_schema(other, body=body)
            return _nullable(inner, body=body, description=raw.get("description"))
    out: dict[str, Any] = {}
    kind = raw.get("type")
    nullable = raw.get("nullable") is True
    if isinstance(kind, list):
        nullable = nullable or "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if isinstance(kind, str):
        out["type"] = kind
    for key in _KEEP:
        if key in raw:
            out[key] = list(raw[key]) if isinstance(raw[key], list) else raw[key]
    if isinstance(out.get("required"), list):
        out["required"] = sorted(str(name) for name in out["required"])
    if isinstance(raw.get("properties"), dict):
        out["properties"] = {name: convert_schema(sub, body=body) for name, sub in raw["properties"].items()}
    extra = raw.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = convert_schema(extra, body=body)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    if "items" in raw:
        out["items"] = convert_schema(raw["items"], body=body)
    if nullable:
        description = out.pop("description", None) if body else None
        return _nullable(out, body=body, description=description)
    return out


def _nullable_partner(options: Any) -> Any:
    """`X` of `[X, {type: 'null'}]` (either order), else None."""
    if not isinstance(options, list) or len(options) != 2:
        return None
    nulls = [o for o in options if isinstance(o, dict) and o.get("type") == "null" and len(o) == 1]
    if len(nulls) != 1:
        return None
    return options[1] if options[0] is nulls[0] else options[0]


def _nullable(inner: dict[str, Any], *, body: bool, description: Any) -> dict[str, Any]:
    if body or "$ref" in inner:
        out: dict[str, Any] = {"anyOf": [inner, {"enum": [None]}]}
        if isinstance(description, str):
            out["description"] = description
        return out
    merged = dict(inner)
    merged["nullable"] = True
    if isinstance(description, str) and "description" not in merged:
        merged["description"] = description
    return merged


def body_models(ir: Ir) -> set[str]:
    """Component schemas a request body reaches: event payloads of ingested streams, transitively."""
    models: Mapping[str, Model] = {m.name: m for m in ir.models}
    streams = {op.stream for op in ir.operations if op.kind == "ingest"}
    names: set[str] = set()
    for event in ir.events:
        if event.stream in streams and event.data in models:
            names.add(event.data)
            names.update(referenced_models(models[event.data].schema, models))
    return names


def convert_components(raw_schemas: Mapping[str, Any], body: Iterable[str]) -> dict[str, Any]:
    """Every component schema of the spec, in the form its use requires."""
    validated = set(body)
    return {name: convert_schema(raw, body=name in validated) for name, raw in raw_schemas.items()}
