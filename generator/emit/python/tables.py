"""IR tables -> the view of tables.py: one typed access class per table.

Per table: `get`, `batch_get`, `put` (inherited), conditional `update`, `update_each` (many
conditional updates in transactions) and `delete`, `query` on
the sort key when there is one, `query_<index>` per secondary index, `scan`/`scan_all` and
`batch_write` (inherited). Key parameters are the key fields' Python names and types; key
values are marshalled under their stored names. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.python.layout import bracketed, docstring, literal
from generator.ir.nodes import Field, Index, Ir, KeyAttr, Table

# The DynamoDB API action each method of the typed access calls (runtime/python/table.py), what
# iam.tf grants a processor for a table: exactly the actions of the methods its Protocol has.
# update_each sends TransactWriteItems, which IAM authorises item by item as UpdateItem.
READ_ACTIONS = {"get": "GetItem", "batch_get": "BatchGetItem", "query": "Query", "scan": "Scan", "scan_all": "Scan"}
WRITE_ACTIONS = {"put": "PutItem", "update": "UpdateItem", "update_each": "UpdateItem", "delete": "DeleteItem",
                 "batch_write": "BatchWriteItem"}


def queried_indexes(table: Table) -> tuple[str, ...]:
    """The indexes the access class can query (`query_<index>`): those projecting every attribute."""
    return tuple(i.name for i in table.indexes if i.projection == "all")


def dynamodb_actions(table: Table, *, read: bool, write: bool) -> tuple[str, ...]:
    """The IAM actions of every method a processor may call on `table`, sorted."""
    methods: list[str] = []
    if read:
        methods += ["get", "batch_get", "scan", "scan_all"]
        methods += ["query"] if table.sort_key or queried_indexes(table) else []
    if write:
        methods += list(WRITE_ACTIONS)
    actions = {READ_ACTIONS.get(m) or WRITE_ACTIONS[m] for m in methods}
    return tuple(sorted(f"dynamodb:{a}" for a in actions))


_KWARGS = ("self", "consistent", "condition", "update", "descending", "limit", "start", "filter",
           "keys", "item", "changes")


@dataclass(frozen=True)
class KeyParam:
    py: str
    wire: str
    annotation: str


@dataclass(frozen=True)
class Method:
    """A method signature; `lines(stub=True)` is its Protocol form (`...` body)."""

    name: str
    params: list[str]
    returns: str

    def lines(self, stub: bool = False) -> list[str]:
        suffix = f") -> {self.returns}:" + (" ..." if stub else "")
        return bracketed(f"def {self.name}(", ["self", *self.params], suffix, "    ")


@dataclass(frozen=True)
class QueryView:
    method: Method
    doc: list[str]
    args: list[str]


@dataclass(frozen=True)
class TableView:
    """One table: its access class and the read-only / write-only Protocols of it."""

    name: str
    reads: str
    writes: str
    item: str
    doc: list[str]
    key_names: str
    keys: list[KeyParam]
    queries: list[QueryView]

    @property
    def key_params(self) -> list[str]:
        return [f"{k.py}: {k.annotation}" for k in self.keys]

    @property
    def get(self) -> Method:
        return Method("get", [*self.key_params, "*", "consistent: bool = False"], f"_m.{self.item} | None")

    @property
    def batch_get(self) -> Method:
        return Method("batch_get", [f"keys: _t.Iterable[{self.key_type}]", "*", "consistent: bool = False"],
                      f"list[_m.{self.item}]")

    @property
    def update(self) -> Method:
        return Method("update", [*self.key_params, "update: _Update", "*",
                                 "condition: _Condition | None = None"], "bool")

    @property
    def update_each(self) -> Method:
        return Method("update_each", [f"changes: _t.Iterable[tuple[{self.key_type}, _Update, _Condition | None]]"],
                      "list[bool]")

    @property
    def delete(self) -> Method:
        return Method("delete", [*self.key_params, "*", "condition: _Condition | None = None"], "bool")

    @property
    def read_methods(self) -> list[Method]:
        """What a processor that only reads the table may call (inherited ones included)."""
        scan = Method("scan", ["*", "filter: _Condition | None = None", "limit: int | None = None",
                               "start: _Key | None = None", "consistent: bool = False"], f"_Page[_m.{self.item}]")
        scan_all = Method("scan_all", ["*", "filter: _Condition | None = None", "page_size: int = 100"],
                          f"_t.Iterator[_m.{self.item}]")
        return [self.get, self.batch_get, *(q.method for q in self.queries), scan, scan_all]

    @property
    def write_methods(self) -> list[Method]:
        """What a processor that only writes the table may call (no read permission)."""
        put = Method("put", [f"item: _m.{self.item}", "*", "condition: _Condition | None = None"], "bool")
        batch_write = Method("batch_write", [f"puts: _t.Iterable[_m.{self.item}] = ()",
                                             "deletes: _t.Iterable[_Key] = ()"], "int")
        return [put, self.update, self.update_each, self.delete, batch_write]

    @property
    def key_dict(self) -> str:
        return "{" + ", ".join(f"{literal(k.wire)}: {k.py}" for k in self.keys) + "}"

    @property
    def key_type(self) -> str:
        if len(self.keys) == 1:
            return self.keys[0].annotation
        return f"tuple[{', '.join(k.annotation for k in self.keys)}]"

    @property
    def batch_key_dict(self) -> str:
        if len(self.keys) == 1:
            return "{" + f"{literal(self.keys[0].wire)}: k" + "}"
        return "{" + ", ".join(f"{literal(k.wire)}: k[{i}]" for i, k in enumerate(self.keys)) + "}"


def _key_annotation(field: Field, ir: Ir) -> str:
    schema = field.schema
    if schema.kind == "ref":
        schema = ir.model(schema.ref or "").schema
    if schema.kind == "integer":
        return "int"
    if schema.kind == "number":
        return "_decimal.Decimal"
    if schema.format == "date-time":
        return "_dt.datetime"
    if schema.format == "date":
        return "_dt.date"
    return "str"


def _param(ir: Ir, fields: dict[str, Field], attr: KeyAttr, taken: set[str]) -> KeyParam:
    f = fields[attr.name]
    py = f.py_name
    while py in taken or py in _KWARGS:
        py += "_"
    taken.add(py)
    return KeyParam(py=py, wire=attr.name, annotation=_key_annotation(f, ir))


def _query(ir: Ir, table: Table, fields: dict[str, Field], idx: Index | None, item: str) -> QueryView:
    index = idx.name if idx else None
    pk, sk = (idx.partition_key, idx.sort_key) if idx else (table.partition_key, table.sort_key)
    taken: set[str] = set()
    partition = _param(ir, fields, pk, taken)
    sort = _param(ir, fields, sk, taken) if sk else None
    method = idx.names.query_method if idx else "query"
    target = f"index `{index}`" if index else "the table"
    doc = f"One page of a Query on {target}: items whose {pk.name} equals `{partition.py}`"
    doc += f", optionally within a range of {sk.name}." if sk else "."
    params = [f"{partition.py}: {partition.annotation}", "*"]
    if sort:
        params.append(f"{sort.py}: _KeyRange[{sort.annotation}] | None = None")
    returns = f"_Page[_m.{item}]"
    params += ["descending: bool = False", "limit: int | None = None", "start: _Key | None = None",
               "filter: _Condition | None = None"]
    if not index:
        params.append("consistent: bool = False")
    args = [literal(index) if index else "None", f"({literal(partition.wire)}, {partition.py})",
            f"None if {sort.py} is None else ({literal(sort.wire)}, {sort.py})" if sort else "None",
            "descending=descending", "limit=limit", "start=start", "filter=filter",
            "consistent=False" if index else "consistent=consistent"]
    return QueryView(method=Method(method, params, returns), doc=docstring(doc, "        "),
                     args=[f"            {a}," for a in args])


def _table(ir: Ir, table: Table) -> TableView:
    model = ir.model(table.item)
    fields = {f.name: f for f in model.schema.properties}
    taken: set[str] = set()
    keys = [_param(ir, fields, table.partition_key, taken)]
    if table.sort_key:
        keys.append(_param(ir, fields, table.sort_key, taken))
    queries = [_query(ir, table, fields, None, model.class_name)] if table.sort_key else []
    queries += [_query(ir, table, fields, i, model.class_name) for i in table.indexes if i.name in queried_indexes(table)]
    key_desc = ", ".join(f"{k.name} ({k.type})" for k in (table.partition_key, table.sort_key) if k)
    doc = f"Table `{table.name}` of {model.class_name} items, keyed by {key_desc}"
    doc += f"; expires items by `{table.ttl}` (epoch seconds)." if table.ttl else "."
    key_names = "(" + ", ".join(literal(k.wire) for k in keys) + ("," if len(keys) == 1 else "") + ")"
    names = table.names
    return TableView(name=names.table_class, reads=names.reads_class, writes=names.writes_class, item=model.class_name,
                     doc=docstring(doc, "    "), key_names=key_names, keys=keys, queries=queries)


def tables_view(ir: Ir) -> dict[str, object]:
    """The template context of tables.py."""
    views = [_table(ir, t) for t in ir.tables]
    text = " ".join(line for v in views for m in v.read_methods + v.write_methods for line in m.lines())
    return {"tables": views, "uses_dt": "_dt." in text, "uses_decimal": "_decimal." in text,
            "any_query": any(v.queries for v in views)}
