"""IAM rules: permissions granted and revoked per role, from the roles gen generates.

The roles come from the same view the iam.tf template prints (`generator.emit.terraform.iam`),
so a permission is an exact (action, resource) pair, resources being Terraform references.
"""

from __future__ import annotations

from generator.diagnostics import Location
from generator.emit.terraform.iam import Role, roles
from generator.ir.nodes import Ir
from generator.review.findings import Finding

Grant = tuple[str, str]  # (action, resource reference)
SHOWN = 4


def _grants(role: Role) -> set[Grant]:
    return {(action, str(resource)) for s in role.statements for action in s.actions for resource in s.resources}


def _describe(grants: set[Grant]) -> str:
    by_resource: dict[str, list[str]] = {}
    for action, resource in sorted(grants):
        by_resource.setdefault(resource, []).append(action)
    parts = [f"{', '.join(actions)} on {resource}" for resource, actions in sorted(by_resource.items())]
    shown = "; ".join(parts[:SHOWN])
    return shown + (f"; and {len(parts) - SHOWN} more resource(s)" if len(parts) > SHOWN else "")


def _sources(ir: Ir) -> dict[str, Location]:
    """Role label -> the spec element the role serves (labels as the IR names them)."""
    out = {r.label: p.source.location for p in ir.processors for r in (p.names.role, p.names.schedule_role)}
    out.update({op.names.role.label: op.source.location for op in ir.operations})
    out.update({s.names.archive_role.label: s.source.location for s in ir.streams})
    return out


def iam_findings(base: Ir, head: Ir) -> list[Finding]:
    before = {r.names.label: r for r in roles(base)}
    after = {r.names.label: r for r in roles(head)}
    was, now = _sources(base), _sources(head)
    out: list[Finding] = []
    for label in sorted(set(after) - set(before)):
        r = after[label]
        out.append(Finding("iam.role-added", label, f"role {label} ({r.description}) may {_describe(_grants(r))}",
                           now.get(label)))
    for label in sorted(set(before) - set(after)):
        out.append(Finding("iam.role-removed", label, f"role {label} ({before[label].description}) is deleted",
                           was.get(label), "base"))
    for label in sorted(set(before) & set(after)):
        old, new = _grants(before[label]), _grants(after[label])
        if new - old:
            out.append(Finding("iam.permission-granted", label, f"role {label} may now {_describe(new - old)}",
                               now.get(label)))
        if old - new:
            out.append(Finding("iam.permission-revoked", label, f"role {label} may no longer {_describe(old - new)}",
                               now.get(label)))
    return out
