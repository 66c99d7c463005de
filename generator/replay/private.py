"""`--dry-run`: the replay runs against a private copy, and reports what would change.

`PrivateCopy.start` runs a moto server of its own in a child process (moto's state is global
to a process, so the copy never shares it with a gen dev in this one), creates the project's
resources there under the target's names, and copies in the items of the tables the processor
reads or writes and the idempotency table (a full scan of each: on a large stage table, a dry
run costs that read). The handler is then pointed at the copy (``AWS_ENDPOINT_URL``) while the
lake is still read from the target. `diff` compares each written table of the copy with the
target's: items added, changed and removed. `stop` ends the child; nothing of the target was
written.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3

from generator.dev.local_aws.resources import create_resources
from generator.errors import EnvError
from generator.ir.nodes import Ir, Processor
from generator.replay.target import Target

START_TIMEOUT_S = 30.0


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # its own session: the terminal's Ctrl-C, meant for the replay (which then finishes
            # the batch in hand against this copy), must not kill the copy first
            start_new_session=True,
        )
        copy = cls(process, f"http://127.0.0.1:{port}", target.region)
        try:
            copy._wait()
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

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2):
                    return
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise EnvError("the private copy for --dry-run did not start "
                                   "(python -m moto.server; is moto[server] installed?)") from None
                time.sleep(0.1)

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
        if self._process.poll() is None:
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
