"""API rules: what a spec change does to the HTTP API's clients (oasdiff's checks, by its ids).

Operations are matched by method and path template, path parameters by position (renaming
`{id}` to `{orderId}` changes nothing for a client). Requests are checked for what a client
that worked may no longer send (narrowing); responses for what it may now receive (widening,
removals). Narrowing a response or widening a request is reported as info at most.
"""

from __future__ import annotations

import re
from typing import Any

from generator.ir.nodes import Operation, Param, Schema
from generator.load.refs import deref
from generator.load.yaml_loader import Pointer
from generator.review.findings import Finding
from generator.review.schemas import ROOT, Change, Differ
from generator.review.side import Side

_TEMPLATE = re.compile(r"\{[^}/]+\}")
OPENAPI = "openapi.yaml"

# raw schema change kind -> rule name, for request parameters (None: not reported)
_PARAM_RULES: dict[str, str | None] = {
    "type-changed": "request-parameter-type-changed",
    "type-generalized": "request-parameter-type-generalized",
    "nullable-added": "request-parameter-type-generalized",
    "nullable-removed": "request-parameter-type-changed",
    "became-enum": "request-parameter-became-enum",
    "enum-added": "request-parameter-enum-value-added",
    "enum-dropped": "request-parameter-enum-value-added",
    "enum-removed": "request-parameter-enum-value-removed",
    "pattern-changed": "request-parameter-pattern-changed",
}
_BOUND_NAMES = {"maximum": "max", "exclusiveMaximum": "max", "minimum": "min", "exclusiveMinimum": "min",
                "maxLength": "max-length", "minLength": "min-length"}

# raw schema change kind -> rule name, for response bodies (None: harmless, not reported)
_RESPONSE_RULES: dict[str, str | None] = {
    "type-changed": "response-property-type-changed",
    "type-generalized": "response-property-type-changed",
    "nullable-added": "response-property-became-nullable",
    "nullable-removed": "response-property-became-not-nullable",
    "became-enum": None,
    "enum-added": "response-property-enum-value-added",
    "enum-dropped": "response-property-enum-value-added",
    "enum-removed": "response-property-enum-value-removed",
    "narrowed": None,
    "relaxed": "response-property-constraint-relaxed",
    "pattern-changed": "response-property-constraint-relaxed",
    "became-required": "response-property-became-required",
    "became-optional": "response-property-became-optional",
}


def normalise(path: str) -> str:
    return _TEMPLATE.sub("{}", path)


def _key(op: Operation) -> tuple[str, str]:
    return op.method, normalise(op.path)


def _where(op: Operation) -> str:
    return f"{op.method.upper()} {op.path}"


def _raw_op(side: Side, op: Operation) -> dict[str, Any]:
    item = (side.openapi.get("paths") or {}).get(op.path) or {}
    found = item.get(op.method) if isinstance(item, dict) else None
    return found if isinstance(found, dict) else {}


def api_findings(base: Side, head: Side) -> list[Finding]:
    before = {_key(op): op for op in base.ir.operations}
    after = {_key(op): op for op in head.ir.operations}
    out: list[Finding] = []
    head_paths = {k[1] for k in after}
    head_ids = {op.operation_id: op for op in head.ir.operations}
    for key in sorted(set(before) - set(after)):
        out.append(_removed(base, before[key], key[1] in head_paths, head_ids.get(before[key].operation_id)))
    for key in sorted(set(after) - set(before)):
        op = after[key]
        out.append(Finding("api.endpoint-added", op.operation_id, f"{_where(op)} ({op.operation_id}) is new",
                           head.locate(OPENAPI, op.source.pointer)))
    for key in sorted(set(before) & set(after)):
        out += _operation(base, head, before[key], after[key])
    return out


