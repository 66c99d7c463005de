"""Canonical JSON: sorted keys, 2-space indent, UTF-8 (not ASCII-escaped), one trailing newline.

The layout is exactly `json.dumps(sort_keys=True, indent=2, ensure_ascii=False)`, except that
`Decimal` values (exact seed numbers) are written with the digits they were read with, which
the standard encoder cannot do.

With indentation the standard encoder runs in Python, which is slow for multi-megabyte
documents; under a render memo (`generator.render.memo`) large mappings are therefore
assembled from memoised fragments. That is exact: a value's indented form is a function of its
compact form (the same tokens, laid out by rule), so compact JSON is the fragment's key; and
JSON strings never hold a raw newline, so nesting a fragment only indents each of its lines.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from generator.render.memo import current, memoized


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"non-finite number {value}")
    text = str(value)
    if "E" in text or "e" in text:
        text = format(value, "f")
    return text


class Prerendered:
    """A value already laid out as canonical JSON nested at `level` (from the render memo); only
    `canonical_json` can place it (the standard encoder refuses it, so it is never lost)."""

    __slots__ = ("level", "text")

    def __init__(self, text: str, level: int = 0) -> None:
        self.text = text
        self.level = level

    def at(self, level: int) -> str:
        """The text nested at `level` (every line after the first starts with its own level's
        indentation, and JSON strings hold no raw newline)."""
        if level == self.level:
            return self.text
        return self.text.replace("\n" + "  " * self.level, "\n" + "  " * level)


def _dump(value: Any, indent: str, out: list[str]) -> None:
    if isinstance(value, Prerendered):
        out.append(value.at(len(indent) // 2))
    elif isinstance(value, dict):
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




def compact_json(value: Any) -> str:
    """Sorted compact JSON: the memo's key for a value. Raises TypeError for values JSON cannot
    hold (Decimal). Spec sub-trees the validation stage already encoded are not encoded again."""
    memo = current()
    if memo is not None:
        cached = memo.derived.get(("compact", id(value)))
        if cached is not None and cached[0] is value:
            return str(cached[1])
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compact_members(mapping: dict[str, Any]) -> str:
    """`compact_json(mapping)`, built from its members' compact JSON (so members the validation
    stage encoded are not encoded again): the C encoder writes a mapping as exactly this."""
    if not all(isinstance(key, str) for key in mapping):
        return compact_json(mapping)
    return "{" + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{compact_json(mapping[key])}"
                          for key in sorted(mapping)) + "}"


def remember_compact(value: Any, text: str) -> None:
    """Record `text` as the compact JSON of `value`, a sub-tree of the loaded spec (which no
    stage ever mutates), for the rest of the build. The entry holds `value`, so its id cannot
    be reused by another object meanwhile."""
    memo = current()
    if memo is not None and isinstance(value, (dict, list)):
        memo.derived[("compact", id(value))] = (value, text)


def _fragment(value: Any, level: int) -> str | None:
    """The indented JSON of `value` nested at `level`, through the memo (which keeps it laid out
    for that level); None if the C encoder refuses."""
    try:
        compact = compact_json(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(value, (dict, list, tuple)) or len(compact) == 2:
        return compact  # a scalar or an empty container: no layout to add

    def lay_out() -> str:
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)

    text: str = memoized("json", f"{level}\0{compact}", lay_out, lambda cached: isinstance(cached, str))
    return text


def _splits(value: Any, level: int) -> bool:
    return (isinstance(value, dict) and bool(value) and (level <= 2 or (len(value) >= 16 and level <= 4))
            and all(isinstance(k, str) for k in value))


def _assembled(value: dict[str, Any], level: int) -> str | None:
    """`value` (a non-empty mapping with string keys) laid out at nesting `level`."""
    inner = "\n" + "  " * (level + 1)
    parts: list[str] = []
    for key in sorted(value):
        item = value[key]
        text: str | None
        if isinstance(item, Prerendered):
            text = item.at(level + 1)
        elif _splits(item, level + 1):
            text = _assembled(item, level + 1)
        else:
            text = _fragment(item, level + 1)
        if text is None:
            return None
        parts.append(f"{json.dumps(key, ensure_ascii=False)}: {text}")
    return "{" + inner + ("," + inner).join(parts) + "\n" + "  " * level + "}"


def canonical_json(value: Any) -> str:
    if current() is not None and _splits(value, 0):
        text = _assembled(value, 0)
        if text is not None:
            return text + "\n"
    try:
        # the standard encoder is faster; it refuses Decimal, which only then takes the slow path
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    except TypeError:
        pass
    out: list[str] = []
    _dump(value, "", out)
    out.append("\n")
    return "".join(out)
