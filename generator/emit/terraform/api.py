"""api.tf's view: the templatefile() variables and stage variables of docs/api-definition.md, and
who may call the API (`access`: usage plans, route throttles, WAF, CORS origin)."""

from __future__ import annotations

from generator.emit.terraform import logs, refs
from generator.emit.terraform.access import access_view
from generator.ir.names import CORS_ORIGIN_VARIABLE
from generator.ir.nodes import Ir
from generator.render.filters import HclExpr


def template_variables(ir: Ir) -> list[tuple[str, object]]:
    """Every placeholder of generated/api/openapi.json: region, one role per operation, the pool
    (when the stack has one)."""
    pairs: list[tuple[str, object]] = [
        (f"role_{op.operation_id}", refs.ref(refs.role(f"api_{op.ident}"), "arn"))
        for op in ir.operations
    ]
    pairs.append(("region", HclExpr("var.region")))
    if ir.cognito:
        pairs.append(("user_pool_arn", HclExpr("aws_cognito_user_pool.users.arn")))
    return sorted(pairs)


def stage_variables(ir: Ir) -> list[tuple[str, object]]:
    """Physical names for the mapping templates (``table_<table>``, ``stream_<stream>``) and the
    stage's CORS origin for every CORS header (``cors_origin``)."""
    pairs: list[tuple[str, object]] = [
        (f"table_{t.name}", refs.ref(refs.table(t.ident), "name")) for t in ir.tables
    ]
    pairs += [(f"stream_{s.name}", refs.ref(refs.stream(s.ident), "name")) for s in ir.streams]
    pairs.append((CORS_ORIGIN_VARIABLE, HclExpr("local.cors_origin")))
    return sorted(pairs)


def api_view(ir: Ir) -> dict[str, object]:
    return {
        "template_variables": template_variables(ir),
        "stage_variables": stage_variables(ir),
        "access_log": logs.API_ACCESS,
        "execution_log": logs.API_EXECUTION,
        "waf_log": logs.WAF,
        "domain": ir.frontend_domain is not None,
        "title": f"{ir.name} API",
        **access_view(ir),
    }
