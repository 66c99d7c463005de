# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `apply_orders`: handles order.placed from stream `events`.

Reads: nothing. Writes: orders.
"""

from __future__ import annotations

from typing import Any


def handle(batch: Any) -> None:
    """Apply one batch; raise to fail it (the generated entry module reports the failures)."""
    raise NotImplementedError("apply_orders: write the processing logic here")
