"""`gen seed`: load generated/dynamodb/seed.json into DynamoDB, local (moto) or real.

Each inner list of seed.json is one BatchWriteItem; unprocessed items are retried with
backoff, so throttled tables still end up complete.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from generator.ir.names import cloud_name

SEED_PATH = "generated/dynamodb/seed.json"


def project_name(root: Path) -> str:
    import yaml

    data = yaml.safe_load((root / "spec/model.yaml").read_text(encoding="utf-8"))
    return str(data["name"])


def write_batches(client: Any, table: str, batches: list[list[dict[str, Any]]], *, attempts: int = 8) -> int:
    """BatchWriteItem every batch into `table`, retrying unprocessed items. Returns items written."""
    written = 0
    for batch in batches:
        pending: dict[str, Any] = {table: batch}
        for attempt in range(attempts):
            answer = client.batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2 ** attempt, 2.0))
        else:
            raise RuntimeError(f"{table}: {len(pending.get(table, []))} item(s) still unprocessed")
        written += len(batch)
    return written


def load_seed_file(root: Path, *, endpoint_url: str | None = None, stage: str = "local",
                   region: str | None = None, client: Any = None) -> dict[str, int]:
    """Seed every table of seed.json; returns {physical table name: items written}."""
    seed = json.loads((root / SEED_PATH).read_text(encoding="utf-8"))
    if client is None:
        import boto3

        client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
    name = project_name(root)
    counts: dict[str, int] = {}
    for table, batches in sorted(seed["tables"].items()):
        physical = cloud_name(name, stage, table)
        counts[physical] = write_batches(client, physical, batches)
    return counts
