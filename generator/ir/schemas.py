"""Normalise JSON schemas from the OpenAPI document into `Schema` nodes.

Only the subset docs/spec-format.md lists is supported (string/date-time/enum, integer, number,
boolean, object with required and additionalProperties maps, array, nullable in its three
spellings, $ref). Anything else is reported as E-SCHEMA at the offending keyword.
"""

from __future__ import annotations

from typing import Any

from generator.diagnostics import Diagnostics
from generator.ir.names import py_identifier
from generator.ir.nodes import Field, Schema
from generator.load.yaml_loader import Pointer, YamlDocument

CONSTRAINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
               "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf", "minProperties",
               "maxProperties", "default")
_ANNOTATIONS = ("description", "title", "example", "examples", "readOnly", "writeOnly", "deprecated",
                "externalDocs", "xml", "$comment")
_TYPES = ("string", "integer", "number", "boolean", "object", "array")
_FORMATS = ("date-time", "date", "email", "uri", "uuid", "int32", "int64", "float", "double", "byte",
            "password", "hostname", "ipv4", "ipv6", "time", "duration")


class SchemaReader:
    """Converts raw schemas at known pointers of `doc` into `Schema`, reporting what is unsupported."""

    def __init__(self, doc: YamlDocument, diags: Diagnostics) -> None:
        self.doc = doc
        self.diags = diags

    def read(self, raw: Any, ptr: Pointer) -> Schema:
        if not isinstance(raw, dict):
            self._unsupported(ptr, "a schema must be a mapping")
            return Schema(kind="any")
        if "$ref" in raw:
            ref = str(raw["$ref"])
            name = ref.rsplit("/", 1)[-1]
            if not ref.startswith("#/components/schemas/"):
                self._unsupported(ptr + ("$ref",), f"$ref '{ref}' is not a component schema")
            return Schema(kind="ref", ref=name, description=_str(raw.get("description")))
        for combo in ("oneOf", "anyOf"):
            if combo in raw:
                return self._nullable_combo(raw, ptr, combo)
        bad = [k for k in ("allOf", "not", "discriminator", "if", "then", "else", "patternProperties",
                           "prefixItems", "const", "contains", "dependentSchemas") if k in raw]
        for key in bad:
            self._unsupported(ptr + (key,), f"'{key}' is not supported in gen schemas")
        if bad and "type" not in raw:
            return Schema(kind="any")
        kind, nullable = self._type(raw, ptr)
        constraints = tuple(sorted((k, raw[k]) for k in CONSTRAINTS if k in raw))
        fmt = raw.get("format")
        if fmt is not None and fmt not in _FORMATS:
            self._unsupported(ptr + ("format",), f"unknown format '{fmt}'")
        enum: tuple[str, ...] = ()
        if "enum" in raw:
            values = raw["enum"]
            if kind != "string" or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                self._unsupported(ptr + ("enum",), "only string enums are supported")
            else:
                enum = tuple(v for v in values if v is not None)
        nullable = nullable or raw.get("nullable") is True
        desc = _str(raw.get("description"))
        if kind == "object":
            return self._object(raw, ptr, nullable, desc, constraints)
        if kind == "array":
            items = self.read(raw.get("items", {}), ptr + ("items",)) if "items" in raw else Schema(kind="any")
            return Schema(kind="array", nullable=nullable, items=items, description=desc, constraints=constraints)
        return Schema(kind=kind, nullable=nullable, format=fmt if isinstance(fmt, str) else None,
                      enum=enum, description=desc, constraints=constraints)

    def _type(self, raw: dict[str, Any], ptr: Pointer) -> tuple[Any, bool]:
        t = raw.get("type")
        nullable = False
        if isinstance(t, list):
            kinds = [x for x in t if x != "null"]
            nullable = "null" in t
            if len(kinds) != 1:
                self._unsupported(ptr + ("type",), "a type list may only add 'null' to one type")
                return "any", nullable
            t = kinds[0]
        if t is None:
            if "properties" in raw or "additionalProperties" in raw:
                return "object", nullable
            if "items" in raw:
                return "array", nullable
            self._unsupported(ptr, "a schema needs a 'type' (or $ref)")
            return "any", nullable
        if t not in _TYPES:
            self._unsupported(ptr + ("type",), f"type '{t}' is not supported here")
            return "any", nullable
        return t, nullable

    def _object(self, raw: dict[str, Any], ptr: Pointer, nullable: bool, desc: str | None,
                constraints: tuple[tuple[str, Any], ...]) -> Schema:
        props = raw.get("properties") or {}
        required = raw.get("required") or []
        extra = raw.get("additionalProperties")
        if isinstance(extra, dict) and not props:
            values = self.read(extra, ptr + ("additionalProperties",))
            return Schema(kind="map", nullable=nullable, values=values, description=desc, constraints=constraints)
        # identifiers are decided in name order, so colliding names ('my-thing', 'my_thing')
        # get the same suffixes whatever order the spec lists them in
        py_names: dict[str, str] = {}
        taken: set[str] = set()
        for name in sorted(props):
            py = py_identifier(name)
            while py in taken:
                py += "_"
            taken.add(py)
            py_names[name] = py
        fields = [Field(name=name, py_name=py_names[name], schema=self.read(props[name], ptr + ("properties", name)),
                        required=name in required) for name in props]
        for name in required:
            if name not in props:
                self._unsupported(ptr + ("required",), f"required property '{name}' is not declared in properties")
        if isinstance(extra, dict) and props:
            self._unsupported(ptr + ("additionalProperties",),
                              "additionalProperties schemas are supported only on maps without properties")
        return Schema(kind="object", nullable=nullable, properties=tuple(fields), description=desc,
                      constraints=constraints)

    def _nullable_combo(self, raw: dict[str, Any], ptr: Pointer, combo: str) -> Schema:
        options = raw[combo]
        if isinstance(options, list) and len(options) == 2:
            nulls = [o for o in options if isinstance(o, dict) and o.get("type") == "null" and len(o) == 1]
            if len(nulls) == 1:
                other = options[0] if options[1] is nulls[0] else options[1]
                idx = options.index(other)
                inner = self.read(other, ptr + (combo, idx))
                return _with_nullable(inner, _str(raw.get("description")))
        self._unsupported(ptr + (combo,), f"'{combo}' is supported only as [schema, {{type: 'null'}}]")
        return Schema(kind="any")

    def _unsupported(self, ptr: Pointer, message: str) -> None:
        self.diags.error("E-SCHEMA", message, self.doc.locate(ptr, key=True),
                         "gen schemas use type, format, enum, properties, required, items, "
                         "additionalProperties (maps), nullable and $ref")


def _with_nullable(schema: Schema, desc: str | None) -> Schema:
    from dataclasses import replace

    return replace(schema, nullable=True, description=desc or schema.description)


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None
