"""A review as a pull-request comment (Markdown) or as JSON.

The comment starts with a marker line (so CI can find and update its one comment), then the
verdict and a summary table by area and severity; destructive and breaking findings are listed
openly, everything else is folded into <details>, as is the cost comparison.
"""

from __future__ import annotations

from typing import Any

from generator.cost import render as cost_render
from generator.diagnostics import Location
from generator.review.findings import Finding
from generator.review.run import Review
from generator.validate.change_rules import AREAS, SEVERITIES

MARKER = "<!-- gen-review -->"
AREA_NAMES = {"data": "Data", "api": "API (clients)", "events": "Events", "infra": "Infrastructure",
              "iam": "IAM", "review": "Review"}
ICONS = {"destructive": "🟥", "breaking": "🟧", "warning": "🟨", "info": "⬜"}


def where(f: Finding, review: Review) -> str:
    if f.location is None:
        return ""
    text = str(f.location)
    return f"{review.base}:{text}" if f.side == "base" else text


def location_json(loc: Location | None) -> dict[str, Any] | None:
    return None if loc is None else {"file": loc.file, "line": loc.line, "col": loc.col}


def to_json(review: Review) -> dict[str, Any]:
    counts = {s: sum(1 for f in review.findings if f.severity == s) for s in SEVERITIES}
    data: dict[str, Any] = {
        "base": review.base, "head": review.head, "exit": review.exit_code,
        "summary": {**counts, "unacknowledged": len(review.blocking)},
        "findings": [{"rule": f.rule, "severity": f.severity, "area": f.area, "target": f.target,
                      "message": f.message, "side": f.side, "location": location_json(f.location),
                      "where": where(f, review), "acknowledged": f.acknowledged} for f in review.findings],
    }
    if review.cost is not None:
        base, head = review.cost
        data["cost"] = {"base": cost_render.to_json(base), "head": cost_render.to_json(head),
                        "delta_known_usd": round(head.known - base.known, 6)}
    return data


def _row(f: Finding, review: Review) -> str:
    ack = f" ✔ acknowledged: {_cell(f.acknowledged)}" if f.acknowledged else ""
    loc = where(f, review)
    return (f"| {ICONS[f.severity]} {f.severity} | `{f.rule}` | {_cell(f.target)} | "
            f"{f'`{loc}`' if loc else ''} | {_cell(f.message)}{ack} |")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(findings: list[Finding], review: Review) -> list[str]:
    return ["| severity | rule | target | where | what |", "| --- | --- | --- | --- | --- |"] + \
        [_row(f, review) for f in findings]


def markdown(review: Review) -> str:
    blocking = review.blocking
    out = [MARKER, f"## gen review: `{review.base}` → `{review.head}`", ""]
    if blocking:
        out.append(f"**{len(blocking)} breaking or destructive change(s) not acknowledged.** Acknowledge each one "
                   "in `spec/model.yaml` under `changes:` (rule, target, reason) once it is intended.")
    elif review.findings:
        out.append("**Nothing breaking or destructive is unacknowledged.**")
    else:
        out.append("**No changes** to the API, events, data, infrastructure or permissions.")
    out += ["", *_summary(review), ""]
    top = [f for f in review.findings if f.severity in ("destructive", "breaking")]
    if top:
        out += ["### Destructive and breaking", "", *_table(top, review), ""]
    for severity, title in (("warning", "Warnings"), ("info", "Other changes")):
        rows = [f for f in review.findings if f.severity == severity]
        if rows:
            out += [f"<details><summary>{title} ({len(rows)})</summary>", "", *_table(rows, review), "",
                    "</details>", ""]
    if review.cost is not None:
        out += _cost(review)
    return "\n".join(out).rstrip("\n") + "\n"


def _summary(review: Review) -> list[str]:
    rows = ["| area | " + " | ".join(SEVERITIES) + " |", "| --- |" + " ---: |" * len(SEVERITIES)]
    for area in AREAS:
        found = [f for f in review.findings if f.area == area]
        if not found:
            continue
        cells = []
        for s in SEVERITIES:
            n = sum(1 for f in found if f.severity == s)
            acked = sum(1 for f in found if f.severity == s and f.acknowledged)
            cells.append("" if not n else f"{n}" + (f" ({acked} ack.)" if acked else ""))
        rows.append(f"| {AREA_NAMES[area]} | " + " | ".join(cells) + " |")
    if review.cost is not None:
        base, head = review.cost
        delta = head.known - base.known
        sign = "+" if delta >= 0 else "-"
        rows += ["", f"**Cost per month:** {cost_render.total_words(base)} → {cost_render.total_words(head)} "
                 f"({sign}{cost_render.money(abs(delta))} in the known lines)"]
    return rows


def _cost(review: Review) -> list[str]:
    assert review.cost is not None
    base, head = review.cost
    rows = ["| component | base | head |", "| --- | ---: | ---: |"]
    before, after = base.by_component(), head.by_component()
    for component in sorted(set(before) | set(after)):
        rows.append(f"| {component} | {_amount(before.get(component))} | {_amount(after.get(component))} |")
    rows.append(f"| **total** | **{cost_render.total_words(base)}** | **{cost_render.total_words(head)}** |")
    return ["<details><summary>Cost per month (gen cost)</summary>", "", *rows, "",
            cost_render.markdown(head, heading="####"), "</details>", ""]


def _amount(value: tuple[float, int] | None) -> str:
    if value is None:
        return "-"
    usd, gaps = value
    if gaps and not usd:
        return "unknown"
    return cost_render.money(usd) + (f" + {gaps} unknown" if gaps else "")
