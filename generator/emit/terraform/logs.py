"""Every CloudWatch log group the stack creates, named before it exists.

The key policy lets CloudWatch Logs use the stack's key for exactly these groups, so their
ARNs are built from names (a reference to the group itself would be a cycle: a group
encrypted with the key needs the key policy first). Labels and physical names come from the
IR; the paths before them are AWS's (Lambda and Firehose log where their service says).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import refs
from generator.ir.names import Resource
from generator.ir.nodes import Ir, Processor, Stream
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


def _prefixed(path: str, group: Resource) -> LogGroup:
    return LogGroup(group.label, f"{hcl_frag(path)}${{local.prefix}}-{hcl_frag(refs.physical(group))}")


def function_group(p: Processor) -> LogGroup:
    return _prefixed("/aws/lambda/", p.names.log_group)


def archive_group(s: Stream) -> LogGroup:
    return _prefixed("/aws/kinesisfirehose/", s.names.archive_log_group)


def api_access(ir: Ir) -> LogGroup:
    return _prefixed("/aws/apigateway/", ir.names.api_access_log)


def api_execution(ir: Ir) -> LogGroup:
    # API Gateway writes execution logs to this fixed name; creating it first sets retention and key.
    return LogGroup(ir.names.api_execution_log.label,
                    "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.api.id}/${var.stage}")


def waf(ir: Ir) -> LogGroup:
    # WAF logs only to groups whose name starts with aws-waf-logs-.
    return _prefixed("aws-waf-logs-", ir.names.waf_log)


def all_groups(ir: Ir) -> tuple[LogGroup, ...]:
    groups = [function_group(p) for p in ir.processors]
    groups += [archive_group(s) for s in ir.streams if s.archive]
    return (*groups, api_access(ir), api_execution(ir), waf(ir))
