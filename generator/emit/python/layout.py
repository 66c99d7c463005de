"""Collision-free names and ruff-canonical layout of Python source fragments.

Generated Python must already be formatted (STYLE: formatters verify, never generate), so the
few constructs that can outgrow a line (class headers, calls, unions, dict and Literal
constants, docstrings) are laid out here the way `ruff format` (line length 100) lays them out:
one line if it fits, else the contents hugged on one indented line, else one item per line
with a trailing comma. Pure functions; no I/O.
"""

from __future__ import annotations

import json
import keyword
import textwrap
from collections.abc import Iterable

LINE = 100


class Namespace:
    """The top-level names of one generated module: `claim` returns a free variant of a name."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set(reserved)

    def reserve(self, name: str) -> str:
        """Take `name` exactly (names the IR already made unique, such as model classes)."""
        self._taken.add(name)
        return name

    def claim(self, candidate: str) -> str:
        """`candidate`, or `candidate2`, `candidate3`, ... whichever is free first."""
        name, n = candidate, 1
        while name in self._taken or keyword.iskeyword(name):
            n += 1
            name = f"{candidate}{n}"
        self._taken.add(name)
        return name

    def __contains__(self, name: str) -> bool:
        return name in self._taken


def literal(text: str) -> str:
    """A Python string literal in ruff's preferred quotes (double, unless that adds escapes)."""
    if '"' in text and "'" not in text:
        body = json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', '"')
        return f"'{body}'"
    return json.dumps(text, ensure_ascii=False)


def number_literal(value: object) -> str:
    """An int as itself; any other number as an exact Decimal of its written digits."""
    if isinstance(value, bool):
        raise TypeError("booleans are not numeric bounds")
    if isinstance(value, int):
        return str(value)
    return f"_decimal.Decimal({literal(repr(value) if isinstance(value, float) else str(value))})"


def bracketed(head: str, items: list[str], close: str, indent: str = "", *, hug: bool = True) -> list[str]:
    """`head` + items joined by ", " + `close`, laid out as ruff does at `indent`.

    Calls, signatures and subscripts hug their items on one line when that fits; collection
    displays (dicts, lists) never do: pass hug=False for those.
    """
    one = f"{indent}{head}{', '.join(items)}{close}"
    if len(one) <= LINE:
        return [one]
    inner = indent + "    "
    if hug:
        middle = f"{inner}{', '.join(items)}"
        if len(middle) <= LINE:
            return [f"{indent}{head}", middle, f"{indent}{close}"]
    return [f"{indent}{head}", *(f"{inner}{item}," for item in items), f"{indent}{close}"]


def union_assignment(target: str, members: list[str], indent: str = "") -> list[str]:
    """`target = A | B | C`, parenthesised and split as ruff does when too long."""
    one = f"{indent}{target} = {' | '.join(members)}"
    if len(one) <= LINE:
        return [one]
    inner = indent + "    "
    middle = f"{inner}{' | '.join(members)}"
    if len(middle) <= LINE:
        return [f"{indent}{target} = (", middle, f"{indent})"]
    return [f"{indent}{target} = (", f"{inner}{members[0]}", *(f"{inner}| {m}" for m in members[1:]),
            f"{indent})"]


def docstring(text: str, indent: str) -> list[str]:
    """A docstring at `indent`: one line when short, else a summary line and wrapped body."""
    clean = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    paragraphs = [" ".join(p.split()) for p in clean.split("\n\n") if p.strip()] or ["."]
    if paragraphs[-1].endswith('"'):
        paragraphs[-1] += "."
    if len(paragraphs) == 1 and len(indent) + len(paragraphs[0]) + 6 <= LINE:
        return [f'{indent}"""{paragraphs[0]}"""']
    width = LINE - len(indent) - 8
    lines: list[str] = []
    for i, para in enumerate(paragraphs):
        if i:
            lines.append("")
        lines.extend(textwrap.wrap(para, width=width, break_long_words=False, break_on_hyphens=False))
    out = [f'{indent}"""{lines[0]}', *[f"{indent}{line}" if line else "" for line in lines[1:]]]
    out.append(f'{indent}"""')
    return out
