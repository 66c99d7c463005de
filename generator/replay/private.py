"""`--dry-run`: the replay runs against a private copy, and reports what would change.

`PrivateCopy.start` runs gen dev's own moto (`LocalAws`: the same patches, the same answers) in
a child process (moto's state is global to a process, so the copy never shares it with a gen
dev in this one; plain `moto.server` would be slower by far under the idempotency table's
transactions), creates the project's
resources there under the target's names, and copies in the items of the tables the processor
reads or writes and the idempotency table (a full scan of each: on a large stage table, a dry
run costs that read). The handler is then pointed at the copy (``AWS_ENDPOINT_URL``) while the
lake is still read from the target. `diff` compares each written table of the copy with the
target's: items added, changed and removed. `stop` ends the child; nothing of the target was
written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from generator.dev.local_aws.identity import DEFAULT_REGION
from generator.dev.local_aws.moto_server import LocalAws
from generator.dev.local_aws.resources import create_resources
from generator.errors import EnvError
from generator.ir.nodes import Ir, Processor
from generator.replay.target import Target


@dataclass(frozen=True)
class TableDiff:
    table: str
    added: int
    changed: int
    removed: int
    examples: tuple[str, ...]  # a few keys that changed, for the report

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def scan(client: Any, table: str) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        yield from page.get("Items", [])


class PrivateCopy:
    """A private moto with a copy of the processor's tables (see the module docstring)."""

    def __init__(self, process: subprocess.Popen[bytes], endpoint: str, region: str) -> None:
        self._process = process
        self.endpoint = endpoint
        self.region = region

    @classmethod
    def start(cls, ir: Ir, processor: Processor, target: Target) -> PrivateCopy:
        source_root = str(Path(__file__).resolve().parents[2])  # where `generator` is imported from
        path = os.pathsep.join(p for p in (source_root, os.environ.get("PYTHONPATH")) if p)
        process = subprocess.Popen(
            [sys.executable, "-m", "generator.replay.private", target.region],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
            # its own session: the terminal's Ctrl-C, meant for the replay (which then finishes
            # the batch in hand against this copy), must not kill the copy first
            start_new_session=True,
        )
        assert process.stdout is not None
        endpoint = process.stdout.readline().decode().strip()  # "" when the child died
        copy = cls(process, endpoint, target.region)
        try:
            if not endpoint.startswith("http://"):
                raise EnvError("the private copy for --dry-run did not start")
            clients = {s: copy.client(s) for s in ("dynamodb", "kinesis", "s3", "sqs")}
            create_resources(ir, target.names, **clients)
            for table in [target.names.tables[t] for t in processor.tables] + [
                target.names.idempotency_table
            ]:
                copy._copy(target.dynamodb, clients["dynamodb"], table)
        except BaseException:
            copy.stop()
            raise
        return copy

    def client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint, region_name=self.region,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )

    def env(self, target: Target) -> dict[str, str]:
        """The target's function environment, pointed at this copy."""
        return {**target.env, "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

    @staticmethod
    def _copy(source: Any, copy: Any, table: str) -> None:
        batch: list[dict[str, Any]] = []
        for item in scan(source, table):
            batch.append({"PutRequest": {"Item": item}})
            if len(batch) == 25:
                _write(copy, table, batch)
                batch = []
        if batch:
            _write(copy, table, batch)

    def diff(self, ir: Ir, processor: Processor, target: Target) -> list[TableDiff]:
        """What the replay changed in each table `processor` writes."""
        copy = self.client("dynamodb")
        out = []
        for name in processor.writes:
            physical = target.names.tables[name]
            keys = ir.table(name).key_names
            before = {_key(item, keys): item for item in scan(target.dynamodb, physical)}
            after = {_key(item, keys): item for item in scan(copy, physical)}
            added = [k for k in after if k not in before]
            removed = [k for k in before if k not in after]
            changed = [k for k in after if k in before and after[k] != before[k]]
            examples = tuple(sorted(added + changed + removed)[:3])
            out.append(TableDiff(name, len(added), len(changed), len(removed), examples))
        return out

    def stop(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()  # the child's cue to stop
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def _key(item: dict[str, Any], names: tuple[str, ...]) -> str:
    return "/".join(str(next(iter(item.get(n, {"": "?"}).values()))) for n in names)


def _write(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    pending: Any = {table: requests}
    while pending:
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None


def serve(region: str) -> None:
    """The child: gen dev's moto on a free loopback port; prints its endpoint, then serves until
    its stdin closes (the parent stopped, or died)."""
    aws = LocalAws.start(region, hook_boto3=False)
    try:
        print(aws.endpoint, flush=True)
        sys.stdin.read()
    finally:
        aws.stop()


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_REGION)
