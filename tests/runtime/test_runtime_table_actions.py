"""What iam.tf grants a processor per table is what its typed access calls (#11, least privilege).

Every method of the generated read-only and write-only Protocols runs against moto through a
client that records each DynamoDB API call; the action each makes must be the one
`generator.emit.python.tables` declares (READ_ACTIONS / WRITE_ACTIONS), from which iam.tf builds
each function's table statement. A method added to a Protocol without an entry fails here.
"""

from __future__ import annotations

import datetime as dt
import inspect
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from generator.emit.python.tables import READ_ACTIONS, WRITE_ACTIONS

UTC = dt.UTC


class Recorder:
    """A boto3 DynamoDB client that remembers the API action of every call."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.actions: list[str] = []

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._client, name)
        if not callable(target) or name.startswith(("_", "get_paginator", "get_waiter", "can_paginate")):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.actions.append(self._client.meta.method_to_api_mapping[name])
            return target(*args, **kwargs)

        return call


def _protocol_methods(cls: type) -> set[str]:
    return {name for name, member in vars(cls).items() if inspect.isfunction(member) and not name.startswith("_")}


def _calls() -> dict[str, Callable[[Any, Any], Any]]:
    from fleet.models import Reading
    from fleet.runtime.expr import KeyRange, Update

    def reading(minute: int) -> Reading:
        return Reading(device_id="d1", time=dt.datetime(2026, 1, 1, 12, minute, tzinfo=UTC),
                       temperature=Decimal(1), battery=5, expires_at=2_000_000_000)

    at = dt.datetime(2026, 1, 1, 12, 1, tzinfo=UTC)
    return {
        "get": lambda t, _: t.get("d1", at),
        "batch_get": lambda t, _: t.batch_get([("d1", at)]),
        "query": lambda t, _: t.query("d1", time=KeyRange.between(at, at)),
        "scan": lambda t, _: t.scan(limit=5),
        "scan_all": lambda t, _: list(t.scan_all()),
        "put": lambda t, _: t.put(reading(1)),
        "update": lambda t, _: t.update("d1", at, Update().set("battery", 7)),
        "update_each": lambda t, _: t.update_each([(("d1", at), Update().set("battery", 8), None)]),
        "delete": lambda t, _: t.delete("d1", at),
        "batch_write": lambda t, _: t.batch_write(puts=[reading(2)], deletes=[{"deviceId": "d1", "time": at}]),
    }


def test_each_typed_method_calls_exactly_its_declared_action(aws: Any) -> None:
    from fleet.tables import ReadingsReads, ReadingsTable, ReadingsWrites

    calls = _calls()
    reads, writes = _protocol_methods(ReadingsReads), _protocol_methods(ReadingsWrites)
    assert reads == set(READ_ACTIONS) and writes == set(WRITE_ACTIONS), "a Protocol method without an IAM action"
    recorder = Recorder(ReadingsTable(os.environ["TABLE_READINGS"]).client)
    table = ReadingsTable(os.environ["TABLE_READINGS"], client=recorder)  # type: ignore[arg-type]
    for method in sorted(reads | writes):
        recorder.actions.clear()
        calls[method](table, None)
        declared = READ_ACTIONS.get(method) or WRITE_ACTIONS[method]
        # update_each sends TransactWriteItems, which IAM authorises per item as UpdateItem
        made = {"UpdateItem" if a == "TransactWriteItems" else a for a in recorder.actions}
        assert made == {declared}, (method, recorder.actions)


def test_indexes_without_all_attributes_are_not_queried() -> None:
    from fleet.tables import DevicesReads

    # bySite projects every attribute: query_by_site exists, so iam.tf grants the index ARN
    assert "query_by_site" in _protocol_methods(DevicesReads)
