"""LoadedSpec -> Ir: resolve, cross-check and freeze. Every rule failure is a located diagnostic.

`build_ir` returns None when any error was reported; no partial IR ever reaches an emitter.
"""

from __future__ import annotations

from typing import Any

from generator.diagnostics import Diagnostics, Location
from generator.ir.build_api import OperationBuilder, declares_cognito
from generator.ir.build_model import build_events, build_processors, build_streams, build_tables
from generator.ir.changes import build_changes
from generator.ir.context import BuildContext
from generator.ir.aws_names import check_aws_names
from generator.ir.collisions import check_collisions
from generator.ir.names import model_class, project_names
from generator.ir.nodes import Ir, Model, Operation
from generator.ir.schemas import SchemaReader
from generator.ir.sizes import check_sizes
from generator.load.spec import LoadedSpec
from generator.validate.model import validate_model
from generator.validate.openapi import validate_openapi
from generator.validate.xgen import check_xgen_keys
from generator.ir.seeds import build_seeds


def _models(ctx: BuildContext) -> dict[str, Model]:
    reader = SchemaReader(ctx.api, ctx.diags)
    schemas: dict[str, Any] = (ctx.api.data.get("components") or {}).get("schemas") or {}
    models: dict[str, Model] = {}
    for name in sorted(schemas):
        ptr = ("components", "schemas", name)
        models[name] = Model(name=name, class_name=model_class(name), schema=reader.read(schemas[name], ptr),
                             source=ctx.source(ctx.api, ptr))
    return models


def build_ir(spec: LoadedSpec, diags: Diagnostics) -> Ir | None:
    """Validate `spec` completely and return the IR, or None if anything is wrong."""
    if spec.openapi is None or spec.model is None:
        return None
    api_ok = validate_openapi(spec.openapi, diags)
    model_ok = validate_model(spec.model, diags)
    if api_ok:
        check_xgen_keys(spec.openapi, diags)
    if not (api_ok and model_ok):
        return None
    return build_valid_ir(spec, diags)


def build_valid_ir(spec: LoadedSpec, diags: Diagnostics, *, spec_digest: str | None = None) -> Ir | None:
    """The IR of a spec whose documents passed `validate_openapi` and `validate_model` (the
    rules that span documents are checked here); None if any of them failed. `spec_digest` is
    `spec.digest()` when the caller has computed it."""
    assert spec.openapi is not None and spec.model is not None
    ctx = BuildContext(spec=spec, diags=diags)
    ctx.models = _models(ctx)
    tables, changes = build_changes(ctx, build_tables(ctx))
    streams = build_streams(ctx)
    events = build_events(ctx, streams)
    processors = build_processors(ctx, tables, events)
    api = OperationBuilder(ctx, tables, streams)
    operations = api.build_all()
    clients = api.security.clients()
    seeds = build_seeds(ctx, tables)
    name = ctx.project
    names = project_names(name)
    check_aws_names(ctx, name, tables, streams, processors)
    check_collisions(diags, names, ctx.models.values(), tables, streams, events, processors, operations,
                     _operation_id_locations(ctx, operations), ctx.loc(ctx.model_doc, ("name",), key=True))
    _check_orphans(ctx, streams, events)
    if not diags.has_errors():
        check_sizes(ctx, tables, events)
    if diags.has_errors():
        return None
    frontend = spec.model.data.get("frontend")
    return Ir(name=name, ident=names.package, names=names, tables=tables, streams=streams, events=events,
              processors=processors,
              operations=operations, models=tuple(ctx.models[k] for k in sorted(ctx.models)), seeds=seeds,
              frontend_domain=(frontend or {}).get("domain"), frontend="frontend" in spec.model.data,
              cognito=any(op.protected for op in operations) or declares_cognito(spec.openapi.data),
              api_clients=clients,
              openapi=spec.openapi.data, spec_digest=spec.digest() if spec_digest is None else spec_digest,
              changes=changes)


def _operation_id_locations(ctx: BuildContext, operations: tuple[Operation, ...]) -> dict[str, Location]:
    return {op.operation_id: ctx.loc(ctx.api, op.source.pointer + ("operationId",)) for op in operations}


def _check_orphans(ctx: BuildContext, streams: tuple[Any, ...], events: tuple[Any, ...]) -> None:
    """Warnings for parts that are defined but unused (they still generate)."""
    raw_events = (ctx.model_doc.data.get("events") or {}).values()
    used = {e.get("stream") for e in raw_events if isinstance(e, dict)}
    for s in streams:
        if s.name not in used:
            ctx.warning("W-UNUSED", f"stream '{s.name}' carries no event", ctx.model_doc, s.source.pointer,
                        "declare an event on it under events:, or remove it")
