"""A schema-only stand-in for registry.terraform.io/hashicorp/aws, run by Terraform as a plugin.

Terraform launches this program (through the `terraform-provider-aws` wrapper that
`generator.tfcheck.install` writes) and talks tfplugin6 to it.  It answers GetMetadata and
GetProviderSchema from the committed schema table and accepts every Validate* call without
adding diagnostics: Terraform core does the checking against the schema.  Anything that would
touch AWS (configure, plan, apply, read, import, ...) is refused with UNIMPLEMENTED.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final

import grpc  # type: ignore[import-untyped,unused-ignore]
from tf.gen import (  # type: ignore[import-untyped,unused-ignore]
    tfplugin_pb2 as pb,
    tfplugin_pb2_grpc as rpc,
)

from generator.tfcheck.plugin_server import NotLaunchedByTerraformError, serve
from generator.tfcheck.schema_table import (
    Attribute,
    Block,
    NestedBlock,
    Table,
    TableError,
    load_table,
)

# The schema never changes within a run, so Terraform may reuse the copy it already fetched
# instead of asking every provider instance again (it starts one per graph walk).
_CAPABILITIES: Final = pb.ServerCapabilities(get_provider_schema_optional=True)

_NESTING: Final[Mapping[str, int]] = {
    "single": pb.Schema.NestedBlock.SINGLE,
    "list": pb.Schema.NestedBlock.LIST,
    "set": pb.Schema.NestedBlock.SET,
    "map": pb.Schema.NestedBlock.MAP,
}


def _attribute_message(name: str, attr: Attribute) -> Any:
    return pb.Schema.Attribute(
        name=name,
        type=json.dumps(attr["type"], separators=(",", ":")).encode(),
        required=attr.get("required", False),
        optional=attr.get("optional", False),
        computed=attr.get("computed", False),
    )


def _nested_message(name: str, nested: NestedBlock) -> Any:
    return pb.Schema.NestedBlock(
        type_name=name,
        nesting=_NESTING[nested["nesting"]],
        min_items=nested.get("min_items", 0),
        max_items=nested.get("max_items", 0),
        block=_block_message(nested["block"]),
    )


def _block_message(block: Block) -> Any:
    attributes = block.get("attributes", {})
    blocks = block.get("blocks", {})
    return pb.Schema.Block(
        attributes=[_attribute_message(n, attributes[n]) for n in sorted(attributes)],
        block_types=[_nested_message(n, blocks[n]) for n in sorted(blocks)],
    )


def schema_response(table: Table) -> Any:
    """Build the GetProviderSchema response for `table` (pure; no I/O)."""
    return pb.GetProviderSchema.Response(
        provider=pb.Schema(block=_block_message(table["provider"])),
        resource_schemas={
            name: pb.Schema(block=_block_message(block))
            for name, block in table["resources"].items()
        },
        data_source_schemas={
            name: pb.Schema(block=_block_message(block))
            for name, block in table["data_sources"].items()
        },
        provider_meta=pb.Schema(block=pb.Schema.Block()),
        server_capabilities=_CAPABILITIES,
    )


def _table_diagnostic(exc: TableError) -> Any:
    return pb.Diagnostic(
        severity=pb.Diagnostic.ERROR,
        summary="The tfcheck stand-in provider has no schema table",
        detail=str(exc),
    )


class SchemaOnlyProvider(rpc.ProviderServicer):  # type: ignore[misc]
    """tfplugin6 servicer: schema answers, silent validation, nothing that needs AWS."""

    def __init__(self, load: Callable[[], Table] = load_table) -> None:
        self._load = load
        self._table: Table | None = None
        self._schema: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Table:
        # Loaded on first use: Terraform starts a second instance per run that, thanks to
        # get_provider_schema_optional, never asks for the schema at all.
        with self._lock:
            if self._table is None:
                self._table = self._load()
            return self._table

    def _schema_response(self) -> Any:
        table = self._loaded()
        with self._lock:
            if self._schema is None:
                self._schema = schema_response(table)
            return self._schema

    def GetMetadata(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        try:
            table = self._loaded()
        except TableError as exc:
            return pb.GetMetadata.Response(diagnostics=[_table_diagnostic(exc)])
        return pb.GetMetadata.Response(
            server_capabilities=_CAPABILITIES,
            resources=[
                pb.GetMetadata.ResourceMetadata(type_name=name)
                for name in sorted(table["resources"])
            ],
            data_sources=[
                pb.GetMetadata.DataSourceMetadata(type_name=name)
                for name in sorted(table["data_sources"])
            ],
        )

    def GetProviderSchema(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        try:
            return self._schema_response()
        except TableError as exc:
            return pb.GetProviderSchema.Response(diagnostics=[_table_diagnostic(exc)])

    def ValidateProviderConfig(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(  # noqa: N802
        self, request: Any, context: grpc.ServicerContext
    ) -> Any:
        return pb.ValidateDataResourceConfig.Response()

    def GetFunctions(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return pb.GetFunctions.Response()

    def StopProvider(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return pb.StopProvider.Response()


def main() -> int:
    """Entry point of the plugin process; returns the exit status."""

    try:
        serve(lambda server: rpc.add_ProviderServicer_to_server(SchemaOnlyProvider(), server))
    except NotLaunchedByTerraformError as exc:
        print(f"terraform-provider-aws (tfcheck stand-in): {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
