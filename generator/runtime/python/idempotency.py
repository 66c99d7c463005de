"""Redelivery made harmless: Powertools idempotency, keyed on the CloudEvents identity.

The keys a ledger gets are opaque strings; the stream runner passes each event's identity,
`stream.identity(source, id)` (the JSON array `["<source>","<id>"]`), so the same `id` from
two sources is two events. Records live in Powertools' `DynamoDBPersistenceLayer` table (key
`id`, TTL `expiration`; key format `<function>.<processor>#<md5 of the key>`, Powertools' own
hashing; attributes `status`, `in_progress_expiration`, `data`). Records written when the key
was the bare `id` keep that format but are never matched again; they expire on their TTL. A claim is a conditional put that fails when the event is COMPLETED, or IN PROGRESS and
its lock not expired; completing sets COMPLETED; releasing after a failure deletes the record so
a retry can claim it again.

`BatchLedger` (the default) does this a batch at a time: one `TransactWriteItems` claims up to
100 events, one more completes them. `PowertoolsLedger` drives Powertools' public state machine
one event at a time (`save_inprogress`, `save_success`, `delete_record`) on a small thread pool.
Both write the same records. `NullLedger` claims everything (idempotency off).
"""

from __future__ import annotations

import os as _os
import typing as _t

if _t.TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from mypy_boto3_dynamodb.client import DynamoDBClient

Claim = _t.Literal["new", "done", "busy"]
"""new: claimed, apply it; done: applied before, skip it; busy: in progress elsewhere, retry."""

DISABLED_ENV = "POWERTOOLS_IDEMPOTENCY_DISABLED"
MODE_ENV = "IDEMPOTENCY_MODE"


class Ledger(_t.Protocol):
    """What the stream runner needs from an idempotency store."""

    def claim(self, keys: _t.Sequence[str], remaining_ms: int | None) -> list[Claim | Exception]:
        """One answer per key, in order; an Exception when the store failed for that key."""
        ...

    def complete(self, keys: _t.Sequence[str]) -> list[Exception]:
        """Mark applied; returns the errors (the events stay claimed until they expire)."""
        ...

    def release(self, keys: _t.Sequence[str]) -> list[Exception]:
        """Forget claims of events that were not applied; returns the errors."""
        ...


class NullLedger:
    """Every event is new; nothing is recorded."""

    def claim(self, keys: _t.Sequence[str], remaining_ms: int | None) -> list[Claim | Exception]:
        return ["new" for _ in keys]

    def complete(self, keys: _t.Sequence[str]) -> list[Exception]:
        return []

    def release(self, keys: _t.Sequence[str]) -> list[Exception]:
        return []


class PowertoolsLedger:
    """Idempotency records in the Powertools table `table_name`, namespaced by processor."""

    def __init__(
        self,
        table_name: str,
        processor: str,
        expires_after_seconds: int,
        client: DynamoDBClient | None = None,
        workers: int = 8,
        function: str | None = None,
    ) -> None:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
        )

        from .aws import dynamodb_client

        self.persistence: DynamoDBPersistenceLayer = DynamoDBPersistenceLayer(
            table_name=table_name, boto3_client=client or dynamodb_client()
        )
        config = IdempotencyConfig(
            event_key_jmespath="id",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=expires_after_seconds,
        )
        self.persistence.configure(
            config, function_name=processor, key_prefix=key_prefix(function, processor)
        )
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None

    def _map(self, fn: _t.Callable[[str], _t.Any], keys: _t.Sequence[str]) -> list[_t.Any]:
        def guarded(key: str) -> _t.Any:
            try:
                return fn(key)
            except Exception as exc:  # reported per key; the caller decides what fails
                return exc

        if len(keys) <= 1:
            return [guarded(k) for k in keys]
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="idempotency")
        return list(self._pool.map(guarded, keys))

    def claim(self, keys: _t.Sequence[str], remaining_ms: int | None) -> list[Claim | Exception]:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyItemAlreadyExistsError,
            IdempotencyItemNotFoundError,
        )

        def one(key: str) -> Claim:
            data = {"id": key}
            try:
                self.persistence.save_inprogress(data=data, remaining_time_in_millis=remaining_ms)
                return "new"
            except IdempotencyItemAlreadyExistsError as exc:
                record = exc.old_data_record
                if record is None:
                    try:
                        record = self.persistence.get_record(data=data)
                    except IdempotencyItemNotFoundError:
                        return "busy"  # released between our put and get: retry later
                return "done" if record is not None and record.status == "COMPLETED" else "busy"

        return self._map(one, keys)

    def complete(self, keys: _t.Sequence[str]) -> list[Exception]:
        def one(key: str) -> None:
            self.persistence.save_success(data={"id": key}, result={"applied": True})

        return [r for r in self._map(one, keys) if isinstance(r, Exception)]

    def release(self, keys: _t.Sequence[str]) -> list[Exception]:
        def one(key: str) -> None:
            self.persistence.delete_record(data={"id": key}, exception=RuntimeError("not applied"))

        return [r for r in self._map(one, keys) if isinstance(r, Exception)]


