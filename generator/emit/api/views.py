"""Views of the mapping templates: every decision a `.vtl.j2` template needs, computed from the IR.

Contract: pure; the templates under templates/apigw/ only print these fields. VTL expressions
(`$m1.get('deviceId')`, `$sep2`, ...) are decided here so that templates never build names.

Object properties are walked in name order, so output does not depend on the spec's key order.
Variables are numbered by nesting depth (`$m<d>` object or map, `$sep<d>` separator, `$e<d>`
array element, `$k<d>`/`$v<d>` map entry), so a nested walk never reuses a variable that an
enclosing walk still needs. No `#set` ever assigns a value that can be null (Velocity 1.7 keeps
the old value in that case): containers are assigned only after their type test held.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from generator.ir.nodes import Ir, KeyAttr, Model, Operation, Param, Schema

ValueKind = Literal["string", "number", "boolean", "object", "map", "array"]

DYNAMO_TYPES: dict[str, str] = {"string": "S", "number": "N", "integer": "N", "boolean": "BOOL",
                                "object": "M", "map": "M", "array": "L"}

NUMBER_REGEX = "-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?"
"""A DynamoDB number as text (checked before it reaches a request, so a bad one is a 400)."""

BASE64URL_PART = "([A-Za-z0-9_-]{4})*[A-Za-z0-9_-]{2,4}"
"""One unpadded base64url value; lengths of 1 mod 4 are impossible (and rejected by decoders)."""

DEFAULT_LIMIT = 25

_KINDS: dict[str, ValueKind] = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean",
                                "object": "object", "map": "map", "array": "array"}


class SchemaCycle(Exception):
    """An item schema refers to itself; templates cannot walk it (lint.py reports it first)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueView:
    """A JSON value read from a DynamoDB attribute value `src` (a map like ``{"S": "..."}``).

    `test` is the VTL condition under which `src` holds this value's DynamoDB type `dynamo`;
    `attr` is the typed payload (`src.S`, `src.N`, ...). Objects and maps assign `map_src` to
    `var`; arrays iterate `attr` with `item`; maps iterate the keys of `var` with `key` and read
    each entry into `item`. `element` is the array item or map value view.
    """

    kind: ValueKind
    dynamo: str
    src: str
    test: str
    attr: str
    nullable: bool
    var: str = ""
    map_src: str = ""
    sep: str = ""
    key: str = ""
    item: str = ""
    fields: tuple[FieldView, ...] = ()
    element: ValueView | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldView:
    """An object property: `json_key` is the quoted JSON key; nullable values are always written."""

    name: str
    json_key: str
    value: ValueView


class ValueBuilder:
    """Builds `ValueView` trees from IR schemas, following `$ref`s through `models`."""

    def __init__(self, models: Mapping[str, Model]) -> None:
        self.models = models

    def resolve(self, schema: Schema, stack: tuple[str, ...]) -> tuple[Schema, bool, tuple[str, ...]]:
        nullable = schema.nullable
        while schema.kind == "ref" and schema.ref is not None:
            if schema.ref in stack:
                raise SchemaCycle(" -> ".join(stack + (schema.ref,)))
            stack = stack + (schema.ref,)
            schema = self.models[schema.ref].schema
            nullable = nullable or schema.nullable
        return schema, nullable, stack

    def root(self, schema: Schema, map_src: str, depth: int, stack: tuple[str, ...] = ()) -> ValueView:
        """An object whose attribute map is `map_src` itself (an Item or an element of Items)."""
        resolved, _, stack = self.resolve(schema, stack)
        view = self.value(resolved, src=map_src, guard=None, depth=depth, stack=stack)
        if view.kind != "object":
            raise ValueError("an item schema must be an object")
        return _replace_map_src(view, map_src)

    def value(self, schema: Schema, *, src: str, guard: str | None, depth: int,
              stack: tuple[str, ...]) -> ValueView:
        schema, nullable, stack = self.resolve(schema, stack)
        kind = _KINDS.get(schema.kind)
        if kind is None:
            raise ValueError(f"schema kind '{schema.kind}' has no DynamoDB mapping")
        dynamo = DYNAMO_TYPES[kind]
        test = f"{src}.containsKey('{dynamo}')"
        base = ValueView(kind=kind, dynamo=dynamo, src=src, test=f"{guard} && {test}" if guard else test,
                         attr=f"{src}.{dynamo}", nullable=nullable)
        if kind == "object":
            var = f"$m{depth}"
            fields = tuple(
                FieldView(name=f.name, json_key=json.dumps(f.name),
                          value=self.value(f.schema, src=f"{var}.get('{f.name}')",
                                           guard=f"{var}.containsKey('{f.name}')", depth=depth + 1, stack=stack))
                for f in sorted(schema.properties, key=lambda f: f.name))
            return replace(base, var=var, map_src=f"{src}.M", sep=f"$sep{depth}", fields=fields)
        if kind == "map":
            assert schema.values is not None
            item = f"$v{depth}"
            element = self.value(schema.values, src=item, guard=None, depth=depth + 1, stack=stack)
            return replace(base, var=f"$m{depth}", map_src=f"{src}.M", sep=f"$sep{depth}", key=f"$k{depth}",
                           item=item, element=element)
        if kind == "array":
            assert schema.items is not None
            item = f"$e{depth}"
            element = self.value(schema.items, src=item, guard=None, depth=depth + 1, stack=stack)
            return replace(base, sep=f"$sep{depth}", item=item, element=element)
        return base


