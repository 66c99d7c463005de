"""Validation msgspec cannot express on its own, called from the models' `__post_init__`.

msgspec has no numeric bounds for `Decimal` (the exact type of schema `number`) and no
`uniqueItems`; these helpers fill the gap. They raise ValueError, which msgspec reports as a
ValidationError of the value being decoded. Lists and dict values are walked, structs are not
(each struct checks itself). Pure: no I/O.
"""

from __future__ import annotations

import decimal as _decimal
import typing as _t

import msgspec as _msgspec

Bound = int | _decimal.Decimal | None


def number(
    value: object,
    name: str,
    *,
    ge: Bound = None,
    gt: Bound = None,
    le: Bound = None,
    lt: Bound = None,
    multiple_of: Bound = None,
) -> None:
    """Every Decimal in `value` (a Decimal, or lists/dicts of them) is finite and in bounds."""
    if isinstance(value, _decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{name}: {value} is not a finite number")
        if ge is not None and value < ge:
            raise ValueError(f"{name}: {value} is less than {ge}")
        if gt is not None and value <= gt:
            raise ValueError(f"{name}: {value} is not greater than {gt}")
        if le is not None and value > le:
            raise ValueError(f"{name}: {value} is greater than {le}")
        if lt is not None and value >= lt:
            raise ValueError(f"{name}: {value} is not less than {lt}")
        if multiple_of is not None and value % multiple_of != 0:
            raise ValueError(f"{name}: {value} is not a multiple of {multiple_of}")
    elif isinstance(value, list):
        for item in value:
            number(item, name, ge=ge, gt=gt, le=le, lt=lt, multiple_of=multiple_of)
    elif isinstance(value, dict):
        for item in value.values():
            number(item, name, ge=ge, gt=gt, le=le, lt=lt, multiple_of=multiple_of)


def reject(value: object, name: str, **bounds: Bound) -> _t.NoReturn:
    """Raise the error `number` finds for a value an inline check found out of bounds."""
    number(value, name, **bounds)
    raise ValueError(f"{name}: {value} is out of bounds")


def unique(value: object, name: str) -> None:
    """The items of a list are pairwise different (compared by their JSON encoding)."""
    if isinstance(value, list):
        seen: set[bytes] = set()
        for item in _t.cast("list[object]", value):
            encoded = _msgspec.json.encode(item, order="sorted")
            if encoded in seen:
                raise ValueError(f"{name}: items must be unique")
            seen.add(encoded)
