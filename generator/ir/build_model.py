"""model.yaml -> Table, Stream, Event and Processor nodes, checking every cross-reference."""

from __future__ import annotations

from typing import Any, Literal

from generator.diagnostics import known_names_hint
from generator.ir.context import BuildContext
from generator.ir.names import event_class, index_names, processor_names, snake, stream_names, table_names
from generator.ir.nodes import Event, Field, Index, KeyAttr, KeyType, Processor, Stream, Table
from generator.load.yaml_loader import Pointer

DEFAULTS = {"batch_size": 100, "window_seconds": 0, "max_retries": 5, "max_record_age_seconds": 3600,
            "timeout_seconds": 30, "memory_mb": 256}


def _item_fields(ctx: BuildContext, model_name: str) -> dict[str, Field] | None:
    model = ctx.models.get(model_name)
    if model is None:
        return None
    schema = ctx.resolve(model.schema)
    if schema.kind != "object":
        return None
    return {f.name: f for f in schema.properties}


def _key(ctx: BuildContext, fields: dict[str, Field], attr: str, ptr: Pointer, item: str,
         role: str) -> KeyAttr | None:
    doc = ctx.model_doc
    f = fields.get(attr)
    if f is None:
        ctx.error("E-KEY", f"{role} '{attr}' is not a property of schema {item}", doc, ptr,
                  known_names_hint(attr, fields, f"properties of {item}"))
        return None
    schema = ctx.resolve(f.schema)
    key_type: KeyType | None = {"string": "S", "integer": "N", "number": "N"}.get(schema.kind)  # type: ignore[assignment]
    if key_type is None or schema.nullable:
        ctx.error("E-KEY", f"{role} '{attr}' must be a non-null string, integer or number (it is {schema.kind})",
                  doc, ptr, "DynamoDB keys are S or N attributes")
        return None
    if not f.required:
        ctx.error("E-KEY", f"{role} '{attr}' must be listed in {item}'s 'required'", doc, ptr,
                  f"add '{attr}' to components/schemas/{item}/required")
    return KeyAttr(name=attr, type=key_type)


def build_tables(ctx: BuildContext) -> tuple[Table, ...]:
    doc = ctx.model_doc
    out: list[Table] = []
    for name, raw in sorted((doc.data.get("tables") or {}).items()):
        ptr: Pointer = ("tables", name)
        item = raw["item"]
        fields = _item_fields(ctx, item)
        if item not in ctx.models:
            ctx.error("E-REF", f"table '{name}': item schema '{item}' is not in components/schemas", doc,
                      ptr + ("item",), known_names_hint(item, ctx.models, "schemas"))
            continue
        if fields is None:
            ctx.error("E-KEY", f"table '{name}': item schema '{item}' must be an object with properties", doc,
                      ptr + ("item",))
            continue
        pk = _key(ctx, fields, raw["partition_key"], ptr + ("partition_key",), item, "partition_key")
        sk = _key(ctx, fields, raw["sort_key"], ptr + ("sort_key",), item, "sort_key") if "sort_key" in raw else None
        if "sort_key" in raw and raw["sort_key"] == raw["partition_key"]:
            ctx.error("E-KEY", "sort_key must differ from partition_key", doc, ptr + ("sort_key",))
        indexes: list[Index] = []
        for iname, iraw in sorted((raw.get("indexes") or {}).items()):
            iptr = ptr + ("indexes", iname)
            ipk = _key(ctx, fields, iraw["partition_key"], iptr + ("partition_key",), item, "index partition_key")
            isk = (_key(ctx, fields, iraw["sort_key"], iptr + ("sort_key",), item, "index sort_key")
                   if "sort_key" in iraw else None)
            if ipk:
                indexes.append(Index(name=iname, partition_key=ipk, sort_key=isk,
                                     projection=iraw.get("projection", "all"), names=index_names(iname),
                                     source=ctx.source(doc, iptr)))
        ttl = raw.get("ttl")
        if ttl is not None:
            f = fields.get(ttl)
            if f is None:
                ctx.error("E-TTL", f"ttl attribute '{ttl}' is not a property of schema {item}", doc, ptr + ("ttl",),
                          known_names_hint(ttl, fields, f"properties of {item}"))
            elif ctx.resolve(f.schema).kind != "integer":
                ctx.error("E-TTL", f"ttl attribute '{ttl}' must be an integer (epoch seconds)", doc, ptr + ("ttl",),
                          "DynamoDB expires items by a Number attribute holding epoch seconds")
            elif ttl in (raw["partition_key"], raw.get("sort_key")):
                ctx.error("E-TTL", "the ttl attribute cannot be a key attribute", doc, ptr + ("ttl",))
        if pk is None:
            continue
        out.append(Table(name=name, ident=snake(name), partition_key=pk, sort_key=sk, item=item,
                         indexes=tuple(indexes), ttl=ttl, names=table_names(name), source=ctx.source(doc, ptr)))
    return tuple(out)


