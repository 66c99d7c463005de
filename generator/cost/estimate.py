"""A monthly estimate: the priced lines of every component, totals, and cost per million events.

Totals add the known lines only and say how many lines are unknown; nothing unknown is ever
counted as $0. Pure apart from reading spec/usage.yaml (`estimate_project`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.cost import components as c
from generator.cost.prices import PriceTable, price_table, regions
from generator.cost.usage import Usage, load_usage
from generator.diagnostics import Diagnostics, GenError, Location
from generator.ir.nodes import Ir


@dataclass
class Estimate:
    project: str
    region: str
    as_of: str
    usage: bool  # whether a profile was read
    lines: list[c.Line] = field(default_factory=list)
    events_per_month: float | None = None

    @property
    def known(self) -> float:
        return sum(line.usd for line in self.lines if line.usd is not None)

    @property
    def fixed(self) -> float:
        return sum(line.usd for line in self.lines if line.usd is not None and line.fixed)

    @property
    def variable(self) -> float:
        return self.known - self.fixed

    @property
    def unknown(self) -> list[c.Line]:
        return [line for line in self.lines if line.usd is None]

    @property
    def per_million_events(self) -> float | None:
        """The known total per million events (None when the event volume is unknown or zero)."""
        if not self.events_per_month:
            return None
        return self.known / (self.events_per_month / 1e6)

    def by_component(self) -> dict[str, tuple[float, int]]:
        """component -> (known amount, unknown lines)."""
        out: dict[str, tuple[float, int]] = {}
        for line in self.lines:
            usd, gaps = out.get(line.component, (0.0, 0))
            out[line.component] = (usd + (line.usd or 0.0), gaps + (line.usd is None))
        return out


def estimate(ir: Ir, usage: Usage, prices: PriceTable) -> Estimate:
    """Price every component of the system `ir` describes under `usage`."""
    lines = c.Lines(prices)
    traffic = c.Traffic(ir, usage)
    requests = c.api_gateway(ir, traffic, lines)
    c.kinesis(ir, traffic, lines)
    c.archive(ir, traffic, lines)
    runs = c.lambdas(ir, traffic, lines)
    c.dynamodb(ir, traffic, lines)
    c.observability(ir, traffic, lines, requests, runs)
    rate, missing = traffic.event_rate([e.type for e in ir.events])
    return Estimate(project=ir.name, region=prices.region, as_of=prices.as_of, usage=usage.present,
                    lines=lines.out, events_per_month=None if missing else rate * c.SECONDS)


def estimate_project(root: Path, ir: Ir, usage_path: Path | None = None) -> Estimate:
    """The estimate of the project under `root`; raises GenError on an invalid profile."""
    diags = Diagnostics()
    usage = load_usage(root, ir, diags, usage_path)
    if usage.region not in regions():
        where = Location(str(usage_path) if usage_path else "spec/usage.yaml")
        diags.error("E-USAGE", f"no price table for region '{usage.region}'", where,
                    f"gen ships prices for: {', '.join(regions())}")
    if diags.has_errors():
        raise GenError(diags)
    return estimate(ir, usage, price_table(usage.region))
