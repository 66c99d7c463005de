"""The request-body model of an ingestion operation, derived from `events:` (never from the spec body).

Contract: a JSON array of 1..500 CloudEvents 1.0 envelopes (the PutRecords limit), each envelope one
of the event types carried by the operation's stream, with its `data` validated by the event's
payload schema. Envelopes are named by `Event.class_name` (`ReadingRecordedEvent`).
"""

from __future__ import annotations

from typing import Any

from generator.ir.nodes import Event, Ir, Operation
from generator.ir.sizes import ENVELOPE_MAX_LENGTHS

MAX_EVENTS = 500
SUBJECT_MAX = ENVELOPE_MAX_LENGTHS["subject"]
"""Kinesis partition keys are 1..256 characters; `subject` is the partition key."""
_MAX = ENVELOPE_MAX_LENGTHS
"""Every attribute is bounded, so that the size of an event is (gen validate's W-SIZE)."""

ENVELOPE_ORDER = ("specversion", "id", "source", "type", "subject", "time", "data")


def stream_events(ir: Ir, op: Operation) -> list[Event]:
    return ir.events_on(op.stream) if op.stream else []


def envelope_schema(event: Event) -> dict[str, Any]:
    """One CloudEvents envelope in JSON format, its `type` fixed to the event's type."""
    return {
        "type": "object",
        "description": f"A CloudEvents 1.0 event of type {event.type}; subject is the {event.subject} "
                       "of its data and the Kinesis partition key.",
        "required": list(ENVELOPE_ORDER),
        "properties": {
            "specversion": {"type": "string", "enum": ["1.0"]},
            "id": {"type": "string", "minLength": 1, "maxLength": _MAX["id"],
                   "description": "Unique per source; the idempotency key."},
            "source": {"type": "string", "minLength": 1, "maxLength": _MAX["source"]},
            "type": {"type": "string", "enum": [event.type]},
            "subject": {"type": "string", "minLength": 1, "maxLength": SUBJECT_MAX},
            "time": {"type": "string", "format": "date-time", "maxLength": _MAX["time"]},
            "datacontenttype": {"type": "string", "pattern": "^application/json(;.*)?$",
                                "maxLength": _MAX["datacontenttype"]},
            "dataschema": {"type": "string", "format": "uri", "maxLength": _MAX["dataschema"]},
            "data": {"$ref": f"#/components/schemas/{event.data}"},
        },
    }


def ingest_models(ir: Ir, op: Operation) -> dict[str, dict[str, Any]]:
    """The body model and one envelope model per event type of the operation's stream."""
    events = stream_events(ir, op)
    refs: list[dict[str, Any]] = [{"$ref": f"#/components/schemas/{e.class_name}"} for e in events]
    items: dict[str, Any] = refs[0] if len(refs) == 1 else {"anyOf": refs}
    body = {
        "type": "array",
        "description": f"A batch of 1..{MAX_EVENTS} CloudEvents, sent to Kinesis in order.",
        "minItems": 1,
        "maxItems": MAX_EVENTS,
        "items": items,
    }
    models = {op.names.body_model: body}
    models.update({e.class_name: envelope_schema(e) for e in events})
    return models
