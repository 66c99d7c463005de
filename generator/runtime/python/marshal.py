"""DynamoDB attribute values <-> Python values, keeping numbers exact.

Contract: `int` <-> N with every digit; `Decimal` <-> N without float rounding (a `float` that
reaches the marshaller is written with its shortest repr, never its binary expansion);
`datetime` -> S in one canonical form (UTC, `Z`, fraction only when non-zero) so keys and
comparisons agree; `date` -> S (ISO); structs -> M by their wire names, UNSET fields omitted.
Reading back, N becomes `int` when integral and `Decimal` otherwise; `from_item` then lets
msgspec convert the plain values into the model (validating them). Pure: no I/O, no boto3.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import typing as _t

import msgspec as _msgspec

T = _t.TypeVar("T")
AttributeValue = dict[str, _t.Any]
Item = dict[str, AttributeValue]

_UTC = _dt.UTC
_BUILTINS = (_decimal.Decimal, _dt.datetime, _dt.date)


def format_datetime(value: _dt.datetime) -> str:
    """The canonical stored form: ``2024-05-01T12:00:00Z`` / ``2024-05-01T12:00:00.250000Z``.

    Naive datetimes are refused: a timestamp without a zone cannot be ordered against others.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} has no timezone")
    utc = value.astimezone(_UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{utc.microsecond:06d}Z" if utc.microsecond else f"{text}Z"


def format_number(value: int | float | _decimal.Decimal) -> str:
    """The digits of an N attribute; rejects NaN and infinities (DynamoDB has none)."""
    if isinstance(value, int):
        return str(value)
    number = value if isinstance(value, _decimal.Decimal) else _decimal.Decimal(repr(value))
    if not number.is_finite():
        raise ValueError(f"{value} is not a finite number")
    text = str(number)
    return format(number, "f") if "E" in text else text


def to_attr(value: object) -> AttributeValue:
    """One Python value as a DynamoDB AttributeValue."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float, _decimal.Decimal)):
        return {"N": format_number(value)}
    if isinstance(value, _dt.datetime):
        return {"S": format_datetime(value)}
    if isinstance(value, _dt.date):
        return {"S": value.isoformat()}
    if isinstance(value, dict):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attr(v) for v in value]}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, _msgspec.Struct):
        return {"M": to_item(value)}
    if value is _msgspec.UNSET:
        raise ValueError("UNSET has no attribute value (leave the attribute out instead)")
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def plain(value: object) -> object:
    """Structs (and containers of them) as plain values by wire name; numbers and times kept."""
    return _msgspec.to_builtins(value, builtin_types=_BUILTINS)


def to_item(struct: _msgspec.Struct) -> Item:
    """A model instance as a DynamoDB item (UNSET fields are absent, None is NULL)."""
    values = plain(struct)
    assert isinstance(values, dict)
    return {k: to_attr(v) for k, v in values.items()}


def _number(text: str) -> int | _decimal.Decimal:
    number = _decimal.Decimal(text)
    if number == number.to_integral_value():
        return int(number)
    return number


def from_attr(value: AttributeValue) -> _t.Any:
    """One AttributeValue as a plain Python value (N as int or Decimal, never float)."""
    [(kind, inner)] = value.items()
    if kind == "S":
        return inner
    if kind == "N":
        return int(inner) if inner.lstrip("-").isdigit() else _number(inner)
    if kind == "BOOL":
        return bool(inner)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in inner.items()}
    if kind == "L":
        return [from_attr(v) for v in inner]
    if kind == "SS":
        return list(inner)
    if kind == "NS":
        return [_number(v) for v in inner]
    if kind in ("B", "BS"):
        return inner
    raise ValueError(f"unknown attribute type {kind}")


def from_item(item: _t.Mapping[str, AttributeValue], type_: type[T]) -> T:
    """A DynamoDB item converted (and validated) into `type_`; raises msgspec.ValidationError."""
    values = {k: from_attr(v) for k, v in item.items()}
    return _msgspec.convert(values, type_)
