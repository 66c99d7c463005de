"""`gen review BASE [HEAD]`: load both sides, run every rule, apply acknowledgements.

Pure apart from reading the two specs (and git, for a revision) and the review's caches; the
result is rendered by `generator.review.report`. Exit status: 1 when a breaking or destructive
finding is not acknowledged in HEAD's `changes:`, else 0 (an invalid spec raises).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.cost.estimate import Estimate, estimate_project
from generator.ir.nodes import Change, Ir
from generator.review.api import api_findings
from generator.review.data import data_findings
from generator.review.events import event_findings
from generator.review.findings import Finding, acknowledge, ordered
from generator.review.iam import iam_findings
from generator.review.side import Side, generate_sides, materialise
from generator.review.terraform import infra_findings
from generator.write.guard import table_records

WORKING_TREE = "working tree"


@dataclass
class Review:
    base: str
    head: str
    findings: list[Finding]
    cost: tuple[Estimate, Estimate] | None = None

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0


def review(root: Path, base_ref: str, head_ref: str | None = None, *, cache: Path | None = None,
           with_cost: bool = True, labels: tuple[str, str] | None = None) -> Review:
    """Compare the spec of `base_ref` with `head_ref` (default: the working tree under `root`).
    `labels` name the sides in the report (default: the refs as given)."""
    from generator.speed import REVIEW_SIDES, review_caches

    folders = review_caches(root) if cache is None else {side: cache / side for side in REVIEW_SIDES}
    base_cache, head_cache = folders["base"], folders["head"]
    base_label, head_label = labels or (base_ref, head_ref or WORKING_TREE)
    with materialise(root, base_ref) as base_root:
        if head_ref is None:
            return _compare(*generate_sides((base_label, base_root, base_cache),
                                            (head_label, root, head_cache)), with_cost)
        with materialise(root, head_ref) as head_root:
            return _compare(*generate_sides((base_label, base_root, base_cache),
                                            (head_label, head_root, head_cache)), with_cost)


def _compare(base: Side, head: Side, with_cost: bool) -> Review:
    data, claims = data_findings(base, head)
    found = data + api_findings(base, head) + event_findings(base, head) + iam_findings(base.ir, head.ir)
    found += infra_findings(base.terraform, head.terraform, claims, _api_changed(base.ir, head.ir))
    acks = {(c.rule, c.target): c.reason for c in head.ir.changes}
    found = acknowledge(found, acks)
    found += _unused(base.ir.changes, head, found)
    cost = (estimate_project(base.root, base.ir), estimate_project(head.root, head.ir)) if with_cost else None
    return Review(base=base.label, head=head.label, findings=ordered(found), cost=cost)


def _api_changed(base: Ir, head: Ir) -> bool:
    """Whether generated/api (the definition API Gateway imports) differs between the sides."""
    return base.openapi != head.openapi or table_records(base) != table_records(head)


def _unused(before: tuple[Change, ...], head: Side, found: list[Finding]) -> list[Finding]:
    """New `changes:` entries that acknowledge no finding of this change (a typo, or stale)."""
    old = {(c.rule, c.target) for c in before}
    matched = {(f.rule, f.target) for f in found}
    return [Finding("review.unused-acknowledgement", f"{c.rule}:{c.target}",
                    f"changes: entry {c.rule} {c.target} acknowledges nothing this change does",
                    head.locate("model.yaml", c.source.pointer))
            for c in head.ir.changes if (c.rule, c.target) not in old and (c.rule, c.target) not in matched]
