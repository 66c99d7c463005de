"""The parts of `gen test` that need no stack: examples, expectations, options and the report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from generator.contract.examples import violation
from generator.contract.ingest import _acknowledged, envelope, known_values
from generator.contract.reads import _ranges
from generator.contract.report import CaseResult, Report, outcome
from generator.contract.runner import ContractOptions
from generator.contract.shapes import Conformance, difference, served
from generator.contract.target import region_of
from generator.errors import UsageError
from tests.conftest import REPO

CASES = [REPO, *sorted(p for p in (REPO / "tests/golden/cases").iterdir() if (p / "spec").is_dir())]


def _ir_and_spec(root: Path) -> tuple[Any, dict[str, Any]]:
    import yaml

    from generator import pipeline

    ir, diags = pipeline.validate(root, use_cache=False)
    assert ir is not None, [d.render() for d in diags]
    return ir, yaml.safe_load((root / "spec/openapi.yaml").read_text())


@pytest.mark.parametrize("root", CASES, ids=[p.name for p in CASES])
def test_examples_conform_and_violations_break_the_named_field(root: Path) -> None:
    ir, spec = _ir_and_spec(root)
    conformance = Conformance(spec)
    now = datetime(2026, 11, 24, 15, tzinfo=UTC)
    for event in ir.events:
        for variant in range(3):
            data = envelope(ir, event, variant, now, known_values(ir))["data"]
            assert conformance.problems(event.data, data) == [], (event.type, data)
        broken = violation(ir, ir.model(event.data).schema, envelope(ir, event, 1, now)["data"])
        if broken is not None:
            data, field = broken
            problems = conformance.problems(event.data, data)
            assert problems and any(field in p for p in problems), (event.type, problems)


def test_events_name_entities_of_the_seed() -> None:
    ir, _ = _ir_and_spec(REPO)
    known = known_values(ir)
    event = envelope(ir, ir.event("reading.recorded"), 0, datetime.now(UTC), known)
    assert event["data"]["deviceId"] in known["deviceId"]
    assert event["subject"] == event["data"]["deviceId"]


def test_difference_compares_numbers_exactly_and_keeps_integers() -> None:
    assert difference({"a": 1, "b": Decimal("2.50")}, {"a": 1, "b": Decimal("2.5")}) is None
    assert difference({"a": 1}, {"a": Decimal("1.0")}) == "/a: expected the integer 1, got 1.0"
    assert difference({"a": [1, 2]}, {"a": [1]}) == "/a: expected 2 element(s), got [1]"
    assert difference({"a": None}, {"a": "x"}) == "/a: expected None, got 'x'"
    assert difference({"a": 1}, {}) == "/a: missing"
    assert difference({}, {"b": True}) == "/b: unexpected True"
    assert difference({"a": True}, {"a": 1}) == "/a: expected True, got 1"


def test_served_fills_nullable_properties_and_drops_stored_extras() -> None:
    ir, _ = _ir_and_spec(REPO)
    item = {"deviceId": "d", "siteId": "s", "name": "n", "status": "online", "internal": 1}
    shown = served(ir, "Device", item, project=True)
    assert "internal" not in shown and shown["lastSeen"] is None and shown["deviceId"] == "d"


def test_ranges_cover_open_closed_equal_and_beyond() -> None:
    assert _ranges(["a", "b", "c"], True, True) == [
        (None, None), ("b", None), ("c~", None), (None, "b"), ("b", "b"), ("b", "b")]
    assert _ranges([Decimal(1), Decimal(5)], True, False) == [(None, None), (Decimal(5), None), (Decimal(6), None)]


def test_acknowledgements_are_counted_from_the_status_deltas() -> None:
    before = {"invocations": {"delivered": 10, "acknowledged": 10, "errors": 0}, "toDlq": 0}
    good = {"invocations": {"delivered": 13, "acknowledged": 13, "errors": 0}, "toDlq": 0}
    assert _acknowledged("p", 3, before, good) == []
    bad = {"invocations": {"delivered": 14, "acknowledged": 12, "errors": 1}, "toDlq": 1}
    assert _acknowledged("p", 3, before, bad) == [
        "p: acknowledged 2 of the 3 record(s) sent to it", "p: 2 delivered record(s) were not acknowledged",
        "p: raised in 1 invocation(s)", "p: 1 record(s) went to its dead-letter queue"]


def test_options_choose_one_authentication() -> None:
    assert ContractOptions().auth().kind == "local"
    assert ContractOptions(url="https://x", token="t").auth().kind == "token"
    assert ContractOptions(url="https://x", api_key="k").auth().kind == "api_key"
    assert ContractOptions(url="https://x").auth().kind == "none"
    with pytest.raises(UsageError, match="--token and --api-key: pass one way"):
        ContractOptions(url="https://x", token="t", api_key="k").auth()
    with pytest.raises(UsageError, match="--token needs --url"):
        ContractOptions(token="t").auth()
    assert region_of("https://abc.execute-api.eu-west-2.amazonaws.com/prod") == "eu-west-2"


def test_report_summary_and_junit(tmp_path: Path) -> None:
    report = Report("somewhere")
    report.add(outcome("seed", "table a", [], "3 items", 0.5))
    report.add(outcome("seed", "table b", [f"problem {i}" for i in range(7)], "", 0.25))
    report.add(CaseResult("fuzz", "GET /x", "skipped", "protected"))
    lines = report.summary_lines()
    assert lines[0] == "gen test: somewhere"
    assert "  FAIL seed: table b" in lines and "      problem 0" in lines and "      ... and 2 more" in lines
    assert "  skip fuzz: GET /x  (protected)" in lines
    assert lines[-1] == "1 passed, 1 failed, 1 skipped in 0.8 s"
    assert not report.ok
    report.write_junit(tmp_path / "out" / "junit.xml")
    root = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "3", "1")
    seed = root.find("testsuite[@name='seed']")
    assert seed is not None and seed.get("failures") == "1"
    failure = seed.find("testcase[@name='table b']/failure")
    assert failure is not None and "problem 4" in (failure.text or "")
    assert root.find("testsuite[@name='fuzz']/testcase/skipped") is not None
