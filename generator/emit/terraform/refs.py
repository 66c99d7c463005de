"""HCL references between the resources of one stack.

The addresses and physical names themselves are decided in the IR (`<node>.names`, records of
`generator.ir.names.Resource`); this module only turns them into expressions. Values that reach
HCL are `HclExpr` (references) or plain `str` (literals the templates quote).
"""

from __future__ import annotations

from generator.ir.names import Resource
from generator.render.filters import HclExpr, hcl_frag

KEY = "aws_kms_key.main"


def ref(address: str, attr: str) -> HclExpr:
    """``aws_dynamodb_table.devices`` + ``arn`` -> the reference expression."""
    return HclExpr(f"{address}.{attr}")


def interp(reference: str, suffix: str) -> HclExpr:
    """A quoted template: ``"${<reference>}<suffix>"`` with `suffix` escaped."""
    return HclExpr('"${' + reference + "}" + hcl_frag(suffix) + '"')


def index_arn(table: Resource, index_name: str) -> HclExpr:
    return interp(f"{table.address}.arn", f"/index/{index_name}")


def physical(resource: Resource) -> str:
    """The part of `resource`'s physical name after ``${local.prefix}-`` (the IR decided it)."""
    assert resource.physical is not None, f"{resource.address} has no physical name"
    return resource.physical
