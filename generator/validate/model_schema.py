"""The JSON Schema of spec/model.yaml (format v1). Unknown keys are errors everywhere."""

from __future__ import annotations

from typing import Any

NAME = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
TABLE = r"^[a-z][a-z0-9_]*$"
ATTR = r"^[A-Za-z_][A-Za-z0-9_]*$"
EVENT = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
DURATION = r"^[0-9]{1,6}[smhd]$"

PATTERN_HINTS = {
    NAME: "use lowercase letters, digits and single hyphens, starting with a letter (e.g. 'fleet')",
    TABLE: "use lowercase letters, digits and underscores, starting with a letter (e.g. 'devices')",
    ATTR: "use letters, digits and underscores, starting with a letter (e.g. 'deviceId')",
    EVENT: "use dotted lowercase words, e.g. 'reading.recorded'",
    DURATION: "write a whole number and a unit: s, m, h or d (e.g. '5m'), or null for no limit",
}


def _obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}


def _map(name_pattern: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "propertyNames": {"pattern": name_pattern}, "additionalProperties": value}


def _names(pattern: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "pattern": pattern}, "uniqueItems": True}


_INDEX = _obj({
    "partition_key": {"type": "string", "pattern": ATTR},
    "sort_key": {"type": "string", "pattern": ATTR},
    "projection": {"enum": ["all", "keys_only"]},
}, ("partition_key",))

_TABLE = _obj({
    "partition_key": {"type": "string", "pattern": ATTR},
    "sort_key": {"type": "string", "pattern": ATTR},
    "item": {"type": "string"},
    "indexes": _map(r"^[A-Za-z][A-Za-z0-9_]*$", _INDEX),
    "ttl": {"type": "string", "pattern": ATTR},
}, ("partition_key", "item"))

_STREAM = _obj({
    "shards": {"type": "integer", "minimum": 1, "maximum": 500},
    "on_demand": {"type": "boolean"},
    "retention_hours": {"type": "integer", "minimum": 24, "maximum": 8760},
    "archive": {"type": "boolean"},
})

_EVENT = _obj({
    "stream": {"type": "string"},
    "data": {"type": "string"},
    "subject": {"type": "string", "pattern": ATTR},
    # The event-time guard (docs/spec-format.md): how far ahead of the request an event may be dated.
    "max_future": {"type": ["string", "null"], "pattern": DURATION},
    "time": {"type": "string", "pattern": ATTR},
}, ("stream", "data", "subject"))

_PROCESSOR = _obj({
    "on": {**_names(EVENT), "minItems": 1},
    "schedule": {"type": "string"},
    "reads": _names(TABLE),
    "writes": _names(TABLE),
    "batch_size": {"type": "integer", "minimum": 1, "maximum": 10000},
    "window_seconds": {"type": "integer", "minimum": 0, "maximum": 300},
    "max_retries": {"type": "integer", "minimum": 0, "maximum": 10000},
    "max_record_age_seconds": {"type": "integer", "minimum": 60, "maximum": 604800},
    "timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 900},
    "memory_mb": {"type": "integer", "minimum": 128, "maximum": 10240},
})

# A reviewed change (docs/review.md): `gen review` and `gen build` accept the finding of `rule`
# on `target`; rule ids are checked against the catalogue when the IR is built.
_CHANGE = _obj({
    "rule": {"type": "string", "minLength": 1},
    "target": {"type": "string", "minLength": 1},
    "reason": {"type": "string", "minLength": 1},
    "delete_data": {"type": "boolean"},
}, ("rule", "target", "reason"))

MODEL_SCHEMA: dict[str, Any] = _obj({
    "version": {"type": "integer"},
    "name": {"type": "string", "pattern": NAME, "minLength": 2, "maxLength": 20},
    "tables": _map(TABLE, _TABLE),
    "streams": _map(TABLE, _STREAM),
    "events": _map(EVENT, _EVENT),
    "processors": _map(TABLE, _PROCESSOR),
    "frontend": _obj({"domain": {"type": ["string", "null"],
                                 "pattern": r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"}}),
    "changes": {"type": "array", "items": _CHANGE},
}, ("version", "name"))
