"""The intermediate representation: frozen dataclasses handed to every emitter.

Contract: collections are tuples sorted by a stable key (name, then path); every name that
reaches output is precomputed here: a node's own identifier (`ident`, `class_name`) and, in
its `names` record (generator.ir.names), everything derived from it (Terraform addresses,
physical names, stage and environment variables, Python modules and classes, file paths).
Every node keeps the `SourceRef` of the spec element it came from. Nothing in the IR touches disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from generator.diagnostics import Location
from generator.ir.names import IndexNames, OperationNames, ProcessorNames, ProjectNames, StreamNames, TableNames


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRef:
    """Where a node came from: a spec file, a JSON pointer into it, and its line:col.

    The line and col are left out of the repr: a node's repr is what the build's memo keys are
    made of (`generator.speed.materials`), and a line that moved (an operation added above it)
    must not make every node after it look changed. No memoised part may read them
    (`generator.ir.parts`); diagnostics are never memoised, so they always carry these fresh."""

    file: str
    pointer: tuple[str | int, ...] = ()
    line: int = field(default=0, repr=False)
    col: int = field(default=0, repr=False)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.col)

    @property
    def json_pointer(self) -> str:
        parts = (str(p).replace("~", "~0").replace("/", "~1") for p in self.pointer)
        return "#/" + "/".join(parts) if self.pointer else "#"


SchemaKind = Literal["string", "integer", "number", "boolean", "object", "map", "array", "ref", "any"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Schema:
    """A supported JSON schema, normalised.

    `kind` is the value's type; `nullable` folds `type: [X, 'null']`, `nullable: true` and
    `oneOf: [X, {type: 'null'}]`. `ref` names a component schema (kind == 'ref'); `values` is
    the value schema of a map (`additionalProperties`). `constraints` keeps validation keywords
    (minimum, maxLength, pattern, ...) as sorted pairs for emitters that enforce them.
    """

    kind: SchemaKind
    nullable: bool = False
    format: str | None = None
    enum: tuple[str, ...] = ()
    properties: tuple[Field, ...] = ()
    items: Schema | None = None
    values: Schema | None = None
    ref: str | None = None
    description: str | None = None
    constraints: tuple[tuple[str, Any], ...] = ()

    def constraint(self, name: str) -> Any:
        for key, value in self.constraints:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """An object property. `py_name` is a safe Python identifier for `name`."""

    name: str
    py_name: str
    schema: Schema
    required: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Model:
    """A named component schema (`components/schemas/<name>`) and its class name."""

    name: str
    class_name: str
    schema: Schema
    source: SourceRef


KeyType = Literal["S", "N"]


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyAttr:
    name: str
    type: KeyType


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    name: str
    partition_key: KeyAttr
    sort_key: KeyAttr | None
    projection: Literal["all", "keys_only"]
    names: IndexNames
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A DynamoDB table. `ident` is its snake_case name; `names` what gen derives from it.

    `generation` is 1 plus the number of acknowledged key changes (`changes:` entries with rule
    `data.key-changed`): each one moves the table to a new Terraform address and physical name
    (`names.table`), since DynamoDB cannot change a key in place (see `generator.ir.changes`)."""

    name: str
    ident: str
    partition_key: KeyAttr
    sort_key: KeyAttr | None
    item: str
    indexes: tuple[Index, ...]
    ttl: str | None
    names: TableNames
    source: SourceRef
    generation: int = 1

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.partition_key.name,) + ((self.sort_key.name,) if self.sort_key else ())

    def index(self, name: str) -> Index | None:
        return next((i for i in self.indexes if i.name == name), None)

    @property
    def attribute_types(self) -> tuple[KeyAttr, ...]:
        """Every key attribute of the table and its indexes, once each, sorted by name."""
        attrs = {self.partition_key.name: self.partition_key}
        if self.sort_key:
            attrs[self.sort_key.name] = self.sort_key
        for index in self.indexes:
            attrs[index.partition_key.name] = index.partition_key
            if index.sort_key:
                attrs[index.sort_key.name] = index.sort_key
        return tuple(attrs[k] for k in sorted(attrs))


@dataclass(frozen=True, slots=True, kw_only=True)
class Stream:
    name: str
    ident: str
    shards: int | None
    on_demand: bool
    retention_hours: int
    archive: bool
    names: StreamNames
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A CloudEvents `type` carried on a stream, its payload model and subject field.

    `max_future_seconds`: how far past the request time the envelope's `time` (and the payload's
    `time_field`, when the spec names one) may lie; None when the spec turns the guard off.
    The ingestion template enforces both, and `key_limits` (which draft 4 models cannot)."""

    type: str
    ident: str
    class_name: str
    stream: str
    data: str
    subject: str
    source: SourceRef
    max_future_seconds: int | None = 300
    time_field: str | None = None
    key_limits: tuple[tuple[str, int], ...] = ()
    """Top-level map properties of the payload with `propertyNames: {maxLength: N}`: (name, N)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Processor:
    """A Lambda function: stream-triggered (`events` non-empty) or scheduled (`schedule`)."""

    name: str
    ident: str
    kind: Literal["stream", "schedule"]
    events: tuple[str, ...]
    stream: str | None
    schedule: str | None
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    batch_size: int
    window_seconds: int
    max_retries: int
    max_record_age_seconds: int
    timeout_seconds: int
    memory_mb: int
    names: ProcessorNames
    source: SourceRef

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.reads) | set(self.writes)))


