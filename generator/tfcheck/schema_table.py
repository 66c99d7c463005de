"""The committed AWS provider schema table: its shape, where it lives, and how to load it.

The table is plain JSON (gzip-compressed, deterministic) written by `build_schema.py` and read
by the stand-in provider.  Shape, with empty mappings and false flags omitted:

    {"format": 1, "source": {...}, "unknown_schema": [path, ...],
     "provider": BLOCK, "resources": {type: BLOCK}, "data_sources": {type: BLOCK}}
    BLOCK  = {"attributes": {name: ATTR}, "blocks": {name: NESTED}}
    ATTR   = {"type": <cty type as Terraform writes it in JSON>,
              "required" | "optional" | "computed": true}
    NESTED = {"nesting": "single" | "list" | "set" | "map",
              "min_items": int, "max_items": int, "block": BLOCK}
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Final, Literal, NotRequired, TypedDict

FORMAT_VERSION: Final = 1
TABLE_PATH: Final = Path(__file__).with_name("aws-schema.json.gz")

Nesting = Literal["single", "list", "set", "map"]
# A cty type in Terraform's JSON notation: "string" or ["list", "string"] or
# ["object", {"a": "number"}]; kept loose because it nests arbitrarily.
CtyType = Any


class Attribute(TypedDict):
    type: CtyType
    required: NotRequired[bool]
    optional: NotRequired[bool]
    computed: NotRequired[bool]


class NestedBlock(TypedDict):
    nesting: Nesting
    block: Block
    min_items: NotRequired[int]
    max_items: NotRequired[int]


class Block(TypedDict):
    attributes: NotRequired[dict[str, Attribute]]
    blocks: NotRequired[dict[str, NestedBlock]]


class Table(TypedDict):
    format: int
    source: dict[str, str]
    unknown_schema: list[str]
    provider: Block
    resources: dict[str, Block]
    data_sources: dict[str, Block]


class TableError(Exception):
    """The schema table is missing or not in the expected format."""


def load_table(path: Path = TABLE_PATH) -> Table:
    """Read and return the table at `path`; raises TableError when absent or malformed."""
    try:
        raw = gzip.decompress(path.read_bytes())
    except OSError as exc:
        raise TableError(f"cannot read schema table {path}: {exc}") from exc
    table = json.loads(raw)
    if not isinstance(table, dict) or table.get("format") != FORMAT_VERSION:
        raise TableError(f"{path} is not a format-{FORMAT_VERSION} schema table")
    return table  # type: ignore[return-value]


def dump_table(table: Table) -> bytes:
    """Serialise `table` deterministically: sorted keys, compact JSON, gzip with mtime 0."""
    text = json.dumps(table, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8") + b"\n", compresslevel=9, mtime=0)