def _removed(base: Side, op: Operation, path_remains: bool, moved: Operation | None) -> Finding:
    deprecated = _raw_op(base, op).get("deprecated") is True
    kind = "api-removed" if path_remains else "api-path-removed"
    rule = f"api.{kind}-{'with' if deprecated else 'without'}-deprecation"
    where = f"{_where(op)} ({op.operation_id})"
    text = f"{where} was removed" + (f"; {op.operation_id} is now {_where(moved)}" if moved else "")
    if not deprecated:
        text += ": its clients get 404/403"
    pointer = op.source.pointer if path_remains else op.source.pointer[:2]
    return Finding(rule, op.operation_id, text, base.locate(OPENAPI, pointer), "base")


_CREDENTIALS = {"cognito": "a Cognito token", "iam": "a SigV4 signature", "api_key": "an API key"}
_REFUSAL = {"cognito": 401, "iam": 403, "api_key": 403}


def _security(target: str, where: str, here: Any, old: Operation, new: Operation) -> Finding:
    """What a change of an operation's authentication does to its callers."""
    if old.auth == "none":
        return Finding("api.api-security-added", target, f"{where} now requires {_CREDENTIALS[new.auth]}: "
                       f"clients without one get {_REFUSAL[new.auth]}", here)
    if new.auth == "none":
        return Finding("api.api-security-removed", target, f"{where} no longer requires "
                       f"{_CREDENTIALS[old.auth]}: anyone can call it", here)
    return Finding("api.api-security-changed", target, f"{where} requires {_CREDENTIALS[new.auth]} instead "
                   f"of {_CREDENTIALS[old.auth]}: existing clients get {_REFUSAL[new.auth]}", here)


def _operation(base: Side, head: Side, old: Operation, new: Operation) -> list[Finding]:
    out: list[Finding] = []
    target, where = new.operation_id, _where(new)
    here = head.locate(OPENAPI, new.source.pointer)
    if old.operation_id != new.operation_id:
        out.append(Finding("api.api-operation-id-removed", target,
                           f"{where}: operationId {old.operation_id} -> {new.operation_id} (generated client "
                           "method names change)", head.locate(OPENAPI, new.source.pointer + ("operationId",))))
    if old.auth != new.auth:
        out.append(_security(target, where, here, old, new))
    out += _params(base, head, old, new)
    out += _statuses(base, head, old, new)
    if old.response_model and new.response_model:
        differ = Differ(base.models, head.models)
        changes = differ.compare(Schema(kind="ref", ref=old.response_model), Schema(kind="ref", ref=new.response_model),
                                 None, None)
        out += [f for c in changes if (f := _response(base, head, new, c)) is not None]
    return out


def _template_names(path: str) -> list[str]:
    return _TEMPLATE.findall(path)


def _params(base: Side, head: Side, old: Operation, new: Operation) -> list[Finding]:
    def keyed(op: Operation) -> dict[tuple[str, str], Param]:
        order = [n.strip("{}") for n in _template_names(op.path)]
        return {("path", str(order.index(p.name))) if p.location == "path" and p.name in order
                else (p.location, p.name): p for p in op.params}

    before, after = keyed(old), keyed(new)
    bptrs, hptrs = _param_pointers(base, old), _param_pointers(head, new)
    target, where = new.operation_id, _where(new)
    out: list[Finding] = []
    for key in sorted(set(after) - set(before)):
        p = after[key]
        rule = "api.new-required-request-parameter" if p.required else "api.new-optional-request-parameter"
        out.append(Finding(rule, target, f"{where}: new {'required' if p.required else 'optional'} {p.location} "
                           f"parameter '{p.name}'", _at(head, hptrs.get((p.location, p.name)))))
    for key in sorted(set(before) - set(after)):
        p = before[key]
        out.append(Finding("api.request-parameter-removed", target, f"{where}: {p.location} parameter '{p.name}' "
                           "was removed (clients still sending it are ignored)",
                           _at(base, bptrs.get((p.location, p.name))), "base"))
    for key in sorted(set(before) & set(after)):
        b, h = before[key], after[key]
        ptr = hptrs.get((h.location, h.name))
        if b.required != h.required:
            rule = "api.request-parameter-became-required" if h.required else "api.request-parameter-became-optional"
            out.append(Finding(rule, target, f"{where}: {h.location} parameter '{h.name}' is now "
                               f"{'required' if h.required else 'optional'}", _at(head, ptr)))
        schema_ptr = ptr + ("schema",) if ptr is not None else None
        for c in Differ(base.models, head.models).compare(b.schema, h.schema, None, schema_ptr):
            name = _param_rule(c)
            if name is not None:
                out.append(Finding(f"api.{name}", target, f"{where}: {h.location} parameter '{h.name}': {c.detail}",
                                   _at(head, c.head or schema_ptr)))
    return out


