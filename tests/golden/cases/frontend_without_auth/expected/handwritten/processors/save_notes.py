# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `save_notes`: handles note.written from stream `edits`.

Reads: nothing. Writes: notes.
"""

from __future__ import annotations

from notes.contracts import SaveNotesContext
from notes.events import NoteWrittenEvent, SaveNotesEvent
from notes.runtime.stream import Batch


def handle(batch: Batch[SaveNotesEvent], ctx: SaveNotesContext) -> None:
    """Apply one batch of events in stream order (contract: notes.contracts.SaveNotesHandler).

    Call `batch.fail(event, reason)` for an event that cannot be applied now: it and the
    later events of its subject are reported to Lambda and retried, so do not apply them. If
    this function raises, the runtime calls it again on halves of the batch down to the
    events it raises on alone (poison: they go to the dead-letter queue alone; the rest is
    applied once, in order per subject), so a raising call's writes must be safe to repeat.
    Events already applied in an earlier delivery never reach this function (idempotency on
    the CloudEvents source + id).
    """
    for event in batch:
        if isinstance(event, NoteWrittenEvent):
            pass  # event.data is the typed payload; ctx has the tables
    raise NotImplementedError("save_notes: write the processing logic here")