class BatchLedger:
    """Powertools' idempotency records, claimed and completed a batch at a time.

    The records are the ones `PowertoolsLedger` writes (same keys, from Powertools' own hashing;
    same attributes and condition), so the two interoperate. Per up to 100 keys, `claim` is one
    `TransactWriteItems` of conditional Puts; when it is cancelled, `CancellationReasons` (with the
    old item, `ReturnValuesOnConditionCheckFailure=ALL_OLD`) tell which keys are done or busy, a
    consistent `BatchGetItem` fills in what the reasons leave out, and the transaction is retried
    for the rest (at most `attempts` times). `complete` writes the COMPLETED records with
    `BatchWriteItem` puts per 25 (what Powertools' unconditional `save_success` update leaves,
    the claim's lock included: half the write capacity of a transaction), `release` deletes them
    the same way; entries left unprocessed are sent again with backoff.
    """

    CHUNK = 100
    WRITE_CHUNK = 25

    def __init__(
        self,
        table_name: str,
        processor: str,
        expires_after_seconds: int,
        client: DynamoDBClient | None = None,
        attempts: int = 4,
        function: str | None = None,
    ) -> None:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
        )

        from .aws import dynamodb_client

        self.client: DynamoDBClient = client or dynamodb_client()
        self.table_name = table_name
        self.persistence: DynamoDBPersistenceLayer = DynamoDBPersistenceLayer(
            table_name=table_name, boto3_client=self.client
        )
        config = IdempotencyConfig(
            event_key_jmespath="id",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=expires_after_seconds,
        )
        self.persistence.configure(
            config, function_name=processor, key_prefix=key_prefix(function, processor)
        )
        self.expires_after_seconds = expires_after_seconds
        self.attempts = attempts
        # The lock each claimed record was written with, kept until it is completed/released.
        self._locks: dict[str, dict[str, _t.Any]] = {}
        p = self.persistence
        self._names = {
            "#id": p.key_attr,
            "#expiry": p.expiry_attr,
            "#in_progress_expiry": p.in_progress_expiry_attr,
            "#status": p.status_attr,
        }

    def record_key(self, key: str) -> str:
        """The `id` Powertools gives the event `key` (`<function>.<processor>#<md5>`)."""
        hashed = self.persistence._get_hashed_idempotency_key({"id": key})
        if hashed is None:  # only when raise_on_no_idempotency_key is off
            raise ValueError(f"no idempotency key for {key!r}")
        return hashed

    def _hash_all(self, keys: _t.Sequence[str]) -> list[str | Exception]:
        out: list[str | Exception] = []
        for key in keys:
            try:
                out.append(self.record_key(key))
            except Exception as exc:  # e.g. an empty id: that key fails, not the batch
                out.append(exc)
        return out

    # claim

    def claim(self, keys: _t.Sequence[str], remaining_ms: int | None) -> list[Claim | Exception]:
        hashed = self._hash_all(keys)
        answers: dict[str, Claim | Exception] = {}
        unique = list(dict.fromkeys(h for h in hashed if isinstance(h, str)))
        for start in range(0, len(unique), self.CHUNK):
            answers.update(self._claim_chunk(unique[start : start + self.CHUNK], remaining_ms))
        return [h if isinstance(h, Exception) else answers[h] for h in hashed]

    def _claimable(self, item: dict[str, _t.Any], now: float) -> bool:
        """Powertools' put condition, evaluated on an item read back."""
        p = self.persistence
        expiry = item.get(p.expiry_attr, {}).get("N")
        if expiry is not None and int(expiry) < int(now):
            return True
        status = item.get(p.status_attr, {}).get("S")
        lock = item.get(p.in_progress_expiry_attr, {}).get("N")
        return status == "INPROGRESS" and lock is not None and int(lock) < int(now * 1000)

    def _state(self, item: dict[str, _t.Any]) -> Claim:
        status = item.get(self.persistence.status_attr, {}).get("S")
        return "done" if status == "COMPLETED" else "busy"

    def _claim_chunk(
        self, keys: list[str], remaining_ms: int | None
    ) -> dict[str, Claim | Exception]:
        import time

        from botocore.exceptions import ClientError

        p = self.persistence
        answers: dict[str, Claim | Exception] = {}
        pending = keys
        last: Exception | None = None
        for attempt in range(self.attempts):
            if not pending:
                break
            if attempt:
                time.sleep(min(0.05 * 2**attempt, 0.5))
            now = time.time()
            item: dict[str, _t.Any] = {
                p.expiry_attr: {"N": str(int(now + self.expires_after_seconds))},
                p.status_attr: {"S": "INPROGRESS"},
            }
            if remaining_ms is not None:
                item[p.in_progress_expiry_attr] = {
                    "N": str(int((now + remaining_ms / 1000) * 1000))
                }
            values = {
                ":now": {"N": str(int(now))},
                ":now_in_millis": {"N": str(int(now * 1000))},
                ":inprogress": {"S": "INPROGRESS"},
            }
            puts: list[dict[str, _t.Any]] = [
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": {p.key_attr: {"S": key}, **item},
                        "ConditionExpression": _PUT_CONDITION,
                        "ExpressionAttributeNames": self._names,
                        "ExpressionAttributeValues": values,
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
                for key in pending
            ]
            try:
                self.client.transact_write_items(TransactItems=_t.cast(_t.Any, puts))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    return {**answers, **{k: exc for k in pending}}
                last = exc
                reasons: list[dict[str, _t.Any]] = list(
                    _t.cast(_t.Any, exc.response).get("CancellationReasons") or []
                )
                if len(reasons) != len(pending):  # no reasons: look every key up
                    reasons = [{"Code": "ConditionalCheckFailed"} for _ in pending]
                lookup: list[str] = []
                retry: list[str] = []
                for key, reason in zip(pending, reasons, strict=True):
                    if reason.get("Code") != "ConditionalCheckFailed":
                        retry.append(key)  # None (cancelled by others), conflicts, throttling
                    elif "Item" in reason and not self._claimable(reason["Item"], now):
                        answers[key] = self._state(reason["Item"])
                    else:
                        lookup.append(key)
                if lookup:
                    try:
                        found = self._get_many(lookup)
                    except Exception as err:
                        return {**answers, **{k: err for k in retry + lookup}}
                    now = time.time()
                    for key in lookup:
                        old = found.get(key)
                        if old is None or self._claimable(old, now):
                            retry.append(key)  # released or expired meanwhile: try again
                        else:
                            answers[key] = self._state(old)
                order = {k: i for i, k in enumerate(pending)}
                pending = sorted(retry, key=order.__getitem__)
                continue
            except Exception as exc:
                return {**answers, **{k: exc for k in pending}}
            answers.update((k, "new") for k in pending)
            if p.in_progress_expiry_attr in item:
                if len(self._locks) > 10_000:  # claims never settled: forget, don't grow
                    self._locks.clear()
                lock = item[p.in_progress_expiry_attr]
                self._locks.update((k, lock) for k in pending)
            pending = []
        for key in pending:
            answers[key] = RuntimeError(
                f"idempotency claim not settled after {self.attempts} attempts: {last}"
            )
        return answers

    def _get_many(self, keys: list[str]) -> dict[str, dict[str, _t.Any]]:
        """The current items of `keys` (consistent reads; unprocessed keys asked again)."""
        import time

        key_attr = self.persistence.key_attr
        found: dict[str, dict[str, _t.Any]] = {}
        for start in range(0, len(keys), self.CHUNK):
            request: dict[str, _t.Any] = {
                self.table_name: {
                    "Keys": [{key_attr: {"S": k}} for k in keys[start : start + self.CHUNK]],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(self.attempts + 4):
                if attempt:
                    time.sleep(min(0.02 * 2**attempt, 0.5))
                response = self.client.batch_get_item(RequestItems=_t.cast(_t.Any, request))
                for item in response.get("Responses", {}).get(self.table_name, []):
                    found[item[key_attr]["S"]] = dict(item)
                request = dict(response.get("UnprocessedKeys") or {})
                if not request:
                    break
            else:
                raise RuntimeError("BatchGetItem left keys unprocessed")
        return found

    # complete, release

    def complete(self, keys: _t.Sequence[str]) -> list[Exception]:
        import json
        import time

        p = self.persistence
        errors: list[Exception] = []
        hashed = self._hash_all(keys)
        errors.extend(h for h in hashed if isinstance(h, Exception))
        unique = list(dict.fromkeys(h for h in hashed if isinstance(h, str)))
        record = {
            p.expiry_attr: {"N": str(int(time.time() + self.expires_after_seconds))},
            p.status_attr: {"S": "COMPLETED"},
            p.data_attr: {"S": json.dumps({"applied": True}, sort_keys=True)},
        }
        puts = []
        for key in unique:
            item = {p.key_attr: {"S": key}, **record}
            lock = self._locks.pop(key, None)
            if lock is not None:
                item[p.in_progress_expiry_attr] = lock
            puts.append({"PutRequest": {"Item": item}})
        return errors + self._write_all(puts)

    def release(self, keys: _t.Sequence[str]) -> list[Exception]:
        key_attr = self.persistence.key_attr
        errors: list[Exception] = []
        hashed = self._hash_all(keys)
        errors.extend(h for h in hashed if isinstance(h, Exception))
        unique = list(dict.fromkeys(h for h in hashed if isinstance(h, str)))
        for key in unique:
            self._locks.pop(key, None)
        deletes = [{"DeleteRequest": {"Key": {key_attr: {"S": k}}}} for k in unique]
        return errors + self._write_all(deletes)

    def _write_all(self, requests: list[dict[str, _t.Any]]) -> list[Exception]:
        """`BatchWriteItem` of `requests` per 25, unprocessed ones sent again with backoff.

        One exception per request that was not written (the call's error, or "unprocessed").
        """
        import time

        errors: list[Exception] = []
        for start in range(0, len(requests), self.WRITE_CHUNK):
            chunk = requests[start : start + self.WRITE_CHUNK]
            request: dict[str, _t.Any] = {self.table_name: chunk}
            try:
                for attempt in range(self.attempts + 4):
                    if attempt:
                        time.sleep(min(0.02 * 2**attempt, 0.5))
                    response = self.client.batch_write_item(RequestItems=_t.cast(_t.Any, request))
                    request = dict(response.get("UnprocessedItems") or {})
                    if not request:
                        break
                else:
                    left = sum(len(v) for v in request.values())
                    errors.extend(
                        RuntimeError("BatchWriteItem left the write unprocessed")
                        for _ in range(left)
                    )
            except Exception as exc:
                errors.extend(exc for _ in chunk)
        return errors


_PUT_CONDITION = (
    "attribute_not_exists(#id) OR #expiry < :now OR "
    "(#status = :inprogress AND attribute_exists(#in_progress_expiry) "
    "AND #in_progress_expiry < :now_in_millis)"
)


def key_prefix(function: str | None, processor: str) -> str | None:
    """The prefix of every record key: `<function>.<processor>`, Powertools' own format.

    Powertools reads the function's name from `AWS_LAMBDA_FUNCTION_NAME`; `function` (the
    invocation context's `function_name`, the same name in Lambda) wins when given, because a
    process that runs several functions (gen dev) has one environment for all of them. None
    leaves Powertools' default (the variable, else `test-func`).
    """
    return None if not function else f"{function}.{processor}"


def ledger_from_env(
    processor: str, expires_after_seconds: int, function: str | None = None
) -> Ledger:
    """The ledger the environment asks for: IDEMPOTENCY_TABLE, or none when disabled.

    `IDEMPOTENCY_MODE`: `batch` (the default, `BatchLedger`) or `powertools` (`PowertoolsLedger`,
    Powertools' own calls, one event at a time); both write the same records. `function` names
    the function in the record keys (`key_prefix`).
    """
    if _os.environ.get(DISABLED_ENV, "").lower() in ("1", "true", "yes"):
        return NullLedger()
    table = _os.environ.get("IDEMPOTENCY_TABLE")
    if not table:
        raise RuntimeError(
            f"IDEMPOTENCY_TABLE is not set (set {DISABLED_ENV}=true to run without it)"
        )
    mode = _os.environ.get(MODE_ENV, "batch").lower()
    if mode == "powertools":
        return PowertoolsLedger(table, processor, expires_after_seconds, function=function)
    if mode != "batch":
        raise RuntimeError(f"{MODE_ENV} must be batch or powertools, not {mode!r}")
    return BatchLedger(table, processor, expires_after_seconds, function=function)
