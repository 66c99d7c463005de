"""generated/docs/architecture.md: a Mermaid flowchart and tables of what the spec defines.

The view (node ids, labels, edges, table rows) is computed here; the template only prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.base import OutputFile
from generator.ir.nodes import Ir, Operation

_ACTIONS = {"get_item": "GetItem", "scan": "Scan", "query": "Query", "ingest": "PutRecords"}


@dataclass(frozen=True)
class Node:
    id: str
    shape_open: str
    label: str
    shape_close: str


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def _binding(op: Operation) -> str:
    if op.kind == "ingest":
        return f"PutRecords -> stream `{op.stream}`"
    target = f"`{op.table}`" + (f" index `{op.index}`" if op.index else "")
    extra = ""
    if op.sort:
        parts = [p for p in (op.sort.from_param, op.sort.to_param) if p]
        extra = f", sort key range ({', '.join(parts)})" + (", newest first" if op.sort.descending else "")
    if op.key_claims:
        extra += ", key from " + ", ".join(f"claim `{c}`" for _, c in op.key_claims)
    return f"{_ACTIONS[op.kind]} {target}{extra}"


def _graph(ir: Ir) -> tuple[list[Node], list[Node], list[Node], list[Edge]]:
    api_nodes = [Node(f"op_{o.ident}", '["', _label(f"{o.method.upper()} {o.path}"), '"]') for o in ir.operations]
    data_nodes = [Node(f"tbl_{t.ident}", '[("', _label(f"table {t.name}"), '")]') for t in ir.tables]
    data_nodes += [Node(f"st_{s.ident}", '{{"', _label(f"stream {s.name}"), '"}}') for s in ir.streams]
    if any(s.archive for s in ir.streams):
        data_nodes.append(Node("lake", '[("', "S3 data lake", '")]'))
    fn_nodes = [Node(f"fn_{p.ident}", '[["', _label(f"λ {p.name}"), '"]]') for p in ir.processors]
    fn_nodes += [Node(f"sch_{p.ident}", '(["', _label(str(p.schedule)), '"])') for p in ir.processors
                 if p.kind == "schedule"]
    edges: list[Edge] = []
    for o in ir.operations:
        dst = f"st_{ir.stream(o.stream).ident}" if o.stream else f"tbl_{ir.table(o.table or '').ident}"
        edges.append(Edge(f"op_{o.ident}", dst, _ACTIONS[o.kind] + (f" {o.index}" if o.index else "")))
    for s in ir.streams:
        if s.archive:
            edges.append(Edge(f"st_{s.ident}", "lake", "Firehose"))
    for p in ir.processors:
        if p.kind == "stream" and p.stream:
            edges.append(Edge(f"st_{ir.stream(p.stream).ident}", f"fn_{p.ident}", ", ".join(p.events)))
        else:
            edges.append(Edge(f"sch_{p.ident}", f"fn_{p.ident}", "EventBridge"))
        for t in p.writes:
            edges.append(Edge(f"fn_{p.ident}", f"tbl_{ir.table(t).ident}", "writes"))
        for t in p.reads:
            if t not in p.writes:
                edges.append(Edge(f"tbl_{ir.table(t).ident}", f"fn_{p.ident}", "reads"))
    return api_nodes, data_nodes, fn_nodes, edges


AUTH_LABELS = {"none": "public", "cognito": "Cognito", "iam": "IAM (SigV4)", "api_key": "API key"}


def emit_docs(ir: Ir) -> list[OutputFile]:
    from generator.render.env import render

    api_nodes, data_nodes, fn_nodes, edges = _graph(ir)
    consumers = {e.type: sorted(p.name for p in ir.processors if e.type in p.events) for e in ir.events}
    content = render("docs/architecture.md.j2", ir=ir, api_nodes=api_nodes, data_nodes=data_nodes,
                     fn_nodes=fn_nodes, edges=edges, binding=_binding, consumers=consumers,
                     auth=AUTH_LABELS)
    return [OutputFile(path="generated/docs/architecture.md", content=content, source="spec/",
                       template="docs/architecture.md.j2")]
