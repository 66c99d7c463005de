"""The batched ledger against moto: same answers and records as Powertools', fewer calls."""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import pytest

PROCESSOR = "apply_readings"


@pytest.fixture
def table() -> str:
    return os.environ["IDEMPOTENCY_TABLE"]


@pytest.fixture
def ledger(aws: Any, table: str) -> Any:
    from fleet.runtime.idempotency import BatchLedger

    return BatchLedger(table, PROCESSOR, expires_after_seconds=3600, client=aws)


@pytest.fixture
def powertools(aws: Any, table: str) -> Any:
    from fleet.runtime.idempotency import PowertoolsLedger

    return PowertoolsLedger(table, PROCESSOR, expires_after_seconds=3600, client=aws)


class Calls:
    """Counts the DynamoDB API calls a client makes (botocore's before-call event)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.counts: Counter[str] = Counter()
        client.meta.events.register("before-call.dynamodb", self._seen)

    def _seen(self, model: Any, **_: Any) -> None:
        self.counts[model.name] += 1

    def take(self) -> Counter[str]:
        counts, self.counts = self.counts, Counter()
        return counts

    def close(self) -> None:
        self.client.meta.events.unregister("before-call.dynamodb", self._seen)


@pytest.fixture
def calls(aws: Any) -> Any:
    counter = Calls(aws)
    yield counter
    counter.close()


def items(aws: Any, table: str) -> dict[str, dict[str, Any]]:
    return {i["id"]["S"]: i for i in aws.scan(TableName=table, ConsistentRead=True)["Items"]}


def test_claim_complete_release_cycle(ledger: Any, aws: Any, table: str) -> None:
    assert ledger.claim(["a", "b", "c"], 30_000) == ["new", "new", "new"]
    assert ledger.claim(["a"], 30_000) == ["busy"]
    assert ledger.complete(["a"]) == []
    assert ledger.release(["b"]) == []
    assert ledger.claim(["a", "b", "c"], 30_000) == ["done", "new", "busy"]
    stored = items(aws, table)
    assert {i["status"]["S"] for i in stored.values()} == {"COMPLETED", "INPROGRESS"}
    assert all(k.startswith(f"fleet-test-fn.{PROCESSOR}#") and "expiration" in i for k, i in stored.items())


def test_the_same_batch_twice_applies_once(ledger: Any) -> None:
    keys = [f"evt-{i}" for i in range(150)]  # more than one transaction's worth
    assert ledger.claim(keys, 30_000) == ["new"] * 150
    assert ledger.complete(keys) == []
    assert ledger.claim(keys, 30_000) == ["done"] * 150


def test_a_mixed_batch_claims_the_rest(ledger: Any) -> None:
    ledger.claim(["done-1", "busy-1"], 30_000)
    ledger.complete(["done-1"])
    answers = ledger.claim(["n1", "done-1", "n2", "busy-1", "n3"], 30_000)
    assert answers == ["new", "done", "new", "busy", "new"]
    assert ledger.claim(["n1", "n2", "n3"], 30_000) == ["busy"] * 3  # they were claimed


def test_a_failed_record_is_released_and_claimable_again(ledger: Any, aws: Any, table: str) -> None:
    keys = [f"r-{i}" for i in range(30)]  # more than one BatchWriteItem's worth
    assert ledger.claim(keys, 30_000) == ["new"] * 30
    assert ledger.release(keys) == []
    assert items(aws, table) == {}
    assert ledger.claim(keys, 30_000) == ["new"] * 30


def test_an_expired_lock_can_be_claimed_again(ledger: Any) -> None:
    assert ledger.claim(["x", "y"], 0) == ["new", "new"]  # locks that expire at once (a crash)
    time.sleep(0.01)
    assert ledger.claim(["x", "y", "z"], 30_000) == ["new", "new", "new"]
    assert ledger.claim(["x"], 30_000) == ["busy"]


def test_an_expired_record_can_be_claimed_again(aws: Any, table: str) -> None:
    from fleet.runtime.idempotency import BatchLedger

    short = BatchLedger(table, PROCESSOR, expires_after_seconds=-5, client=aws)
    assert short.claim(["old"], 30_000) == ["new"]
    assert short.complete(["old"]) == []
    assert short.claim(["old"], 30_000) == ["new"]  # COMPLETED but past `expiration`


def test_records_are_the_powertools_format(ledger: Any, powertools: Any, aws: Any, table: str) -> None:
    ledger.claim(["b1"], 30_000)
    ledger.complete(["b1"])
    powertools.claim(["p1"], 30_000)
    powertools.complete(["p1"])
    stored = items(aws, table)
    ours, theirs = stored[ledger.record_key("b1")], stored[ledger.record_key("p1")]
    assert set(ours) == set(theirs) == {"id", "status", "expiration", "in_progress_expiration", "data"}
    assert ours["data"] == theirs["data"] and ours["status"] == theirs["status"] == {"S": "COMPLETED"}
    assert abs(int(ours["expiration"]["N"]) - int(theirs["expiration"]["N"])) <= 2
    assert abs(int(ours["in_progress_expiration"]["N"]) - int(theirs["in_progress_expiration"]["N"])) < 2000


def test_keys_interoperate_with_powertools(ledger: Any, powertools: Any) -> None:
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemNotFoundError

    assert ledger.claim(["ours"], 30_000) == ["new"]
    record = powertools.persistence.get_record(data={"id": "ours"})
    assert record.status == "INPROGRESS" and record.idempotency_key == ledger.record_key("ours")
    assert powertools.claim(["ours"], 30_000) == ["busy"]
    ledger.complete(["ours"])
    assert powertools.persistence.get_record(data={"id": "ours"}).status == "COMPLETED"
    assert powertools.claim(["ours"], 30_000) == ["done"]

    assert powertools.claim(["theirs"], 30_000) == ["new"]
    assert ledger.claim(["theirs"], 30_000) == ["busy"]
    powertools.complete(["theirs"])
    assert ledger.claim(["theirs"], 30_000) == ["done"]
    ledger.release(["ours"])
    with pytest.raises(IdempotencyItemNotFoundError):
        powertools.persistence.get_record(data={"id": "ours"})


def test_call_counts(ledger: Any, calls: Any) -> None:
    keys = [f"c-{i}" for i in range(100)]
    assert ledger.claim(keys, 30_000) == ["new"] * 100
    assert calls.take() == {"TransactWriteItems": 1}
    assert ledger.complete(keys) == []
    assert calls.take() == {"BatchWriteItem": 4}
    assert ledger.claim(keys, 30_000) == ["done"] * 100  # moto sends the old items: no reads
    assert sum(calls.take().values()) <= 2
    assert ledger.release(keys[:50]) == []
    assert calls.take() == {"BatchWriteItem": 2}
    answers = ledger.claim(keys[:60], 30_000)  # 50 claimable again, 10 done: claim, then retry
    assert answers == ["new"] * 50 + ["done"] * 10
    assert calls.take() == {"TransactWriteItems": 2}


def test_without_cancellation_reasons_keys_are_looked_up(ledger: Any, aws: Any, calls: Any) -> None:
    """A store that cancels without `CancellationReasons`: every key is read back, then retried."""
    ledger.claim(["d"], 30_000)
    ledger.complete(["d"])
    ledger.claim(["b"], 30_000)
    calls.take()

    def strip(parsed: Any, model: Any, **_: Any) -> None:
        if model.name == "TransactWriteItems":
            parsed.pop("CancellationReasons", None)

    aws.meta.events.register("after-call.dynamodb", strip)
    try:
        assert ledger.claim(["n", "d", "b"], 30_000) == ["new", "done", "busy"]
    finally:
        aws.meta.events.unregister("after-call.dynamodb", strip)
    assert calls.take() == {"TransactWriteItems": 2, "BatchGetItem": 1}


def test_duplicate_and_invalid_keys(ledger: Any) -> None:
    answers = ledger.claim(["k", "k", ""], 30_000)
    assert answers[:2] == ["new", "new"] and isinstance(answers[2], Exception)
    assert ledger.complete(["k", "k"]) == []


def test_store_errors_are_reported_per_key(aws: Any) -> None:
    from fleet.runtime.idempotency import BatchLedger

    broken = BatchLedger("no-such-table", PROCESSOR, 3600, client=aws)
    answers = broken.claim(["a", "b"], 30_000)
    assert len(answers) == 2 and all(isinstance(a, Exception) for a in answers)
    assert len(broken.complete(["a", "b"])) == 2
    assert len(broken.release(["a", "b"])) == 2


def test_the_environment_picks_the_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    from fleet.runtime import aws as runtime_aws
    from fleet.runtime.idempotency import BatchLedger, PowertoolsLedger, ledger_from_env

    for key, value in {"IDEMPOTENCY_TABLE": "t", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("POWERTOOLS_IDEMPOTENCY_DISABLED", raising=False)
    monkeypatch.delenv("IDEMPOTENCY_MODE", raising=False)
    runtime_aws.reset()
    try:
        assert isinstance(ledger_from_env("p", 60), BatchLedger)
        monkeypatch.setenv("IDEMPOTENCY_MODE", "powertools")
        assert isinstance(ledger_from_env("p", 60), PowertoolsLedger)
        monkeypatch.setenv("IDEMPOTENCY_MODE", "other")
        with pytest.raises(RuntimeError, match="IDEMPOTENCY_MODE"):
            ledger_from_env("p", 60)
    finally:
        runtime_aws.reset()
