"""What API Gateway (or Terraform's templatefile) would reject at deploy time, found at build time.

Contract: `lint_api(ir)` returns located diagnostics and never raises; emit_api raises GenError
when it holds an error, so nothing is written. Locations come from the IR's SourceRefs (the
operation, model, table or event the problem belongs to); messages name the exact JSON pointer.
Codes are the spec-error codes of the same kind (E-SCHEMA, E-NAME, E-BIND, E-RESPONSE, E-AUTH,
E-OAS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from generator.diagnostics import Diagnostics, Location
from generator.aws.limits import API_MODEL_NAME
from generator.ir import names as nm
from generator.ir.jsonschema import model_json_schema
from generator.ir.nodes import Ir, Model, Operation, Schema, SourceRef
from generator.ir.parts import DIRECT, Check, Reads, Runner
from generator.load.refs import deref
from generator.load.yaml_loader import Pointer

_INT_FORMATS = ("int32", "int64", "decimal")
_SEGMENT = re.compile(r"[A-Za-z0-9._:,-]+|\{[A-Za-z0-9._-]+\}")
_INGEST_SAMPLES = (
    {"failed": 0, "results": [{"status": "accepted", "sequenceNumber": "1", "error": None}]},
    {"failed": 1, "results": [{"status": "failed", "sequenceNumber": None, "error": "InternalFailure: try again"}]},
)


def _pointer_text(ptr: Pointer) -> str:
    return SourceRef(file="", pointer=ptr).json_pointer


class _Locator:
    """Spec pointer -> the location of the nearest IR node that owns it."""

    def __init__(self, ir: Ir) -> None:
        self.file = next((m.source.file for m in ir.models), "spec/openapi.yaml")
        self.owners: dict[Pointer, SourceRef] = {m.source.pointer: m.source for m in ir.models}
        for op in ir.operations:
            self.owners[op.source.pointer] = op.source
            self.owners.setdefault(op.source.pointer[:2], op.source)

    def __call__(self, ptr: Pointer) -> Location:
        for n in range(len(ptr), 0, -1):
            owner = self.owners.get(tuple(ptr[:n]))
            if owner is not None:
                return owner.location
        return Location(self.file)


def lint_api(ir: Ir, run: Runner = DIRECT) -> Diagnostics:
    """Every problem API Gateway import or `templatefile` would hit with this spec.

    The checks run in parts (`Check`s, handed to `run`): the document without its paths, then
    each path item with its operations. Whether a part finds anything is a function of what it
    reads; where it is found (`_Locator`) reads every operation, but only located diagnostics
    depend on that."""
    diags = Diagnostics()
    locate = _Locator(ir)
    doc = ir.openapi
    rest = {key: value for key, value in doc.items() if key != "paths"}

    def document(out: Diagnostics) -> None:
        for root_ptr, root in _component_roots(ir):
            _schema_keywords(root_ptr, root, out, locate)
        _placeholders(rest, (), out, locate)

    run.check(Check("lint", Reads(context=True, rest=True, constant="document"), document), diags)
    by_path: dict[str, list[Operation]] = {}
    for op in ir.operations:
        by_path.setdefault(op.path, []).append(op)
    for path, item in (doc.get("paths") or {}).items():
        ops = by_path.get(path, [])

        def path_item(out: Diagnostics, path: str = path, item: Any = item, ops: list[Operation] = ops) -> None:
            _placeholders(path, ("paths", path), out, locate)
            _placeholders(item, ("paths", path), out, locate)
            for op in ops:
                for root_ptr, root in _operation_roots(doc, op):
                    _schema_keywords(root_ptr, root, out, locate)
                _operation(ir, op, out)

        run.check(Check("lint", Reads(context=True, rest=True, path=path), path_item), diags)
    _names(ir, diags)
    return diags


# -- schema keywords API Gateway models reject ---------------------------------------------------


def _walk(node: Any, ptr: Pointer) -> Iterator[tuple[Pointer, dict[str, Any]]]:
    if not isinstance(node, dict):
        return
    yield ptr, node
    for name, sub in (node.get("properties") or {}).items():
        yield from _walk(sub, ptr + ("properties", name))
    for key in ("items", "additionalProperties"):
        yield from _walk(node.get(key), ptr + (key,))
    for key in ("oneOf", "anyOf", "allOf"):
        for i, sub in enumerate(node.get(key) or []):
            yield from _walk(sub, ptr + (key, i))


def _component_roots(ir: Ir) -> Iterator[tuple[Pointer, Any]]:
    for name, raw in ((ir.openapi.get("components") or {}).get("schemas") or {}).items():
        yield ("components", "schemas", name), raw


def _operation_roots(doc: Any, op: Operation) -> Iterator[tuple[Pointer, Any]]:
    raw_op = doc["paths"][op.path][op.method]
    for i, raw in enumerate(list(raw_op.get("parameters") or [])):
        yield op.source.pointer + ("parameters", i, "schema"), deref(doc, raw).get("schema")
    for status, raw in (raw_op.get("responses") or {}).items():
        for ctype, media in (deref(doc, raw).get("content") or {}).items():
            if isinstance(media, dict) and "$ref" not in (media.get("schema") or {}):
                yield op.source.pointer + ("responses", status, "content", ctype, "schema"), media.get("schema")


def _schema_keywords(root_ptr: Pointer, root: Any, diags: Diagnostics, locate: _Locator) -> None:
    for ptr, node in _walk(root, root_ptr):
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "number" in kinds and node.get("format") in _INT_FORMATS:
            diags.error("E-SCHEMA", f"API Gateway rejects format '{node['format']}' on a number "
                        f"({_pointer_text(ptr + ('format',))})", locate(ptr),
                        "use type: integer (with format int32/int64) for whole numbers, or drop the format")
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            if key in node:
                diags.error("E-SCHEMA", f"API Gateway models do not support {key} ({_pointer_text(ptr + (key,))})",
                            locate(ptr), f"use {key.replace('exclusiveM', 'm')} with an inclusive bound")
        if "discriminator" in node:
            diags.error("E-SCHEMA", f"API Gateway rejects discriminator ({_pointer_text(ptr + ('discriminator',))})",
                        locate(ptr), "remove it; gen schemas have no polymorphism")


def _placeholders(node: Any, ptr: Pointer, diags: Diagnostics, locate: _Locator) -> None:
    """`${` or `%{` in any text would be read by Terraform's templatefile when it deploys the API."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "x-gen":
                _placeholders(key, ptr + (key,), diags, locate)
                _placeholders(value, ptr + (key,), diags, locate)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _placeholders(value, ptr + (i,), diags, locate)
    elif isinstance(node, str) and ("${" in node or "%{" in node):
        mark = "${" if "${" in node else "%{"
        diags.error("E-OAS", f"'{mark}' in {_pointer_text(ptr)} would be read as a Terraform template directive "
                    "when the API is deployed", locate(ptr), f"rephrase the text without '{mark}'")


