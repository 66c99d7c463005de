"""Replay a snapshot and the journal after it into a fresh local AWS, before any poller starts.

`restore(state, current_keys, transport, clients, region, account)` reads ``DIR/snapshot.jsonl``
(if any) and the journal segments from the one the snapshot names on (`journal.read`), and
applies them in order: DynamoDB items put into moto's tables, Kinesis records injected into moto's
shards with their own sequence numbers and arrival times (so checkpoints stay valid), SQS
messages re-sent in order, S3 objects put back; then every journaled request re-sent as it was
(`transport`: the in-process call, no recorder installed yet), SQS deletes matched by message
id, checkpoints collected. It returns a `Restored`: the checkpoints, the tables that came back
(`gen dev` does not seed them again), counts and what was set aside.

A table whose key differs from the last run's (or that the spec removed) gets none of its old
items: they go to ``DIR/orphans/<time>-<table>.jsonl`` (items, and journaled requests that
wrote to it) and one warning line says so; the new table starts empty and is seeded. A request
moto now refuses (a stream or queue the spec removed) is counted and skipped, never fatal.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from generator.dev.local_aws.kinesis_serial import KINESIS_LOCK
from generator.dev.state import journal
from generator.dev.state.recorder import decode_body
from generator.dev.state.store import StateDir

log = logging.getLogger(__name__)
Transport = Callable[[str, str, list[tuple[str, str]], bytes], tuple[int, dict[str, str], bytes]]
_BATCH = 500


@dataclass
class Restored:
    checkpoints: dict[str, str] = field(default_factory=dict)
    tables: set[str] = field(default_factory=set)  # physical tables whose old items came back
    counts: dict[str, int] = field(default_factory=dict)
    orphaned: dict[str, int] = field(default_factory=dict)  # table -> items/requests set aside
    failed: int = 0  # journaled requests moto refused on replay
    found: bool = False  # was there any state at all

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


class _Orphans:
    """Lazily opened ``orphans/<time>-<table>.jsonl`` files."""

    def __init__(self, directory: Path, restored: Restored) -> None:
        self._directory = directory
        self._stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self._files: dict[str, TextIO] = {}
        self._restored = restored

    def put(self, table: str, record: Mapping[str, Any]) -> None:
        handle = self._files.get(table)
        if handle is None:
            self._directory.mkdir(parents=True, exist_ok=True)
            handle = (self._directory / f"{self._stamp}-{table}.jsonl").open("a", encoding="utf-8")
            self._files[table] = handle
        handle.write(json.dumps(record) + "\n")
        self._restored.orphaned[table] = self._restored.orphaned.get(table, 0) + 1

    def path(self, table: str) -> Path:
        return self._directory / f"{self._stamp}-{table}.jsonl"

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()


def _snapshot_lines(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _tables_of(entry: Mapping[str, Any]) -> tuple[str, Any] | None:
    """(operation, decoded body) of a journaled DynamoDB write, else None."""
    target = next((v for k, v in entry.get("h", []) if k.lower() == "x-amz-target"), "")
    if not target.startswith("DynamoDB_20120810."):
        return None
    try:
        return target.split(".", 1)[1], json.loads(decode_body(entry))
    except ValueError:
        return None


class _Replayer:
    def __init__(self, state: StateDir, current_keys: Mapping[str, list[list[str]]],
                 transport: Transport, clients: Mapping[str, Any], region: str, account: str,
                 endpoint_host: str) -> None:
        self.state = state
        self.current = current_keys
        self.transport = transport
        self.sqs = clients["sqs"]
        self.s3 = clients["s3"]
        self.region = region
        self.account = account
        self.host = endpoint_host
        self.out = Restored()
        self.orphans = _Orphans(state.orphans, self.out)
        self.set_aside: set[str] = set()  # tables whose old items are kept out
        self.message_ids: dict[str, str] = {}  # old SQS message id -> new
        self.queue_urls: dict[str, str] = {}
        self.pending_items: dict[str, list[Any]] = {}

    # --- the snapshot ------------------------------------------------------------------

    def layout(self, old: Mapping[str, list[list[str]]]) -> None:
        for table, keys in sorted(old.items()):
            now = self.current.get(table)
            if now is None:
                self.set_aside.add(table)
                log.warning("state: table %s is no longer in the spec: its items from the last run "
                            "are kept out, in %s", table, self.orphans.path(table))
            elif now != keys:
                self.set_aside.add(table)
                log.warning("state: table %s's key changed (%s -> %s): its items from the last run "
                            "are kept out of the new table, in %s; it starts from the seed",
                            table, _key_text(keys), _key_text(now), self.orphans.path(table))
            else:
                self.out.tables.add(table)

    def item(self, table: str, item: Any) -> None:
        if table in self.set_aside:
            self.orphans.put(table, {"item": item})
            return
        batch = self.pending_items.setdefault(table, [])
        batch.append(item)
        if len(batch) == _BATCH:
            self.flush_items(table)

    def flush_items(self, table: str | None = None) -> None:
        """Put the pending items straight into moto's table (what a BatchWriteItem ends in,
        without its request and response layers: a restore of 100k items takes seconds)."""
        from moto.dynamodb.models import dynamodb_backends

        backend: Any = dynamodb_backends[self.account][self.region]
        for name in [table] if table else sorted(self.pending_items):
            batch = self.pending_items.pop(name, [])
            target = backend.tables.get(name)
            if not batch:
                continue
            if target is None:
                self.out.failed += len(batch)
                continue
            for item in batch:
                try:
                    target.put_item(item)
                except Exception as error:  # an item moto refuses now: say so, go on
                    self.out.failed += 1
                    log.warning("state: an item of %s could not be restored: %s", name, error)
                else:
                    self.out.add("items")

    def record(self, line: Mapping[str, Any]) -> None:
        from moto.kinesis.models import Record, kinesis_backends

        with KINESIS_LOCK:
            stream = kinesis_backends[self.account][self.region].streams.get(line["stream"])
            shard = stream.shards.get(line["shard"]) if stream is not None else None
            if shard is None:
                self.out.add("records skipped")
                return
            record = Record(line["pk"], line["data"], int(line["seq"]), line.get("ehk") or "")
            _set_arrival(record, float(line["at"]))
            shard.records[int(line["seq"])] = record
        self.out.add("records")

    def _queue_url(self, name: str) -> str | None:
        if name not in self.queue_urls:
            try:
                self.queue_urls[name] = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            except Exception:  # a queue the spec removed: its messages cannot come back
                return None
        return self.queue_urls[name]

    def message(self, line: Mapping[str, Any]) -> None:
        url = self._queue_url(line["queue"])
        if url is None:
            self.out.add("messages skipped")
            return
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=line["body"])
        self.message_ids[line["id"]] = sent["MessageId"]
        self.out.add("messages")

    def s3_object(self, line: Mapping[str, Any]) -> None:
        body = (self.state.blobs / line["blob"]).read_bytes()
        extra: dict[str, Any] = {"Metadata": line.get("meta") or {}}
        if line.get("type"):
            extra["ContentType"] = line["type"]
        try:
            self.s3.put_object(Bucket=line["bucket"], Key=line["key"], Body=body, **extra)
        except Exception:  # a bucket no longer made (no archived stream)
            self.out.add("objects skipped")
            return
        self.out.add("objects")

    # --- the journal -------------------------------------------------------------------

    def entry(self, entry: dict[str, Any]) -> None:
        kind = entry.get("k")
        if kind == "cp":
            self.out.checkpoints[str(entry["key"])] = str(entry["seq"])
        elif kind == "sqs-delete":
            self._delete_messages(str(entry["q"]), [self.message_ids.get(i, i) for i in entry["ids"]])
        elif kind == "aws":
            self._request(entry)

    def _request(self, entry: dict[str, Any]) -> None:
        body = decode_body(entry)
        dynamo = _tables_of(entry)
        if dynamo is not None and self.set_aside:
            operation, payload = dynamo
            body_or_none = self._without_set_aside(operation, payload, entry)
            if body_or_none is None:
                return
            body = body_or_none
        headers = [(k, (self.host if k.lower() == "host" else v)) for k, v in entry["h"]
                   if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        status, _, answer = self.transport(entry["m"], entry["t"], headers, body)
        if status >= 300:
            self.out.failed += 1
            return
        self.out.add("requests")
        target = next((v for k, v in headers if k.lower() == "x-amz-target"), "")
        if target.startswith("Kinesis_20131202.PutRecord"):
            self._stamp_arrival(body, answer, float(entry.get("ts", time.time())))
        elif target.startswith("AmazonSQS.SendMessage"):
            self._map_sent(entry.get("ids"), answer)

    def _without_set_aside(self, operation: str, payload: Any, entry: dict[str, Any]) -> bytes | None:
        """The request minus what writes to a set-aside table (None: nothing left to send)."""
        if operation == "BatchWriteItem":
            requests = payload.get("RequestItems", {})
            for table in [t for t in requests if t in self.set_aside]:
                self.orphans.put(table, {"request": {"BatchWriteItem": {table: requests.pop(table)}}})
            return json.dumps(payload).encode("utf-8") if requests else None
        if operation == "TransactWriteItems":
            touched = {
                op.get("TableName") for item in payload.get("TransactItems", [])
                for op in item.values() if isinstance(op, dict)
            }
            hit = sorted(t for t in touched if t in self.set_aside)
            if hit:
                for table in hit:
                    self.orphans.put(table, {"request": {"TransactWriteItems": payload}})
                return None
            return decode_body(entry)
        table = payload.get("TableName")
        if table in self.set_aside:
            self.orphans.put(table, {"request": {operation: payload}})
            return None
        return decode_body(entry)

    def _stamp_arrival(self, body: bytes, answer: bytes, at: float) -> None:
        """Give replayed records the arrival time they had (the archive partitions by it)."""
        from moto.kinesis.models import kinesis_backends

        try:
            request, result = json.loads(body), json.loads(answer)
        except ValueError:
            return
        name = request.get("StreamName") or str(request.get("StreamARN", "")).rsplit("/", 1)[-1]
        placed = result.get("Records") or [result]
        with KINESIS_LOCK:
            stream = kinesis_backends[self.account][self.region].streams.get(name)
            if stream is None:
                return
            for one in placed:
                shard = stream.shards.get(one.get("ShardId"))
                record = shard.records.get(int(one["SequenceNumber"])) if shard and one.get(
                    "SequenceNumber") else None
                if record is not None:
                    _set_arrival(record, at)

    def _map_sent(self, old: Any, answer: bytes) -> None:
        try:
            result = json.loads(answer)
        except ValueError:
            return
        if isinstance(old, str) and result.get("MessageId"):
            self.message_ids[old] = result["MessageId"]
        elif isinstance(old, dict):
            new = {i["Id"]: i["MessageId"] for i in result.get("Successful", [])}
            for entry_id, old_id in old.items():
                if entry_id in new:
                    self.message_ids[old_id] = new[entry_id]

    def _delete_messages(self, queue: str, ids: list[str]) -> None:
        from moto.sqs.models import sqs_backends

        found = sqs_backends[self.account][self.region].queues.get(queue)
        if found is not None:
            wanted = set(ids)
            found._messages = [m for m in found._messages if m.id not in wanted]


def _set_arrival(record: Any, at: float) -> None:
    record.created_at = at
    record.created_at_datetime = datetime.fromtimestamp(at, UTC).replace(tzinfo=None)


def _key_text(keys: list[list[str]]) -> str:
    return ", ".join(f"{name} {kind}" for name, kind in keys)


def restore(state: StateDir, current_keys: Mapping[str, list[list[str]]], transport: Transport,
            clients: Mapping[str, Any], region: str, account: str, endpoint_host: str) -> Restored:
    """See the module docstring. `clients`: boto3 ``sqs`` and ``s3`` clients of the local AWS."""
    replayer = _Replayer(state, current_keys, transport, clients, region, account, endpoint_host)
    first_segment = 0
    try:
        for line in _snapshot_lines(state.snapshot):
            replayer.out.found = True
            kind = line.get("k")
            if kind == "meta":
                first_segment = int(line.get("journal_from", 0))
            elif kind == "header":
                replayer.layout(line.get("tables", {}))
            elif kind == "item":
                replayer.item(line["table"], line["item"])
            elif kind == "record":
                replayer.record(line)
            elif kind == "message":
                replayer.message(line)
            elif kind == "object":
                replayer.s3_object(line)
            elif kind == "cp":
                replayer.out.checkpoints[str(line["key"])] = str(line["seq"])
        replayer.flush_items()
        for entry in journal.read(state.journal, first_segment):
            replayer.out.found = True
            replayer.entry(entry)
    finally:
        replayer.orphans.close()
    if replayer.out.failed:
        log.warning("state: %d journaled writes were refused on replay (a resource the spec no "
                    "longer has): skipped", replayer.out.failed)
    return replayer.out
