"""api.tf's view: the templatefile() variables and stage variables of docs/api-definition.md."""

from __future__ import annotations

from generator.emit.terraform import logs, refs
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
    """Physical names for the mapping templates: ``table_<table>`` and ``stream_<stream>`` of the
    tables and streams some operation uses."""
    pairs: list[tuple[str, object]] = [
        (t.names.stage_variable, refs.ref(t.names.table.address, "name")) for t in ir.api_tables()
    ]
    pairs += [(s.names.stage_variable, refs.ref(s.names.stream.address, "name")) for s in ir.api_streams()]
    return sorted(pairs)


def api_view(ir: Ir) -> dict[str, object]:
    return {
        "template_variables": template_variables(ir),
        "stage_variables": stage_variables(ir),
        "access_log": logs.api_access(ir),
        "execution_log": logs.api_execution(ir),
        "logs_role": ir.names.api_logs_role,
        "domain": ir.frontend_domain is not None,
        "title": f"{ir.name} API",
    }
