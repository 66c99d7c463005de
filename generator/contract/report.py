"""What `gen test` found: one `CaseResult` per case, a readable summary and JUnit XML.

A case is one check applied to one subject (an operation, a table, an event type). A failing
case carries the first few concrete problems, each saying what was sent and what came back.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Status = Literal["passed", "failed", "skipped"]
SHOWN = 5
"""Problems listed per failed case (the count says how many there were)."""


@dataclass(frozen=True, slots=True)
class CaseResult:
    check: str  # e.g. "seed", "pagination"
    subject: str  # e.g. "GET /devices/{deviceId}"
    status: Status
    detail: str = ""  # why it failed or was skipped; what was covered when it passed
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.check}: {self.subject}"


def outcome(check: str, subject: str, problems: list[str], covered: str, seconds: float = 0.0) -> CaseResult:
    """A passed case (saying what it covered) or a failed one listing its problems."""
    if not problems:
        return CaseResult(check, subject, "passed", covered, seconds)
    shown = problems[:SHOWN]
    more = f"\n  ... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return CaseResult(check, subject, "failed", "\n".join(f"  {p}" for p in shown) + more, seconds)


@dataclass
class Report:
    target: str
    cases: list[CaseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, case: CaseResult) -> None:
        self.cases.append(case)

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if c.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary_lines(self, verbose: bool = False) -> list[str]:
        """One line per case (failures with their problems), then the totals."""
        lines = [f"gen test: {self.target}"]
        marks = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}
        for case in self.cases:
            lines.append(f"  {marks[case.status]} {case.name}"
                         + (f"  ({case.detail})" if case.detail and case.status != "failed"
                            and (verbose or case.status == "skipped") else ""))
            if case.status == "failed":
                lines.extend(f"    {line}" for line in case.detail.splitlines())
        counts = Counter(c.status for c in self.cases)
        seconds = sum(c.seconds for c in self.cases)
        lines.extend(self.notes)
        lines.append(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped "
                     f"in {seconds:.1f} s")
        return lines

    def write_junit(self, path: Path) -> None:
        """JUnit XML (one testsuite per check), as CI systems read it."""
        suites = ET.Element("testsuites", name="gen test", tests=str(len(self.cases)),
                            failures=str(len(self.failed)))
        by_check: dict[str, list[CaseResult]] = {}
        for case in self.cases:
            by_check.setdefault(case.check, []).append(case)
        for check, cases in by_check.items():
            suite = ET.SubElement(
                suites, "testsuite", name=check, tests=str(len(cases)),
                failures=str(sum(c.status == "failed" for c in cases)),
                skipped=str(sum(c.status == "skipped" for c in cases)),
                time=f"{sum(c.seconds for c in cases):.3f}")
            for case in cases:
                element = ET.SubElement(suite, "testcase", classname=f"gen.{check}", name=case.subject,
                                        time=f"{case.seconds:.3f}")
                if case.status == "failed":
                    first = case.detail.strip().splitlines()[0] if case.detail.strip() else "failed"
                    ET.SubElement(element, "failure", message=first[:200]).text = case.detail
                elif case.status == "skipped":
                    ET.SubElement(element, "skipped", message=case.detail)
        path.parent.mkdir(parents=True, exist_ok=True)
        ET.indent(suites)
        ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
