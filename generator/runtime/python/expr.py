"""Condition, update and key-range expressions for DynamoDB, built from values, never strings.

`attr("lastReading", "time").lt(t)` or `Update().set("status", "offline")` compile into the
expression text plus ExpressionAttributeNames/Values (every name and value a placeholder, so
reserved words and odd attribute names need no care). Values are marshalled exactly
(runtime.marshal). Pure: no I/O.
"""

from __future__ import annotations

import typing as _t

if _t.TYPE_CHECKING:
    from .marshal import AttributeValue

K = _t.TypeVar("K")
Part = str | int


class Path:
    """An attribute path: a top-level attribute, then map keys (str) and list indexes (int)."""

    __slots__ = ("parts",)

    def __init__(self, name: str, *more: Part) -> None:
        self.parts: tuple[Part, ...] = (name, *more)

    @property
    def top(self) -> str:
        """The top-level attribute name."""
        return str(self.parts[0])

    def __repr__(self) -> str:
        return f"attr{self.parts!r}"

    def _cmp(self, op: str, value: object) -> Condition:
        return Condition(op, (self, _Value(value)))

    def eq(self, value: object) -> Condition:
        return self._cmp("=", value)

    def ne(self, value: object) -> Condition:
        return self._cmp("<>", value)

    def lt(self, value: object) -> Condition:
        return self._cmp("<", value)

    def le(self, value: object) -> Condition:
        return self._cmp("<=", value)

    def gt(self, value: object) -> Condition:
        return self._cmp(">", value)

    def ge(self, value: object) -> Condition:
        return self._cmp(">=", value)

    def between(self, low: object, high: object) -> Condition:
        return Condition("between", (self, _Value(low), _Value(high)))

    def begins_with(self, prefix: str) -> Condition:
        return Condition("begins_with", (self, _Value(prefix)))

    def is_in(self, *values: object) -> Condition:
        return Condition("in", (self, *(_Value(v) for v in values)))

    def exists(self) -> Condition:
        return Condition("attribute_exists", (self,))

    def not_exists(self) -> Condition:
        return Condition("attribute_not_exists", (self,))

    def is_null(self) -> Condition:
        """True when the attribute is stored as NULL (not when it is absent)."""
        return Condition("attribute_type", (self, _Value("NULL")))


def attr(name: str, *more: Part) -> Path:
    """A path to an attribute by its stored (wire) name, e.g. ``attr("lastReading", "time")``."""
    return Path(name, *more)


class _Value:
    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class Condition:
    """A condition expression; combine with ``&``, ``|`` and ``~``."""

    __slots__ = ("op", "args")

    def __init__(self, op: str, args: tuple[_t.Any, ...]) -> None:
        self.op = op
        self.args = args

    def __and__(self, other: Condition) -> Condition:
        return Condition("AND", (self, other))

    def __or__(self, other: Condition) -> Condition:
        return Condition("OR", (self, other))

    def __invert__(self) -> Condition:
        return Condition("NOT", (self,))

    def paths(self) -> list[Path]:
        """Every attribute path the condition mentions."""
        found: list[Path] = []
        for arg in self.args:
            if isinstance(arg, Path):
                found.append(arg)
            elif isinstance(arg, Condition):
                found.extend(arg.paths())
        return found


class Update:
    """An update expression: SET (optionally if_not_exists), REMOVE and numeric ADD actions."""

    __slots__ = ("actions",)

    def __init__(self) -> None:
        self.actions: list[tuple[str, Path, object]] = []

    def set(self, path: str | Path, value: object) -> Update:
        self.actions.append(("set", _path(path), value))
        return self

    def set_if_not_exists(self, path: str | Path, value: object) -> Update:
        """SET the attribute only when it is absent (keeps what is stored)."""
        self.actions.append(("set_default", _path(path), value))
        return self

    def remove(self, path: str | Path) -> Update:
        self.actions.append(("remove", _path(path), None))
        return self

    def add(self, path: str | Path, amount: int) -> Update:
        self.actions.append(("add", _path(path), amount))
        return self

    def __bool__(self) -> bool:
        return bool(self.actions)


