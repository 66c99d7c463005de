"""Speed: a moto TransactWriteItems saves the items it touches, not a deep copy of each table.

moto's ``DynamoDBBackend.transact_write_items`` backs up a whole table (``copy.deepcopy``) once
per item of the transaction, to roll back when it is cancelled: a claim of 100 idempotency
records copied the idempotency table 100 times (seconds per call, gigabytes of garbage, as the
table grew). `install()` wraps it: within that call, in that thread, moto's ``copy.deepcopy``
of a ``Table`` returns the table itself; the items the transaction touches are saved instead,
and put back (or deleted) when it fails. What moto answers, and what the tables hold after a
cancelled transaction, are unchanged.

Touches (moto private): ``moto.dynamodb.models.DynamoDBBackend.transact_write_items``, the
``copy`` module as that module imported it, ``get_table`` / ``get_item`` / ``put_item`` /
``delete_item``, ``Table.hash_key_attr`` / ``range_key_attr``, ``Item.to_json()``.
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found; report text in
docs/upstream/moto-dynamodb-transaction-copies.md.
"""

from __future__ import annotations

import copy as _copy
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb import models as backends
from moto.dynamodb.models import table as tables

_scope = threading.local()
_originals: dict[str, Any] = {}


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
    original: Callable[..., Any] = _originals["transact_write_items"]
    _scope.transaction = True
    try:
        return original(backend, transact_items, *args, **kwargs)
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


def installed() -> bool:
    return bool(_originals)


def install() -> None:
    """Patch ``DynamoDBBackend.transact_write_items`` in this process; again does nothing."""
    if _originals:
        return
    backend_class: Any = backends.DynamoDBBackend
    if not callable(getattr(backend_class, "transact_write_items", None)):
        raise RuntimeError("moto's DynamoDB backend has no transact_write_items(): not supported")
    if getattr(backends, "copy", None) is not _copy:
        raise RuntimeError("moto's DynamoDB models no longer use the copy module: not supported")
    _originals.update(transact_write_items=backend_class.transact_write_items, copy=_copy)
    backend_class.transact_write_items = _transact_write_items
    setattr(backends, "copy", _Copy())  # noqa: B010 (a module attribute)


def uninstall() -> None:
    """Restore moto's own method and module; calling it again does nothing."""
    if not _originals:
        return
    backend_class: Any = backends.DynamoDBBackend
    backend_class.transact_write_items = _originals["transact_write_items"]
    setattr(backends, "copy", _originals["copy"])  # noqa: B010
    _originals.clear()
