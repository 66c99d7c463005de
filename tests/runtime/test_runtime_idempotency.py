"""The Powertools-backed ledger against moto: claim, complete, release and their answers."""

from __future__ import annotations

import os
from typing import Any

import pytest


@pytest.fixture
def ledger(aws: Any) -> Any:
    from fleet.runtime.idempotency import PowertoolsLedger

    return PowertoolsLedger(os.environ["IDEMPOTENCY_TABLE"], "apply_readings", expires_after_seconds=3600,
                            client=aws)


def test_claim_complete_release_cycle(ledger: Any, aws: Any) -> None:
    assert ledger.claim(["a", "b", "c"], 30_000) == ["new", "new", "new"]
    assert ledger.claim(["a"], 30_000) == ["busy"]  # in progress, its lock not expired yet
    assert ledger.complete(["a"]) == []
    assert ledger.release(["b"]) == []
    assert ledger.claim(["a", "b"], 30_000) == ["done", "new"]
    items = aws.scan(TableName=os.environ["IDEMPOTENCY_TABLE"])["Items"]
    assert {i["status"]["S"] for i in items} == {"COMPLETED", "INPROGRESS"}
    assert all(i["id"]["S"].startswith("fleet-test-fn.apply_readings#") and "expiration" in i for i in items)


def test_the_function_named_by_the_invocation_starts_every_key(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """gen dev runs every function in one process, so the runtime names the function from the
    invocation's context; in Lambda that is the name AWS_LAMBDA_FUNCTION_NAME holds, so the keys
    are the ones Powertools wrote before (a deployed stage's records stay recognised)."""
    from fleet.runtime.idempotency import BatchLedger, PowertoolsLedger

    table = os.environ["IDEMPOTENCY_TABLE"]
    named = BatchLedger(table, "apply_readings", 3600, client=aws, function="fleet-prod-apply-readings")
    assert named.record_key("src\x1fk").startswith("fleet-prod-apply-readings.apply_readings#")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "fleet-prod-apply-readings")
    assert BatchLedger(table, "apply_readings", 3600, client=aws).record_key("src\x1fk") == named.record_key("src\x1fk")
    single = PowertoolsLedger(table, "apply_readings", 3600, client=aws, function="fleet-prod-apply-readings")
    assert single.claim(["k"], 30_000) == ["new"]
    ids = {i["id"]["S"] for i in aws.scan(TableName=table)["Items"]}
    assert ids == {named.record_key("k")}


def test_an_expired_lock_can_be_claimed_again(ledger: Any) -> None:
    import time

    assert ledger.claim(["x"], 0) == ["new"]  # a lock that expires at once (as after a crash)
    time.sleep(0.01)
    assert ledger.claim(["x"], 30_000) == ["new"]


def test_processors_have_separate_namespaces(aws: Any, ledger: Any) -> None:
    from fleet.runtime.idempotency import PowertoolsLedger

    other = PowertoolsLedger(os.environ["IDEMPOTENCY_TABLE"], "register_devices", 3600, client=aws)
    assert ledger.claim(["same-id"], 30_000) == ["new"]
    ledger.complete(["same-id"])
    assert other.claim(["same-id"], 30_000) == ["new"]


def test_store_errors_are_reported_per_key(aws: Any) -> None:
    from fleet.runtime.idempotency import PowertoolsLedger

    broken = PowertoolsLedger("no-such-table", "apply_readings", 3600, client=aws)
    answers = broken.claim(["a", "b"], 30_000)
    assert len(answers) == 2 and all(isinstance(a, Exception) for a in answers)


def test_the_environment_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    from fleet.runtime.idempotency import NullLedger, ledger_from_env

    monkeypatch.delenv("IDEMPOTENCY_TABLE", raising=False)
    with pytest.raises(RuntimeError, match="IDEMPOTENCY_TABLE is not set"):
        ledger_from_env("p", 60)
    monkeypatch.setenv("POWERTOOLS_IDEMPOTENCY_DISABLED", "true")
    assert isinstance(ledger_from_env("p", 60), NullLedger)