def build_streams(ctx: BuildContext) -> tuple[Stream, ...]:
    doc = ctx.model_doc
    out: list[Stream] = []
    for name, raw in sorted((doc.data.get("streams") or {}).items()):
        ptr: Pointer = ("streams", name)
        on_demand = bool(raw.get("on_demand", False))
        shards = raw.get("shards")
        if on_demand and shards is not None:
            ctx.error("E-STREAM", f"stream '{name}' sets both shards and on_demand", doc, ptr + ("shards",),
                      "on-demand streams scale shards themselves; remove 'shards' or 'on_demand'")
        out.append(Stream(name=name, ident=snake(name), shards=None if on_demand else int(shards or 1),
                          on_demand=on_demand, retention_hours=int(raw.get("retention_hours", 24)),
                          archive=bool(raw.get("archive", False)), names=stream_names(ctx.project, name),
                          source=ctx.source(doc, ptr)))
    return tuple(out)


def build_events(ctx: BuildContext, streams: tuple[Stream, ...]) -> tuple[Event, ...]:
    doc = ctx.model_doc
    stream_names = {s.name for s in streams}
    out: list[Event] = []
    for type_, raw in sorted((doc.data.get("events") or {}).items()):
        ptr: Pointer = ("events", type_)
        ok = True
        if raw["stream"] not in stream_names:
            ctx.error("E-REF", f"event '{type_}': stream '{raw['stream']}' is not defined", doc, ptr + ("stream",),
                      known_names_hint(raw["stream"], stream_names, "streams"))
            ok = False
        data = raw["data"]
        fields = _item_fields(ctx, data)
        if data not in ctx.models:
            ctx.error("E-REF", f"event '{type_}': data schema '{data}' is not in components/schemas", doc,
                      ptr + ("data",), known_names_hint(data, ctx.models, "schemas"))
            ok = False
        elif fields is None:
            ctx.error("E-EVENT", f"event '{type_}': data schema '{data}' must be an object", doc, ptr + ("data",))
            ok = False
        else:
            subject = raw["subject"]
            f = fields.get(subject)
            if f is None:
                ctx.error("E-SUBJECT", f"event '{type_}': subject '{subject}' is not a property of {data}", doc,
                          ptr + ("subject",), known_names_hint(subject, fields, f"properties of {data}"))
                ok = False
            elif ctx.resolve(f.schema).kind != "string" or not f.required:
                ctx.error("E-SUBJECT", f"event '{type_}': subject '{subject}' must be a required string of {data}",
                          doc, ptr + ("subject",), "the subject is the Kinesis partition key of the event")
                ok = False
            ok = _check_time_field(ctx, type_, raw, fields) and ok
        max_future = _max_future(ctx, type_, raw)
        if ok and max_future is not False:
            out.append(Event(type=type_, ident=snake(type_), class_name=event_class(type_), stream=raw["stream"],
                             data=data, subject=raw["subject"], source=ctx.source(doc, ptr),
                             max_future_seconds=max_future, time_field=raw.get("time"),
                             key_limits=_key_limits(ctx, data)))
    return tuple(out)


DEFAULT_MAX_FUTURE = "5m"
"""The event-time guard's default: device clocks drift, but not by more than minutes."""
MAX_FUTURE_LIMIT = 366 * 86400
"""Beyond a year the guard guards nothing (and the template's arithmetic stays small)."""
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _max_future(ctx: BuildContext, type_: str, raw: dict[str, Any]) -> int | None | Literal[False]:
    """The tolerance in seconds, None when `max_future: null`, False (reported) when too long."""
    text = raw.get("max_future", DEFAULT_MAX_FUTURE)
    if text is None:
        return None
    seconds = int(text[:-1]) * _UNIT_SECONDS[text[-1]]
    if seconds > MAX_FUTURE_LIMIT:
        ctx.error("E-EVENT-TIME", f"event '{type_}': max_future {text} is longer than a year",
                  ctx.model_doc, ("events", type_, "max_future"),
                  "write at most 366d, or null to accept any event time")
        return False
    return seconds


