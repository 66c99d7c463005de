"""api.tf's view: the templatefile() variables and stage variables of docs/api-definition.md."""

from __future__ import annotations

from generator.emit.terraform import logs, refs
from generator.ir.nodes import Ir
from generator.render.filters import HclExpr


def template_variables(ir: Ir) -> list[tuple[str, object]]:
    """Every placeholder of generated/api/openapi.json: region, one role per operation, the pool."""
    pairs: list[tuple[str, object]] = [
        (f"role_{op.operation_id}", refs.ref(refs.role(f"api_{op.ident}"), "arn"))
        for op in ir.operations
    ]
    pairs += [
        ("region", HclExpr("var.region")),
        ("user_pool_arn", HclExpr("aws_cognito_user_pool.users.arn")),
    ]
    return sorted(pairs)


def stage_variables(ir: Ir) -> list[tuple[str, object]]:
    """Physical names for the mapping templates: ``table_<table>`` and ``stream_<stream>``."""
    pairs: list[tuple[str, object]] = [
        (f"table_{t.name}", refs.ref(refs.table_of(t), "name")) for t in ir.tables
    ]
    pairs += [(f"stream_{s.name}", refs.ref(refs.stream(s.ident), "name")) for s in ir.streams]
    return sorted(pairs)


def api_view(ir: Ir) -> dict[str, object]:
    return {
        "template_variables": template_variables(ir),
        "stage_variables": stage_variables(ir),
        "access_log": logs.API_ACCESS,
        "execution_log": logs.API_EXECUTION,
        "domain": ir.frontend_domain is not None,
        "title": f"{ir.name} API",
    }