def _replace_map_src(view: ValueView, map_src: str) -> ValueView:
    return replace(view, map_src=map_src, src="", test="true", attr="")


# -- request parameters ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyView:
    """A key attribute value taken from the request: `ref` is the VTL text that reads it."""

    name: str
    json_name: str
    type: str
    var: str
    ref: str
    numeric: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitView:
    default: int
    minimum: int
    maximum: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CursorAttr:
    name: str
    json_name: str
    type: str
    index: int
    var: str
    numeric: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CursorView:
    """The opaque page token: one unpadded base64url value per key attribute, joined by ``.``."""

    attrs: tuple[CursorAttr, ...]
    regex: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SortView:
    json_name: str
    type: str
    numeric: bool
    from_ref: str | None
    to_ref: str | None
    descending: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadRequestView:
    """GetItem (`keys` = the whole key), Query (`keys` = the partition key) or Scan (no keys)."""

    table_var: str
    index: str | None
    keys: tuple[KeyView, ...]
    sort: SortView | None
    limit: LimitView | None
    cursor: CursorView | None
    number_regex: str = NUMBER_REGEX


def _param_ref(name: str) -> str:
    return f"$!input.params('{name}')"


def _key_views(op: Operation, attrs: Mapping[str, KeyAttr]) -> tuple[KeyView, ...]:
    sources = {**{attr: _param_ref(param) for attr, param in op.key_params},
               **{attr: f"$!context.authorizer.claims.{claim}" for attr, claim in op.key_claims}}
    ordered = [a for a in attrs if a in sources]
    return tuple(KeyView(name=a, json_name=json.dumps(a), type=attrs[a].type, var=f"$key{i}",
                         ref=sources[a], numeric=attrs[a].type == "N") for i, a in enumerate(ordered))


def _limit(op: Operation) -> LimitView:
    """Bounds from the `limit` parameter's schema; the default is its `default`, else 25 (clamped)."""
    param = next(p for p in op.params if p.location == "query" and p.name == "limit")
    minimum = max(_int(param, "minimum") or 1, 1)
    maximum = _int(param, "maximum")
    default = _int(param, "default")
    if default is None:
        default = min(DEFAULT_LIMIT, maximum) if maximum is not None else DEFAULT_LIMIT
    return LimitView(default=max(default, minimum), minimum=minimum, maximum=maximum)


