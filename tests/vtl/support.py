"""Helpers of the mapping-template tests: build a case's IR and templates, render one template with
the API Gateway emulator's Velocity engine (generator.dev.apigw.velocity), and an independent oracle of
what a response template must produce for a DynamoDB item.

The oracle states the mapping contract once: a value whose stored DynamoDB type is the schema's
(S string, N number or integer, BOOL, M object or map, L array) is written as JSON; anything
else (absent, NULL, another type) is written as null where the schema allows null, and is left
out otherwise (object properties, map entries and array elements alike).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from generator import pipeline
from generator.dev.apigw.velocity.variables import Params, TemplateVariables, render
from generator.dev.apigw.context import new_context
from generator.emit.api import emit_api
from generator.ir.nodes import Ir, Model, Operation, Schema

REPO = Path(__file__).resolve().parents[2]
EDGE = Path(__file__).resolve().parent / "cases" / "edge"

OMIT = object()
"""The oracle's answer for a value the template must leave out."""

HOSTILE_STRINGS = (
    "it's", 'say "hi"', "back\\slash\\", "\\'", "\\\\'", "'", '"', "\\",
    "tab\tnew\nline\rcr\x00\x01\x1f\x7f\x80\x9f",
    "unicode éß漢字 \u202e", "emoji 😀🏳️‍🌈", "\u2028\u2029",
    "</script><script>alert(1)</script>", '{"json": "looking", "n": [1, 2]}',
    "$input.body ${x} $!y #set($a = 1) #if(true)x#end ## comment %{ if }",
    "", " ", "null", "true", "0", "a/b", "%20%2F+&?#", "\ufeffbom", "\U0010ffff",
)

HOSTILE_NUMBERS = (
    "0", "-0", "1", "-1", "100", "12345678901234567890123456789012345678",
    "-12345678901234567890123456789012345678", "1.5", "-1.5E-10", "1E+125",
    "9.9999999999999999999999999999999999999E+125", "-9.9999999999999999999999999999999999999E+125",
    "1E-130", "-1E-130", "0.000001", "3.14159265358979323846264338327950288",
)
HOSTILE_INTEGERS = tuple(n for n in HOSTILE_NUMBERS if "." not in n and "E" not in n)


@cache
def case_ir(root: Path) -> Ir:
    ir, diags = pipeline.validate(root, use_cache=False)
    assert ir is not None, [d.render() for d in diags]
    return ir


def reference_ir() -> Ir:
    return case_ir(REPO)


def edge_ir() -> Ir:
    return case_ir(EDGE)


@cache
def case_files(root: Path) -> dict[str, str]:
    """Every file emit_api produces for a case, by path."""
    return {f.path: f.content for f in emit_api(case_ir(root))}


def request_template(root: Path, operation_id: str) -> str:
    return case_files(root)[f"generated/api/vtl/{operation_id}.request.vtl"]


def response_template(root: Path, operation_id: str) -> str:
    return case_files(root)[f"generated/api/vtl/{operation_id}.response.vtl"]


def error_template(root: Path, service: str, family: str) -> str:
    return case_files(root)[f"generated/api/vtl/{service}.{family}.vtl"]


def operation(ir: Ir, operation_id: str) -> Operation:
    return next(op for op in ir.operations if op.operation_id == operation_id)


def models(ir: Ir) -> dict[str, Model]:
    return {m.name: m for m in ir.models}


@dataclass
class Rendered:
    text: str
    context: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        """The output parsed strictly (numbers as Decimal, so no digit is lost)."""
        return json.loads(self.text, parse_float=Decimal, parse_int=Decimal)

    @property
    def status(self) -> int | None:
        status = self.context["responseOverride"].get("status")
        return None if status is None else int(status)


def render_template(text: str, *, body: Any = None, path: Mapping[str, str] | None = None,
                    query: Mapping[str, str] | None = None, claims: Mapping[str, str] | None = None,
                    stage_variables: Mapping[str, str] | None = None,
                    request_time: datetime = datetime(2024, 1, 1, tzinfo=UTC)) -> Rendered:
    """Render one mapping template as API Gateway would (via the emulator's engine)."""
    context = new_context(request_id="r", extended_request_id="e", http_method="GET", resource_path="/x",
                          path="/x", stage="api", request_time=request_time,
                          source_ip="127.0.0.1", user_agent="test", claims=claims, domain_name="localhost",
                          account_id="123456789012", api_id="local")
    payload = body if isinstance(body, str) else ("" if body is None else json.dumps(body))
    variables = TemplateVariables(body=payload, params=Params(path=dict(path or {}), querystring=dict(query or {})),
                                  context=context, stage_variables=dict(stage_variables or STAGE_VARIABLES))
    return Rendered(render(text, "test.vtl", variables), context)


STAGE_VARIABLES = {"table_devices": "devices-phys", "table_sites": "sites-phys", "table_readings": "readings-phys",
                   "table_profiles": "profiles-phys", "stream_telemetry": "telemetry-phys",
                   "table_things": "things-phys", "table_metrics": "metrics-phys", "table_accounts": "accounts-phys",
                   "stream_inbox": "inbox-phys"}


def decode_cursor_part(part: str) -> str:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8")


# -- the oracle -----------------------------------------------------------------------------------

_TYPES = {"string": "S", "number": "N", "integer": "N", "boolean": "BOOL", "object": "M", "map": "M", "array": "L"}


def resolve(schema: Schema, all_models: Mapping[str, Model]) -> tuple[Schema, bool]:
    nullable = schema.nullable
    while schema.kind == "ref" and schema.ref is not None:
        schema = all_models[schema.ref].schema
        nullable = nullable or schema.nullable
    return schema, nullable


def expected(schema: Schema, attr: Any, all_models: Mapping[str, Model]) -> Any:
    """The JSON a template must write for the stored attribute value `attr` (None: absent)."""
    schema, nullable = resolve(schema, all_models)
    dynamo = _TYPES[schema.kind]
    if not isinstance(attr, dict) or dynamo not in attr:
        return None if nullable else OMIT
    raw = attr[dynamo]
    if schema.kind == "string":
        return raw
    if schema.kind in ("number", "integer"):
        return Decimal(raw)
    if schema.kind == "boolean":
        return raw
    if schema.kind == "object":
        return expected_object(schema, raw, all_models)
    if schema.kind == "map":
        assert schema.values is not None
        entries = {k: expected(schema.values, v, all_models) for k, v in raw.items()}
        return {k: v for k, v in entries.items() if v is not OMIT}
    assert schema.items is not None
    items = [expected(schema.items, v, all_models) for v in raw]
    return [v for v in items if v is not OMIT]


def expected_object(schema: Schema, item: Mapping[str, Any], all_models: Mapping[str, Model]) -> dict[str, Any]:
    schema, _ = resolve(schema, all_models)
    out = {}
    for f in schema.properties:
        value = expected(f.schema, item.get(f.name), all_models)
        if value is not OMIT:
            out[f.name] = value
    return out
