"""Shared state of one IR build: the documents, the diagnostics and the models read so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.diagnostics import Diagnostics, Location
from generator.ir.nodes import Model, Schema, SourceRef
from generator.load.spec import LoadedSpec
from generator.load.yaml_loader import Pointer, YamlDocument


@dataclass
class BuildContext:
    spec: LoadedSpec
    diags: Diagnostics
    models: dict[str, Model] = field(default_factory=dict)

    @property
    def api(self) -> YamlDocument:
        assert self.spec.openapi is not None
        return self.spec.openapi

    @property
    def model_doc(self) -> YamlDocument:
        assert self.spec.model is not None
        return self.spec.model

    @property
    def project(self) -> str:
        """The spec's `name`: every physical name and the Python package derive from it."""
        return str(self.model_doc.data["name"])

    def source(self, doc: YamlDocument, ptr: Pointer) -> SourceRef:
        loc = doc.locate(ptr, key=True)
        return SourceRef(file=doc.path, pointer=ptr, line=loc.line, col=loc.col)

    def loc(self, doc: YamlDocument, ptr: Pointer, *, key: bool = False) -> Location:
        return doc.locate(ptr, key=key)

    def error(self, code: str, message: str, doc: YamlDocument, ptr: Pointer, hint: str | None = None,
              *, key: bool = False) -> None:
        self.diags.error(code, message, doc.locate(ptr, key=key), hint)

    def warning(self, code: str, message: str, doc: YamlDocument, ptr: Pointer, hint: str | None = None) -> None:
        self.diags.warning(code, message, doc.locate(ptr, key=True), hint)

    def resolve(self, schema: Schema) -> Schema:
        """Follow `ref` chains to the schema they name (unknown refs resolve to themselves)."""
        seen: set[str] = set()
        while schema.kind == "ref" and schema.ref in self.models and schema.ref not in seen:
            seen.add(schema.ref)
            target = self.models[schema.ref].schema
            schema = target if not schema.nullable else _nullable(target)
        return schema

    def raw_schema(self, name: str) -> Any:
        return self.api.data.get("components", {}).get("schemas", {}).get(name)


def _nullable(schema: Schema) -> Schema:
    from dataclasses import replace

    return replace(schema, nullable=True)
