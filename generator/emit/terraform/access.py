"""Who may call the API, and how much: the parts of api.tf's view beyond the REST API itself.

- IAM (SigV4) ingestion: `producer_routes`, the execute-api ARNs a producer may invoke (iam.tf
  grants them to the producer role and policy);
- API keys: one usage plan, key and plan key per client of `Ir.api_clients`, limits from the
  `api_clients` variable (its default is the spec's `x-gen: {clients}`);
- per-route throttles for ingestion, so writers cannot use up the stage's budget of reads;
- the optional WAF web ACL (AWS managed common rules, known bad inputs, a rate-based rule per
  client IP), on by default for stages named like production;
- the one CORS origin of the stage (`var.cors_allow_origin`, else the frontend's origin).
Pure: Ir -> views.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform import refs
from generator.ir.nodes import ApiClient, Ir, Operation
from generator.render.filters import HclExpr

PRODUCTION_STAGES = "^(prd|prod|production)([0-9-].*)?$"
WAF_RATE_LIMIT = 2000  # requests per client IP in any 5 minutes (WAF's evaluation window)
INGEST_RATE_LIMIT = 25  # requests per second to one ingestion route, each up to 500 events
INGEST_BURST_LIMIT = 50
# The managed common rule set blocks bodies over 8 KB; an ingestion batch of 500 events is
# larger, so that one rule only counts. Every other rule of the set blocks.
WAF_COUNT_ONLY = ("SizeRestrictions_BODY",)


@dataclass(frozen=True, slots=True)
class RouteThrottle:
    label: str
    method_path: str  # "{resource path without the leading /}/{METHOD}", as method settings want it
    operation_id: str


@dataclass(frozen=True, slots=True)
class ClientView:
    name: str
    rate_limit: int
    burst_limit: int
    quota: int
    period: str

    @property
    def hcl(self) -> HclExpr:
        """The client's limits as an object of `var.api_clients`."""
        return HclExpr(f"{{ rate_limit = {self.rate_limit}, burst_limit = {self.burst_limit}, quota = {self.quota}, "
                       f'period = "{self.period}" }}')


def route_arn(op: Operation) -> HclExpr:
    """The execute-api ARN of exactly this operation on the deployed stage."""
    return refs.interp("aws_api_gateway_stage.api.execution_arn", "/" + op.invoke_route)


def producer_routes(ir: Ir) -> tuple[HclExpr, ...]:
    """ARNs a producer may invoke: every IAM-protected ingestion route."""
    return tuple(route_arn(op) for op in ir.operations if op.kind == "ingest" and op.auth == "iam")


def route_throttles(ir: Ir) -> list[RouteThrottle]:
    return [RouteThrottle(op.names.throttle.label, f"{op.path.lstrip('/')}/{op.method.upper()}", op.operation_id)
            for op in ir.operations if op.kind == "ingest"]


def clients(ir: Ir) -> list[ClientView]:
    return [_client(c) for c in ir.api_clients]


def _client(c: ApiClient) -> ClientView:
    return ClientView(c.name, c.rate_limit, c.burst_limit, c.quota, c.period)


def web_origin(ir: Ir) -> HclExpr:
    """The frontend's origin: its domain, else the distribution's (only with a frontend)."""
    if ir.frontend_domain is not None:
        return HclExpr('"https://${var.domain}"')
    return HclExpr('"https://${aws_cloudfront_distribution.web.domain_name}"')


def cors_default(ir: Ir) -> HclExpr:
    """The origin browsers may call the API from when `cors_allow_origin` is null: the frontend's,
    or (no frontend) the API's own, which allows no other origin."""
    return web_origin(ir) if ir.frontend else HclExpr("local.api_origin")


def access_view(ir: Ir) -> dict[str, object]:
    return {
        "clients": clients(ir),
        "route_throttles": route_throttles(ir),
        "ingest_rate_limit": INGEST_RATE_LIMIT,
        "ingest_burst_limit": INGEST_BURST_LIMIT,
        "production_stages": PRODUCTION_STAGES,
        "waf_rate_limit": WAF_RATE_LIMIT,
        "waf_count_only": WAF_COUNT_ONLY,
        "cors_default": cors_default(ir),
    }
