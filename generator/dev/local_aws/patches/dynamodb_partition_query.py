"""Speed: a DynamoDB Query on moto reads one partition, as DynamoDB does, not the whole table.

moto answers every Query on a table's primary key by sorting every item of the table
(``Table.all_items()``) and then keeping the items of one partition, so a page of one device's
readings gets slower as the whole table grows (80 ms per page at 10,000 readings). `install()`
wraps ``Table.query`` so that, for a query on the primary key (no index), ``all_items()`` --
within that call, in that thread only -- returns just that partition's items, in the order
moto's own ``all_items()`` would list them. What moto answers is unchanged; index queries,
scans and every other operation are untouched.

Touches (moto private): ``moto.dynamodb.models.table.Table.query`` (its positional
``index_name``), ``Table.all_items``, ``Table.items`` (a dict of partitions), ``range_key_attr``
and ``Item.range_key``.
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found; report text in docs/upstream/moto-dynamodb-query-reads-table.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import table as tables

_scope = threading.local()
_originals: dict[str, Callable[..., Any]] = {}
_INDEX_NAME_POSITION = 7  # Table.query(hash_key, ..., projection_expressions, index_name, ...)


def _partition(table: Any, hash_key: Any) -> list[Any]:
    for _ in range(3):
        try:
            found = table.items.get(hash_key)  # .get: never inserts into moto's defaultdict
            if found is None:
                return []
            if not table.range_key_attr:
                return [found]
            return sorted(found.values(), key=lambda item: item.range_key)
        except RuntimeError:  # a writer changed the partition while we copied it: again
            continue
    raise RuntimeError("the partition changed too often to be read")


def _all_items(table: Any) -> Any:
    scoped = getattr(_scope, "partition", None)
    if scoped is not None and scoped[0] is table:
        return scoped[1]
    return _originals["all_items"](table)


def _query(table: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name")
    if len(args) > _INDEX_NAME_POSITION - 1:
        index_name = args[_INDEX_NAME_POSITION - 1]
    if index_name or hash_key is None or getattr(_scope, "partition", None) is not None:
        return _originals["query"](table, hash_key, *args, **kwargs)
    _scope.partition = (table, _partition(table, hash_key))
    try:
        return _originals["query"](table, hash_key, *args, **kwargs)
    finally:
        _scope.partition = None


def installed() -> bool:
    return bool(_originals)


def install() -> None:
    """Patch ``Table.query`` and ``Table.all_items`` in this process; again does nothing."""
    table_class: Any = tables.Table
    if _originals:
        return
    for name in ("query", "all_items"):
        if not callable(getattr(table_class, name, None)):
            raise RuntimeError(f"moto's DynamoDB Table has no {name}(): this moto is not supported")
    _originals.update(query=table_class.query, all_items=table_class.all_items)
    table_class.query = _query
    table_class.all_items = _all_items


def uninstall() -> None:
    """Restore moto's own methods; calling it again does nothing."""
    table_class: Any = tables.Table
    for name, method in _originals.items():
        setattr(table_class, name, method)
    _originals.clear()
