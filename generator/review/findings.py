"""Findings: one classified change each, with its rule, target, location and explanation.

A finding's severity and area come from the rule catalogue (`generator.validate.change_rules`).
`cause` names the finding it follows from (an infrastructure change caused by a data change):
acknowledging the cause acknowledges it too. Ordering is total and stable: severity, area, rule,
target, message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from generator.diagnostics import Location
from generator.validate.change_rules import AREAS, BLOCKING, RULES, SEVERITIES, Rule, Severity

Side = Literal["base", "head"]


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    target: str
    message: str
    location: Location | None = None
    side: Side = "head"
    cause: tuple[str, str] | None = None
    acknowledged: str | None = None  # the reason given in `changes:`, when acknowledged

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise KeyError(f"rule {self.rule!r} is not in the catalogue")

    @property
    def spec(self) -> Rule:
        return RULES[self.rule]

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity

    @property
    def area(self) -> str:
        return RULES[self.rule].area

    @property
    def blocking(self) -> bool:
        """Breaking or destructive, and not acknowledged: what makes `gen review` exit 1."""
        return self.severity in BLOCKING and self.acknowledged is None

    def sort_key(self) -> tuple[int, int, str, str, str]:
        return (SEVERITIES.index(self.severity), AREAS.index(self.area), self.rule, self.target, self.message)


def acknowledge(findings: list[Finding], acks: dict[tuple[str, str], str]) -> list[Finding]:
    """Mark findings whose (rule, target) is acknowledged, then those whose cause is."""
    out = [replace(f, acknowledged=acks[(f.rule, f.target)]) if (f.rule, f.target) in acks else f for f in findings]
    reasons = {(f.rule, f.target): f.acknowledged for f in out if f.acknowledged is not None}
    return [replace(f, acknowledged=f"with {f.cause[0]} {f.cause[1]}: {reasons[f.cause]}")
            if f.acknowledged is None and f.cause in reasons and f.cause is not None else f for f in out]


def ordered(findings: list[Finding]) -> list[Finding]:
    unique = {(f.rule, f.target, f.message, f.side, str(f.location)): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)
