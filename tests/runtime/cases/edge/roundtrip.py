"""Run in a fresh interpreter with the generated edge_case package on sys.path (see
test_runtime_edge.py): decode, validate, re-encode and marshal every shape of the edge spec.
Any failed expectation raises; the last line printed is "ok"."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
from decimal import Decimal
from typing import Any

import msgspec

from edge_case import events as e
from edge_case import models as m
from edge_case.runtime.marshal import from_item, to_item

ENCODER = msgspec.json.Encoder(decimal_format="number")


def parse(raw: bytes) -> Any:
    return json.loads(raw, parse_float=Decimal)


def roundtrip(raw: bytes, type_: Any) -> Any:
    value = msgspec.json.decode(raw, type=type_)
    assert parse(ENCODER.encode(value)) == parse(raw), (ENCODER.encode(value), raw)
    return value


def rejects(raw: bytes, type_: Any, needle: str) -> None:
    try:
        msgspec.json.decode(raw, type=type_)
    except msgspec.ValidationError as exc:
        assert needle in str(exc), (needle, str(exc))
        return
    raise AssertionError(f"accepted {raw!r}")


CLASS = (b'{"class": "c", "2fa": true, "my-thing": 10, "my_thing": 1.49999999999999999999,'
         b' "myThing": "b\\"c", "self": "2024-02-29", "type": "ab1", "Decimal": [0.25, 1e2]}')
obj = roundtrip(CLASS, m.Class)
assert (obj.class_, obj.n2fa, obj.my_thing, obj.my_thing_) == ("c", True, 10, 'b"c')
assert obj.my_thing__ == Decimal("1.49999999999999999999") and obj.self_ == dt.date(2024, 2, 29)
assert obj.decimal_ == [Decimal("0.25"), Decimal("100")]
assert from_item(to_item(obj), m.Class) == obj
assert msgspec.json.decode(b'{"class": "c", "2fa": false, "myThing": null, "my_thing": 1}',
                           type=m.Class).my_thing__ == Decimal(1)
for bad, needle in [
    (b'"my-thing": 7', "multiple of 5"), (b'"my-thing": 0', ">= 1"),
    (b'"my-thing": 10.5', "Expected `int`"), (b'"my_thing": 1.5', "not less than 1.5"),
    (b'"myThing": "zz"', "Invalid enum value"), (b'"type": "AB"', "matching regex"),
    (b'"Decimal": [0.25, 0.25]', "unique"), (b'"Decimal": [0.1]', "less than 0.25"),
    (b'"self": "2024-02-30"', "encoded date"), (b'"2fa": "yes"', "Expected `bool`"),
]:
    rejects(b'{"class": "c", "2fa": true, ' + bad + b"}", m.Class, needle)
rejects(b'{"2fa": true}', m.Class, "missing required field `class`")

THING = (b'{"ident": "t1", "at": "2024-05-01T14:00:00+02:00", "count": 2147483647,'
         b' "nested": {"deeper": {"values": {"k": [{"line": {"qty": 1, "price": 0.10},'
         b' "status": "open", "lines": [{"sku": "A"}]}]}}},'
         b' "maybe": null, "tags": {"a": "1"}, "alias": {"line": {"qty": 2}}, "colour": null}')
thing = msgspec.json.decode(THING, type=m.MyThing)
assert thing.at == dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
order = thing.nested.deeper.values["k"][0]
assert type(order).__name__ == "Order" and type(order.line).__name__ == "OrderLine2"
assert order.line.price == Decimal("0.10") and thing.maybe is None and thing.colour is None
assert isinstance(thing.alias, m.Order)
assert from_item(to_item(thing), m.MyThing) == thing
assert to_item(thing)["at"] == {"S": "2024-05-01T12:00:00Z"}
assert to_item(thing)["nested"]["M"]["deeper"]["M"]["values"]["M"]["k"]["L"][0]["M"]["line"]["M"][
    "price"] == {"N": "0.10"}
for bad, needle in [
    (THING.replace(b"2147483647", b"2147483648"), "<= 2147483647"),
    (THING.replace(b"+02:00", b""), "timezone"),
    (THING.replace(b'{"a": "1"}', b'{"a": "1", "b": "2", "c": "3", "d": "4"}'), "length <= 3"),
    (THING.replace(b'"lines": [{"sku": "A"}]', b'"lines": []'), "length >= 1"),
    (THING.replace(b'"qty": 1,', b'"qty": 0,'), ">= 1"),
    (THING.replace(b'"colour": null', b'"colour": "blue"'), "Invalid enum value"),
]:
    rejects(bad, m.MyThing, needle)

assert msgspec.json.decode(b'[{"Meta": "x"}]', type=m.Decimal)[0].meta == "x"
assert msgspec.json.decode(b'["y"]', type=list[m.OrderStatus]) == ["y"]

envelope = (b'{"specversion": "1.0", "id": "1", "source": "s", "type": "thing.made",'
            b' "subject": "t1", "data": ' + THING + b"}")
made = msgspec.json.decode(envelope, type=e.EventsEvent)
assert isinstance(made, e.ThingMadeEvent) and made.type == "thing.made"
assert parse(ENCODER.encode(made))["type"] == "thing.made"
changed = msgspec.json.decode(b'{"specversion": "1.0", "id": "2", "source": "s", "subject": "c",'
                              b' "type": "thing.class.changed", "data": {"class": "c", "2fa": true}}',
                              type=e.EventsEvent)
assert isinstance(changed, e.ThingClassChangedEvent) and changed.data.class_ == "c"
rejects(envelope.replace(b'"subject": "t1"', b'"subject": "t2"'), e.EventsEvent, "data.ident")
rejects(envelope.replace(b'"specversion": "1.0"', b'"specversion": "0.3"'), e.EventsEvent, "specversion")

for module in ("edge_case.entry.class", "edge_case.entry.tick_tock"):
    assert callable(importlib.import_module(module).handler)
assert "boto3" not in sys.modules and "aws_lambda_powertools" not in sys.modules
print("ok")
