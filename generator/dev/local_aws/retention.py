"""Memory bounded as AWS bounds it: Kinesis retention and DynamoDB Time to Live, in moto.

moto keeps every Kinesis record forever and never expires a DynamoDB item, so a long `gen dev`
grew without bound (~7 KB per event). `Retention(dynamodb, region, account)` does what the
services do, every `SWEEP_INTERVAL_S` on a thread (`start`/`stop`), or once with `sweep(now)`:

- Kinesis: a record older than its stream's retention period (``RetentionPeriodHours``, 24 by
  default) is dropped from its shard, as Kinesis trims it. The newest record of a shard is
  always kept, because moto numbers the next record after it (sequence numbers never go back,
  as in Kinesis). Runs under `kinesis_serial.KINESIS_LOCK`.
- DynamoDB: on a table with TTL enabled, an item whose TTL attribute (a number, epoch seconds)
  is in the past is deleted -- with a DeleteItem through `dynamodb` (a client of the local AWS)
  conditioned on the attribute still being in the past, so a concurrent rewrite wins and the
  delete is journaled like any write (`state.recorder`). AWS deletes within days; this within
  a sweep. Candidates are read from moto's backend (a list copy; a sweep that meets a table
  changing under it retries at the next sweep).
- moto itself: every moto model object ever created (each Kinesis record, each version of each
  DynamoDB item, each SQS message, ...) is also appended to its class's ``instances_tracked``
  list, for moto's dashboard (``/moto-api/data.json``), and only moto's reset empties them: so
  nothing trimmed, deleted or overwritten was ever freed -- most of the ~7 KB per event. Each
  sweep empties those lists with moto's own ``reset_model_data`` (the dashboard then lists what
  was created since; the services' state is untouched).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.dev.local_aws.kinesis_serial import KINESIS_LOCK

log = logging.getLogger(__name__)
SWEEP_INTERVAL_S = 60.0
_DELETE_BATCH = 1000  # per table per sweep: a sweep never holds the stack up for long


@dataclass(frozen=True)
class Swept:
    records: int
    items: int


class Retention:
    def __init__(self, dynamodb: Any, region: str, account: str, *,
                 interval_s: float = SWEEP_INTERVAL_S, clock: Callable[[], float] = time.time) -> None:
        self._dynamodb = dynamodb
        self._region = region
        self._account = account
        self._interval = interval_s
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.total = Swept(0, 0)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="gen-retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.sweep()
            except Exception as error:  # never take the stack down; say what happened
                log.warning("retention sweep failed: %s", error)

    def sweep(self, now: float | None = None) -> Swept:
        """One pass over every stream and every TTL table; what it removed."""
        moment = self._clock() if now is None else now
        swept = Swept(self.trim_streams(moment), self.expire_items(moment))
        release_tracked_instances()
        self.total = Swept(self.total.records + swept.records, self.total.items + swept.items)
        return swept

    def trim_streams(self, now: float) -> int:
        """Drop records past their stream's retention (the newest of a shard stays)."""
        from moto.kinesis.models import kinesis_backends

        trimmed = 0
        with KINESIS_LOCK:
            backend: Any = kinesis_backends[self._account][self._region]
            for stream in list(backend.streams.values()):
                horizon = now - float(stream.retention_period_hours) * 3600.0
                for shard in stream.shards.values():
                    records = shard.records
                    while len(records) > 1:
                        first = next(iter(records))
                        if records[first].created_at >= horizon:
                            break
                        del records[first]
                        trimmed += 1
        return trimmed

    def expire_items(self, now: float) -> int:
        from moto.dynamodb.models import dynamodb_backends

        backend: Any = dynamodb_backends[self._account][self._region]
        expired = 0
        for table in list(backend.tables.values()):
            ttl = table.ttl
            if ttl.get("TimeToLiveStatus") != "ENABLED" or not ttl.get("AttributeName"):
                continue
            attribute = ttl["AttributeName"]
            try:
                items = table.all_items()
            except RuntimeError:  # the table changed while it was read: next sweep
                continue
            for item in items:
                value = item.attrs.get(attribute)
                if value is None or value.type != "N":
                    continue
                try:
                    if float(value.value) >= now:
                        continue
                except ValueError:
                    continue
                if self._delete(table, item, attribute, now):
                    expired += 1
                    if expired % _DELETE_BATCH == 0:
                        time.sleep(0)  # let requests in between
        return expired

    def _delete(self, table: Any, item: Any, attribute: str, now: float) -> bool:
        key = {table.hash_key_attr: item.hash_key.to_json()}
        if table.range_key_attr:
            key[table.range_key_attr] = item.range_key.to_json()
        try:
            self._dynamodb.delete_item(
                TableName=table.name, Key=key,
                ConditionExpression="#ttl < :now",
                ExpressionAttributeNames={"#ttl": attribute},
                ExpressionAttributeValues={":now": {"N": repr(now)}},
            )
        except Exception as error:
            if "ConditionalCheckFailed" in str(error):
                return False  # rewritten meanwhile
            raise
        return True


def release_tracked_instances() -> None:
    """Forget moto's list of every model instance it created (see the module docstring)."""
    from moto.core.model_instances import reset_model_data

    reset_model_data()
