# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `apply_orders`: handles order.placed from stream `events`.

Reads: nothing. Writes: orders.
"""

from __future__ import annotations

from odd.contracts import ApplyOrdersContext
from odd.events import ApplyOrdersEvent, OrderPlacedEvent
from odd.runtime.stream import Batch


def handle(batch: Batch[ApplyOrdersEvent], ctx: ApplyOrdersContext) -> None:
    """Apply one batch of events in stream order (contract: odd.contracts.ApplyOrdersHandler).

    Call `batch.fail(event, reason)` for an event that cannot be applied now: it and the
    later events of its subject are reported to Lambda and retried, so do not apply them. If
    this function raises, the runtime calls it again on halves of the batch down to the
    events it raises on alone (poison: they go to the dead-letter queue alone; the rest is
    applied once, in order per subject), so a raising call's writes must be safe to repeat.
    Events already applied in an earlier delivery never reach this function (idempotency on
    the CloudEvents source + id).
    """
    for event in batch:
        if isinstance(event, OrderPlacedEvent):
            pass  # event.data is the typed payload; ctx has the tables
    raise NotImplementedError("apply_orders: write the processing logic here")
