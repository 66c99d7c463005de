"""Response templates of the reference and edge-case specs, executed over hostile DynamoDB items.

Every output must parse as JSON, equal what the mapping contract (support.expected) says, and —
for items that hold their required attributes — validate against the operation's response schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator  # type: ignore[import-untyped]

from generator.ir.jsonschema import model_json_schema
from generator.ir.nodes import Schema
from tests.vtl import strategies
from tests.vtl.support import (EDGE, REPO, case_ir, decode_cursor_part, expected_object, models, operation,
                               render_template, response_template)

CASES = {"reference": REPO, "edge": EDGE}
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_CONSTRAINTS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "minLength", "maxLength",
                "pattern", "format", "minItems", "maxItems", "uniqueItems", "multipleOf")


def _ops(kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(case, op.operation_id) for case, root in CASES.items() for op in case_ir(root).operations
            if op.kind in kinds]


def _shape_only(schema: Any) -> Any:
    """The response schema without value constraints: hostile data breaks those, not templates."""
    if isinstance(schema, dict):
        return {k: _shape_only(v) for k, v in schema.items() if k not in _CONSTRAINTS}
    if isinstance(schema, list):
        return [_shape_only(v) for v in schema]
    return schema


def _validator(root: Path, model: str) -> Draft4Validator:
    return Draft4Validator(_shape_only(model_json_schema(model, models(case_ir(root)))))


@pytest.mark.parametrize(("case", "op_id"), _ops(("get_item",)))
@SETTINGS
@given(data=st.data())
def test_get_item_writes_exactly_the_stored_item(case: str, op_id: str, data: st.DataObject) -> None:
    root = CASES[case]
    ir = case_ir(root)
    op = operation(ir, op_id)
    schema = Schema(kind="ref", ref=op.item_model)
    stored = data.draw(strategies.item(schema, models(ir), complete=False))
    out = render_template(response_template(root, op_id), body={"Item": stored})
    assert out.status is None
    assert out.json() == expected_object(schema, stored, models(ir))


@pytest.mark.parametrize(("case", "op_id"), _ops(("get_item",)))
@SETTINGS
@given(data=st.data())
def test_get_item_output_validates_against_the_response_schema(case: str, op_id: str, data: st.DataObject) -> None:
    root = CASES[case]
    ir = case_ir(root)
    op = operation(ir, op_id)
    stored = data.draw(strategies.item(Schema(kind="ref", ref=op.item_model), models(ir), complete=True))
    out = render_template(response_template(root, op_id), body={"Item": stored})
    errors = [e.message for e in _validator(root, str(op.response_model)).iter_errors(json.loads(out.text))]
    assert not errors


@pytest.mark.parametrize(("case", "op_id"), _ops(("get_item",)))
def test_get_item_without_item_is_404_json(case: str, op_id: str) -> None:
    out = render_template(response_template(CASES[case], op_id), body={})
    assert out.status == 404
    assert json.loads(out.text) == {"message": f"{operation(case_ir(CASES[case]), op_id).item_model} not found"}


@pytest.mark.parametrize(("case", "op_id"), _ops(("scan", "query")))
@SETTINGS
@given(data=st.data())
def test_page_writes_every_item_and_validates(case: str, op_id: str, data: st.DataObject) -> None:
    root = CASES[case]
    ir = case_ir(root)
    op = operation(ir, op_id)
    schema = Schema(kind="ref", ref=op.item_model)
    complete = data.draw(st.booleans())
    items = data.draw(st.lists(strategies.item(schema, models(ir), complete=complete), max_size=3))
    out = render_template(response_template(root, op_id), body={"Items": items, "Count": len(items)})
    assert out.json() == {"items": [expected_object(schema, i, models(ir)) for i in items], "next": None}
    if complete:
        assert not list(_validator(root, str(op.response_model)).iter_errors(json.loads(out.text)))


@pytest.mark.parametrize(("case", "op_id"), _ops(("scan", "query")))
def test_page_next_is_null_without_last_evaluated_key_and_a_token_with_it(case: str, op_id: str) -> None:
    root = CASES[case]
    out = render_template(response_template(root, op_id), body={"Items": []})
    assert json.loads(out.text) == {"items": [], "next": None}
    lek = _sample_key(root, op_id, "k/+=?é")
    token = json.loads(render_template(response_template(root, op_id), body={"Items": [], "LastEvaluatedKey": lek}).text)["next"]
    assert isinstance(token, str) and token and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert [decode_cursor_part(p) for p in token.split(".")] == [next(iter(lek[k].values())) for k in sorted(lek)]


def _sample_key(root: Path, op_id: str, text: str) -> dict[str, dict[str, str]]:
    from generator.emit.api.views import cursor_attrs

    ir = case_ir(root)
    return {a.name: ({"S": text} if a.type == "S" else {"N": "-1.5E+3"}) for a in cursor_attrs(ir, operation(ir, op_id))}


def test_edge_item_with_every_construct_maps_as_documented() -> None:
    """One hand-written item: nested objects, maps of objects, arrays of arrays, nulls, wrong types."""
    stored = {
        "thingId": {"S": "t'1\\\""}, "group": {"S": "g"}, "rank": {"N": "-3"}, "title": {"S": "</script>"},
        "score": {"N": "1E+125"}, "ratio": {"NULL": True}, "active": {"BOOL": False}, "maybe": {"S": "wrong"},
        "kind": {"S": "it's"}, "flags": {"L": [{"S": "a"}, {"N": "1"}, {"S": "\n"}]},
        "matrix": {"L": [{"L": [{"N": "1"}, {"N": "2"}]}, {"L": []}, {"S": "x"}]},
        "parts": {"L": [{"M": {"name": {"S": "p"}, "size": {"N": "0.5"}, "tags": {"L": [{"S": "t"}]}}}]},
        "attrs": {"M": {"k'\"\\": {"S": "v"}, "n": {"N": "1"}}},
        "counters": {"M": {"a": {"N": "12345678901234567890123456789012345678"}}},
        "partsByName": {"M": {"x": {"M": {"name": {"S": "x"}}}, "bad": {"S": "no"}}},
        "owner": {"M": {"id": {"S": "o"}, "address": {"M": {"zip": {"S": "1"}}}}},
        "notes": {"L": [{"S": "n"}, {"NULL": True}, {"N": "5"}]},
        "meta": {"M": {"a": {"S": "x"}}},
        "labels": {"M": {"z": {"NULL": True}, "y": {"S": "why"}}},
    }
    out = render_template(response_template(EDGE, "getThing"), body={"Item": stored}).json()
    from decimal import Decimal

    assert out == {
        "thingId": "t'1\\\"", "group": "g", "rank": Decimal("-3"), "title": "</script>", "score": Decimal("1E+125"),
        "ratio": None, "active": False, "maybe": None, "kind": "it's", "flags": ["a", "\n"],
        "matrix": [[Decimal(1), Decimal(2)], []],
        "parts": [{"name": "p", "size": Decimal("0.5"), "tags": ["t"]}],
        "attrs": {"k'\"\\": "v"}, "counters": {"a": Decimal("12345678901234567890123456789012345678")},
        "partsByName": {"x": {"name": "x"}}, "owner": {"id": "o", "email": None, "address": {"zip": "1"}},
        "backup": None, "notes": ["n", None, None], "meta": {"a": "x", "b": None}, "labels": {"z": None, "y": "why"},
    }
