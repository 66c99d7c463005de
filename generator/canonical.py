"""Canonical and compact JSON: the one serialisation of spec data and generated documents.

Canonical JSON (`canonical_json`): sorted keys, 2-space indent, UTF-8 (not ASCII-escaped), one
trailing newline. The layout is exactly `json.dumps(sort_keys=True, indent=2,
ensure_ascii=False)`, except that `Decimal` values (exact seed numbers) are written with the
digits they were read with, which the standard encoder cannot do.

Compact JSON (`compact_json`): sorted keys, no whitespace. It tells every value and type apart,
so it is an exact description of a value.

Two facts make canonical JSON composable, and pure callers may rely on them: a value's indented
form is a function of its compact form (the same tokens, laid out by rule), and JSON strings
never hold a raw newline, so nesting a laid-out fragment only indents each of its lines
(`laid_out`, `Prerendered`). With indentation the standard encoder runs in Python, which is slow
for multi-megabyte documents; a caller that has the fragments of a large mapping at hand (from
`generator.speed`) passes `fragment` and the mapping is assembled from them.

Pure: no I/O and no state. Every layer may use this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Fragment = Callable[[Any, int], "str | None"]
"""(value, level) -> the canonical JSON of `value` nested at `level` (see `laid_out`), or None
when the function cannot tell (then `canonical_json` writes the whole value itself)."""


def compact_json(value: Any) -> str:
    """Sorted compact JSON. Raises TypeError for values JSON cannot hold (Decimal)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compact_members(mapping: dict[str, Any], compact: Callable[[Any], str] = compact_json) -> str:
    """`compact_json(mapping)`, built from its members' compact JSON as `compact` gives it (so a
    caller that knows some members' text does not encode them again): the C encoder writes a
    mapping as exactly this."""
    if not all(isinstance(key, str) for key in mapping):
        return compact_json(mapping)
    return "{" + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{compact(mapping[key])}"
                          for key in sorted(mapping)) + "}"


def laid_out(value: Any, level: int) -> str:
    """The canonical JSON of `value` (without the trailing newline) nested at `level`: every line
    after the first starts with its own level's indentation. Raises TypeError for Decimal."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


class Prerendered:
    """A value already laid out as canonical JSON nested at `level` (see `laid_out`); only
    `canonical_json` can place it (the standard encoder refuses it, so it is never lost)."""

    __slots__ = ("level", "text")

    def __init__(self, text: str, level: int = 0) -> None:
        self.text = text
        self.level = level

    def at(self, level: int) -> str:
        """The text nested at `level` (JSON strings hold no raw newline)."""
        if level == self.level:
            return self.text
        return self.text.replace("\n" + "  " * self.level, "\n" + "  " * level)


def canonical_json(value: Any, fragment: Fragment | None = None) -> str:
    """The canonical JSON of `value`; with `fragment`, a large mapping is assembled from the
    fragments it gives for its members (the result is the same text either way)."""
    if fragment is not None and _splits(value, 0):
        text = _assembled(value, 0, fragment)
        if text is not None:
            return text + "\n"
    try:
        # the standard encoder is faster; it refuses Decimal and Prerendered, which only then
        # take the slow path
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    except TypeError:
        pass
    out: list[str] = []
    _dump(value, "", out)
    out.append("\n")
    return "".join(out)


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"non-finite number {value}")
    text = str(value)
    if "E" in text or "e" in text:
        text = format(value, "f")
    return text


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


def _splits(value: Any, level: int) -> bool:
    """Whether a mapping at `level` is assembled from its members rather than asked for whole:
    the top levels, and large mappings a little deeper (a spec's schemas, paths)."""
    return (isinstance(value, dict) and bool(value) and (level <= 2 or (len(value) >= 16 and level <= 4))
            and all(isinstance(k, str) for k in value))


def _assembled(value: dict[str, Any], level: int, fragment: Fragment) -> str | None:
    """`value` (a non-empty mapping with string keys) laid out at nesting `level`."""
    inner = "\n" + "  " * (level + 1)
    parts: list[str] = []
    for key in sorted(value):
        item = value[key]
        text: str | None
        if isinstance(item, Prerendered):
            text = item.at(level + 1)
        elif _splits(item, level + 1):
            text = _assembled(item, level + 1, fragment)
        else:
            text = fragment(item, level + 1)
        if text is None:
            return None
        parts.append(f"{json.dumps(key, ensure_ascii=False)}: {text}")
    return "{" + inner + ("," + inner).join(parts) + "\n" + "  " * level + "}"
