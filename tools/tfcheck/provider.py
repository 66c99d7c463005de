"""A schema-only stand-in for registry.terraform.io/hashicorp/aws, run by Terraform as a plugin.

Terraform launches this program (through the `terraform-provider-aws` wrapper that
`tools.tfcheck.install` writes) and talks tfplugin6 to it.  It answers GetMetadata and
GetProviderSchema from the committed schema table and accepts every Validate* call without
adding diagnostics: Terraform core does the checking against the schema.  Anything that would
touch AWS (configure, plan, apply, read, import, ...) is refused with UNIMPLEMENTED.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Mapping
from typing import Any, Final

import grpc
from tf.gen import tfplugin_pb2 as pb  # type: ignore[import-untyped]
from tf.gen import tfplugin_pb2_grpc as rpc  # type: ignore[import-untyped]

from tools.tfcheck.plugin_server import NotLaunchedByTerraformError, serve
from tools.tfcheck.schema_table import (
    Attribute,
    Block,
    NestedBlock,
    Table,
    TableError,
    load_table,
)

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
        server_capabilities=pb.ServerCapabilities(),
    )


class SchemaOnlyProvider(rpc.ProviderServicer):  # type: ignore[misc]
    """tfplugin6 servicer: schema answers, silent validation, nothing that needs AWS."""

    def __init__(self, table: Table, stop: threading.Event) -> None:
        self._table = table
        self._stop = stop
        self._schema: Any = None
        self._lock = threading.Lock()

    def _schema_response(self) -> Any:
        # Built on first use: GetMetadata alone should not pay for the whole schema.
        with self._lock:
            if self._schema is None:
                self._schema = schema_response(self._table)
            return self._schema

    def GetMetadata(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return pb.GetMetadata.Response(
            server_capabilities=pb.ServerCapabilities(),
            resources=[
                pb.GetMetadata.ResourceMetadata(type_name=name)
                for name in sorted(self._table["resources"])
            ],
            data_sources=[
                pb.GetMetadata.DataSourceMetadata(type_name=name)
                for name in sorted(self._table["data_sources"])
            ],
        )

    def GetProviderSchema(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return self._schema_response()

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
        table = load_table()

        def register(server: grpc.Server, stop: threading.Event) -> None:
            rpc.add_ProviderServicer_to_server(SchemaOnlyProvider(table, stop), server)

        serve(register)
    except (NotLaunchedByTerraformError, TableError) as exc:
        print(f"terraform-provider-aws (tfcheck stand-in): {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
