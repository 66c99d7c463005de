"""Speed: moto measures a DynamoDB item once when it builds it, not once per attribute.

moto builds an item attribute by attribute through a ``LimitedSizeDict`` that re-measures the
whole item on every assignment (quadratic in the number of attributes; a tenth of the local
stack's CPU). The running size only grows, so the item is over moto's limit at some step
exactly when it is over it at the end: `install()` has ``Item.__init__`` measure once, and
leaves an item over the limit to moto's own constructor, which raises its own error at its own
step. Items, sizes and errors are moto's.

Touches (moto private): ``moto.dynamodb.models.dynamo_type.Item.__init__`` (its attributes
``hash_key``, ``range_key``, ``attrs``), ``LimitedSizeDict``, ``DynamoType.size()``,
``moto.dynamodb.models.utilities.bytesize``; `ITEM_SIZE_LIMIT` mirrors ``LimitedSizeDict``'s.
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found; report text in docs/upstream/moto-dynamodb-item-size.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import dynamo_type as types
from moto.dynamodb.models.utilities import bytesize

ITEM_SIZE_LIMIT = 405_000  # moto's LimitedSizeDict: "between 409 and 410KB", set in between
_originals: dict[str, Callable[..., Any]] = {}


def _item_init(item: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    converted = {key: types.DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in converted.items()) > ITEM_SIZE_LIMIT:
        _originals["item_init"](item, hash_key, range_key, attrs)  # raises moto's error
        return
    item.hash_key = hash_key
    item.range_key = range_key
    item.attrs = types.LimitedSizeDict()
    dict.update(item.attrs, converted)  # measured above: no per-key re-measuring


def installed() -> bool:
    return bool(_originals)


def install() -> None:
    """Patch ``Item.__init__`` in this process; calling it again does nothing."""
    if _originals:
        return
    if not isinstance(getattr(types, "LimitedSizeDict", None), type):
        raise RuntimeError("moto's DynamoDB items are no LimitedSizeDict: not supported")
    item_class: Any = types.Item
    _originals["item_init"] = item_class.__init__
    item_class.__init__ = _item_init


def uninstall() -> None:
    """Restore moto's own constructor; calling it again does nothing."""
    if _originals:
        types.Item.__init__ = _originals["item_init"]  # type: ignore[method-assign]
        _originals.clear()
