"""Java runtime semantics that API Gateway's Velocity engine has and Python lacks.

API Gateway evaluates mapping templates on the JVM: values are Java strings, numbers, booleans,
`LinkedHashMap`s and json-smart `JSONArray`s, and the template calls their Java methods. This
module gives Python values the same observable behaviour:

- `to_string(v)`: what Velocity writes for a value (`true`, not `True`; maps as `{k=v, k2=v2}`;
  JSON arrays as compact JSON; template lists as `[a, b]`; nested nulls as `null`; an
  `OpaqueMap` -- `$context` and the maps in it -- as the empty string);
- `truthy(v)`: Velocity 1.7 conditions: only null and `false` are false (`""`, `0`, `[]` are true);
- `equals(a, b)`: Velocity `==` as API Gateway evaluates it: null equals null and the empty
  string; numbers compare numerically, same kinds by value, other pairs by `toString()`;
- `add`, `divide`, `modulo`, `compare`: Velocity arithmetic (`+` concatenates when a side is a
  string; integer division truncates; a null operand gives null);
- `call_method(obj, name, args)` / `get_property(obj, name)`: the Java methods templates use on
  strings (UTF-16 indices, Java regexes and replacement strings), lists and maps.

`JsonList` marks a list that came from JSON (json-smart `JSONArray`), which renders as JSON.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, KeysView, Mapping, MutableMapping, ValuesView
from decimal import Decimal
from typing import Any


class JsonList(list[Any]):
    """A JSON array parsed from a payload; Velocity renders it as compact JSON text."""


class OpaqueMap(dict[str, Any]):
    """A map API Gateway hands templates whose `toString()` is empty: `$context` and its maps.

    Recorded: listing `$context` with `keySet()`/`get()` renders `identity`, `requestOverride`
    and `responseOverride` (and their `header`, `path`, `querystring`) as nothing, where a map
    parsed from a payload renders as `{k=v}`. Entries read and write as in any map.
    """


def from_json(value: Any) -> Any:
    """Turn `json.loads` output into template values: arrays become `JsonList`s (recursively)."""
    if isinstance(value, list):
        return JsonList(from_json(item) for item in value)
    if isinstance(value, dict):
        return {key: from_json(item) for key, item in value.items()}
    return value


# json-smart (behind Jayway JsonPath, behind $input.json) escapes '/' and these ranges as \uXXXX.
_SMART_ESCAPES = re.compile(r"\\\\|\\u([0-9a-f]{4})|[/\x7f-\x9f\u2000-\u20ff]")


def _smart_escape(match: re.Match[str]) -> str:
    text = match.group(0)
    if text == "\\\\":
        return text
    if text == "/":
        return "\\/"
    if match.group(1) is not None:
        return "\\u" + match.group(1).upper()
    return f"\\u{ord(text):04X}"


def json_text(value: Any) -> str:
    """Compact JSON text of a value, escaped as json-smart writes it (what `$input.json` returns)."""
    raw = json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _SMART_ESCAPES.sub(_smart_escape, raw)


_SCALARS = frozenset({str, int, float, bool, type(None), Decimal})


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # the common cases first, without ABC checks (templates call this a lot)
        return value
    if kind is dict:
        return {k if type(k) is str else to_string(k): _plain(v) for k, v in value.items()}
    if kind is JsonList or kind is list:
        return [_plain(item) for item in value]
    if isinstance(value, (KeysView, ValuesView, tuple, range)):
        return [_plain(item) for item in value]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {to_string(key): _plain(item) for key, item in value.items()}
    return value


def _double_to_string(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if magnitude == 0 or 1e-3 <= magnitude < 1e7:
        return repr(value)
    # Java switches to computerized scientific notation outside [1e-3, 1e7): 1.0E7, 2.5E-4.
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(str(d) for d in digits).rstrip("0") or "0"
    power = exponent + len(digits) - 1
    mantissa = text[0] + "." + (text[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{power}"


def to_string(value: Any) -> str:
    """Java `String.valueOf(value)` for template values."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _double_to_string(value)
    if isinstance(value, JsonList):
        return json_text(value)
    if isinstance(value, OpaqueMap):
        return ""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{to_string(k)}={to_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple, KeysView, ValuesView, range, set, frozenset)):
        return "[" + ", ".join(to_string(item) for item in value) + "]"
    return str(value)


def truthy(value: Any) -> bool:
    """Velocity 1.7 `#if`: null and false are false, every other object is true."""
    return value is not None and value is not False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def equals(left: Any, right: Any) -> bool:
    """Velocity `==` as API Gateway evaluates it (recorded: an absent value `== ""` is true)."""
    if left is None or right is None:
        other = right if left is None else left
        return other is None or other == ""
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    kinds = (bool, str, Mapping, list)
    for kind in kinds:
        if isinstance(left, kind) and isinstance(right, kind):
            return bool(left == right)
    return to_string(left) == to_string(right)


