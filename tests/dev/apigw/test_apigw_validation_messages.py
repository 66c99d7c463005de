"""`$context.error.validationErrorString` in json-schema-validator's words (apigw.validation_messages)."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft4Validator  # type: ignore[import-untyped]

from generator.dev.apigw.validation_messages import describe


def errors_of(schema: dict[str, Any], instance: Any) -> str:
    validator = Draft4Validator(schema)
    return describe(sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)))


def test_missing_required_properties_in_one_message_in_schema_order() -> None:
    schema = {"type": "object", "required": ["body", "subject", "to"]}
    assert (
        errors_of(schema, {"subject": "x"})
        == '[object has missing required properties (["body","to"])]'
    )
    assert (
        errors_of(schema, {})
        == '[object has missing required properties (["body","subject","to"])]'
    )


def test_keyword_messages() -> None:
    schema = {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["dog", "cat"]},
            "price": {"type": "number", "minimum": 25, "maximum": 500},
            "id": {"type": "integer"},
            "name": {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^a"},
            "tags": {"type": "array", "minItems": 1, "maxItems": 1},
        },
        "additionalProperties": False,
    }
    cases = {
        '{"type": "bird"}': 'instance value ("bird") not found in enum (possible values: ["dog","cat"])',
        '{"price": 501}': "numeric instance is greater than the required maximum (maximum: 500, found: 501)",
        '{"price": 1}': "numeric instance is lower than the required minimum (minimum: 25, found: 1)",
        '{"id": "7"}': 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])',
        '{"id": 1.5}': 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])',
        '{"name": "b"}': 'string "b" is too short (length: 1, required minimum: 2), '
        'ECMA 262 regex "^a" does not match input string "b"',
        '{"tags": []}': "array is too short: must have at least 1 elements but instance has 0 elements",
        '{"x": 1}': 'object instance has properties which are not allowed by the schema: ["x"]',
    }
    import json

    for body, message in cases.items():
        assert errors_of(schema, json.loads(body)) == f"[{message}]", body


def test_several_errors_are_listed_as_java_prints_a_list() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    assert errors_of(schema, {"a": 1, "b": 2}) == (
        '[instance type (integer) does not match any allowed primitive type (allowed: ["string"]), '
        'instance type (integer) does not match any allowed primitive type (allowed: ["string"])]'
    )