class KeyRange(_t.Generic[K]):
    """A sort-key condition of a Query: one of =, <, <=, >, >=, between, begins_with."""

    __slots__ = ("op", "values")

    def __init__(self, op: str, values: tuple[K, ...]) -> None:
        self.op = op
        self.values = values

    @classmethod
    def eq(cls, value: K) -> KeyRange[K]:
        return cls("=", (value,))

    @classmethod
    def lt(cls, value: K) -> KeyRange[K]:
        return cls("<", (value,))

    @classmethod
    def le(cls, value: K) -> KeyRange[K]:
        return cls("<=", (value,))

    @classmethod
    def gt(cls, value: K) -> KeyRange[K]:
        return cls(">", (value,))

    @classmethod
    def ge(cls, value: K) -> KeyRange[K]:
        return cls(">=", (value,))

    @classmethod
    def between(cls, low: K, high: K) -> KeyRange[K]:
        return cls("between", (low, high))

    @classmethod
    def begins_with(cls, prefix: K) -> KeyRange[K]:
        return cls("begins_with", (prefix,))

    def condition(self, name: str) -> Condition:
        path = Path(name)
        if self.op == "between":
            return path.between(*self.values)
        if self.op == "begins_with":
            return Condition("begins_with", (path, _Value(self.values[0])))
        return Condition(self.op, (path, _Value(self.values[0])))


def _path(path: str | Path) -> Path:
    return path if isinstance(path, Path) else Path(path)


class Compiler:
    """Turns expressions into text with placeholders; `params()` gives the request fields."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, AttributeValue] = {}

    def name(self, name: str) -> str:
        placeholder = self.names.get(name)
        if placeholder is None:
            placeholder = self.names[name] = f"#n{len(self.names)}"
        return placeholder

    def value(self, value: object) -> str:
        placeholder = f":v{len(self.values)}"
        from .marshal import plain, to_attr  # at first use: keeps importing expr cheap

        self.values[placeholder] = to_attr(plain(value))
        return placeholder

    def path(self, path: Path) -> str:
        out = ""
        for part in path.parts:
            out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + self.name(part)
        return out

    def condition(self, cond: Condition) -> str:
        op, args = cond.op, cond.args
        if op in ("AND", "OR"):
            return f"({self.condition(args[0])} {op} {self.condition(args[1])})"
        if op == "NOT":
            return f"(NOT {self.condition(args[0])})"
        if op in ("attribute_exists", "attribute_not_exists"):
            return f"{op}({self.path(args[0])})"
        if op in ("attribute_type", "begins_with"):
            return f"{op}({self.path(args[0])}, {self.value(args[1].value)})"
        if op == "between":
            low, high = self.value(args[1].value), self.value(args[2].value)
            return f"{self.path(args[0])} BETWEEN {low} AND {high}"
        if op == "in":
            options = ", ".join(self.value(a.value) for a in args[1:])
            return f"{self.path(args[0])} IN ({options})"
        return f"{self.path(args[0])} {op} {self.value(args[1].value)}"

    def update(self, update: Update) -> str:
        sets: list[str] = []
        removes: list[str] = []
        adds: list[str] = []
        for kind, path, value in update.actions:
            target = self.path(path)
            if kind == "set":
                sets.append(f"{target} = {self.value(value)}")
            elif kind == "set_default":
                sets.append(f"{target} = if_not_exists({target}, {self.value(value)})")
            elif kind == "remove":
                removes.append(target)
            else:
                adds.append(f"{target} {self.value(value)}")
        clauses = [("SET", sets), ("REMOVE", removes), ("ADD", adds)]
        return " ".join(f"{verb} {', '.join(parts)}" for verb, parts in clauses if parts)

    def params(self) -> dict[str, _t.Any]:
        out: dict[str, _t.Any] = {}
        if self.names:
            out["ExpressionAttributeNames"] = {v: k for k, v in self.names.items()}
        if self.values:
            out["ExpressionAttributeValues"] = dict(self.values)
        return out
