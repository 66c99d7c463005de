"""The corpus report: after the run, how many cases match AWS and which known exceptions remain."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fidelity.corpus import load_exceptions

_PREFIX = "tests/fidelity/test_corpus.py::test_case["


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    outcomes: dict[str, str] = {}
    for outcome in ("passed", "failed", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if nodeid.startswith(_PREFIX) and getattr(report, "when", "call") == "call":
                outcomes[nodeid[len(_PREFIX) : -1]] = outcome
    if not outcomes:
        return
    exceptions = load_exceptions()
    matched = sum(1 for outcome in outcomes.values() if outcome == "passed")
    known = sorted(case for case, outcome in outcomes.items() if outcome == "xfailed")
    failed = sorted(case for case, outcome in outcomes.items() if outcome in ("failed", "xpassed"))
    write = terminalreporter.write_line
    terminalreporter.section("AWS fidelity corpus")
    write(
        f"{matched} of {len(outcomes)} cases match AWS; {len(known)} known exceptions; {len(failed)} failing"
    )
    for case in known:
        write(f"  exception {case}: {exceptions.get(case, '')}")
    for case in failed:
        write(f"  FAILING   {case}")