# -- names ----------------------------------------------------------------------------------------


def _names(ir: Ir, diags: Diagnostics) -> None:
    spec_models = {m.name: m for m in ir.models}
    for model in ir.models:
        if not API_MODEL_NAME.fullmatch(model.name):
            diags.error("E-NAME", f"schema name '{model.name}' is not alphanumeric, as API Gateway model names "
                        "must be", model.source.location, "rename the schema (and its $refs)")
    generated: list[tuple[str, SourceRef]] = []
    for op in ir.operations:
        if op.kind == "ingest":
            generated.append((op.names.body_model, op.source))
            generated += [(e.class_name, e.source) for e in (ir.events_on(op.stream) if op.stream else [])]
    if ir.operations:
        generated.append((nm.GATEWAY_ERROR_MODEL, ir.operations[0].source))
    for name, source in generated:
        if name in spec_models:
            diags.error("E-NAME", f"schema name '{name}' is taken by a model gen generates for the API",
                        spec_models[name].source.location, f"rename the schema; gen derives '{name}' from {source.file}")


def _operation(ir: Ir, op: Operation, diags: Diagnostics) -> None:
    loc = op.source.location
    if not nm.OPERATION_ID.fullmatch(op.operation_id):
        diags.error("E-NAME", f"operationId '{op.operation_id}' cannot name the Terraform variable "
                    f"{op.names.role_variable} or the template files", loc,
                    "use letters, digits, _ and -, starting with a letter")
    for segment in op.path.strip("/").split("/"):
        if segment and not _SEGMENT.fullmatch(segment):
            diags.error("E-BIND", f"path segment '{segment}' of {op.path} is not one API Gateway accepts", loc,
                        "use letters, digits and . _ : , - in segments; a parameter must be a whole segment {name}")
    for name in sorted({p.name for p in op.params} | {param for _, param in op.key_params}):
        if not nm.TEMPLATE_NAME.fullmatch(name):
            diags.error("E-NAME", f"parameter '{name}' cannot be read by a mapping template", loc,
                        "use letters, digits and _ . : @ - in parameter names")
    for _, claim in op.key_claims:
        if not nm.CLAIM.fullmatch(claim):
            diags.error("E-AUTH", f"claim '{claim}' cannot be read as $context.authorizer.claims.{claim}", loc,
                        "key_from_claim needs a claim whose name is an identifier, such as sub")
    _response_schemas(ir, op, diags)
    if op.kind == "ingest":
        _ingest(ir, op, diags)
    elif op.item_model:
        _item(ir, op, diags)


