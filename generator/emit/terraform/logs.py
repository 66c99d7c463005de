"""Every CloudWatch log group the stack creates, named before it exists.

The key policy lets CloudWatch Logs use the stack's key for exactly these groups, so their
ARNs are built from names (a reference to the group itself would be a cycle: a group
encrypted with the key needs the key policy first).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import refs
from generator.ir.nodes import Ir
from generator.render.filters import HclExpr, hcl_frag

_ARN = "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:"


@dataclass(frozen=True, slots=True)
class LogGroup:
    label: str
    template: str  # the name as the inside of an HCL quoted template, already escaped

    @property
    def name(self) -> HclExpr:
        return HclExpr(f'"{self.template}"')

    @property
    def arn(self) -> HclExpr:
        return HclExpr(f'"{_ARN}{self.template}"')

    @property
    def address(self) -> str:
        return f"aws_cloudwatch_log_group.{self.label}"


def _prefixed(before: str, resource: str, after: str = "") -> str:
    return f"{hcl_frag(before)}${{local.prefix}}-{hcl_frag(refs.physical(resource) + after)}"


def function_group(ident: str, name: str) -> LogGroup:
    return LogGroup(f"fn_{ident}", _prefixed("/aws/lambda/", name))


def archive_group(ident: str, name: str) -> LogGroup:
    return LogGroup(f"archive_{ident}", _prefixed("/aws/kinesisfirehose/", name, "-archive"))


API_ACCESS = LogGroup("api_access", _prefixed("/aws/apigateway/", "api", "-access"))
# API Gateway writes execution logs to this fixed name; creating it first sets retention and key.
API_EXECUTION = LogGroup(
    "api_execution", "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.api.id}/${var.stage}"
)


# WAF logs only to groups whose name starts with aws-waf-logs-.
WAF = LogGroup("waf", "aws-waf-logs-${local.prefix}-api")


def all_groups(ir: Ir) -> tuple[LogGroup, ...]:
    groups = [function_group(p.ident, p.name) for p in ir.processors]
    groups += [archive_group(s.ident, s.name) for s in ir.streams if s.archive]
    return (*groups, API_ACCESS, API_EXECUTION, WAF)
