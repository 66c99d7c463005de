"""generated/terraform/*.tf: the whole AWS stack as HCL, one file per concern.

Each concern has a view builder (pure: Ir -> dict of frozen views) and a template
``templates/terraform/<concern>.tf.j2`` that only prints it; the output is `terraform fmt`
canonical as rendered. The files form one root module that also works as a child module.
Optional concerns (frontend.tf, auth.tf) are emitted only when the IR says the spec uses them.
"""

from __future__ import annotations

from collections.abc import Callable

from generator.emit.base import OutputFile
from generator.emit.terraform import api, compute, monitoring, signin, site, storage
from generator.ir.nodes import Ir

OUT_DIR = "generated/terraform"

CONCERNS: dict[str, Callable[[Ir], dict[str, object]]] = {
    "versions": site.versions_view,
    "variables": site.variables_view,
    "outputs": site.outputs_view,
    "dynamodb": storage.dynamodb_view,
    "kinesis": storage.kinesis_view,
    "archive": storage.archive_view,
    "lambda": compute.lambda_view,
    "schedules": compute.schedules_view,
    "api": api.api_view,
    "iam": site.iam_view,
    "frontend": site.frontend_view,
    "auth": signin.auth_view,
    "monitoring": monitoring.monitoring_view,
}
# A concern listed here is emitted only when its predicate holds for the IR.
OPTIONAL: dict[str, Callable[[Ir], bool]] = {
    "frontend": lambda ir: ir.frontend,
    "auth": lambda ir: ir.cognito,
}


def emit_terraform(ir: Ir) -> list[OutputFile]:
    """One OutputFile per concern; performs no I/O beyond reading templates."""
    from generator.render.env import render

    return [
        OutputFile(
            path=f"{OUT_DIR}/{concern}.tf",
            source="spec/",
            template=f"terraform/{concern}.tf.j2",
            content=render(f"terraform/{concern}.tf.j2", **build(ir)),
        )
        for concern, build in CONCERNS.items()
        if concern not in OPTIONAL or OPTIONAL[concern](ir)
    ]
