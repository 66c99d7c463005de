"""api.tf's view: the templatefile() variables and stage variables of docs/api-definition.md, and
who may call the API (`access`: usage plans, route throttles, WAF, CORS origin)."""

from __future__ import annotations

from generator.emit.terraform import logs, refs
from generator.emit.terraform.access import access_view
from generator.ir.nodes import Ir
from generator.render.filters import HclExpr


def template_variables(ir: Ir) -> list[tuple[str, object]]:
    """Every placeholder of generated/api/openapi.json: region, one role per operation, the pool
    (when the stack has one)."""
    pairs: list[tuple[str, object]] = [
        (op.names.role_variable, refs.ref(op.names.role.role.address, "arn")) for op in ir.operations
    ]
    pairs.append(("region", HclExpr("var.region")))
    if ir.cognito:
        pairs.append(("user_pool_arn", HclExpr("aws_cognito_user_pool.users.arn")))
    return sorted(pairs)


def stage_variables(ir: Ir) -> list[tuple[str, object]]:
    """Physical names for the mapping templates (``table_<table>``, ``stream_<stream>``) of the
    tables and streams some operation uses, and the stage's CORS origin for every CORS header
    (``cors_origin``)."""
    pairs: list[tuple[str, object]] = [
        (t.names.stage_variable, refs.ref(t.names.table.address, "name")) for t in ir.api_tables()
    ]
    pairs += [(s.names.stage_variable, refs.ref(s.names.stream.address, "name")) for s in ir.api_streams()]
    pairs.append((ir.names.cors_origin_variable, HclExpr("local.cors_origin")))
    return sorted(pairs)


def api_view(ir: Ir) -> dict[str, object]:
    return {
        "template_variables": template_variables(ir),
        "stage_variables": stage_variables(ir),
        "access_log": logs.api_access(ir),
        "execution_log": logs.api_execution(ir),
        "logs_role": ir.names.api_logs_role,
        "waf_log": logs.waf(ir),
        "names": ir.names,
        "domain": ir.frontend_domain is not None,
        "title": f"{ir.name} API",
        **access_view(ir),
    }
