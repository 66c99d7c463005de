"""Three consumers of the stage variables agree, for the reference spec and every golden case.

The mapping templates read ``$stageVariables.<name>``; Terraform defines the variables on the
API stage (api.tf); `gen dev` supplies them to its API Gateway emulator. The three sets must be
equal, and each variable must name the same physical table or stream in Terraform and in
`gen dev`. (Regression: a table ``orders_`` was ``table_orders_`` in the templates and
Terraform, ``table_orders`` in `gen dev`.)
"""

from __future__ import annotations

import re

import pytest

from generator.dev.local_aws.resources import local_names
from generator.pipeline import generate
from tests.infra.terraform_stack import CASES, ref, stack

API = "generator.emit.api:emit_api"
NAMES = sorted(c for c in CASES if c == "reference" or c.startswith("golden-"))
USE = re.compile(r"\$stageVariables\.([A-Za-z0-9_]+)")


def test_every_golden_case_is_checked() -> None:
    from tests.golden.test_cases import CASES as GOLDEN

    assert {f"golden-{c.name}" for c in GOLDEN} <= set(NAMES)


@pytest.mark.parametrize("case", NAMES)
def test_templates_terraform_and_gen_dev_agree_on_stage_variables(case: str) -> None:
    terraform = stack(case)
    ir = terraform.ir
    _, files, _ = generate(CASES[case], use_cache=False, emitters=(API,))
    templates = [f.content for f in files if f.path.endswith(".vtl")]
    used = {name for text in templates for name in USE.findall(text)}
    defined = dict(terraform.resource("aws_api_gateway_stage", "api")["variables"])
    # the stage's CORS origin is read by the gateway responses, not the templates; gen dev
    # supplies its own URL (generator.dev.stack), Terraform the origin of the deployment
    assert ref(defined.pop(ir.names.cors_origin_variable)) == "local.cors_origin"
    local = local_names(ir)
    supplied = local.stage_variables(ir)
    assert used, "no template reads a stage variable"
    assert used == set(defined) == set(supplied)
    for name, expression in defined.items():
        rtype, label, attr = ref(expression).split(".")
        assert attr == "name", expression
        physical = terraform.resource(rtype, label)["name"].replace("${local.prefix}", local.prefix)
        assert physical == supplied[name], name