OperationKind = Literal["get_item", "scan", "query", "ingest"]
AuthKind = Literal["none", "cognito", "iam", "api_key"]
"""How callers of an operation authenticate: not at all, a Cognito token, an IAM SigV4
signature, or an API key of a usage plan (docs/spec-format.md, Security)."""
QuotaPeriod = Literal["DAY", "WEEK", "MONTH"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    name: str
    location: Literal["path", "query", "header"]
    required: bool
    schema: Schema


@dataclass(frozen=True, slots=True, kw_only=True)
class SortRange:
    """Query parameters mapped onto the sort key: `>= from`, `<= to`, or `between`."""

    from_param: str | None
    to_param: str | None
    descending: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One API operation bound to the model through `x-gen`.

    `key_params` maps key attributes to the path parameters that carry them;
    `key_claims` maps key attributes to token claims (`key_from_claim`). `auth` is how callers
    authenticate and `security_scheme` the scheme that says so; `protected` is true exactly for
    Cognito (a token whose claims the templates may read). `invoke_route` is the operation's part
    of its execute-api ARN (``POST/events``; path parameters as ``*``), what an IAM policy grants.
    `scopes` are the OAuth scopes a Cognito operation's security requirement lists (sorted): with
    any, API Gateway's authorizer wants an access token carrying them; without, an ID token.
    """

    operation_id: str
    ident: str
    method: Literal["get", "post"]
    path: str
    kind: OperationKind
    table: str | None
    index: str | None
    stream: str | None
    key_params: tuple[tuple[str, str], ...]
    key_claims: tuple[tuple[str, str], ...]
    sort: SortRange | None
    params: tuple[Param, ...]
    response_model: str | None
    item_model: str | None
    protected: bool
    security_scheme: str | None
    auth: AuthKind
    invoke_route: str
    summary: str
    names: OperationNames
    source: SourceRef
    scopes: tuple[str, ...] = ()

    @property
    def needs_credentials(self) -> bool:
        """True when callers must authenticate (Cognito token, SigV4 signature or API key)."""
        return self.auth != "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiClient:
    """A client of the API-key usage plan: its key and limits (`x-gen: {clients}` of the scheme).

    `name` labels its Terraform key and plan (``aws_api_gateway_api_key.clients["<name>"]``);
    `local_key` is the key `gen dev` accepts for it.
    """

    name: str
    rate_limit: int
    burst_limit: int
    quota: int
    period: QuotaPeriod
    local_key: str
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedTable:
    """Seed items for one table, in key order, values exactly as written (Decimal for floats)."""

    table: str
    items: tuple[Any, ...]
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """An acknowledged change (`changes:` in model.yaml): `gen review` and `gen build` accept the
    finding of rule `rule` on `target`. `delete_data` applies to `data.table-removed` only."""

    rule: str
    target: str
    reason: str
    delete_data: bool
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Ir:
    """Everything an emitter may use. `openapi` is the source document, `$ref`s intact.

    The optional parts are decided here, once: `frontend` is true when model.yaml has a
    `frontend:` section (web bucket, CloudFront; Route 53 and ACM only with `frontend_domain`);
    `cognito` is true when an operation is protected or openapi.yaml declares a Cognito
    security scheme (user pool and its app client). `api_clients` are the usage-plan clients of
    the API-key scheme (empty when no operation takes API keys).
    """

    name: str
    ident: str
    names: ProjectNames
    tables: tuple[Table, ...]
    streams: tuple[Stream, ...]
    events: tuple[Event, ...]
    processors: tuple[Processor, ...]
    operations: tuple[Operation, ...]
    models: tuple[Model, ...]
    seeds: tuple[SeedTable, ...]
    frontend_domain: str | None
    frontend: bool
    cognito: bool
    api_clients: tuple[ApiClient, ...]
    openapi: Any = field(compare=False)
    spec_digest: str
    changes: tuple[Change, ...] = ()

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def stream(self, name: str) -> Stream:
        return next(s for s in self.streams if s.name == name)

    def api_tables(self) -> tuple[Table, ...]:
        """The tables some operation reads: each is a stage variable of the API."""
        used = {op.table for op in self.operations}
        return tuple(t for t in self.tables if t.name in used)

    def api_streams(self) -> tuple[Stream, ...]:
        """The streams some operation ingests into: each is a stage variable of the API."""
        used = {op.stream for op in self.operations}
        return tuple(s for s in self.streams if s.name in used)

    def events_on(self, stream: str) -> list[Event]:
        """The events carried by `stream`, in IR order."""
        return [e for e in self.events if e.stream == stream]

    def event(self, type_: str) -> Event:
        return next(e for e in self.events if e.type == type_)

    def model(self, name: str) -> Model:
        return next(m for m in self.models if m.name == name)

    def processor(self, name: str) -> Processor:
        return next(p for p in self.processors if p.name == name)

    def uses_auth(self, kind: AuthKind) -> bool:
        return any(op.auth == kind for op in self.operations)
