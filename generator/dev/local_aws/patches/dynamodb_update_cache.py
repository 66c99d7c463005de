"""Speed: moto parses each DynamoDB update expression once per text, not once per call.

moto parses an ``UpdateExpression`` with ``UpdateExpressionParser.make(text)``, a function of
the text alone, on every UpdateItem and every update of a transaction; the tree it returns is
only read (moto's validator works on a deep copy of it). `install()` keeps the tree per text;
a text that does not parse is never kept and raises moto's own error every time.

Touches (moto private): ``moto.dynamodb.parsing.expressions.UpdateExpressionParser.make``
(a classmethod, replaced by a static method and restored as a classmethod).
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found; report text in docs/upstream/moto-dynamodb-expression-parsing.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.parsing import expressions

_Update: Any = getattr(expressions, "UpdateExpressionParser")  # noqa: B009 (untyped in moto)
_LIMIT = 4096  # distinct texts kept; the stack uses a few dozen
_updates: dict[str, Any] = {}
_lock = threading.Lock()
_original: list[Callable[..., Any]] = []


def _make_update(expression: str) -> Any:
    tree = _updates.get(expression)
    if tree is None:
        tree = _original[0](expression)  # raises exactly what moto raises
        with _lock:
            if len(_updates) >= _LIMIT:
                _updates.clear()
            _updates[expression] = tree
    return tree


def installed() -> bool:
    return bool(_original)


def install() -> None:
    """Patch ``UpdateExpressionParser.make`` in this process; calling it again does nothing."""
    if _original:
        return
    if not callable(getattr(_Update, "make", None)):
        raise RuntimeError("moto's UpdateExpressionParser has no make(): not supported")
    _original.append(_Update.make)
    _Update.make = staticmethod(_make_update)


def uninstall() -> None:
    """Restore moto's own parser and forget what was kept; calling it again does nothing."""
    if _original:
        _Update.make = classmethod(getattr(_original.pop(), "__func__"))  # noqa: B009
    _updates.clear()
