"""Make moto's DynamoDB Query cost what DynamoDB's does: proportional to the partition it reads.

moto 5.1.x answers every Query on a table's primary key by sorting every item of the table
(``Table.all_items()``) and then keeping the items of one partition, so a page of one device's
readings gets slower as the whole table grows (80 ms per page at 10,000 readings). `install()`
wraps ``Table.query`` so that, for a query on the primary key (no index), ``all_items()`` --
within that call, in that thread only -- returns just that partition's items, in the order
moto's own ``all_items()`` would list them. What moto answers is unchanged; index queries,
scans and every other operation are untouched. Call it once, before the moto server serves.

moto's ``TransactWriteItems`` backs up a whole table (``copy.deepcopy``) once per item of the
transaction, to roll back when it is cancelled: a claim of 100 idempotency records copied the
idempotency table 100 times (seconds per call, gigabytes of garbage, as the table grew).
`install()` also wraps it: the table is not copied (within that call, in that thread), the items
the transaction touches are saved instead, and put back (or deleted) when it fails. What moto
answers is unchanged.

moto builds an item attribute by attribute through a dict that re-measures the whole item on
every assignment (quadratic in the number of attributes; a tenth of the local stack's CPU).
The running size only grows, so the item is over moto's limit at some step exactly when it is
over it at the end: `install()` has ``Item.__init__`` measure once, and leave an item over the
limit to moto's own constructor, which raises its own error at its own step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import copy as _copy

from moto.dynamodb import models as backends
from moto.dynamodb.models import dynamo_type as types
from moto.dynamodb.models import table as tables
from moto.dynamodb.models.utilities import bytesize

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


class _Copy:
    """moto's `copy` module, except that a table is not copied inside a transaction."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_copy, name)

    @staticmethod
    def deepcopy(value: Any, *args: Any) -> Any:
        if getattr(_scope, "transaction", False) and isinstance(value, tables.Table):
            return value
        return _copy.deepcopy(value, *args)


def _touched(backend: Any, transact_items: Any) -> list[tuple[str, dict[str, Any], Any]]:
    saved: list[tuple[str, dict[str, Any], Any]] = []
    for entry in transact_items if isinstance(transact_items, list) else []:
        try:
            op_type, op = next(iter(entry.items()))
            name = op["TableName"]
            if op_type == "Put":
                table = backend.get_table(name)
                attrs = [table.hash_key_attr] + (
                    [table.range_key_attr] if table.range_key_attr else []
                )
                key = {a: op["Item"][a] for a in attrs}
            else:
                key = op["Key"]
            current = backend.get_item(name, key)
            saved.append(
                (name, key, _copy.deepcopy(current.to_json()["Attributes"]) if current else None)
            )
        except Exception:  # moto reports what is wrong with the item; nothing to save
            continue
    return saved


def _transact_write_items(backend: Any, transact_items: Any, *args: Any, **kwargs: Any) -> Any:
    saved = _touched(backend, transact_items)
    _scope.transaction = True
    try:
        return _originals["transact_write_items"](backend, transact_items, *args, **kwargs)
    except Exception:
        _scope.transaction = False
        for name, key, old in reversed(saved):
            if old is not None:
                backend.put_item(name, old)
            elif backend.get_item(name, key) is not None:
                backend.delete_item(name, key)
        raise
    finally:
        _scope.transaction = False


ITEM_SIZE_LIMIT = 405_000  # moto's LimitedSizeDict: "between 409 and 410KB", set in between


def _item_init(item: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    converted = {key: types.DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in converted.items()) > ITEM_SIZE_LIMIT:
        _originals["item_init"](item, hash_key, range_key, attrs)  # raises moto's error
        return
    item.hash_key = hash_key
    item.range_key = range_key
    item.attrs = types.LimitedSizeDict()
    dict.update(item.attrs, converted)  # measured above: no per-key re-measuring


def install() -> None:
    """Patch ``moto.dynamodb.models.table.Table`` in this process; calling it again does nothing."""
    table_class: Any = tables.Table
    if _originals:
        return
    for name in ("query", "all_items"):
        if not callable(getattr(table_class, name, None)):
            raise RuntimeError(f"moto's DynamoDB Table has no {name}(): this moto is not supported")
        _originals[name] = getattr(table_class, name)
    table_class.query = _query
    table_class.all_items = _all_items
    backend_class: Any = backends.DynamoDBBackend
    if not callable(getattr(backend_class, "transact_write_items", None)):
        raise RuntimeError("moto's DynamoDB backend has no transact_write_items(): not supported")
    _originals["transact_write_items"] = backend_class.transact_write_items
    _originals["copy"] = getattr(backends, "copy")  # noqa: B009 (a module attribute)
    backend_class.transact_write_items = _transact_write_items
    setattr(backends, "copy", _Copy())  # noqa: B010
    item_class: Any = types.Item
    _originals["item_init"] = item_class.__init__
    item_class.__init__ = _item_init


def uninstall() -> None:
    """Restore moto's own methods (for tests that compare both)."""
    table_class: Any = tables.Table
    backend_class: Any = backends.DynamoDBBackend
    for name, method in _originals.items():
        if name == "copy":
            setattr(backends, "copy", method)  # noqa: B010
        elif name == "item_init":
            types.Item.__init__ = method  # type: ignore[method-assign]
        elif name == "transact_write_items":
            backend_class.transact_write_items = method
        else:
            setattr(table_class, name, method)
    _originals.clear()
