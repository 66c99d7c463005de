"""`gen test --pipeline` notices a processor that does not acknowledge the events it is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.contract import ContractOptions, run_contract_tests
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_a_raising_processor_fails_the_pipeline_check(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    assert run_cli("init", str(root)).exit_code == 0
    handler = root / "handwritten/processors/apply_orders.py"
    handler.write_text(handler.read_text().replace(
        "            order = event.data\n", "            raise ValueError('cannot store orders today')\n"))
    report = run_contract_tests(root, ContractOptions(pipeline=True, only=("pipeline",)))
    (case,) = report.cases
    assert case.status == "failed"
    assert "apply_orders: acknowledged 0 of the 3 record(s) sent to it" in case.detail
    assert "apply_orders: 3 record(s) went to its dead-letter queue" in case.detail
    # what the functions print (their metrics; their logs too when gen runs as its own process)
    assert '"RecordsFailed":[' in (root / ".gen-cache/test/functions.log").read_text()
    result = run_cli("-C", str(root), "test", "--only", "pipeline", "--junit", str(tmp_path / "junit.xml"))
    assert result.exit_code == 1 and "FAIL pipeline: processors" in result.stdout
    assert "<failure" in (tmp_path / "junit.xml").read_text()
