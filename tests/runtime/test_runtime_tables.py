"""Marshalling and typed table access: exact numbers, canonical times, conditional writes,
queries on sort keys and indexes, scans, and the batch operations' chunking and retries."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import msgspec
import pytest

UTC = dt.UTC


def test_numbers_are_exact_both_ways() -> None:
    from fleet.runtime.marshal import from_attr, to_attr

    big = 2**80 + 1
    assert to_attr(big) == {"N": str(big)}
    assert to_attr(Decimal("0.1")) == {"N": "0.1"}
    assert to_attr(0.1) == {"N": "0.1"}  # a float is written with its shortest repr
    assert to_attr(Decimal("1E+3")) == {"N": "1000"}
    assert to_attr(True) == {"BOOL": True}  # bool is not a number
    assert from_attr({"N": str(big)}) == big and isinstance(from_attr({"N": "7"}), int)
    assert from_attr({"N": "-12.500"}) == Decimal("-12.5") and isinstance(from_attr({"N": "1.5"}), Decimal)
    assert from_attr({"N": "2.0"}) == 2 and isinstance(from_attr({"N": "2.0"}), int)
    for bad in (Decimal("NaN"), float("inf")):
        with pytest.raises(ValueError):
            to_attr(bad)


def test_datetimes_have_one_stored_form() -> None:
    from fleet.runtime.marshal import format_datetime

    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert format_datetime(dt.datetime(2026, 1, 1, 14, 0, tzinfo=plus2)) == "2026-01-01T12:00:00Z"
    assert format_datetime(dt.datetime(2026, 1, 1, 12, 0, 0, 250, tzinfo=UTC)) == "2026-01-01T12:00:00.000250Z"
    with pytest.raises(ValueError, match="naive"):
        format_datetime(dt.datetime(2026, 1, 1))


def test_items_round_trip_with_null_and_absent_kept_apart() -> None:
    from fleet.models import Device, Measurement
    from fleet.runtime.marshal import from_item, to_item

    device = Device(device_id="d", site_id="s", name="n", status="online", firmware=None,
                    last_reading=Measurement(time=dt.datetime(2026, 1, 1, tzinfo=UTC),
                                             temperature=Decimal("-0.05"), battery=3),
                    tags={"a": "b"})
    item = to_item(device)
    assert item["firmware"] == {"NULL": True} and "model" not in item and "lastSeen" not in item
    assert item["lastReading"]["M"]["temperature"] == {"N": "-0.05"}
    assert from_item(item, Device) == device


def _devices(aws: Any) -> Any:
    from fleet.tables import DevicesTable

    return DevicesTable(os.environ["TABLE_DEVICES"])


def _readings(aws: Any) -> Any:
    from fleet.tables import ReadingsTable

    return ReadingsTable(os.environ["TABLE_READINGS"])


def _device(i: int, site: str = "s1", **kw: Any) -> Any:
    from fleet.models import Device

    fields = {"device_id": f"d{i:03d}", "site_id": site, "name": f"n{i}", "status": "online", **kw}
    return Device(**fields)


def _reading(device: str, minute: int) -> Any:
    from fleet.models import Reading

    return Reading(device_id=device, time=dt.datetime(2026, 1, 1, 12, minute, tzinfo=UTC),
                   temperature=Decimal(minute) / 4, battery=50, expires_at=2_000_000_000)


def test_get_put_and_conditional_update(aws: Any) -> None:
    from fleet.runtime.expr import Update, attr

    table = _devices(aws)
    assert table.get("d001") is None
    assert table.put(_device(1))
    assert not table.put(_device(1, name="x"), condition=attr("deviceId").not_exists())
    assert table.get("d001", consistent=True).name == "n1"
    assert not table.update("d001", Update().set("status", "offline"), condition=attr("status").eq("unknown"))
    assert table.update("d001", Update().set("status", "offline").remove("tags"),
                        condition=attr("status").eq("online"))
    assert table.get("d001").status == "offline"
    with pytest.raises(msgspec.ValidationError):  # typed: not a DeviceStatus
        table.update("d001", Update().set("status", "sleeping"))
    with pytest.raises(ValueError, match="not an attribute"):
        table.update("d001", Update().set("colour", "red"))
    assert table.delete("d001", condition=attr("status").eq("offline"))
    assert table.get("d001") is None


def test_query_on_sort_key_range_and_order(aws: Any) -> None:
    from fleet.runtime.expr import KeyRange

    table = _readings(aws)
    table.batch_write(puts=[_reading("d1", m) for m in range(10)] + [_reading("d2", 5)])
    start = dt.datetime(2026, 1, 1, 12, 3, tzinfo=UTC)
    end = dt.datetime(2026, 1, 1, 12, 6, tzinfo=UTC)
    page = table.query("d1", time=KeyRange.between(start, end), descending=True)
    assert [r.time.minute for r in page] == [6, 5, 4, 3]
    assert page.items[0].temperature == Decimal("1.5")
    first = table.query("d1", limit=4)
    assert len(first) == 4 and first.next_key is not None
    rest = table.query("d1", start=first.next_key)
    assert [r.time.minute for r in first.items + rest.items] == list(range(10))
    assert table.get("d2", dt.datetime(2026, 1, 1, 13, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))) is not None


def test_query_a_secondary_index_and_scan_pages(aws: Any) -> None:
    from fleet.runtime.expr import KeyRange, attr

    table = _devices(aws)
    table.batch_write(puts=[_device(i, site="s1" if i % 2 else "s2") for i in range(30)])
    site1 = table.query_by_site("s1", device_id=KeyRange.ge("d010"))
    assert [d.device_id for d in site1] == [f"d{i:03d}" for i in range(11, 30, 2)]
    assert len(list(table.scan_all(page_size=4))) == 30
    odd = list(table.scan_all(filter=attr("siteId").eq("s1"), page_size=7))
    assert len(odd) == 15


def test_batch_write_deduplicates_keys_and_uses_chunks_of_25(aws: Any) -> None:
    table = _readings(aws)
    puts = [_reading("d1", m % 60) for m in range(70)]  # minutes 0..59, then 0..9 again
    assert table.batch_write(puts=puts) == 60
    assert len(list(table.query("d1", limit=100))) == 60


class _FlakyClient:
    """Answers batch calls leaving some entries unprocessed the first `flaky` times."""

    def __init__(self, flaky: int) -> None:
        self.flaky = flaky
        self.calls: list[int] = []

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        (name, chunk), = RequestItems.items()
        self.calls.append(len(chunk))
        if self.flaky:
            self.flaky -= 1
            return {"UnprocessedItems": {name: chunk[: max(1, len(chunk) // 2)]}}
        return {"UnprocessedItems": {}}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (name, request), = RequestItems.items()
        keys = request["Keys"]
        self.calls.append(len(keys))
        found = [{"deviceId": k["deviceId"], "siteId": {"S": "s"}, "name": {"S": "n"},
                  "status": {"S": "online"}} for k in keys]
        if self.flaky:
            self.flaky -= 1
            return {"Responses": {name: found[:1]}, "UnprocessedKeys": {name: {"Keys": keys[1:]}}}
        return {"Responses": {name: found}}


def test_unprocessed_items_are_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    from fleet.runtime import table as runtime_table
    from fleet.tables import DevicesTable

    monkeypatch.setattr(runtime_table, "_sleep", lambda attempt: None)
    client = _FlakyClient(flaky=2)
    DevicesTable("t", client).batch_write(puts=[_device(i) for i in range(60)])  # type: ignore[arg-type]
    assert client.calls == [25, 12, 6, 25, 10]
    client = _FlakyClient(flaky=1)
    found = DevicesTable("t", client).batch_get(f"d{i:03d}" for i in range(150))  # type: ignore[arg-type]
    assert len(found) == 150 and client.calls == [100, 99, 50]


def test_batches_that_never_go_through_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    from fleet.runtime import table as runtime_table
    from fleet.tables import DevicesTable

    monkeypatch.setattr(runtime_table, "_sleep", lambda attempt: None)
    with pytest.raises(runtime_table.UnprocessedError):
        DevicesTable("t", _FlakyClient(flaky=99)).batch_write(puts=[_device(1)])  # type: ignore[arg-type]


def test_update_each_applies_exactly_the_changes_whose_condition_holds(aws: Any) -> None:
    from fleet.runtime.expr import Update, attr

    table = _devices(aws)
    table.batch_write(puts=[_device(i) for i in range(130)])
    table.update("d007", Update().set("status", "offline"))  # its condition below fails
    changes = [(f"d{i:03d}", Update().set("name", f"new{i}"), attr("status").eq("online"))
               for i in range(130)]
    changes.append(("d500", Update().set("name", "created"), None))  # absent, unconditional
    changes.append(("d501", Update().set("name", "x"), attr("deviceId").exists()))  # absent
    answers = table.update_each(changes)
    assert answers == [i != 7 for i in range(130)] + [True, False]
    items = table.client.scan(TableName=table.name)["Items"]
    stored = {i["deviceId"]["S"]: i["name"]["S"] for i in items}
    assert stored["d007"] == "n7" and stored["d008"] == "new8" and stored["d129"] == "new129"
    assert stored["d500"] == "created" and "d501" not in stored
    assert table.update_each([]) == []


def test_update_each_sends_transactions_of_100_and_checks_like_update(aws: Any) -> None:
    from fleet.runtime.expr import Update

    table = _devices(aws)
    calls: list[int] = []
    real = table.client.transact_write_items

    def counting(**request: Any) -> Any:
        calls.append(len(request["TransactItems"]))
        return real(**request)

    table._client = type("C", (), {"transact_write_items": staticmethod(counting)})()
    assert table.update_each((f"d{i:03d}", Update().set("name", "n"), None) for i in range(250))
    assert calls == [100, 100, 50]
    with pytest.raises(ValueError, match="twice"):
        table.update_each([("d1", Update().set("name", "a"), None), ("d1", Update().set("name", "b"), None)])
    with pytest.raises(msgspec.ValidationError):
        table.update_each([("d1", Update().set("status", "sleeping"), None)])
    assert calls == [100, 100, 50]  # nothing sent for invalid input


def test_update_each_with_a_composite_key(aws: Any) -> None:
    from fleet.runtime.expr import Update, attr

    table = _readings(aws)
    table.batch_write(puts=[_reading("d1", m) for m in range(3)])
    at = [dt.datetime(2026, 1, 1, 12, m, tzinfo=UTC) for m in range(3)]
    answers = table.update_each([(("d1", at[0]), Update().set("battery", 1), attr("battery").eq(50)),
                                 (("d1", at[1]), Update().set("battery", 2), attr("battery").eq(99))])
    assert answers == [True, False]
    assert [r.battery for r in table.query("d1")] == [1, 50, 50]


class _CancellingClient:
    """Cancels transactions with the given per-item reason codes, one list per call."""

    def __init__(self, rounds: list[list[str]]) -> None:
        self.rounds = rounds
        self.sent: list[int] = []

    def transact_write_items(self, TransactItems: list[Any]) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        self.sent.append(len(TransactItems))
        if not self.rounds:
            return {}
        codes = self.rounds.pop(0)
        assert len(codes) == len(TransactItems)
        raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                           "CancellationReasons": [{"Code": c} for c in codes]}, "TransactWriteItems")


def test_update_each_retries_conflicts_and_drops_failed_conditions(monkeypatch: pytest.MonkeyPatch) -> None:
    from fleet.runtime import table as runtime_table
    from fleet.runtime.expr import Update
    from fleet.tables import DevicesTable

    monkeypatch.setattr(runtime_table, "_sleep", lambda attempt: None)
    changes = [(f"d{i}", Update().set("name", "n"), None) for i in range(4)]
    client = _CancellingClient([["None", "ConditionalCheckFailed", "None", "ConditionalCheckFailed"],
                                ["TransactionConflict", "None"]])
    assert DevicesTable("t", client).update_each(changes) == [True, False, True, False]  # type: ignore[arg-type]
    assert client.sent == [4, 2, 2]
    forever = _CancellingClient([["TransactionConflict"]] * 50)
    with pytest.raises(runtime_table.UnprocessedError):
        DevicesTable("t", forever).update_each(changes[:1])  # type: ignore[arg-type]
    assert len(forever.sent) == runtime_table.ATTEMPTS
    broken = _CancellingClient([["ValidationError", "None"]])
    with pytest.raises(Exception, match="cancelled"):
        DevicesTable("t", broken).update_each(changes[:2])  # type: ignore[arg-type]
