"""The compiled body check (fastjsonschema) never accepts what jsonschema's draft 4 model rejects.

It is only a shortcut for "valid": every body it does not accept is decided by jsonschema. So the
property under test is one-sided -- accepted by the shortcut => accepted by jsonschema -- checked
on hand-picked traps (numbers that are not integers, booleans that are numbers in Python, formats,
lengths in code points, nulls, missing and extra properties) and on documents hypothesis derives
from every body model of the reference API (valid ones, and valid ones with a part replaced).
It must also accept the valid ones (or it saves nothing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft4Validator

from generator.dev.apigw.definition import load_definition, required_variables
from generator.dev.apigw.validate import fast_acceptor

ROOT = Path(__file__).resolve().parents[3]


def _models() -> dict[str, Any]:
    document = json.loads((ROOT / "generated/api/openapi.json").read_text())
    definition = load_definition(document, {v: "x" for v in required_variables(document)})
    models: dict[str, Any] = {}
    for op in definition.operations():
        for kind, schema in op.body_models.items():
            if schema not in models.values():  # the same model under two content types: once
                models[f"{op.operation_id} {kind}"] = schema
    return models


MODELS = _models()
INGEST = next(schema for name, schema in MODELS.items() if name.startswith("ingestEvents"))


def _jsonschema_accepts(schema: Any, document: Any) -> bool:
    return bool(Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER).is_valid(document))


def _event(**overrides: Any) -> dict[str, Any]:
    data = {"deviceId": "d1", "time": "2026-11-24T15:00:00Z", "temperature": 21.5, "humidity": None,
            "battery": 80}
    event = {"specversion": "1.0", "id": "e1", "source": "s", "type": "reading.recorded",
             "subject": "d1", "time": "2026-11-24T15:00:00Z", "data": data}
    for key, value in overrides.items():
        if key.startswith("data."):
            data[key[5:]] = value
        else:
            event[key] = value
    return event


TRAPS: list[tuple[str, Any]] = [
    ("valid", [_event()]),
    ("integer as 80.0", [_event(**{"data.battery": 80.0})]),
    ("integer as true", [_event(**{"data.battery": True})]),
    ("number as true", [_event(**{"data.temperature": True})]),
    ("number as string", [_event(**{"data.temperature": "21.5"})]),
    ("huge integer", [_event(**{"data.battery": 10**40})]),
    ("null where not nullable", [_event(**{"data.battery": None})]),
    ("date-time without zone", [_event(time="2026-11-24T15:00:00")]),
    ("date-time with space", [_event(time="2026-11-24 15:00:00Z")]),
    ("date-time month 13", [_event(time="2026-13-24T15:00:00Z")]),
    ("empty id", [_event(id="")]),
    ("emoji id", [_event(id="\U0001f600")]),
    ("unknown type", [_event(type="reading.deleted")]),
    ("specversion 1", [_event(specversion=1)]),
    ("missing data", [{k: v for k, v in _event().items() if k != "data"}]),
    ("extra property", [_event(extra={"x": 1})]),
    ("empty batch", []),
    ("not an array", _event()),
    ("501 events", [_event(id=f"e{i}") for i in range(501)]),
    ("device id 129 chars", [_event(**{"data.deviceId": "d" * 129})]),
    ("array in data", [_event(data=[1, 2])]),
]


@pytest.mark.parametrize("name, document", TRAPS, ids=[t[0] for t in TRAPS])
def test_traps(name: str, document: Any) -> None:
    accepts = fast_acceptor(INGEST)
    assert accepts is not None
    expected = _jsonschema_accepts(INGEST, document)
    if accepts(document):
        assert expected, f"{name}: accepted by the shortcut, rejected by jsonschema"
    if name == "valid":
        assert expected and accepts(document)


def test_the_traps_discriminate() -> None:
    verdicts = {_jsonschema_accepts(INGEST, d) for _, d in TRAPS}
    assert verdicts == {True, False}


def test_models_that_compare_values_are_left_to_jsonschema() -> None:
    assert fast_acceptor({"type": "integer", "enum": [1, 2]}) is None
    assert fast_acceptor({"type": "array", "items": {"type": "integer"}, "uniqueItems": True}) is None
    assert fast_acceptor({"type": "object", "properties": {"a": {"enum": [True]}}}) is None
    assert fast_acceptor({"type": "string", "enum": ["a", "b"]}) is not None
    assert fast_acceptor({"type": "frobnicate"}) is None  # it cannot compile it


def _mutations(valid: Any) -> st.SearchStrategy[Any]:
    """`valid` with one value somewhere replaced by an arbitrary JSON value."""
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=6)

    def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        found = [prefix]
        if isinstance(node, dict):
            for key, value in node.items():
                found += paths(value, (*prefix, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found += paths(value, (*prefix, index))
        return found

    def replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
        if not path:
            return value
        copy = json.loads(json.dumps(node))
        target = copy
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return copy

    return st.tuples(st.sampled_from(paths(valid)), json_values).map(lambda pv: replace(valid, *pv))


@pytest.mark.parametrize("model", sorted(MODELS))
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_never_accepts_what_jsonschema_rejects(model: str, data: st.DataObject) -> None:
    schema = MODELS[model]
    accepts = fast_acceptor(schema)
    if accepts is None:
        return
    valid = data.draw(from_schema(schema))
    assert accepts(valid) == _jsonschema_accepts(schema, valid)  # valid ones: both accept
    mutated = data.draw(_mutations(valid))
    if accepts(mutated):
        assert _jsonschema_accepts(schema, mutated), json.dumps(mutated)[:500]