def _int(param: Param, name: str) -> int | None:
    value = param.schema.constraint(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def cursor_attrs(ir: Ir, op: Operation) -> tuple[KeyAttr, ...]:
    """Key attributes of a LastEvaluatedKey: the table's key, plus the index's key for a GSI."""
    table = ir.table(op.table or "")
    attrs = {table.partition_key.name: table.partition_key}
    if table.sort_key:
        attrs[table.sort_key.name] = table.sort_key
    index = table.index(op.index) if op.index else None
    if index is not None:
        attrs[index.partition_key.name] = index.partition_key
        if index.sort_key:
            attrs[index.sort_key.name] = index.sort_key
    return tuple(attrs[name] for name in sorted(attrs))


def _cursor(ir: Ir, op: Operation) -> CursorView:
    attrs = tuple(CursorAttr(name=a.name, json_name=json.dumps(a.name), type=a.type, index=i, var=f"$cursor{i}",
                             numeric=a.type == "N") for i, a in enumerate(cursor_attrs(ir, op)))
    regex = "[.]".join([BASE64URL_PART] * len(attrs))
    return CursorView(attrs=attrs, regex=regex)


def read_request(ir: Ir, op: Operation) -> ReadRequestView:
    table = ir.table(op.table or "")
    index = table.index(op.index) if op.index else None
    keyed = index or table
    attrs: dict[str, KeyAttr] = {keyed.partition_key.name: keyed.partition_key}
    if op.kind == "get_item" and table.sort_key:
        attrs[table.sort_key.name] = table.sort_key
    sort = None
    if op.kind == "query" and op.sort and keyed.sort_key:
        sk = keyed.sort_key
        sort = SortView(json_name=json.dumps(sk.name), type=sk.type, numeric=sk.type == "N",
                        from_ref=_param_ref(op.sort.from_param) if op.sort.from_param else None,
                        to_ref=_param_ref(op.sort.to_param) if op.sort.to_param else None,
                        descending=op.sort.descending)
    paged = op.kind in ("scan", "query")
    return ReadRequestView(table_var=table.names.stage_variable, index=op.index,
                           keys=_key_views(op, attrs) if op.kind != "scan" else (), sort=sort,
                           limit=_limit(op) if paged else None, cursor=_cursor(ir, op) if paged else None)


# -- responses ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemResponseView:
    item: ValueView
    not_found: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PageResponseView:
    item: ValueView
    cursor: CursorView


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeGuardView:
    """The guards of one event type: its envelope `time` (and the payload's `data_field`, if
    any) may lie at most `seconds` past the request time (-1: no limit); the keys of the
    payload's maps in `key_limits` are at most so many characters (UTF-16 units)."""

    type: str
    seconds: int
    data_field: str
    key_limits: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestRequestView:
    """PutRecords on the stream's stage variable; `guards` per event type of the stream that
    has one. A guard that fails turns StreamName into `REJECT_MARK(<field>)`, a name no stream
    can have, so Kinesis refuses the whole batch (400) and echoes the name, which
    the error template (`rejection`) turns into the answer naming the field. Every refusal
    carries the name, whichever check comes first: AWS's ValidationException (the name's
    pattern) or AccessDeniedException (the resource ARN), moto's ResourceNotFoundException."""

    stream_var: str
    guards: tuple[TimeGuardView, ...]
    mark: str

    @property
    def limits(self) -> list[int]:
        """The distinct time limits: each one's latest accepted time is computed once a request."""
        return sorted({g.seconds for g in self.guards if g.seconds >= 0})


REJECT_MARK = "gen-rejected"
"""Kinesis stream names are [a-zA-Z0-9_.-]+: a name with parentheses is never a real stream."""


def ingest_request(ir: Ir, op: Operation) -> IngestRequestView:
    stream = ir.stream(op.stream or "")
    guards = tuple(TimeGuardView(type=e.type, seconds=-1 if e.max_future_seconds is None else e.max_future_seconds,
                                 data_field=e.time_field or "", key_limits=e.key_limits)
                   for e in ir.events_on(stream.name) if e.max_future_seconds is not None or e.key_limits)
    return IngestRequestView(stream_var=stream.names.stage_variable, guards=guards, mark=REJECT_MARK)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorView:
    """How a service's error `__type` maps to a status: `client` -> 400, `busy` -> 503, else 502;
    `rejection`: the marker a request template put into the request (IngestRequestView), first."""

    family: Literal["4xx", "5xx"]
    rejection: str
    client: tuple[str, ...]
    busy: tuple[str, ...]
    client_message: str
    busy_message: str
    failure_message: str


def item_response(ir: Ir, op: Operation) -> ItemResponseView:
    models = {m.name: m for m in ir.models}
    item = ValueBuilder(models).root(Schema(kind="ref", ref=op.item_model), "$root.Item", depth=1)
    return ItemResponseView(item=item, not_found=f"{op.item_model} not found")


def page_response(ir: Ir, op: Operation) -> PageResponseView:
    models = {m.name: m for m in ir.models}
    item = ValueBuilder(models).root(Schema(kind="ref", ref=op.item_model), "$e1", depth=2)
    return PageResponseView(item=item, cursor=_cursor(ir, op))


_BUSY = {
    "dynamodb": ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"),
    "kinesis": ("ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException"),
}
_CLIENT = {
    "dynamodb": ("ValidationException",),
    "kinesis": ("ValidationException", "InvalidArgumentException"),
}
_CLIENT_MESSAGE = {
    "dynamodb": "Invalid request: check the key, limit and cursor parameters",
    "kinesis": "Invalid batch: an event is too large, a subject too long, or there are too many events",
}


def error_view(service: str, family: Literal["4xx", "5xx"]) -> ErrorView:
    """4xx: the caller's mistake (400), throttling (503), anything else is ours (502); 5xx: 503 or 502."""
    client, busy = (_CLIENT[service], _BUSY[service]) if family == "4xx" else ((), ("ServiceUnavailable",))
    rejection = REJECT_MARK if (service, family) == ("kinesis", "4xx") else ""
    return ErrorView(family=family, rejection=rejection, client=client, busy=busy, client_message=_CLIENT_MESSAGE[service],
                     busy_message="The service is busy; retry later",
                     failure_message="The service behind this API failed")
