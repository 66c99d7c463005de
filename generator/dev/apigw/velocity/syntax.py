r"""Template syntax API Gateway's Velocity accepts and airspeed's parser does not, made parsable.

Contract: `rewrite(text)` returns the template text with two kinds of forms made parsable, and
everything else unchanged (no line break added or removed, so error lines stay right):

1. Backslashes in string literals. Velocity keeps a literal's backslashes as they are
   (`.replaceAll("\'", "'")` passes the regex `\'`; `.matches("\d+")` the regex `\d+`);
   airspeed's lexer rejects a backslash before any character but a few. Inside the string
   literals of directive arguments and method arguments, such a backslash is written as
   `BACKSLASH` (a private-use character), which the engine turns back into a backslash in the
   literal's value (`restore`). A template that already contains that character is left as is.
2. `#set` targets. airspeed reads a `#set` target as `$name(.name)*`; API Gateway (Velocity 1.7)
   also accepts

- an index step: `#set($map[$key] = v)`, `#set($context["requestOverride"].querystring["k"] = v)`;
- a dash in a property name: `#set($context.requestOverride.header.X-Amz-Target = v)` (Velocity
  1.7 identifiers may contain `-`).

Such a `#set(target = value)` becomes `#set($__vtl_value = value)` followed by
`#set($__vtl_set = $__vtl.assign($base, [steps], $__vtl_value))`:
`$__vtl` is the `Assigner` the engine puts in every namespace; it walks the steps (a name, or
the value of an index expression) and stores the value in the last map or list.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from generator.dev.apigw.velocity import java

ASSIGNER = "__vtl"
BACKSLASH = "\ue000"
# What airspeed's lexer takes after a backslash, in '...' and in "..." literals.
_LEXABLE = {"'": "'nrbt\\$", '"': '"nrbt\\$'}
_EXPRESSION_START = re.compile(r"#\{?(?:set|if|elseif|foreach)\}?\s*\(|\$!?\{?[A-Za-z_]", re.I)
_STEPS = r"(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]\n]*\])*\("
_CHAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*" + _STEPS)  # name.steps( after a `$`
_METHOD = re.compile(r"\.[A-Za-z_][A-Za-z0-9_]*" + _STEPS)  # .more.steps( after a `)`
_SET = re.compile(r"#set\s*\(\s*\$", re.I)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PROPERTY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def _skip_string(text: str, start: int) -> int:
    """The index after the string literal opening at `start` (a doubled quote is an escaped one)."""
    quote = text[start]
    index = start + 1
    while index < len(text):
        if text[index] == quote:
            if index + 1 < len(text) and text[index + 1] == quote:
                index += 2
                continue
            return index + 1
        index += 1
    return index


def _balanced_end(text: str, start: int, closer: str) -> int | None:
    """The index of the `closer` that balances the bracket just before `start`, or None."""
    stack = [closer]
    index = start
    while index < len(text):
        char = text[index]
        if char in "'\"":
            index = _skip_string(text, index)
            continue
        if char in _CLOSERS:
            stack.append(_CLOSERS[char])
        elif char in ")]}":
            if char != stack[-1]:
                return None
            stack.pop()
            if not stack:
                return index
        index += 1
    return None


def _target(text: str, start: int) -> tuple[str, list[str], int, bool] | None:
    """Parse `name(.prop|[expr])*` at `start`: base, step expressions, end, and whether it needs us."""
    match = _NAME.match(text, start)
    if match is None:
        return None
    base, index, steps, special = match.group(0), match.end(), [], False
    while index < len(text):
        if text[index] == ".":
            prop = _PROPERTY.match(text, index + 1)
            if prop is None:
                return None
            special = special or "-" in prop.group(0)
            steps.append("'" + prop.group(0) + "'")
            index = prop.end()
        elif text[index] == "[":
            end = _balanced_end(text, index + 1, "]")
            if end is None:
                return None
            steps.append(text[index + 1 : end].strip())
            special = True
            index = end + 1
        else:
            break
    return base, steps, index, special


def _rewrite_one(text: str, match: re.Match[str]) -> tuple[str, int] | None:
    parsed = _target(text, match.end())
    if parsed is None:
        return None
    base, steps, index, special = parsed
    equals = re.compile(r"\s*=").match(text, index)
    if not special or not steps or equals is None:
        return None
    close = _balanced_end(text, equals.end(), ")")
    if close is None:
        return None
    value = text[equals.end() : close]
    # The value is set first with a plain #set (any expression), then stored through the steps.
    stored = f"${ASSIGNER}.assign(${base}, [{', '.join(steps)}], ${ASSIGNER}_value)"
    return f"#set(${ASSIGNER}_value ={value})#set(${ASSIGNER}_set = {stored}", close


def restore(value: str) -> str:
    """A literal's value with the backslashes `rewrite` stood in for put back."""
    return value.replace(BACKSLASH, "\\")


