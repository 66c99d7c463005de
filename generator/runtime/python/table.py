"""Typed DynamoDB table access: the base every generated `<Name>Table` class specialises.

Contract: items go in and come out as the table's model (`from_item` validates what is read);
`batch_write` sends chunks of 25 and `batch_get` chunks of 100, retrying unprocessed entries
with exponential backoff and raising `UnprocessedError` when they never go through; conditional
writes return False when the condition fails instead of raising. `update_each` applies many
conditional updates with the outcome of one `update` per change, in TransactWriteItems of up to
100 (one round trip instead of a hundred, for twice the write capacity per item). Update and condition paths
must name attributes of the item schema, and top-level SET values are validated against the
field's type before anything is sent. The boto3 client is created on first use, never at import.
"""

from __future__ import annotations

import time as _time
import typing as _t

import msgspec as _msgspec

from . import marshal as _marshal
from .aws import dynamodb_client as _dynamodb_client
from .expr import Compiler as _Compiler
from .expr import Condition, KeyRange, Update

if _t.TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

T = _t.TypeVar("T", bound=_msgspec.Struct)
Key = dict[str, _t.Any]

WRITE_CHUNK = 25
READ_CHUNK = 100
TRANSACT_CHUNK = 100
ATTEMPTS = 8
BACKOFF_SECONDS = 0.05


class UnprocessedError(RuntimeError):
    """A batch request still had unprocessed entries after every retry."""

    def __init__(self, table: str, what: str, count: int) -> None:
        super().__init__(f"{table}: {count} {what} still unprocessed after {ATTEMPTS} attempts")
        self.count = count


