"""Parse YAML text into plain JSON-like data and a JSON-pointer -> line:col index.

One `yaml.compose` pass gives nodes with marks; values are constructed from those nodes, so
positions and data can never disagree. Timestamps stay strings (the spec is JSON-shaped);
duplicate keys and non-finite numbers are errors. With ``exact_numbers`` floats become
`decimal.Decimal` so that seed values keep the digits they were written with.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.diagnostics import Diagnostics, Location

Pointer = tuple[str | int, ...]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"

_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=65536)
def _resolve(kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
    # without path resolvers (the safe loaders have none) a tag depends on these three alone;
    # a spec repeats the same few hundred scalars thousands of times
    tag: str = _RESOLVER.resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
    return tag


# libyaml's composer is an order of magnitude faster and yields the same nodes and marks.
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    resolve = staticmethod(_resolve)


_LOADER = _FastLoader if not _RESOLVER.yaml_path_resolvers else _BASE_LOADER


@dataclass
class YamlDocument:
    """A loaded file: its data and where every value (and every mapping key) stands."""

    path: str
    data: Any
    values: dict[Pointer, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Pointer, tuple[int, int]] = field(default_factory=dict)

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        """The location of `pointer`'s value (or its key), else of its nearest ancestor."""
        ptr = tuple(pointer)
        while True:
            table = self.keys if key and ptr in self.keys else self.values
            if ptr in table:
                line, col = table[ptr]
                return Location(self.path, line, col)
            if not ptr:
                return Location(self.path, 1, 1)
            ptr = ptr[:-1]
            key = False


class _Builder:
    def __init__(self, doc: YamlDocument, diags: Diagnostics, exact_numbers: bool) -> None:
        self.doc = doc
        self.diags = diags
        self.exact = exact_numbers
        self.scalar = yaml.constructor.SafeConstructor()

    def build(self, node: Node, ptr: Pointer) -> Any:
        self.doc.values[ptr] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            return self._mapping(node, ptr)
        if isinstance(node, SequenceNode):
            return [self.build(child, ptr + (i,)) for i, child in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: MappingNode, ptr: Pointer) -> dict[str, Any]:
        out: dict[str, Any] = {}
        keys = self.doc.keys
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            where = (mark.line + 1, mark.column + 1)
            if key_node.tag == _MERGE or not isinstance(key_node, ScalarNode):
                self.diags.error("E-YAML", "only plain scalar mapping keys are supported",
                                 Location(self.doc.path, *where),
                                 "write the key as a plain string; YAML merge keys (<<) are not allowed")
                continue
            key = str(key_node.value)
            if key in out:
                self.diags.error("E-YAML-DUP", f"duplicate key '{key}'", Location(self.doc.path, *where),
                                 "a key may appear once per mapping; remove or rename one of them")
                continue
            child = ptr + (key,)
            keys[child] = where
            out[key] = self.build(value_node, child)
        return out

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR or tag == _TIMESTAMP:
            return str(node.value)
        if tag == _INT:
            return self.scalar.construct_yaml_int(node)
        if tag == _FLOAT:
            value = self.scalar.construct_yaml_float(node)
            if value != value or value in (float("inf"), float("-inf")):
                loc = Location(self.doc.path, node.start_mark.line + 1, node.start_mark.column + 1)
                self.diags.error("E-YAML", f"'{node.value}' is not a finite number", loc,
                                 "JSON and DynamoDB only hold finite numbers")
                return None
            return Decimal(node.value.replace("_", "")) if self.exact else value
        if tag == _BOOL:
            return self.scalar.construct_yaml_bool(node)
        if tag == _NULL:
            return None
        return str(node.value)


def load_yaml(path: str, text: str, diags: Diagnostics, *, exact_numbers: bool = False) -> YamlDocument | None:
    """Parse `text` (shown as `path` in diagnostics). Returns None after a syntax error."""
    doc = YamlDocument(path=path, data=None)
    try:
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError:
            # re-parse in pure Python: same verdict, but its messages name what was expected
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        diags.error("E-YAML", f"YAML syntax error: {problem}", loc,
                    "check indentation, quoting and that ':' is followed by a space")
        return None
    except yaml.YAMLError as exc:
        diags.error("E-YAML", f"YAML error: {exc}", Location(path))
        return None
    if node is None:
        doc.data = None
        return doc
    doc.data = _Builder(doc, diags, exact_numbers).build(node, ())
    return doc
