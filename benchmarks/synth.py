"""Synthesize a specstack project of N tables (about two GET operations per table, one event
per two tables, one processor per four tables, a schedule per ten) for benchmarks."""

from __future__ import annotations

from pathlib import Path

import yaml


def _schema(i: int) -> dict[str, object]:
    return {
        "type": "object",
        "required": [f"id{i}", "name", "updatedAt"],
        "properties": {
            f"id{i}": {"type": "string"},
            "name": {"type": "string", "maxLength": 200},
            "count": {"type": "integer", "minimum": 0},
            "score": {"type": ["number", "null"]},
            "active": {"type": "boolean"},
            "status": {"type": "string", "enum": ["new", "open", "closed"]},
            "updatedAt": {"type": "string", "format": "date-time"},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            "parts": {"type": "array", "items": {"type": "object", "required": ["sku"],
                                                 "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}}},
        },
    }


def write_project(root: Path, tables: int) -> Path:
    """Write spec/ for a project with `tables` tables under root; returns root."""
    paths: dict[str, object] = {}
    schemas: dict[str, object] = {}
    model_tables: dict[str, object] = {}
    events: dict[str, object] = {}
    processors: dict[str, object] = {}
    page_params = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                   {"name": "cursor", "in": "query", "schema": {"type": "string"}}]
    for i in range(tables):
        t, item = f"t{i:03d}", f"Item{i:03d}"
        schemas[item] = _schema(i)
        schemas[f"{item}Page"] = {"type": "object", "required": ["items", "next"], "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "next": {"type": ["string", "null"]}}}
        model_tables[t] = {"partition_key": f"id{i}", "item": item}
        paths[f"/{t}/{{id{i}}}"] = {"get": {
            "operationId": f"get{item}", "x-gen": {"table": t},
            "parameters": [{"name": f"id{i}", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "one", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{item}"}}}}, "404": {"description": "none"}}}}
        paths[f"/{t}"] = {"get": {
            "operationId": f"list{item}", "x-gen": {"table": t, "list": True}, "parameters": page_params,
            "responses": {"200": {"description": "page", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{item}Page"}}}}}}}
        if i % 2 == 0:
            schemas[f"Changed{i:03d}"] = {"type": "object", "required": [f"id{i}"], "properties": {
                f"id{i}": {"type": "string"}, "name": {"type": "string"}, "count": {"type": "integer"}}}
            events[f"t{i:03d}.changed"] = {"stream": "events", "data": f"Changed{i:03d}", "subject": f"id{i}"}
    event_types = sorted(events)
    for j in range(max(1, tables // 4)):
        on = event_types[j * 2:(j + 1) * 2] or event_types[:1]
        processors[f"apply_{j:03d}"] = {"on": on, "writes": [f"t{(j * 4) % tables:03d}"]}
    for j in range(max(1, tables // 10)):
        processors[f"sweep_{j:03d}"] = {"schedule": "rate(1 hour)", "reads": [f"t{j:03d}"], "writes": [f"t{j:03d}"]}
    paths["/events"] = {"post": {"operationId": "ingestEvents", "x-gen": {"stream": "events"},
                                 "security": [{"sigv4": []}], "responses": {"202": {"description": "accepted"}}}}
    sigv4 = {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
    openapi = {"openapi": "3.1.0", "info": {"title": f"bench {tables}", "version": "1.0.0"}, "paths": paths,
               "components": {"securitySchemes": {"sigv4": sigv4}, "schemas": schemas}}
    model = {"version": 1, "name": "bench", "tables": model_tables,
             "streams": {"events": {"shards": 2, "archive": True}}, "events": events, "processors": processors}
    (root / "spec").mkdir(parents=True, exist_ok=True)
    (root / "spec/openapi.yaml").write_text(yaml.safe_dump(openapi, sort_keys=False), encoding="utf-8")
    (root / "spec/model.yaml").write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    return root