class Page(_t.Generic[T]):
    """One page of a Query or Scan; `next_key` (plain values) continues it, None at the end."""

    __slots__ = ("items", "next_key")

    def __init__(self, items: list[T], next_key: Key | None) -> None:
        self.items = items
        self.next_key = next_key

    def __iter__(self) -> _t.Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _is_conditional_failure(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code == "ConditionalCheckFailedException"


def _cancellation_reasons(exc: Exception) -> list[dict[str, _t.Any]] | None:
    """The per-item reasons of a cancelled transaction; None for any other error."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    if response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    return list(response.get("CancellationReasons") or [])


# A transaction cancelled only for these reasons is sent again (after a pause), unchanged.
_TRANSIENT = frozenset(
    {
        "None",
        "TransactionConflict",
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
        "RequestLimitExceeded",
    }
)


def _sleep(attempt: int) -> None:
    _time.sleep(min(BACKOFF_SECONDS * (2**attempt), 2.0))


class Table(_t.Generic[T]):
    """Access to one physical table holding items of model `T`."""

    item_type: type[T]
    key_names: tuple[str, ...]

    def __init__(self, name: str, client: DynamoDBClient | None = None) -> None:
        self.name = name
        self._client = client
        fields = _msgspec.structs.fields(self.item_type)
        self._field_types: dict[str, _t.Any] = {f.encode_name: f.type for f in fields}

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = _dynamodb_client()
        return self._client

    def _call(self, operation: str, **request: _t.Any) -> dict[str, _t.Any]:
        """One DynamoDB API call by its Python name, with a request built as plain dicts."""
        answer: dict[str, _t.Any] = getattr(self.client, operation)(**request)
        return answer

    def _decode(self, item: _t.Mapping[str, _marshal.AttributeValue]) -> T:
        return _marshal.from_item(item, self.item_type)

    def _key(self, values: Key) -> dict[str, _marshal.AttributeValue]:
        return {k: _marshal.to_attr(v) for k, v in values.items()}

    def key_of(self, item: T) -> Key:
        """The key attributes of `item` as plain values."""
        values = _marshal.plain(item)
        assert isinstance(values, dict)
        return {k: values[k] for k in self.key_names}

    def _get(self, key: Key, consistent: bool) -> T | None:
        answer = self._call(
            "get_item", TableName=self.name, Key=self._key(key), ConsistentRead=consistent
        )
        item = answer.get("Item")
        return None if item is None else self._decode(item)

    def put(self, item: T, *, condition: Condition | None = None) -> bool:
        """Write the whole item; False when `condition` does not hold (nothing written)."""
        request: dict[str, _t.Any] = {"TableName": self.name, "Item": _marshal.to_item(item)}
        if condition is not None:
            self._check_paths(condition.paths())
            compiler = _Compiler()
            request["ConditionExpression"] = compiler.condition(condition)
            request.update(compiler.params())
        return self._conditional("put_item", request)

    def _update_request(
        self, key: Key, update: Update, condition: Condition | None
    ) -> dict[str, _t.Any]:
        self._check_update(update)
        compiler = _Compiler()
        request: dict[str, _t.Any] = {
            "TableName": self.name,
            "Key": self._key(key),
            "UpdateExpression": compiler.update(update),
        }
        if condition is not None:
            self._check_paths(condition.paths())
            request["ConditionExpression"] = compiler.condition(condition)
        request.update(compiler.params())
        return request

    def _update(self, key: Key, update: Update, condition: Condition | None) -> bool:
        return self._conditional("update_item", self._update_request(key, update, condition))

    def _update_each(
        self, changes: _t.Iterable[tuple[_t.Any, Update, Condition | None]]
    ) -> list[bool]:
        """Each change applied exactly when its condition holds; one answer per change, in order.

        A change's key is the partition key's value, or a (partition, sort) tuple.

        Changes go in TransactWriteItems of up to 100. A transaction is all or nothing, so when
        one is cancelled the changes whose condition failed (per `CancellationReasons`) are
        answered False and the others are sent again; one cancelled only by conflicts or
        throttling is sent again after a pause (`UnprocessedError` when that never ends). Two
        changes may not name the same key (ValueError, nothing sent), as DynamoDB requires.
        """
        requests: list[dict[str, _t.Any]] = []
        keys: set[tuple[str, ...]] = set()
        composite = len(self.key_names) > 1
        for value, update, condition in changes:
            key = dict(zip(self.key_names, value if composite else (value,), strict=True))
            request = self._update_request(key, update, condition)
            ident = tuple(repr(request["Key"][k]) for k in self.key_names)
            if ident in keys:
                raise ValueError(f"{self.name}: update_each names the key {value!r} twice")
            keys.add(ident)
            requests.append(request)
        answers = [False] * len(requests)
        for start in range(0, len(requests), TRANSACT_CHUNK):
            chunk = list(range(start, min(start + TRANSACT_CHUNK, len(requests))))
            self._transact_updates(requests, chunk, answers)
        return answers

    def _transact_updates(
        self, requests: list[dict[str, _t.Any]], pending: list[int], answers: list[bool]
    ) -> None:
        stalled = 0
        while pending:
            try:
                self._call(
                    "transact_write_items", TransactItems=[{"Update": requests[i]} for i in pending]
                )
            except Exception as exc:
                reasons = _cancellation_reasons(exc)
                if reasons is None or len(reasons) != len(pending):
                    raise
                codes = [str(r.get("Code")) for r in reasons]
                if any(c != "ConditionalCheckFailed" and c not in _TRANSIENT for c in codes):
                    raise
                kept = [
                    i for i, c in zip(pending, codes, strict=True) if c != "ConditionalCheckFailed"
                ]
                if len(kept) == len(pending):  # conflicts or throttling only: pause, then again
                    if stalled == ATTEMPTS - 1:
                        raise UnprocessedError(
                            self.name, "conditional updates", len(pending)
                        ) from exc
                    _sleep(stalled)
                    stalled += 1
                pending = kept
                continue
            for i in pending:
                answers[i] = True
            return

    def _delete(self, key: Key, condition: Condition | None) -> bool:
        request: dict[str, _t.Any] = {"TableName": self.name, "Key": self._key(key)}
        if condition is not None:
            self._check_paths(condition.paths())
            compiler = _Compiler()
            request["ConditionExpression"] = compiler.condition(condition)
            request.update(compiler.params())
        return self._conditional("delete_item", request)

    def _conditional(self, operation: str, request: dict[str, _t.Any]) -> bool:
        try:
            self._call(operation, **request)
        except Exception as exc:
            if _is_conditional_failure(exc):
                return False
            raise
        return True

    def _check_paths(self, paths: _t.Iterable[_t.Any]) -> None:
        for path in paths:
            if path.top not in self._field_types:
                raise ValueError(
                    f"{self.name}: '{path.top}' is not an attribute of the item schema"
                )

    def _check_update(self, update: Update) -> None:
        if not update:
            raise ValueError(f"{self.name}: empty update")
        self._check_paths(path for _, path, _ in update.actions)
        for kind, path, value in update.actions:
            if kind in ("set", "set_default") and len(path.parts) == 1:
                field_type = self._field_types[path.top]
                _msgspec.convert(_marshal.plain(value), field_type)

    def _query(
        self,
        index: str | None,
        partition: tuple[str, object],
        sort: tuple[str, KeyRange[_t.Any]] | None,
        *,
        descending: bool,
        limit: int | None,
        start: Key | None,
        filter: Condition | None,
        consistent: bool,
    ) -> Page[T]:
        compiler = _Compiler()
        key_cond = KeyRange.eq(partition[1]).condition(partition[0])
        if sort is not None:
            key_cond = key_cond & sort[1].condition(sort[0])
        request: dict[str, _t.Any] = {
            "TableName": self.name,
            "KeyConditionExpression": compiler.condition(key_cond),
            "ScanIndexForward": not descending,
        }
        if index is not None:
            request["IndexName"] = index
        elif consistent:
            request["ConsistentRead"] = True
        return self._page("query", request, compiler, limit, start, filter)

    def scan(
        self,
        *,
        filter: Condition | None = None,
        limit: int | None = None,
        start: Key | None = None,
        consistent: bool = False,
    ) -> Page[T]:
        """One page of a Scan (`limit` items examined at most), optionally filtered."""
        request: dict[str, _t.Any] = {"TableName": self.name}
        if consistent:
            request["ConsistentRead"] = True
        return self._page("scan", request, _Compiler(), limit, start, filter)

    def scan_all(self, *, filter: Condition | None = None, page_size: int = 100) -> _t.Iterator[T]:
        """Every item of the table (matching `filter`), reading page after page."""
        start: Key | None = None
        while True:
            page = self.scan(filter=filter, limit=page_size, start=start)
            yield from page.items
            if page.next_key is None:
                return
            start = page.next_key

    def _page(
        self,
        operation: str,
        request: dict[str, _t.Any],
        compiler: _Compiler,
        limit: int | None,
        start: Key | None,
        filter: Condition | None,
    ) -> Page[T]:
        if filter is not None:
            self._check_paths(filter.paths())
            request["FilterExpression"] = compiler.condition(filter)
        request.update(compiler.params())
        if limit is not None:
            request["Limit"] = limit
        if start is not None:
            request["ExclusiveStartKey"] = self._key(start)
        answer = self._call(operation, **request)
        items = [self._decode(item) for item in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        next_key = {k: _marshal.from_attr(v) for k, v in last.items()} if last else None
        return Page(items, next_key)

    def batch_write(self, puts: _t.Iterable[T] = (), deletes: _t.Iterable[Key] = ()) -> int:
        """Put and delete many items in chunks of 25; returns how many requests were sent.

        Later requests for the same key replace earlier ones (one BatchWriteItem may not name
        a key twice). Unprocessed items are retried with backoff.
        """
        requests: dict[tuple[str, ...], dict[str, _t.Any]] = {}
        for item in puts:
            marshalled = _marshal.to_item(item)
            ident = tuple(repr(marshalled[k]) for k in self.key_names)
            requests.pop(ident, None)
            requests[ident] = {"PutRequest": {"Item": marshalled}}
        for key in deletes:
            attrs = self._key(key)
            ident = tuple(repr(attrs[k]) for k in self.key_names)
            requests.pop(ident, None)
            requests[ident] = {"DeleteRequest": {"Key": attrs}}
        pending = list(requests.values())
        for start in range(0, len(pending), WRITE_CHUNK):
            self._write_chunk(pending[start : start + WRITE_CHUNK])
        return len(pending)

    def _write_chunk(self, chunk: list[dict[str, _t.Any]]) -> None:
        for attempt in range(ATTEMPTS):
            answer = self._call("batch_write_item", RequestItems={self.name: chunk})
            chunk = list(answer.get("UnprocessedItems", {}).get(self.name, []))
            if not chunk:
                return
            _sleep(attempt)
        raise UnprocessedError(self.name, "write requests", len(chunk))

    def _batch_get(self, keys: _t.Iterable[Key], consistent: bool) -> list[T]:
        unique: dict[tuple[str, ...], dict[str, _marshal.AttributeValue]] = {}
        for key in keys:
            attrs = self._key(key)
            unique[tuple(repr(attrs[k]) for k in self.key_names)] = attrs
        pending = list(unique.values())
        found: list[T] = []
        for start in range(0, len(pending), READ_CHUNK):
            found.extend(self._read_chunk(pending[start : start + READ_CHUNK], consistent))
        return found

    def _read_chunk(self, keys: list[dict[str, _t.Any]], consistent: bool) -> list[T]:
        found: list[T] = []
        for attempt in range(ATTEMPTS):
            request = {self.name: {"Keys": keys, "ConsistentRead": consistent}}
            answer = self._call("batch_get_item", RequestItems=request)
            found.extend(self._decode(i) for i in answer.get("Responses", {}).get(self.name, []))
            keys = list(answer.get("UnprocessedKeys", {}).get(self.name, {}).get("Keys", []))
            if not keys:
                return found
            _sleep(attempt)
        raise UnprocessedError(self.name, "keys", len(keys))
