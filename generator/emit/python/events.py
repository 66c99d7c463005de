"""IR events -> the view of events.py: one CloudEvents envelope Struct per event type, tagged on
`type`, and the unions per stream and per processor that the entry modules decode into.

The envelope follows CloudEvents 1.0 (JSON): `specversion` "1.0", non-empty `id`, `source` and
`subject`, optional timezone-aware `time`, `datacontenttype`, `dataschema`; unknown extension
attributes are ignored. `__post_init__` checks that `subject` equals the payload's subject
field, because the subject is the Kinesis partition key that orders the entity's events.
The class variable `max_future` carries the spec's event-time tolerance (None when the spec
turns the guard off), so handwritten code can trust exactly what the API accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.python.layout import bracketed, docstring, literal, union_assignment
from generator.emit.python.naming import PackageNames
from generator.ir.nodes import Event, Ir


@dataclass(frozen=True)
class EnvelopeView:
    name: str
    header: list[str]
    doc: list[str]
    type_line: str
    max_future_line: str
    data: str
    subject_py: str
    subject_error: str


@dataclass(frozen=True)
class UnionView:
    lines: list[str]
    doc: list[str]


def _envelope(ir: Ir, event: Event) -> EnvelopeView:
    data = ir.model(event.data)
    subject = next(f for f in data.schema.properties if f.name == event.subject)
    options = ["_Struct", "kw_only=True", "frozen=True", "gc=False", 'tag_field="type"',
               f"tag={literal(event.type)}"]
    doc = (f"CloudEvents envelope of `{event.type}` on stream `{event.stream}`; data is "
           f"{data.class_name}, subject = data.{event.subject}.")
    return EnvelopeView(
        name=event.class_name, header=bracketed(f"class {event.class_name}(", options, "):"),
        doc=docstring(doc, "    "), type_line=f"    type: ClassVar[str] = {literal(event.type)}",
        max_future_line=f"    max_future: ClassVar[_dt.timedelta | None] = {_tolerance(event)}",
        data=f"_m.{data.class_name}", subject_py=subject.py_name,
        subject_error=literal(f"subject must equal data.{event.subject}"))


def _tolerance(event: Event) -> str:
    """The spec's `max_future` as a Python expression: processors read the same tolerance the
    API enforces, so a time the API accepted is never distrusted by the code behind it."""
    if event.max_future_seconds is None:
        return "None"
    return f"_dt.timedelta(seconds={event.max_future_seconds})"


def _union(name: str, members: list[str], doc: str) -> UnionView:
    return UnionView(lines=union_assignment(f"{name}: _t.TypeAlias", members), doc=docstring(doc, ""))


def events_view(ir: Ir, names: PackageNames) -> dict[str, object]:
    """The template context of events.py."""
    envelopes = [_envelope(ir, e) for e in ir.events]
    unions: list[UnionView] = []
    for stream in ir.streams:
        members = [e.class_name for e in ir.events if e.stream == stream.name]
        if members:
            unions.append(_union(stream.names.union_class, members,
                                 f"Every event type carried on stream `{stream.name}`."))
    for pn in names.processors.values():
        if pn.union is not None:
            members = [e.class_name for e in pn.events]
            unions.append(_union(pn.union, members, f"The events processor `{pn.processor.name}` handles."))
    return {"envelopes": envelopes, "unions": unions}
