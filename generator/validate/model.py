"""Structural validation of spec/model.yaml: keys, types and ranges, each error located.

Cross-references (tables to schemas, events to streams, ...) are checked in `rules`; this
module only answers "is this a well-formed model.yaml v1".
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from generator.diagnostics import Diagnostics, did_you_mean
from generator.load.yaml_loader import Pointer, YamlDocument
from generator.validate.model_schema import DURATION, MODEL_SCHEMA, PATTERN_HINTS

if TYPE_CHECKING:
    import jsonschema  # type: ignore[import-untyped]

SUPPORTED_VERSIONS = (1,)


@functools.cache
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(MODEL_SCHEMA)


def _schema_at(path: Pointer) -> dict[str, Any]:
    """The sub-schema that applies at the instance `path` (for listing allowed keys)."""
    schema: dict[str, Any] = MODEL_SCHEMA
    for part in path:
        props = schema.get("properties", {})
        if isinstance(part, str) and part in props:
            schema = props[part]
        elif isinstance(schema.get("additionalProperties"), dict):
            schema = schema["additionalProperties"]
        elif "items" in schema:
            schema = schema["items"]
        else:
            return {}
    return schema


SCHEMA_LIBRARIES = ("jsonschema",)
"""The libraries whose versions decide what `validate_model` reports (besides the data)."""


def validate_model(doc: YamlDocument, diags: Diagnostics) -> bool:
    """Check model.yaml's shape. True when well-formed (so later rules may rely on it). What it
    reports is a function of `doc.data` (and of `SCHEMA_LIBRARIES`); locations aside."""
    data = doc.data
    if not isinstance(data, dict):
        diags.error("E-MODEL", "model.yaml must be a mapping", doc.locate(()),
                    "start with 'version: 1' and 'name: <project>'")
        return False
    version = data.get("version")
    if "version" in data and version not in SUPPORTED_VERSIONS:
        diags.error("E-VERSION", f"unsupported model version {version!r}", doc.locate(("version",)),
                    "this gen reads 'version: 1'")
        return False
    ok = True
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    for err in errors:
        ok = False
        _report(doc, err, diags)
    return ok


def _report(doc: YamlDocument, err: jsonschema.ValidationError, diags: Diagnostics) -> None:
    path: Pointer = tuple(err.absolute_path)
    where = "/".join(str(p) for p in path) or "model"
    v = err.validator
    if v == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(_schema_at(path).get("properties", {}))
        for key in sorted(set(err.instance) - set(allowed)):
            hint = did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}"
            diags.error("E-MODEL-KEY", f"unknown key '{key}' in {where}", doc.locate(path + (key,), key=True), hint)
        return
    if v == "required":
        missing = str(err.message).split("'")[1] if "'" in err.message else str(err.message)
        diags.error("E-MODEL", f"{where} is missing required key '{missing}'", doc.locate(path, key=True),
                    f"add '{missing}:' to {where}")
        return
    if v == "pattern" and isinstance(_value_at(doc, path), dict):
        # a propertyNames failure: the instance is the offending key of the mapping at `path`
        name = str(err.instance)
        pattern = str(err.schema.get("pattern", ""))
        diags.error("E-MODEL-NAME", f"'{name}' is not a valid name in {where}",
                    doc.locate(path + (name,), key=True), PATTERN_HINTS.get(pattern, f"names must match {pattern}"))
        return
    if v == "pattern" and err.schema.get("pattern") == DURATION:
        diags.error("E-MODEL-VALUE", f"{where}: '{err.instance}' is not a duration", doc.locate(path),
                    PATTERN_HINTS[DURATION])
        return
    if v == "pattern":
        pattern = str(err.schema.get("pattern", ""))
        diags.error("E-MODEL-NAME", f"{where}: '{err.instance}' is not a valid name", doc.locate(path),
                    PATTERN_HINTS.get(pattern, f"it must match {pattern}"))
        return
    if v == "type":
        expected = err.schema.get("type")
        kinds = expected if isinstance(expected, list) else [expected]
        diags.error("E-MODEL-TYPE", f"{where} must be {' or '.join(_kind(k) for k in kinds)}",
                    doc.locate(path), f"got {_describe(err.instance)}")
        return
    if v in ("minimum", "maximum", "minLength", "maxLength", "minItems", "uniqueItems", "enum"):
        diags.error("E-MODEL-VALUE", f"{where}: {err.message}", doc.locate(path), _range_hint(err))
        return
    diags.error("E-MODEL", f"{where}: {err.message}", doc.locate(path))


def _value_at(doc: YamlDocument, path: Pointer) -> Any:
    node: Any = doc.data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _kind(name: Any) -> str:
    return {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
            "boolean": "true or false", "null": "null", "number": "a number"}.get(str(name), str(name))


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _range_hint(err: jsonschema.ValidationError) -> str:
    s = err.schema
    if "minimum" in s or "maximum" in s:
        return f"allowed range: {s.get('minimum', '-inf')}..{s.get('maximum', 'inf')}"
    if "enum" in s:
        return "allowed values: " + ", ".join(str(x) for x in s["enum"])
    if "maxLength" in s or "minLength" in s:
        return f"length must be {s.get('minLength', 0)}..{s.get('maxLength', 'any')}"
    return "see the model.yaml reference in docs/spec-format.md"
