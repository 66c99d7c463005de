"""Parse YAML text into plain JSON-like data and a JSON-pointer -> line:col index.

One `yaml.compose` pass gives nodes with marks; values are constructed from those nodes, so
positions and data can never disagree. Positions are looked up in the node tree when asked
for (a build asks for a few hundred of the tens of thousands there are). Timestamps stay strings (the spec is JSON-shaped);
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
    """A loaded file: its data and the composed nodes, which say where every value (and every
    mapping key) stands."""

    path: str
    data: Any
    root: Node | None = None
    _members: dict[int, dict[str, tuple[Node, Node]]] = field(default_factory=dict, repr=False, compare=False)

    def _member(self, node: MappingNode, name: str) -> tuple[Node, Node] | None:
        members = self._members.get(id(node))
        if members is None:
            # the pairs the data holds: plain scalar keys, the first of duplicates
            members = {}
            for key_node, value_node in node.value:
                if key_node.tag != _MERGE and isinstance(key_node, ScalarNode):
                    members.setdefault(str(key_node.value), (key_node, value_node))
            self._members[id(node)] = members
        return members.get(name)

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        """The location of `pointer`'s value (or its key), else of its nearest ancestor."""
        node = self.root
        if node is None:
            return Location(self.path, 1, 1)
        where = node.start_mark
        parts = tuple(pointer)
        for i, part in enumerate(parts):
            if isinstance(node, MappingNode) and isinstance(part, str):
                pair = self._member(node, part)
                if pair is None:
                    break
                if key and i == len(parts) - 1:
                    where = pair[0].start_mark
                    break
                node = pair[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                break
            where = node.start_mark
        return Location(self.path, where.line + 1, where.column + 1)


class _Builder:
    def __init__(self, doc: YamlDocument, diags: Diagnostics, exact_numbers: bool) -> None:
        self.doc = doc
        self.diags = diags
        self.exact = exact_numbers
        self.scalar = yaml.constructor.SafeConstructor()

    def build(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return self._mapping(node)
        if isinstance(node, SequenceNode):
            return [self.build(child) for child in node.value]
        assert isinstance(node, ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: MappingNode) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node, ScalarNode):
                mark = key_node.start_mark
                self.diags.error("E-YAML", "only plain scalar mapping keys are supported",
                                 Location(self.doc.path, mark.line + 1, mark.column + 1),
                                 "write the key as a plain string; YAML merge keys (<<) are not allowed")
                continue
            key = str(key_node.value)
            if key in out:
                mark = key_node.start_mark
                self.diags.error("E-YAML-DUP", f"duplicate key '{key}'", Location(self.doc.path, mark.line + 1,
                                                                                 mark.column + 1),
                                 "a key may appear once per mapping; remove or rename one of them")
                continue
            out[key] = self.build(value_node)
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
    doc.root = node
    doc.data = _Builder(doc, diags, exact_numbers).build(node)
    return doc