def _key_limits(ctx: BuildContext, data: str) -> tuple[tuple[str, int], ...]:
    """The payload's top-level maps whose keys `propertyNames: {maxLength: N}` bounds."""
    raw = ctx.raw_schema(data)
    out: list[tuple[str, int]] = []
    for name, prop in sorted(((raw or {}).get("properties") or {}).items()):
        if isinstance(prop, dict) and "$ref" in prop:
            prop = ctx.raw_schema(str(prop["$ref"]).rsplit("/", 1)[-1])
        names = prop.get("propertyNames") if isinstance(prop, dict) else None
        limit = names.get("maxLength") if isinstance(names, dict) else None
        if isinstance(limit, int) and isinstance(prop.get("additionalProperties"), dict):
            out.append((str(name), limit))
    return tuple(out)


def _check_time_field(ctx: BuildContext, type_: str, raw: dict[str, Any], fields: dict[str, Field]) -> bool:
    """`time:` names a `format: date-time` string property of the payload."""
    name = raw.get("time")
    if name is None:
        return True
    ptr: Pointer = ("events", type_, "time")
    f = fields.get(name)
    if f is None:
        ctx.error("E-EVENT-TIME", f"event '{type_}': time '{name}' is not a property of {raw['data']}",
                  ctx.model_doc, ptr, known_names_hint(name, fields, f"properties of {raw['data']}"))
        return False
    schema = ctx.resolve(f.schema)
    if schema.kind != "string" or schema.format != "date-time":
        ctx.error("E-EVENT-TIME", f"event '{type_}': time '{name}' must be a string with format date-time",
                  ctx.model_doc, ptr, "name the payload property that says when the event happened")
        return False
    return True


def build_processors(ctx: BuildContext, tables: tuple[Table, ...], events: tuple[Event, ...]) -> tuple[Processor, ...]:
    from generator.ir.schedules import check_schedule

    doc = ctx.model_doc
    table_names = {t.name for t in tables} | set((doc.data.get("tables") or {}))
    by_type = {e.type: e for e in events}
    declared_events = set((doc.data.get("events") or {}))
    out: list[Processor] = []
    for name, raw in sorted((doc.data.get("processors") or {}).items()):
        ptr: Pointer = ("processors", name)
        on, schedule = raw.get("on"), raw.get("schedule")
        if (on is None) == (schedule is None):
            ctx.error("E-PROC", f"processor '{name}' needs exactly one of 'on' (events) or 'schedule'", doc, ptr,
                      "a processor is triggered by a stream's events or by a schedule", key=True)
            continue
        for field in ("reads", "writes"):
            for i, t in enumerate(raw.get(field) or []):
                if t not in table_names:
                    ctx.error("E-REF", f"processor '{name}' {field} unknown table '{t}'", doc, ptr + (field, i),
                              known_names_hint(t, table_names, "tables"))
        stream: str | None = None
        if on is not None:
            streams: set[str] = set()
            for i, type_ in enumerate(on):
                if type_ not in declared_events:
                    ctx.error("E-REF", f"processor '{name}' listens to unknown event '{type_}'", doc, ptr + ("on", i),
                              known_names_hint(type_, declared_events, "events"))
                elif type_ in by_type:
                    streams.add(by_type[type_].stream)
            if len(streams) > 1:
                ctx.error("E-PROC", f"processor '{name}' listens to events of several streams ({', '.join(sorted(streams))})",
                          doc, ptr + ("on",), "one function reads one stream; split it into one processor per stream")
            stream = min(streams) if streams else None
        else:
            check_schedule(ctx, str(schedule), ptr + ("schedule",))
            for field in ("batch_size", "window_seconds", "max_retries", "max_record_age_seconds"):
                if field in raw:
                    ctx.error("E-PROC", f"'{field}' applies to stream processors only", doc, ptr + (field,),
                              f"remove '{field}' from the scheduled processor '{name}'", key=True)
        values: dict[str, Any] = {k: int(raw.get(k, v)) for k, v in DEFAULTS.items()}
        out.append(Processor(name=name, ident=snake(name), kind="stream" if on is not None else "schedule",
                             events=tuple(sorted(on or ())), stream=stream, schedule=schedule,
                             reads=tuple(sorted(raw.get("reads") or ())), writes=tuple(sorted(raw.get("writes") or ())),
                             names=processor_names(ctx.project, name), source=ctx.source(doc, ptr), **values))
    return tuple(out)
