"""What became of each replayed record, and `--reapply`.

`Tally` wraps the processor's handler. The first time a record is delivered it looks up the
idempotency record of its event (the key the runtime's ledger gives its CloudEvents identity,
`source` + `id`) to know whether the event was applied before this replay; with `reapply` it
deletes that record instead (once per record, remembered in the checkpoint), so the event
applies again. When the worker settles a record: a failed one was counted by the failed log; an
event applied before, or a copy of one this replay applied, is a duplicate; any other is
applied; a record never delivered was skipped (not one of the types replayed).

The ledger is the project's own (`<package>.runtime.idempotency.BatchLedger`, imported from the
generated package like the handler), so keys are hashed exactly as the processor hashes them.
"""

from __future__ import annotations

import base64
import importlib
import json
import time
from collections.abc import Callable
from typing import Any

from generator.replay.checkpoint import Checkpoint, Totals

Handler = Callable[[dict[str, Any], Any], Any]


class Ledger:
    """The project's idempotency records of one processor: look up, delete."""

    def __init__(self, package: str, table: str, processor: str, function: str) -> None:
        idempotency = importlib.import_module(f"{package}.runtime.idempotency")
        stream = importlib.import_module(f"{package}.runtime.stream")
        # `function`: the name the handler's context carries, which the runtime's keys start with
        self._ledger = idempotency.BatchLedger(table, processor, 3600, function=function)
        self._identity: Callable[[str, str], str] = stream.identity

    def key(self, data: bytes) -> str | None:
        """The hashed idempotency key of a record's event; None when it has no identity."""
        try:
            event = json.loads(data)
            source, ident = event["source"], event["id"]
            if not isinstance(source, str) or not isinstance(ident, str) or not ident:
                return None
            key: str = self._ledger.record_key(self._identity(source, ident))
            return key
        except (ValueError, KeyError, TypeError):
            return None

    def applied(self, keys: list[str]) -> set[str]:
        """The keys whose events are recorded as applied (COMPLETED and not expired)."""
        client, table = self._ledger.client, self._ledger.table_name
        persistence = self._ledger.persistence
        found: set[str] = set()
        now = time.time()
        for start in range(0, len(keys), 100):
            request: Any = {table: {"Keys": [{persistence.key_attr: {"S": k}}
                                             for k in sorted(set(keys[start:start + 100]))],
                                    "ConsistentRead": True}}
            while request:
                answer = client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(table, []):
                    expiry = item.get(persistence.expiry_attr, {}).get("N")
                    status = item.get(persistence.status_attr, {}).get("S")
                    if status == "COMPLETED" and (expiry is None or int(expiry) >= now):
                        found.add(item[persistence.key_attr]["S"])
                request = answer.get("UnprocessedKeys") or None
        return found

    def forget(self, keys: list[str]) -> None:
        """Delete the records of `keys` (`--reapply`); raises when the store refuses."""
        client, table = self._ledger.client, self._ledger.table_name
        attr = self._ledger.persistence.key_attr
        for start in range(0, len(keys), 25):
            request: Any = {table: [{"DeleteRequest": {"Key": {attr: {"S": k}}}}
                                    for k in sorted(set(keys[start:start + 25]))]}
            while request:
                request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None


class Tally:
    """The handler the worker invokes (see the module docstring); `totals` is this run's."""

    def __init__(self, handler: Handler, ledger: Ledger | None, checkpoint: Checkpoint,
                 reapply: bool) -> None:
        self._handler = handler
        self._ledger = ledger
        self._checkpoint = checkpoint
        self._reapply = reapply
        self.totals = Totals()
        self.reasons: dict[str, str] = {}  # sequence number -> why its last delivery failed
        self._first: dict[str, tuple[str | None, bool]] = {}  # seq -> (key, applied before)
        self._failed: set[str] = set()
        self._applied_keys: set[str] = set()

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        records = event.get("Records") or []
        seqs = [r["kinesis"]["sequenceNumber"] for r in records]
        self._observe([(seq, r) for seq, r in zip(seqs, records, strict=True)
                       if seq not in self._first])
        try:
            response = self._handler(event, context)
        except Exception as exc:
            for seq in seqs:
                self.reasons[seq] = f"{type(exc).__name__}: {exc}"
            raise
        if isinstance(response, dict):
            for failure in response.get("batchItemFailures") or []:
                seq = str(failure.get("itemIdentifier"))
                self.reasons[seq] = "reported failed by the processor (batchItemFailures)"
        return response

    def _observe(self, fresh: list[tuple[str, dict[str, Any]]]) -> None:
        if not fresh:
            return
        keys = {seq: self._key(record) for seq, record in fresh}
        known = [k for k in keys.values() if k is not None]
        before: set[str] = set()
        if self._ledger is not None and known:
            forgotten = self._reapply_keys(fresh, keys) if self._reapply else set()
            rest = [k for k in known if k not in forgotten]
            before = self._ledger.applied(rest) if rest else set()
        for seq, key in keys.items():
            self._first[seq] = (key, key in before)

    def _reapply_keys(self, fresh: list[tuple[str, dict[str, Any]]],
                      keys: dict[str, str | None]) -> set[str]:
        """Delete the records of the events not deleted before; the keys deleted."""
        assert self._ledger is not None and self._checkpoint.feed is not None
        state = self._checkpoint.state
        positions = self._checkpoint.feed.positions
        newer = [(positions[seq][0], key) for seq, _ in fresh
                 if (key := keys[seq]) is not None and seq in positions]
        # A resumed replay deleted these already; deleting again would re-apply what it applied.
        newer = [(p, k) for p, k in newer if state.reapplied is None or p > state.reapplied]
        if newer:
            self._ledger.forget([k for _, k in newer])
            state.reapplied = max(p for p, _ in newer)
            self._checkpoint.save()
        return {k for _, k in newer}

    def _key(self, record: dict[str, Any]) -> str | None:
        if self._ledger is None:
            return None
        try:
            data = base64.b64decode(record["kinesis"]["data"])
        except (KeyError, ValueError, TypeError):
            return None
        return self._ledger.key(data)

    def failed(self, seqs: list[str]) -> None:
        self._failed.update(seqs)
        self.totals.failed += len(seqs)

    def settled(self, seqs: list[str]) -> None:
        for seq in seqs:
            if seq in self._failed:
                self._failed.discard(seq)
                continue
            first = self._first.pop(seq, None)
            self.reasons.pop(seq, None)
            if first is None:
                self.totals.skipped += 1
                continue
            key, before = first
            if before or (key is not None and key in self._applied_keys):
                self.totals.duplicates += 1
            else:
                self.totals.applied += 1
                if key is not None:
                    self._applied_keys.add(key)
