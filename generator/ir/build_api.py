"""openapi.yaml operations -> Operation nodes, enforcing the x-gen binding rules of docs/spec-format.md."""

from __future__ import annotations

from typing import Any

from generator.diagnostics import did_you_mean, known_names_hint
from generator.ir.context import BuildContext
from generator.ir.names import operation_names, snake
from generator.ir.nodes import Operation, OperationKind, Param, SortRange, Stream, Table
from generator.ir.schemas import SchemaReader
from generator.ir.security import SecurityReader, invoke_route, scheme_kind
from generator.load.yaml_loader import Pointer
from generator.load.refs import parse_ref, resolve_pointer
from generator.validate.xgen import METHODS, SORT_KEYS, XGEN_KEYS, unknown_keys


class OperationBuilder:
    def __init__(self, ctx: BuildContext, tables: tuple[Table, ...], streams: tuple[Stream, ...]) -> None:
        self.ctx = ctx
        self.doc = ctx.api
        self.tables = {t.name: t for t in tables}
        self.table_names = set(self.tables) | set((ctx.model_doc.data or {}).get("tables") or {})
        self.streams = {s.name for s in streams}
        self.reader = SchemaReader(ctx.api, ctx.diags)
        self.security = SecurityReader(ctx)

    def build_all(self) -> tuple[Operation, ...]:
        out: list[Operation] = []
        seen_ids: dict[str, Pointer] = {}
        paths = self.doc.data.get("paths") or {}
        for path in sorted(paths):
            item = paths[path]
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                if method not in item:
                    continue
                ptr: Pointer = ("paths", path, method)
                op = item[method]
                if not isinstance(op, dict):
                    continue
                op_id = op.get("operationId")
                if not isinstance(op_id, str):
                    self.ctx.error("E-BIND", f"{method.upper()} {path} has no operationId", self.doc, ptr,
                                   "every operation needs a unique operationId (it names generated files)", key=True)
                    continue
                if op_id in seen_ids:
                    self.ctx.error("E-OPID", f"operationId '{op_id}' is used twice", self.doc,
                                   ptr + ("operationId",), "operationIds must be unique")
                    continue
                seen_ids[op_id] = ptr
                built = self.build(path, method, op, item, ptr)
                if built is not None:
                    out.append(built)
        self.security.check_scopes(out)
        return tuple(sorted(out, key=lambda o: o.operation_id))

    # -- one operation -------------------------------------------------------------------------

    def build(self, path: str, method: str, op: dict[str, Any], item: dict[str, Any],
              ptr: Pointer) -> Operation | None:
        ctx, doc = self.ctx, self.doc
        xgen = op.get("x-gen")
        if not isinstance(xgen, dict):
            ctx.error("E-BIND", f"operation '{op['operationId']}' has no x-gen binding", doc, ptr,
                      "bind it: x-gen: {table: T} for GET, x-gen: {stream: S} for POST", key=True)
            return None
        xptr = ptr + ("x-gen",)
        ok = not unknown_keys(xgen, XGEN_KEYS)  # reported by validate.xgen, even when model.yaml is invalid
        params = self._params(op, item, ptr)
        auth = self.security.operation(op, ptr)
        if auth is None:
            return None
        common = dict(operation_id=op["operationId"], ident=snake(op["operationId"]), path=path,
                      names=operation_names(ctx.project, op["operationId"]),
                      summary=str(op.get("summary") or ""), source=self.ctx.source(doc, ptr),
                      protected=auth.kind == "cognito", security_scheme=auth.scheme, auth=auth.kind,
                      scopes=auth.scopes,
                      invoke_route=invoke_route(method, path))
        if method == "post" and "stream" in xgen:
            if not (ok and self.security.check_ingestion(op, xgen, xptr, auth, str(xgen["stream"]))):
                return None
            return self._ingest(xgen, xptr, op, ptr, params, common)
        if method == "get" and "table" in xgen:
            if not (ok and self.security.check_read(auth, ptr, xgen, xptr)):
                return None
            return self._read(xgen, xptr, op, ptr, params, common)
        if not ok:
            return None
        if "stream" in xgen or "table" in xgen:
            want = "POST" if "stream" in xgen else "GET"
            ctx.error("E-BIND-METHOD", f"x-gen {'stream' if 'stream' in xgen else 'table'} binds {want} operations, "
                      f"not {method.upper()}", doc, ptr, f"move this binding to a {want} operation", key=True)
        else:
            ctx.error("E-BIND", "x-gen needs 'table' (GET) or 'stream' (POST)", doc, xptr, key=True)
        return None

    def _params(self, op: dict[str, Any], item: dict[str, Any], ptr: Pointer) -> list[Param]:
        merged: dict[tuple[str, str], Param] = {}
        for source, sptr in ((item.get("parameters") or [], ptr[:-1] + ("parameters",)),
                             (op.get("parameters") or [], ptr + ("parameters",))):
            for i, raw in enumerate(source):
                pptr = sptr + (i,)
                if isinstance(raw, dict) and "$ref" in raw:
                    target = parse_ref(str(raw["$ref"]))
                    if target is None:
                        continue
                    pptr = target
                    raw = resolve_pointer(self.doc.data, target)
                if not isinstance(raw, dict) or raw.get("in") not in ("path", "query", "header"):
                    continue
                schema = self.reader.read(raw.get("schema", {"type": "string"}), pptr + ("schema",))
                merged[(raw["in"], raw["name"])] = Param(name=str(raw["name"]), location=raw["in"],
                                                         required=bool(raw.get("required")), schema=schema)
        return list(merged.values())

    def _response_ref(self, op: dict[str, Any], ptr: Pointer, status: str) -> tuple[str | None, Pointer]:
        resp = (op.get("responses") or {}).get(status)
        rptr = ptr + ("responses", status)
        if isinstance(resp, dict) and "$ref" in resp:
            target = parse_ref(str(resp["$ref"]))
            if target:
                rptr, resp = target, resolve_pointer(self.doc.data, target)
        if not isinstance(resp, dict):
            return None, rptr
        schema = ((resp.get("content") or {}).get("application/json") or {}).get("schema")
        sptr = rptr + ("content", "application/json", "schema")
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            return str(schema["$ref"]).rsplit("/", 1)[-1], sptr
        return None, sptr

    # -- GET bindings ---------------------------------------------------------------------------

    def _read(self, xgen: dict[str, Any], xptr: Pointer, op: dict[str, Any], ptr: Pointer,
              params: list[Param], common: dict[str, Any]) -> Operation | None:
        ctx, doc = self.ctx, self.doc
        tname = xgen["table"]
        if tname not in self.table_names:
            ctx.error("E-REF", f"x-gen table '{tname}' is not defined in model.yaml", doc, xptr + ("table",),
                      known_names_hint(str(tname), self.table_names, "tables"))
            return None
        table = self.tables.get(tname)
        if table is None:
            return None  # the table itself is invalid and already reported
        index = None
        if "index" in xgen:
            index = table.index(str(xgen["index"]))
            if index is None:
                ctx.error("E-REF", f"table '{tname}' has no index '{xgen['index']}'", doc, xptr + ("index",),
                          known_names_hint(str(xgen["index"]), [i.name for i in table.indexes], "indexes"))
                return None
        claims: dict[str, str] = {}
        raw_claims = xgen.get("key_from_claim")
        if raw_claims is not None:
            if not isinstance(raw_claims, dict) or not all(isinstance(v, str) for v in raw_claims.values()):
                ctx.error("E-BIND", "key_from_claim maps key attributes to claim names", doc,
                          xptr + ("key_from_claim",), "e.g. key_from_claim: {userId: sub}")
                return None
            claims = {str(k): str(v) for k, v in raw_claims.items()}
            if not common["protected"]:
                ctx.error("E-AUTH", "key_from_claim needs a Cognito-protected operation", doc,
                          xptr + ("key_from_claim",), "add security: [{<cognito scheme>: []}] to the operation")
                return None
        path_params = [p for p in params if p.location == "path"]
        path_names = [p.name for p in path_params]
        declared = set(_template_names(common["path"]))
        if declared != set(path_names):
            ctx.error("E-BIND-PARAMS", f"path template parameters {sorted(declared)} differ from the declared path "
                      f"parameters {sorted(path_names)}", doc, ptr, "declare each {name} of the path as an 'in: path' "
                      "parameter", key=True)
            return None
        bound = {**{n: n for n in path_names}, **claims}
        keys_index = index or table
        pk, sk = keys_index.partition_key.name, keys_index.sort_key.name if keys_index.sort_key else None
        full = [table.partition_key.name] + ([table.sort_key.name] if table.sort_key else [])
        listing = xgen.get("list") is True
        if "list" in xgen and not isinstance(xgen["list"], bool):
            ctx.error("E-BIND", "x-gen list must be true or false", doc, xptr + ("list",))
            return None
        for name in bound:
            valid = set(full) | {pk} | ({sk} if sk else set())
            if name not in valid:
                where = f"index '{index.name}'" if index else f"table '{tname}'"
                ctx.error("E-BIND-KEYS", f"path parameter '{name}' is not a key attribute of {where} "
                          f"(keys: {', '.join(full if not index else [pk] + ([sk] if sk else []))})", doc, ptr,
                          did_you_mean(name, valid) or "path parameter names must equal key attribute names", key=True)
                return None
        sort = None
        kind: OperationKind
        if listing:
            if bound or index:
                ctx.error("E-BIND", "list: true is a Scan of the whole table; it takes no key parameters or index",
                          doc, xptr + ("list",), "drop 'list: true' to Query by partition key")
                return None
            kind = "scan"
        elif index is None and set(bound) == set(full):
            kind = "get_item"
        elif set(bound) == {pk}:
            kind = "query"
            sort = self._sort(xgen, xptr, params, keys_index.sort_key is not None, tname)
            if "sort" in xgen and sort is None:
                return None
        else:
            ctx.error("E-BIND-KEYS", f"parameters {sorted(bound)} name neither the whole key {full} (GetItem) nor "
                      f"the partition key '{pk}' (Query) of {'index ' + index.name if index else 'table ' + tname}",
                      doc, ptr, "path parameter names must equal key attribute names", key=True)
            return None
        if index is not None and kind != "query":
            return None
        if "sort" in xgen and kind != "query":
            ctx.error("E-BIND", "sort applies to Query operations only", doc, xptr + ("sort",),
                      "a sort range needs a Query: bind the path parameter of the partition key, without list: true")
            return None
        if kind in ("scan", "query") and not self._pagination(params, ptr):
            return None
        model = self._check_response(op, ptr, table.item, paged=kind != "get_item")
        if model is None:
            return None
        return Operation(method="get", kind=kind, table=tname, index=index.name if index else None, stream=None,
                         key_params=tuple(sorted((n, n) for n in path_names)), key_claims=tuple(sorted(claims.items())),
                         sort=sort, params=tuple(sorted(params, key=lambda p: (p.location, p.name))),
                         response_model=model, item_model=table.item, **common)

    def _sort(self, xgen: dict[str, Any], xptr: Pointer, params: list[Param], has_sort_key: bool,
              tname: str) -> SortRange | None:
        ctx, doc = self.ctx, self.doc
        raw = xgen.get("sort")
        if raw is None:
            return None
        sptr = xptr + ("sort",)
        if not has_sort_key:
            ctx.error("E-BIND-SORT", f"sort needs a sort key, and table '{tname}' has none", doc, sptr,
                      "remove 'sort' or add sort_key to the table in model.yaml")
            return None
        if not isinstance(raw, dict):
            ctx.error("E-BIND-SORT", "sort must be a mapping {from, to, order}", doc, sptr)
            return None
        ok = not unknown_keys(raw, SORT_KEYS)  # reported by validate.xgen
        query = {p.name for p in params if p.location == "query"}
        for key in ("from", "to"):
            name = raw.get(key)
            if name is not None and name not in query:
                ctx.error("E-BIND-SORT", f"sort {key} '{name}' is not a declared query parameter", doc, sptr + (key,),
                          known_names_hint(str(name), query, "query parameters"))
                ok = False
        order = raw.get("order", "asc")
        if order not in ("asc", "desc"):
            ctx.error("E-BIND-SORT", f"sort order must be asc or desc, not '{order}'", doc, sptr + ("order",))
            ok = False
        if not ok:
            return None
        return SortRange(from_param=raw.get("from"), to_param=raw.get("to"), descending=order == "desc")

    def _pagination(self, params: list[Param], ptr: Pointer) -> bool:
        query = {p.name: p for p in params if p.location == "query"}
        ok = True
        for name, kind in (("limit", "integer"), ("cursor", "string")):
            p = query.get(name)
            if p is None or p.schema.kind != kind:
                self.ctx.error("E-PAGE", f"paginated operation must declare query parameter '{name}' ({kind})",
                               self.doc, ptr, f"add {{name: {name}, in: query, schema: {{type: {kind}}}}} to its "
                               "parameters", key=True)
                ok = False
        return ok

    def _check_response(self, op: dict[str, Any], ptr: Pointer, item: str, *, paged: bool) -> str | None:
        ctx, doc = self.ctx, self.doc
        name, sptr = self._response_ref(op, ptr, "200")
        if name is None:
            shape = f"a $ref to a page schema {{items: [{item}], next}}" if paged else f"$ref: '#/components/schemas/{item}'"
            ctx.error("E-RESPONSE", "the 200 response must be application/json with a component schema", doc, sptr,
                      f"use {shape}", key=True)
            return None
        if not paged:
            if name != item:
                ctx.error("E-RESPONSE", f"the 200 response is {name}, but the table's item schema is {item}", doc, sptr,
                          f"use $ref: '#/components/schemas/{item}'")
                return None
            return name
        model = ctx.models.get(name)
        schema = ctx.resolve(model.schema) if model else None
        fields = {f.name: f for f in schema.properties} if schema and schema.kind == "object" else {}
        items, nxt = fields.get("items"), fields.get("next")
        items_ok = (items is not None and items.schema.kind == "array" and items.schema.items is not None
                    and items.schema.items.ref == item)
        next_ok = nxt is not None and nxt.schema.kind == "string" and nxt.schema.nullable
        if not (items_ok and next_ok and set(fields) == {"items", "next"} and items is not None and items.required
                and nxt is not None and nxt.required):
            ctx.error("E-RESPONSE", f"the 200 response {name} is not the page shape {{items: [{item}], next: string | "
                      "null}", doc, sptr, "define it with required [items, next], items: {type: array, items: {$ref: "
                      f"'#/components/schemas/{item}'}}}}, next: {{type: [string, 'null']}}")
            return None
        return name

    # -- POST ingestion -------------------------------------------------------------------------

    def _ingest(self, xgen: dict[str, Any], xptr: Pointer, op: dict[str, Any], ptr: Pointer,
                params: list[Param], common: dict[str, Any]) -> Operation | None:
        ctx, doc = self.ctx, self.doc
        stream = str(xgen["stream"])
        extra = [k for k in xgen if k not in ("stream", "public")]
        if extra:
            ctx.error("E-BIND", f"x-gen stream takes no '{extra[0]}'", doc, xptr + (extra[0],), key=True)
            return None
        if stream not in self.streams:
            ctx.error("E-REF", f"x-gen stream '{stream}' is not defined in model.yaml", doc, xptr + ("stream",),
                      known_names_hint(stream, self.streams, "streams"))
            return None
        body = op.get("requestBody")
        if isinstance(body, dict):
            for ctype, media in (body.get("content") or {}).items():
                schema = (media or {}).get("schema") if isinstance(media, dict) else None
                if isinstance(schema, dict) and "$ref" in schema:
                    target = parse_ref(str(schema["$ref"]))
                    schema = resolve_pointer(doc.data, target) if target else None
                if not isinstance(schema, dict) or schema.get("type") != "array":
                    ctx.error("E-BIND-BODY", "an ingestion requestBody must be an array schema", doc,
                              ptr + ("requestBody", "content", ctype, "schema"),
                              "omit requestBody (gen derives it from events:) or use type: array")
                    return None
        if "202" not in (op.get("responses") or {}):
            ctx.error("E-RESPONSE", "an ingestion operation must declare a 202 response", doc, ptr + ("responses",),
                      "add '202' with the per-event results", key=True)
            return None
        name, _ = self._response_ref(op, ptr, "202")
        return Operation(method="post", kind="ingest", table=None, index=None, stream=stream, key_params=(),
                         key_claims=(), sort=None, params=tuple(sorted(params, key=lambda p: (p.location, p.name))),
                         response_model=name, item_model=None, **common)


def is_cognito_scheme(scheme: Any) -> bool:
    """A security scheme API Gateway enforces with a Cognito user pool authorizer."""
    return scheme_kind(scheme) == "cognito"


def declares_cognito(openapi: Any) -> bool:
    """Whether openapi.yaml's components.securitySchemes declares a Cognito scheme (used or not)."""
    schemes = ((openapi or {}).get("components") or {}).get("securitySchemes") or {}
    return isinstance(schemes, dict) and any(is_cognito_scheme(s) for s in schemes.values())


def _template_names(path: str) -> list[str]:
    import re

    return re.findall(r"\{([^}/]+)\}", path)