def not_equals(left: Any, right: Any) -> bool:
    return not equals(left, right)


def add(left: Any, right: Any) -> Any:
    """Velocity `+`: numeric addition, or concatenation when either side is not a number."""
    if left is None or right is None:
        return None
    if _is_number(left) and _is_number(right):
        return left + right
    return to_string(left) + to_string(right)


def _numeric(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(left: Any, right: Any) -> Any:
        if not (_is_number(left) and _is_number(right)):
            return None
        return op(left, right)

    return apply


subtract = _numeric(lambda a, b: a - b)
multiply = _numeric(lambda a, b: a * b)


def _divide(left: Any, right: Any) -> Any:
    if right == 0:
        return None
    if isinstance(left, int) and isinstance(right, int):
        quotient = abs(left) // abs(right)
        return quotient if (left < 0) == (right < 0) else -quotient
    return left / right


def _modulo(left: Any, right: Any) -> Any:
    if right == 0:
        return None
    if isinstance(left, int) and isinstance(right, int):
        return left - right * _divide(left, right)
    return math.fmod(left, right)


divide = _numeric(_divide)
modulo = _numeric(_modulo)


def compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Velocity `<`, `<=`, `>`, `>=`: numbers, or strings with strings; anything else is false."""

    def apply(left: Any, right: Any) -> bool:
        if _is_number(left) and _is_number(right):
            return op(left, right)
        if isinstance(left, str) and isinstance(right, str):
            return op(left, right)
        return False

    return apply


def logical_and(left: Any, right: Any) -> bool:
    return truthy(left) and truthy(right)


def logical_or(left: Any, right: Any) -> bool:
    return truthy(left) or truthy(right)


def logical_not(value: Any) -> bool:
    return not truthy(value)


# --- Java strings: indices count UTF-16 code units, as `String.length()` does ------------------


def _units(text: str) -> str:
    """The string as UTF-16 code units (astral characters become surrogate pairs)."""
    if text.isascii():
        return text
    raw = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(raw[i : i + 2], "little")) for i in range(0, len(raw), 2))


def _from_units(units: str) -> str:
    if units.isascii():
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _substring(text: str, begin: int, end: int | None = None) -> str:
    units = _units(text)
    stop = len(units) if end is None else end
    if begin < 0 or stop > len(units) or begin > stop:
        raise IndexError(f"substring({begin}, {stop}) out of range for length {len(units)}")
    return _from_units(units[begin:stop])


def _char_at(text: str, index: int) -> str:
    units = _units(text)
    if not 0 <= index < len(units):
        raise IndexError(f"charAt({index}) out of range for length {len(units)}")
    return units[index]


def _index_of(text: str, part: Any, start: int = 0) -> int:
    return _units(text).find(_units(to_string(part)), max(start, 0))


def _last_index_of(text: str, part: Any) -> int:
    return _units(text).rfind(_units(to_string(part)))


_JAVA_GROUP = re.compile(r"\\(.)|\$(\d+)|\$\{([A-Za-z][A-Za-z0-9]*)\}", re.S)


def _java_replacement(replacement: str) -> Callable[[re.Match[str]], str]:
    """A Java `Matcher.replaceAll` replacement string: `$1`, `${name}`, and `\\x` for literal x."""

    def expand(match: re.Match[str]) -> str:
        def one(token: re.Match[str]) -> str:
            if token.group(1) is not None:
                return token.group(1)
            if token.group(2) is not None:
                return match.group(int(token.group(2))) or ""
            return match.group(token.group(3)) or ""

        return _JAVA_GROUP.sub(one, replacement)

    return expand


def _java_regex(pattern: str) -> re.Pattern[str]:
    # Java's named groups are (?<name>...); Python spells them (?P<name>...).
    return re.compile(re.sub(r"\(\?<([A-Za-z][A-Za-z0-9]*)>", r"(?P<\1>", pattern))


def _replace_all(text: str, pattern: str, replacement: str) -> str:
    return _java_regex(pattern).sub(_java_replacement(to_string(replacement)), text)


def _replace_first(text: str, pattern: str, replacement: str) -> str:
    return _java_regex(pattern).sub(_java_replacement(to_string(replacement)), text, count=1)


def _split(text: str, pattern: str, limit: int = 0) -> list[str]:
    """Java `String.split`: with limit 0, trailing empty strings are dropped."""
    parts = _java_regex(pattern).split(text, maxsplit=max(limit - 1, 0) if limit > 0 else 0)
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()
    return parts


def _trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def _compare_to(text: str, other: Any) -> int:
    """Java's String.compareTo: the difference of the first differing UTF-16 units, else of
    the lengths."""
    mine, theirs = _units(text), _units(to_string(other))
    for a, b in zip(mine, theirs, strict=False):
        if a != b:
            return ord(a) - ord(b)
    return len(mine) - len(theirs)


_STRING_METHODS: dict[str, Callable[..., Any]] = {
    "compareTo": _compare_to,
    "length": lambda s: len(_units(s)),
    "isEmpty": lambda s: len(s) == 0,
    "substring": _substring,
    "charAt": _char_at,
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "contains": lambda s, part: to_string(part) in s,
    "startsWith": lambda s, prefix: s.startswith(to_string(prefix)),
    "endsWith": lambda s, suffix: s.endswith(to_string(suffix)),
    "equals": lambda s, other: isinstance(other, str) and s == other,
    "equalsIgnoreCase": lambda s, other: isinstance(other, str) and s.lower() == other.lower(),
    "trim": _trim,
    "toLowerCase": lambda s: s.lower(),
    "toUpperCase": lambda s: s.upper(),
    "replace": lambda s, old, new: s.replace(to_string(old), to_string(new)),
    "replaceAll": _replace_all,
    "replaceFirst": _replace_first,
    "matches": lambda s, pattern: _java_regex(pattern).fullmatch(s) is not None,
    "split": _split,
    "concat": lambda s, other: s + to_string(other),
    "toString": lambda s: s,
}


def _list_get(items: list[Any], index: int) -> Any:
    if not 0 <= index < len(items):
        raise IndexError(f"get({index}) out of range for size {len(items)}")
    return items[index]


def _list_add(items: list[Any], value: Any) -> bool:
    items.append(value)
    return True


def _list_set(items: list[Any], index: int, value: Any) -> Any:
    previous = _list_get(items, index)
    items[index] = value
    return previous


_LIST_METHODS: dict[str, Callable[..., Any]] = {
    "size": len,
    "isEmpty": lambda items: len(items) == 0,
    "get": _list_get,
    "contains": lambda items, value: any(equals(item, value) for item in items),
    "indexOf": lambda items, value: next(
        (i for i, item in enumerate(items) if equals(item, value)), -1
    ),
    "add": _list_add,
    "set": _list_set,
    "toString": to_string,
}


def _map_put(mapping: MutableMapping[Any, Any], key: Any, value: Any) -> Any:
    previous = mapping.get(key)
    mapping[key] = value
    return previous


_MAP_METHODS: dict[str, Callable[..., Any]] = {
    "get": lambda m, key: m.get(key),
    "containsKey": lambda m, key: key in m,
    "containsValue": lambda m, value: any(equals(v, value) for v in m.values()),
    "keySet": lambda m: list(m.keys()),
    "values": lambda m: list(m.values()),
    "size": len,
    "isEmpty": lambda m: len(m) == 0,
    "put": _map_put,
    "putAll": lambda m, other: m.update(other),
    "remove": lambda m, key: m.pop(key, None),
    "toString": to_string,
}

_SCALAR_METHODS: dict[str, Callable[..., Any]] = {
    "toString": to_string,
    "equals": equals,
    "intValue": lambda n: int(n),
    "longValue": lambda n: int(n),
    "doubleValue": lambda n: float(n),
    "booleanValue": lambda b: bool(b),
}


def _methods_for(obj: Any) -> dict[str, Callable[..., Any]] | None:
    if isinstance(obj, str):
        return _STRING_METHODS
    if isinstance(obj, Mapping):
        return _MAP_METHODS
    if isinstance(obj, list):
        return _LIST_METHODS
    if isinstance(obj, (bool, int, float)):
        return _SCALAR_METHODS
    return None


_BUILTIN_TYPES = (str, bytes, int, float, bool, list, tuple, dict, set, frozenset, type(None))


def call_method(obj: Any, name: str, args: list[Any]) -> Any:
    """`$obj.name(args)`; null when the object has no such method (as Velocity does)."""
    if obj is None or name.startswith("_"):
        return None
    table = _methods_for(obj)
    if table is not None:
        method = table.get(name)
        return None if method is None else method(obj, *args)
    if isinstance(obj, _BUILTIN_TYPES):
        return None
    attribute = getattr(obj, name, None)
    if callable(attribute):
        return attribute(*args)
    return None


def get_property(obj: Any, name: str) -> Any:
    """`$obj.name`: a map entry, a host object's attribute, or a Java bean getter."""
    if obj is None:
        return None
    if type(obj) is dict or isinstance(obj, Mapping):
        return obj.get(name)
    if name.startswith("_"):
        return None
    table = _methods_for(obj)
    if table is not None:
        capitalised = name[:1].upper() + name[1:]
        for getter in ("get" + capitalised, "is" + capitalised):
            method = table.get(getter)
            if method is not None:
                try:
                    return method(obj)
                except TypeError:
                    return None
        return None
    attribute = getattr(obj, name, None)
    return None if callable(attribute) else attribute
