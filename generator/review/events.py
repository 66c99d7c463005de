"""Event rules: what a change does to the producers and the consumers of each event type.

Producers send events through the ingestion API, which validates each payload against its
schema: what narrows the payload schema refuses events that used to pass. Consumers are the
processors that listen (typed handlers in handwritten/) and whoever reads the data lake: what
removes, loosens or retypes a field breaks code that read it. A type change breaks both.
"""

from __future__ import annotations

from generator.ir.nodes import Event, Ir, Schema
from generator.review.findings import Finding
from generator.review.schemas import ROOT, Change, Differ
from generator.review.side import Side

MODEL = "model.yaml"
OPENAPI = "openapi.yaml"

_RULES: dict[str, str] = {
    "type-changed": "field-type-changed",
    "type-generalized": "field-type-changed",
    "nullable-added": "field-became-nullable",
    "nullable-removed": "constraint-narrowed",
    "became-enum": "became-enum",
    "enum-added": "enum-value-added",
    "enum-removed": "enum-value-removed",
    "enum-dropped": "constraint-relaxed",
    "narrowed": "constraint-narrowed",
    "relaxed": "constraint-relaxed",
    "pattern-changed": "constraint-narrowed",
    "became-required": "field-became-required",
    "became-optional": "field-became-optional",
}
_PRODUCERS = {"new-required-field", "field-became-required", "became-enum", "enum-value-removed",
              "constraint-narrowed"}
_BOTH = {"field-type-changed"}


def consumers(ir: Ir, event: Event) -> str:
    """Who reads events of this type: its processors, and the data lake when archived."""
    names = [p.name for p in ir.processors if event.type in p.events]
    who = [f"processor{'s' if len(names) > 1 else ''} {', '.join(names)}"] if names else []
    if ir.stream(event.stream).archive:
        who.append("readers of the data lake")
    return " and ".join(who) or "no consumer in this spec"


def event_findings(base: Side, head: Side) -> list[Finding]:
    before = {e.type: e for e in base.ir.events}
    after = {e.type: e for e in head.ir.events}
    out: list[Finding] = []
    for type_ in sorted(set(before) - set(after)):
        e = before[type_]
        out.append(Finding("events.event-type-removed", type_,
                           f"event type {type_} was removed: the ingestion API refuses it from now on "
                           f"(was read by {consumers(base.ir, e)})", base.locate(MODEL, e.source.pointer), "base"))
    for type_ in sorted(set(after) - set(before)):
        e = after[type_]
        out.append(Finding("events.event-type-added", type_, f"event type {type_} on stream {e.stream}",
                           head.locate(MODEL, e.source.pointer)))
    for type_ in sorted(set(before) & set(after)):
        out += _event(base, head, before[type_], after[type_])
    return out + _processors(base, head)


def _event(base: Side, head: Side, old: Event, new: Event) -> list[Finding]:
    out: list[Finding] = []
    here = new.source.pointer
    if old.stream != new.stream:
        out.append(Finding("events.event-stream-changed", new.type,
                           f"{new.type} moved from stream {old.stream} to {new.stream}: events in flight on "
                           f"{old.stream} are read there, new ones on {new.stream}",
                           head.locate(MODEL, here + ("stream",))))
    if old.subject != new.subject:
        out.append(Finding("events.event-subject-changed", new.type,
                           f"{new.type}: subject {old.subject} -> {new.subject}: the partition key changes, so "
                           "events of one entity are ordered only from the switch on",
                           head.locate(MODEL, here + ("subject",))))
    changes = Differ(base.models, head.models).compare(Schema(kind="ref", ref=old.data), Schema(kind="ref", ref=new.data), None, None)
    who = consumers(head.ir, new)
    for c in changes:
        found = _payload(base, head, new, c, who)
        if found is not None:
            out.append(found)
    return out


def _payload(base: Side, head: Side, event: Event, c: Change, who: str) -> Finding | None:
    if c.kind == "property-added":
        name = "new-required-field" if c.required else "new-optional-field"
    elif c.kind == "property-removed":
        name = "required-field-removed" if c.required else "optional-field-removed"
    else:
        name = _RULES[c.kind]
    field = "the payload" if c.path == ROOT else f"field '{c.path}'"
    detail = c.detail if c.kind not in ("property-added", "property-removed") else \
        ("added, " if c.kind == "property-added" else "removed, ") + c.detail
    if name in _BOTH:
        impact = f"breaks producers and {who}"
    elif name in _PRODUCERS:
        impact = "producers sending the old shape are refused"
    elif name == "new-optional-field":
        impact = "compatible"
    else:
        impact = f"affects {who}"
    text = f"{event.type}: {field}: {detail} ({impact})"
    if c.head is not None:
        return Finding(f"events.{name}", event.type, text, head.locate(OPENAPI, c.head))
    return Finding(f"events.{name}", event.type, text, base.locate(OPENAPI, c.base) if c.base else None, "base")


def _processors(base: Side, head: Side) -> list[Finding]:
    before = {p.name: p for p in base.ir.processors}
    after = {p.name: p for p in head.ir.processors}
    out: list[Finding] = []
    for name in sorted(set(before) - set(after)):
        p = before[name]
        what = f"events {', '.join(p.events)} are no longer processed by it" if p.events else "its schedule stops"
        out.append(Finding("events.processor-removed", name, f"processor {name} was removed: {what}",
                           base.locate(MODEL, p.source.pointer), "base"))
    for name in sorted(set(after) - set(before)):
        p = after[name]
        what = f"reads {', '.join(p.events)}" if p.events else f"runs on {p.schedule}"
        out.append(Finding("events.processor-added", name, f"processor {name} {what}",
                           head.locate(MODEL, p.source.pointer)))
    for name in sorted(set(before) & set(after)):
        old, new = before[name], after[name]
        where = head.locate(MODEL, new.source.pointer + ("on",))
        for type_ in sorted(set(old.events) - set(new.events)):
            out.append(Finding("events.processor-unsubscribed", name,
                               f"processor {name} no longer reads {type_}: those events pass it by from now on",
                               where))
        for type_ in sorted(set(new.events) - set(old.events)):
            out.append(Finding("events.processor-subscribed", name,
                               f"processor {name} now reads {type_} (from the stream position it is at)", where))
    return out