def _param_rule(c: Change) -> str | None:
    if c.kind in _PARAM_RULES:
        return _PARAM_RULES[c.kind]
    if c.keyword == "pattern":
        return "request-parameter-pattern-added" if c.action == "set" else "request-parameter-pattern-removed"
    name = _BOUND_NAMES.get(c.keyword or "")
    if name is None or c.kind not in ("narrowed", "relaxed"):
        return None
    if c.action == "set":
        return f"request-parameter-{name}-set"
    upper = name.startswith("max")
    if c.kind == "narrowed":
        return f"request-parameter-{name}-{'decreased' if upper else 'increased'}"
    return f"request-parameter-{name}-{'increased' if upper else 'decreased'}"


def _param_pointers(side: Side, op: Operation) -> dict[tuple[str, str], Pointer]:
    """Where each parameter of `op` is declared: its entry in the operation's (or the path's) list."""
    doc = side.openapi
    item = (doc.get("paths") or {}).get(op.path) or {}
    out: dict[tuple[str, str], Pointer] = {}
    for base, params in ((("paths", op.path), item.get("parameters")),
                         (("paths", op.path, op.method), (item.get(op.method) or {}).get("parameters"))):
        for i, raw in enumerate(params or []):
            ptr: Pointer = base + ("parameters", i)
            if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
                try:
                    raw = deref(doc, raw)
                except KeyError:
                    continue
            if isinstance(raw, dict) and "in" in raw and "name" in raw:
                out[(str(raw["in"]), str(raw["name"]))] = ptr
    return out


def _at(side: Side, ptr: Pointer | None) -> Any:
    return side.locate(OPENAPI, ptr) if ptr is not None else None


def _statuses(base: Side, head: Side, old: Operation, new: Operation) -> list[Finding]:
    def errors(side: Side, op: Operation) -> set[str]:
        return {str(s) for s in (_raw_op(side, op).get("responses") or {}) if not str(s).startswith("2")}

    before, after = errors(base, old), errors(head, new)
    target, where = new.operation_id, _where(new)
    out = [Finding("api.response-non-success-status-added", target,
                   f"{where}: may now answer {status} (clients that handle every documented status need a case)",
                   head.locate(OPENAPI, new.source.pointer + ("responses", status)))
           for status in sorted(after - before)]
    out += [Finding("api.response-non-success-status-removed", target, f"{where}: no longer answers {status}",
                    base.locate(OPENAPI, old.source.pointer + ("responses", status)), "base")
            for status in sorted(before - after)]
    return out


def _response(base: Side, head: Side, op: Operation, c: Change) -> Finding | None:
    if c.kind == "property-removed":
        rule: str | None = "response-required-property-removed" if c.required else "response-optional-property-removed"
    elif c.kind == "property-added":
        rule = "response-required-property-added" if c.required else "response-optional-property-added"
    else:
        rule = _RESPONSE_RULES.get(c.kind)
    if rule is None:
        return None
    what = "the response" if c.path == ROOT else f"response property '{c.path}'"
    text = f"{_where(op)}: {what}: {_words(c)}"
    if c.head is not None:
        return Finding(f"api.{rule}", op.operation_id, text, head.locate(OPENAPI, c.head))
    return Finding(f"api.{rule}", op.operation_id, text, base.locate(OPENAPI, c.base) if c.base else None, "base")


def _words(c: Change) -> str:
    if c.kind == "property-removed":
        return f"removed ({c.detail})"
    if c.kind == "property-added":
        return f"added ({c.detail})"
    return c.detail
