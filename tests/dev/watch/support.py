"""A `gen init` project running in `gen dev` for the watch tests, and ways to poke it."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import boto3

from generator.dev.stack import RunningStack

ADDED_TABLE_MODEL = """
  customers:
    partition_key: customerId
    item: Customer
"""

ADDED_OPERATION = """
  /customers/{customerId}:
    get:
      operationId: getCustomer
      x-gen: {table: customers}
      parameters:
        - {name: customerId, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: The customer
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Customer'}
        '404': {$ref: '#/components/responses/NotFound'}
"""

CUSTOMER_SCHEMA = """
    Customer:
      type: object
      required: [customerId, name]
      properties:
        customerId: {type: string}
        name: {type: string}
"""


def copy_project(template: Path, into: Path) -> Path:
    root = into / "demo"
    shutil.copytree(template, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_customers(root: Path, *, seed: bool = True) -> None:
    """A table `customers` (seeded with c-1) and the operation getCustomer serving it."""
    edit(root / "spec/model.yaml", "\nstreams:", ADDED_TABLE_MODEL + "\nstreams:")
    edit(root / "spec/openapi.yaml", "\n  /events:", ADDED_OPERATION.rstrip("\n") + "\n  /events:")
    edit(root / "spec/openapi.yaml", "\n    OrderPlaced:", CUSTOMER_SCHEMA.rstrip("\n") + "\n    OrderPlaced:")
    if seed:
        (root / "spec/seed/customers.yaml").write_text("- {customerId: c-1, name: Ada}\n", encoding="utf-8")


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def place_order(stack: RunningStack, order_id: str, total: float) -> None:
    """Put one order.placed CloudEvent straight into the stream (as the ingestion API would)."""
    kinesis = boto3.client("kinesis", endpoint_url=stack.aws_endpoint, region_name=stack.region,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    event = {"specversion": "1.0", "id": uuid.uuid4().hex, "source": "tests/watch",
             "type": "order.placed", "time": "2026-01-01T00:00:00Z", "subject": order_id,
             "datacontenttype": "application/json", "data": {"orderId": order_id, "total": total}}
    kinesis.put_record(StreamName=stack.names.streams["events"], Data=json.dumps(event).encode(),
                       PartitionKey=order_id)
    assert stack.workers.drain(20), "the processor did not settle the stream"
