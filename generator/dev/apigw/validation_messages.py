"""`$context.error.validationErrorString` in API Gateway's wording.

API Gateway validates bodies with the Java json-schema-validator (java-json-tools), and its
messages are that library's: `[object has missing required properties (["body","subject","to"])]`
(an answer of AWS quoted in a public issue thread; tests/fidelity/corpus/aws_reports.yaml).
Contract: `describe(errors)` turns jsonschema's errors of one body into that string
(`located=True`, what gen dev answers, adds the pointer of each failing value: see `_where`): the
library's message per keyword (`required`, `type`, `enum`, `minimum`, `maximum`, `minLength`,
`maxLength`, `pattern`, `minItems`, `maxItems`, `additionalProperties`, `uniqueItems`,
`minProperties`, `maxProperties`, `multipleOf`; one `required` message per object, listing every
missing property in the schema's order), jsonschema's own message for any other keyword, joined
as a Java list prints (`[a, b]`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

_TYPE_ORDER = ("array", "boolean", "integer", "null", "number", "object", "string")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):  # Jackson reads 1.0 as a double: a number, not an integer
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _required(error: Any) -> str:
    instance = error.instance if isinstance(error.instance, dict) else {}
    missing = [name for name in error.validator_value if name not in instance]
    return f"object has missing required properties ({_json(missing)})"


def _type(error: Any) -> str:
    allowed = error.validator_value
    names = [allowed] if isinstance(allowed, str) else list(allowed)
    ordered = sorted(names, key=lambda n: _TYPE_ORDER.index(n) if n in _TYPE_ORDER else 99)
    found = _type_name(error.instance)
    return f"instance type ({found}) does not match any allowed primitive type (allowed: {_json(ordered)})"


def _maximum(error: Any) -> str:
    if error.schema.get("exclusiveMaximum") is True:
        return f"numeric instance is not strictly lower than the required maximum {_json(error.validator_value)}"
    return (
        "numeric instance is greater than the required maximum "
        f"(maximum: {_json(error.validator_value)}, found: {_json(error.instance)})"
    )


def _minimum(error: Any) -> str:
    if error.schema.get("exclusiveMinimum") is True:
        return f"numeric instance is not strictly greater than the required minimum {_json(error.validator_value)}"
    return (
        "numeric instance is lower than the required minimum "
        f"(minimum: {_json(error.validator_value)}, found: {_json(error.instance)})"
    )


def _additional(error: Any) -> str:
    allowed = set(error.schema.get("properties") or {})
    extra = sorted(name for name in error.instance if name not in allowed)
    return f"object instance has properties which are not allowed by the schema: {_json(extra)}"


_MESSAGES: dict[str, Callable[[Any], str]] = {
    "required": _required,
    "type": _type,
    "enum": lambda e: (
        f"instance value ({_json(e.instance)}) not found in enum (possible values: {_json(e.validator_value)})"
    ),
    "maximum": _maximum,
    "minimum": _minimum,
    "minLength": lambda e: (
        f'string "{e.instance}" is too short (length: {len(e.instance)}, required minimum: {e.validator_value})'
    ),
    "maxLength": lambda e: (
        f'string "{e.instance}" is too long (length: {len(e.instance)}, maximum allowed: {e.validator_value})'
    ),
    "pattern": lambda e: f'ECMA 262 regex "{e.validator_value}" does not match input string "{e.instance}"',
    "minItems": lambda e: (
        f"array is too short: must have at least {e.validator_value} elements but instance has {len(e.instance)} elements"
    ),
    "maxItems": lambda e: (
        f"array is too long: must have at most {e.validator_value} elements but instance has {len(e.instance)} elements"
    ),
    "additionalProperties": _additional,
    "uniqueItems": lambda e: "array must not contain duplicate elements",
    "minProperties": lambda e: (
        f"object has too few properties (found {len(e.instance)} but schema requires at least {e.validator_value})"
    ),
    "maxProperties": lambda e: (
        f"object has too many properties (found {len(e.instance)} but schema requires at most {e.validator_value})"
    ),
    "multipleOf": lambda e: f"remainder of division is not zero ({_json(e.instance)} / {_json(e.validator_value)})",
}


def describe(errors: Iterable[Any], *, located: bool = False) -> str:
    """The validation error string of one body's schema errors (see the module doc); with
    `located`, each message about a value below the root ends with its pointer (`_where`)."""
    messages: list[str] = []
    seen_required: set[tuple[Any, ...]] = set()
    for error in errors:
        if error.validator == "required":
            where = (tuple(error.absolute_path), tuple(error.absolute_schema_path))
            if where in seen_required:
                continue
            seen_required.add(where)
        message = _MESSAGES.get(str(error.validator))
        text = message(error) if message is not None else str(error.message)
        messages.append(text + (_where(error) if located else ""))
    return "[" + ", ".join(messages) + "]"


def _where(error: Any) -> str:
    """` (at /0/data/x)` for a value below the body's root, "" at the root.

    API Gateway's string holds the validator's message only, which for most keywords does not
    say which value failed; gen dev adds the JSON pointer so a 400 names the failing field
    (documented in docs/fidelity.md as a deliberate difference)."""
    path = list(error.absolute_path)
    return f" (at /{'/'.join(str(part) for part in path)})" if path else ""