def _literal(text: str, start: int, out: list[str]) -> int:
    """Copy the string literal at `start` to `out`, standing in for unlexable backslashes."""
    quote = text[start]
    out.append(quote)
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            follower = text[index + 1 : index + 2]
            out.append(char if follower and follower in _LEXABLE[quote] else BACKSLASH)
            if follower:
                out.append(follower)
            index += 2
            continue
        out.append(char)
        index += 1
        if char == quote:
            if text[index : index + 1] == quote:  # a doubled quote stays inside the literal
                out.append(quote)
                index += 1
                continue
            break
    return index


def _expression(text: str, start: int, out: list[str]) -> int:
    """Copy a parenthesised argument list opening just before `start`; literals via `_literal`."""
    depth = 1
    index = start
    while index < len(text) and depth:
        char = text[index]
        if char in "'\"":
            index = _literal(text, index, out)
            continue
        depth += 1 if char == "(" else -1 if char == ")" else 0
        out.append(char)
        index += 1
    return index


def _escape_backslashes(text: str) -> str:
    if "\\" not in text or BACKSLASH in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        found = _EXPRESSION_START.search(text, index)
        if found is None:
            break
        out.append(text[index : found.start()])
        if found.group(0).startswith("#"):
            out.append(found.group(0))
            index = _expression(text, found.end(), out)
            continue
        chain = _CHAIN.match(text, found.end() - 1)
        if chain is None:
            out.append(found.group(0))
            index = found.end()
            continue
        out.append(found.group(0)[:-1] + chain.group(0))
        index = _expression(text, chain.end(), out)
        while (more := _METHOD.match(text, index)) is not None:
            out.append(more.group(0))
            index = _expression(text, more.end(), out)
    out.append(text[index:])
    return "".join(out)


def rewrite(text: str) -> str:
    """The template with the forms of the module doc made parsable by airspeed."""
    text = _escape_backslashes(text)
    if "#set" not in text.lower():
        return text
    out: list[str] = []
    position = 0
    for match in _SET.finditer(text):
        if match.start() < position:
            continue
        rewritten = _rewrite_one(text, match)
        if rewritten is None:
            continue
        replacement, close = rewritten
        out.append(text[position : match.start()])
        out.append(replacement)
        position = close
    out.append(text[position:])
    return "".join(out)


class Assigner:
    """`$__vtl`: performs a rewritten `#set` (see the module doc)."""

    def assign(self, target: Any, steps: list[Any], value: Any) -> None:
        for step in steps[:-1]:
            target = _step(target, step)
        last = steps[-1]
        if isinstance(target, MutableMapping):
            target[last if isinstance(last, str) else java.to_string(last)] = value
        elif isinstance(target, list) and isinstance(last, int) and 0 <= last < len(target):
            target[last] = value
        else:
            raise TypeError(f"cannot #set [{java.to_string(last)}] of {type(target).__name__}")


def _step(target: Any, step: Any) -> Any:
    if isinstance(target, list) and isinstance(step, int) and not isinstance(step, bool):
        return target[step] if 0 <= step < len(target) else None
    return java.get_property(target, step if isinstance(step, str) else java.to_string(step))
