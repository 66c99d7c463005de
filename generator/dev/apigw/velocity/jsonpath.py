"""The JSONPath subset that `$input.path` / `$input.json` evaluate (Jayway JsonPath semantics).

Contract: `evaluate(document, path)` returns `(found, value)`.
Supported: `$`, `.name`, `['name']` / `["name"]`, `[n]` (negative counts from the end), `.*` /
`[*]`, and deep scan `..name`. A *definite* path (no wildcard, no deep scan) yields the single
value or `found=False` when a step is missing; an *indefinite* path yields a `JsonList` of every
match (possibly empty). Any other syntax (filters, slices, unions, functions) raises
`JsonPathError`, so a template never silently reads the wrong thing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.dev.apigw.velocity.java import JsonList


class JsonPathError(ValueError):
    """The expression is not in the supported JSONPath subset."""


@dataclass(frozen=True)
class _Step:
    kind: str  # "name", "index", "wildcard", "deep"
    name: str = ""
    index: int = 0


_TOKEN = re.compile(
    r"""
      \.\.(?P<deep>[A-Za-z_$][\w$-]*|\*)              # ..name / ..*
    | \.(?P<name>[A-Za-z_$][\w$-]*)                    # .name
    | \.(?P<dotstar>\*)                                # .*
    | \[\s*'(?P<sq>(?:[^'\\]|\\.)*)'\s*\]              # ['name']
    | \[\s*"(?P<dq>(?:[^"\\]|\\.)*)"\s*\]              # ["name"]
    | \[\s*(?P<index>-?\d+)\s*\]                       # [0]
    | \[\s*(?P<star>\*)\s*\]                           # [*]
    """,
    re.VERBOSE,
)


@lru_cache(maxsize=512)
def parse(path: str) -> tuple[_Step, ...]:
    """The steps of a JSONPath expression (cached: templates reuse a handful of paths)."""
    text = path.strip()
    if not text.startswith("$"):
        raise JsonPathError(f"JSONPath must start with '$': {path!r}")
    steps: list[_Step] = []
    position = 1
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise JsonPathError(f"unsupported JSONPath syntax at {text[position:]!r} in {path!r}")
        position = match.end()
        if match.group("deep") is not None:
            deep = match.group("deep")
            steps.append(_Step("deep", name="" if deep == "*" else deep))
        elif match.group("name") is not None:
            steps.append(_Step("name", name=match.group("name")))
        elif match.group("sq") is not None or match.group("dq") is not None:
            quoted = match.group("sq") if match.group("sq") is not None else match.group("dq")
            steps.append(_Step("name", name=re.sub(r"\\(.)", r"\1", quoted)))
        elif match.group("index") is not None:
            steps.append(_Step("index", index=int(match.group("index"))))
        else:
            steps.append(_Step("wildcard"))
    return tuple(steps)


def _children(node: Any) -> list[Any]:
    if isinstance(node, Mapping):
        return list(node.values())
    if isinstance(node, list):
        return list(node)
    return []


def _descendants(node: Any) -> list[Any]:
    found = [node]
    for child in _children(node):
        found.extend(_descendants(child))
    return found


def _apply(step: _Step, nodes: list[Any]) -> list[Any]:
    result: list[Any] = []
    for node in nodes:
        if step.kind == "name":
            if isinstance(node, Mapping) and step.name in node:
                result.append(node[step.name])
        elif step.kind == "index":
            if isinstance(node, list) and -len(node) <= step.index < len(node):
                result.append(node[step.index])
        elif step.kind == "wildcard":
            result.extend(_children(node))
        else:
            for candidate in _descendants(node):
                if step.name == "":
                    result.extend(_children(candidate))
                elif isinstance(candidate, Mapping) and step.name in candidate:
                    result.append(candidate[step.name])
    return result


def evaluate(document: Any, path: str) -> tuple[bool, Any]:
    """Evaluate `path` against a parsed JSON document."""
    steps = parse(path)
    nodes = [document]
    for step in steps:
        nodes = _apply(step, nodes)
    if any(step.kind in ("wildcard", "deep") for step in steps):
        return True, JsonList(nodes)
    if not nodes:
        return False, None
    return True, nodes[0]
