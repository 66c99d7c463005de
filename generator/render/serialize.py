"""Canonical JSON: sorted keys, 2-space indent, UTF-8 (not ASCII-escaped), one trailing newline.

The layout is exactly `json.dumps(sort_keys=True, indent=2, ensure_ascii=False)`, except that
`Decimal` values (exact seed numbers) are written with the digits they were read with, which
the standard encoder cannot do.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"non-finite number {value}")
    text = str(value)
    if "E" in text or "e" in text:
        text = format(value, "f")
    return text


def _dump(value: Any, indent: str, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{\n")
        for i, key in enumerate(sorted(value, key=str)):
            out.append(f"{inner}{json.dumps(str(key), ensure_ascii=False)}: ")
            _dump(value[key], inner, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(indent + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[\n")
        for i, item in enumerate(value):
            out.append(inner)
            _dump(item, inner, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(indent + "]")
    elif isinstance(value, Decimal):
        out.append(_number(value))
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def canonical_json(value: Any) -> str:
    try:
        # the standard encoder is faster; it refuses Decimal, which only then takes the slow path
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    except TypeError:
        pass
    out: list[str] = []
    _dump(value, "", out)
    out.append("\n")
    return "".join(out)
