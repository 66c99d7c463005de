"""An estimate as Markdown (for a terminal or a pull request) or as JSON data."""

from __future__ import annotations

from typing import Any

from generator.cost.components import Line
from generator.cost.estimate import Estimate
from generator.cost.prices import price_table


def money(usd: float | None) -> str:
    if usd is None:
        return "unknown"
    if 0 < usd < 0.005:
        return "< $0.01"
    return f"${usd:,.2f}"


def quantity(value: float | None) -> str:
    if value is None:
        return "?"
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} billion"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:,.1f} k"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def total_words(e: Estimate) -> str:
    gaps = len(e.unknown)
    return money(e.known) + (f" + {gaps} unknown line(s)" if gaps else "")


def markdown(e: Estimate, *, heading: str = "###") -> str:
    prices = price_table(e.region)
    out = [f"{heading} Monthly cost estimate: {e.project}, {e.region}",
           "",
           f"List prices of {prices.as_of} (730 hours a month, no free tier). "
           + ("Usage from spec/usage.yaml." if e.usage else "No usage profile (spec/usage.yaml): traffic is unknown."),
           "",
           "| component | item | quantity | monthly | |",
           "| --- | --- | --- | ---: | --- |"]
    for line in e.lines:
        qty = f"{quantity(line.quantity)} {line.unit}" if line.quantity is not None else \
            "needs " + ", ".join(line.missing)
        out.append(f"| {line.component} | {line.item} | {qty} | {money(line.usd)} | "
                   f"{'fixed' if line.fixed else 'variable'} |")
    per = e.per_million_events
    out += ["",
            f"**Total: {total_words(e)}** (fixed {money(e.fixed)}, variable {money(e.variable)}); "
            f"per million events: {money(per) if per is not None else 'unknown'}"
            + (" (known lines only)" if per is not None and e.unknown else "") + "."]
    return "\n".join(out) + "\n"


def _line(line: Line) -> dict[str, Any]:
    return {"component": line.component, "item": line.item, "quantity": line.quantity, "unit": line.unit,
            "usd": None if line.usd is None else round(line.usd, 6), "fixed": line.fixed, "price": line.price,
            "missing": list(line.missing)}


def to_json(e: Estimate) -> dict[str, Any]:
    per = e.per_million_events
    return {"project": e.project, "region": e.region, "prices_as_of": e.as_of, "usage_profile": e.usage,
            "lines": [_line(x) for x in e.lines], "known_usd": round(e.known, 6), "fixed_usd": round(e.fixed, 6),
            "variable_usd": round(e.variable, 6), "unknown_lines": len(e.unknown),
            "events_per_month": e.events_per_month,
            "per_million_events_usd": None if per is None else round(per, 6)}