def _response_schemas(ir: Ir, op: Operation, diags: Diagnostics) -> None:
    raw_op = ir.openapi["paths"][op.path][op.method]
    for status, raw in (raw_op.get("responses") or {}).items():
        for ctype, media in (deref(ir.openapi, raw).get("content") or {}).items():
            schema = deref(ir.openapi, (media or {}).get("schema")) if isinstance(media, dict) else None
            kind = schema.get("type") if isinstance(schema, dict) else None
            kinds = set(kind) - {"null"} if isinstance(kind, list) else {kind}
            if kinds & {"string", "number", "integer", "boolean"}:
                diags.error("E-RESPONSE", f"the {status} response ({ctype}) has a {'/'.join(sorted(kinds))} schema; "
                            "API Gateway method responses need an object or array schema", op.source.location,
                            "wrap the value in an object")


def _ingest(ir: Ir, op: Operation, diags: Diagnostics) -> None:
    if not (ir.events_on(op.stream) if op.stream else []):
        diags.error("E-BIND", f"stream '{op.stream}' carries no event, so every batch sent to {op.path} would be "
                    "rejected", op.source.location, "declare an event on the stream under events: in model.yaml")
    if op.response_model is None:
        return
    import jsonschema  # type: ignore[import-untyped]

    models = {m.name: m for m in ir.models}
    schema = model_json_schema(op.response_model, models)
    validator = jsonschema.Draft4Validator(schema)
    for sample in _INGEST_SAMPLES:
        error = next(iter(validator.iter_errors(sample)), None)
        if error is not None:
            diags.error("E-RESPONSE", f"the 202 response {op.response_model} does not accept the per-event results "
                        f"gen returns: {error.message}", op.source.location,
                        "use {failed: integer, results: [{status: accepted|failed, sequenceNumber: string|null, "
                        "error: string|null}]}")
            return


# -- item schemas the response templates walk ----------------------------------------------------


def _item(ir: Ir, op: Operation, diags: Diagnostics) -> None:
    models = {m.name: m for m in ir.models}
    item = str(op.item_model)
    _item_schema(Schema(kind="ref", ref=item), models, (), models[item], (), diags)
    table = ir.table(op.table or "")
    index = table.index(op.index) if op.index else None
    if index is not None and index.projection == "keys_only":
        keys = set(table.key_names) | {index.partition_key.name} | ({index.sort_key.name} if index.sort_key else set())
        root = models[item].schema
        missing = sorted(f.name for f in root.properties if f.required and f.name not in keys)
        if missing:
            diags.error("E-BIND", f"index '{index.name}' projects keys only, so its items lack required "
                        f"{', '.join(missing)} of {item}", op.source.location,
                        "project all attributes into the index, or make those properties optional")


def _item_schema(schema: Schema, models: Mapping[str, Model], stack: tuple[str, ...], owner: Model,
                 path: Pointer, diags: Diagnostics) -> None:
    while schema.kind == "ref" and schema.ref is not None and schema.ref in models:
        name = schema.ref
        if name in stack:
            cycle = " -> ".join(stack[stack.index(name):] + (name,))
            diags.error("E-SCHEMA", f"schema {owner.name} is recursive ({cycle}); mapping templates cannot walk "
                        "recursive items", owner.source.location, "bound the nesting with a non-recursive schema")
            return
        stack = stack + (name,)
        owner, path, schema = models[name], (), models[name].schema
    where = _pointer_text(owner.source.pointer + path)
    if schema.kind == "any":
        diags.error("E-SCHEMA", f"{where} has no type, so a mapping template cannot read it from DynamoDB",
                    owner.source.location, "give it a type (and items for arrays)")
    elif schema.kind == "object":
        if not schema.properties:
            diags.error("E-SCHEMA", f"{where} is an object without properties; mapping templates copy declared "
                        "properties only", owner.source.location,
                        "declare its properties, or use additionalProperties: {type: ...} for a map")
        for f in schema.properties:
            if not nm.TEMPLATE_NAME.fullmatch(f.name):
                diags.error("E-NAME", f"property '{f.name}' ({where}) cannot appear in a mapping template",
                            owner.source.location, "use letters, digits and _ . : @ - in property names")
            _item_schema(f.schema, models, stack, owner, path + ("properties", f.name), diags)
    elif schema.kind == "array" and schema.items is not None:
        _item_schema(schema.items, models, stack, owner, path + ("items",), diags)
    elif schema.kind == "map" and schema.values is not None:
        _item_schema(schema.values, models, stack, owner, path + ("additionalProperties",), diags)
