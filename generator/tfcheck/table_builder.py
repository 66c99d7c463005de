"""Turn the facts `cdktf_source` read from the cdktf package into the schema table.

Contract: `TableBuilder(pkg).build()` returns a table in the `schema_table` format and leaves
every disagreement between the package's sources in `.problems` (it never guesses); parts the
package does not describe are left out of the table and named in `unknown_schema`.  Pure.
"""

from __future__ import annotations

from typing import Any, Final

from generator.tfcheck.cdktf_source import (
    DOC_LINK,
    CdktfPackage,
    HclEntry,
    JsClass,
    Member,
    list_element_class,
    method_body,
    parse_hcl_entries,
)
from generator.tfcheck.schema_table import (
    FORMAT_VERSION,
    Attribute,
    Block,
    CtyType,
    NestedBlock,
    Table,
)

_PRIMITIVE: Final = {"string": "string", "number": "number", "boolean": "bool"}
# Element types of primitive collections by cdktf storage class.  For collections of collections
# the package does not record the inner kind (list or set); both such arguments in 6.25
# (customerprofiles matching_attributes_list, networkmanager edge_sets) are lists of lists.
_STORAGE: Final[dict[str, CtyType]] = {
    "stringList": "string",
    "numberList": "number",
    "booleanList": "bool",
    "stringListList": ["list", "string"],
    "stringMapList": ["map", "string"],
    "stringMap": "string",
    "numberMap": "number",
    "booleanMap": "bool",
    "stringMapMap": ["map", "string"],
}
_GETTER: Final[dict[str, CtyType]] = {
    "getStringAttribute": "string",
    "getNumberAttribute": "number",
    "getBooleanAttribute": "bool",
    "getListAttribute": ["list", "string"],
    "getNumberListAttribute": ["list", "number"],
    "getStringMapAttribute": ["map", "string"],
    "getNumberMapAttribute": ["map", "number"],
    "getBooleanMapAttribute": ["map", "bool"],
}
_COMPUTED_MAPS: Final[dict[str, CtyType]] = {
    "cdktf.StringMap": ["map", "string"],
    "cdktf.NumberMap": ["map", "number"],
    "cdktf.BooleanMap": ["map", "bool"],
    "cdktf.AnyMap": ["map", "dynamic"],
}
# cdktf adds `alias` to the provider config; in Terraform it is a meta-argument, not schema.
_PROVIDER_META: Final = frozenset({"alias"})
# cdktf's provider class writes every block as a plain list, so the package loses max_items
# for these provider blocks; the provider's documentation says each takes at most one.
_PROVIDER_SINGLE_BLOCKS: Final = ("assume_role_with_web_identity", "default_tags", "ignore_tags")


class TableBuilder:
    """Turns one parsed package into the schema table; collects problems instead of guessing."""

    def __init__(self, pkg: CdktfPackage) -> None:
        self.pkg = pkg
        self.problems: list[str] = []
        self.unknown: list[str] = []
        self._jsii_by_name = {
            t["name"]: t for t in pkg.types.values() if t.get("assembly") == "@cdktf/provider-aws"
        }

    def build(self) -> Table:
        resources: dict[str, Block] = {}
        data_sources: dict[str, Block] = {}
        provider: Block | None = None
        for cls in sorted(self.pkg.classes.values(), key=lambda c: c.name):
            if cls.base == "cdktf.TerraformProvider":
                provider = self._top_block("provider", cls, _PROVIDER_META)
                for name in _PROVIDER_SINGLE_BLOCKS:
                    if name in provider.get("blocks", {}):
                        provider["blocks"][name]["max_items"] = 1
            elif cls.base in ("cdktf.TerraformResource", "cdktf.TerraformDataSource"):
                target = resources if cls.base == "cdktf.TerraformResource" else data_sources
                kind = "resource" if target is resources else "data"
                if not cls.tf_type:
                    self.problems.append(f"{cls.name}: no tfResourceType")
                    continue
                if cls.tf_type in target:
                    self.problems.append(f"{kind} {cls.tf_type} defined twice")
                target[cls.tf_type] = self._top_block(f"{kind}.{cls.tf_type}", cls, frozenset())
        if provider is None:
            self.problems.append("the package has no provider class")
            provider = {}
        return {
            "format": FORMAT_VERSION,
            "source": {
                "npm_package": f"@cdktf/provider-aws@{self.pkg.version}",
                "terraform_provider": f"registry.terraform.io/hashicorp/aws {self.pkg.provider_version}",
                "builder": "generator/tfcheck/build_schema.py",
            },
            "unknown_schema": sorted(self.unknown),
            "provider": provider,
            "resources": resources,
            "data_sources": data_sources,
        }

    # -- blocks ---------------------------------------------------------------------------

    def _top_block(self, path: str, cls: JsClass, skip: frozenset[str]) -> Block:
        config = self._config_interface(cls)
        entries = parse_hcl_entries(method_body(cls.body, "synthesizeHclAttributes"))
        entries = {k: v for k, v in entries.items() if k not in skip}
        props = {} if config is None else self._props(path, config, skip)
        return self._block(path, entries, props, cls.members)

    def _config_interface(self, cls: JsClass) -> dict[str, Any] | None:
        jsii_cls = self._jsii_by_name.get(cls.name)
        if jsii_cls is None:
            self.problems.append(f"{cls.name}: not in .jsii")
            return None
        for param in jsii_cls.get("initializer", {}).get("parameters", []):
            if param["name"] == "config":
                fqn = param["type"]["fqn"]
                return self.pkg.types[fqn]  # type: ignore[no-any-return]
        self.problems.append(f"{cls.name}: initializer takes no config")
        return None

    def _props(self, path: str, iface: dict[str, Any], skip: frozenset[str]) -> dict[str, Any]:
        """jsii properties of a config/struct interface, keyed by the Terraform name that
        their documentation link ends in (camelCase names are sometimes renamed by cdktf)."""
        props: dict[str, Any] = {}
        for prop in iface.get("properties", []):
            docs = prop.get("docs", {})
            link = DOC_LINK.search(docs.get("summary", "") + " " + docs.get("remarks", ""))
            if link is None:
                if prop["name"] not in skip:
                    self.problems.append(f"{path}: property {prop['name']} has no doc link")
                continue
            props[link["tf"]] = prop
        return props

    def _block(
        self,
        path: str,
        entries: dict[str, HclEntry],
        props: dict[str, Any],
        members: dict[str, Member],
    ) -> Block:
        attributes: dict[str, Attribute] = {}
        blocks: dict[str, NestedBlock] = {}
        for name in sorted(entries):
            self._argument(
                f"{path}.{name}",
                entries[name],
                props.get(name),
                members.get(name),
                attributes,
                blocks,
            )
        for name in sorted(set(members) - set(entries)):
            member = members[name]
            if not member.computed or member.optional or member.required:
                self.problems.append(f"{path}.{name}: settable but missing from the HCL mapping")
                continue
            cty = self._member_type(f"{path}.{name}", member)
            if cty is not None:
                attributes[name] = {"type": cty, "computed": True}
        block: Block = {}
        if attributes:
            block["attributes"] = attributes
        if blocks:
            block["blocks"] = blocks
        return block

    def _argument(
        self,
        where: str,
        entry: HclEntry,
        prop: dict[str, Any] | None,
        member: Member | None,
        attributes: dict[str, Attribute],
        blocks: dict[str, NestedBlock],
    ) -> None:
        """File one settable argument under `attributes` or `blocks`."""
        if prop is None:
            self.problems.append(f"{where}: no jsii property documents this argument")
            return
        required = not prop.get("optional", False)
        if member is not None and member.required != required:
            self.problems.append(f"{where}: required flag differs between .jsii and .js")
        # cdktf documents every block type as "<name> block."; attributes keep their text.
        is_block = prop.get("docs", {}).get("summary", "") == f"{entry.name} block."
        if is_block and entry.storage == "any":
            is_block = False  # a block cdktf skipped as too deep: see _entry_type
        if entry.mapper_is_block is not None and entry.mapper_is_block != is_block:
            self.problems.append(f"{where}: listMapperHcl disagrees with the block summary")
        if is_block:
            blocks[entry.name] = self._nested(where, entry, required)
            return
        cty = self._entry_type(where, entry)
        if cty is None:
            return
        attr: Attribute = {"type": cty}
        if required:
            attr["required"] = True
        else:
            attr["optional"] = True
            if member is not None and member.computed:
                attr["computed"] = True
        attributes[entry.name] = attr

    def _nested(self, where: str, entry: HclEntry, required: bool) -> NestedBlock:
        struct = self._struct_name(where, entry)
        nesting = {"list": "list", "set": "set", "struct": "single", "map": "map"}.get(entry.kind)
        if nesting is None or struct is None:
            self.problems.append(f"{where}: block of unexpected kind {entry.kind}")
            return {"nesting": "list", "block": {}}
        nested: NestedBlock = {"nesting": nesting, "block": self._struct_block(where, struct)}  # type: ignore[typeddict-item]
        if nesting in ("list", "set"):
            if required:
                nested["min_items"] = 1
            # cdktf calls the element mapper directly (no listMapperHcl) only for max_items 1.
            if entry.mapper_is_block is None:
                nested["max_items"] = 1
        return nested

    def _struct_block(self, where: str, struct: str) -> Block:
        iface = self._jsii_by_name.get(struct)
        if iface is None:
            self.problems.append(f"{where}: struct {struct} not in .jsii")
            return {}
        entries = self._struct_entries(where, struct)
        ref = self.pkg.classes.get(f"{struct}OutputReference")
        return self._block(
            where, entries, self._props(where, iface, frozenset()), ref.members if ref else {}
        )

    # -- types ----------------------------------------------------------------------------
    # Each returns None for a part the package does not describe: cdktf replaced schemas it
    # found too deep with `any` (or folded them into loops).  Such arguments are left out of
    # the table and listed in `unknown_schema`; a `dynamic` stand-in is no option because
    # Terraform rejects dynamic types inside set blocks.

    def _entry_type(self, where: str, entry: HclEntry, seen: tuple[str, ...] = ()) -> CtyType:
        if entry.kind == "simple":
            if entry.storage == "any":
                self.unknown.append(where)
                return None
            return self._known(where, _PRIMITIVE.get(entry.storage))
        struct = self._struct_name(where, entry) if entry.struct_fn else None
        if struct is not None:
            element: CtyType = self._object_type(where, struct, seen)
        else:
            element = self._known(where, _STORAGE.get(entry.storage))
        if element is None or entry.kind == "struct":
            return element
        if entry.kind in ("list", "set", "map"):
            return [entry.kind, element]
        self.problems.append(f"{where}: unknown HCL kind {entry.kind}")
        return "dynamic"

    def _member_type(self, where: str, member: Member, seen: tuple[str, ...] = ()) -> CtyType:
        if member.getter is not None:
            expr = member.getter
            for method, cty in _GETTER.items():
                if f"this.{method}(" in expr:
                    if "cdktf.Fn.tolist(" in expr and isinstance(cty, list):
                        return ["set", cty[1]]
                    return cty
            if expr.startswith("this.interpolationForAttribute("):
                self.unknown.append(where)
                return None
            self.problems.append(f"{where}: unknown getter {expr}")
            return "dynamic"
        if member.cls in _COMPUTED_MAPS:
            return _COMPUTED_MAPS[member.cls]
        return self._wrapper_type(where, member.cls or "", member.wraps_set, seen)

    def _wrapper_type(
        self, where: str, cls_name: str, wraps_set: bool | None, seen: tuple[str, ...]
    ) -> CtyType:
        cls = self.pkg.classes.get(cls_name)
        if cls is None:
            self.problems.append(f"{where}: unknown wrapper class {cls_name}")
            return "dynamic"
        if cls.base == "cdktf.ComplexObject":
            return self._object_type(where, cls.name.removesuffix("OutputReference"), seen)
        element = list_element_class(cls)
        if element is None:
            self.problems.append(f"{where}: cannot find the items of {cls.name}")
            return "dynamic"
        item = self._object_type(where, element.removesuffix("OutputReference"), seen)
        if item is None:
            return None
        if cls.base == "cdktf.ComplexMap":
            return ["map", item]
        return ["set" if wraps_set else "list", item]

    def _object_type(self, where: str, struct: str, seen: tuple[str, ...]) -> CtyType:
        if struct in seen:
            self.unknown.append(where)
            return None
        inner = (*seen, struct)
        fields: dict[str, CtyType] = {}
        for name, entry in self._struct_entries(where, struct).items():
            fields[name] = self._entry_type(f"{where}.{name}", entry, inner)
        ref = self.pkg.classes.get(f"{struct}OutputReference")
        for name, member in (ref.members if ref else {}).items():
            if name not in fields:
                fields[name] = self._member_type(f"{where}.{name}", member, inner)
        return ["object", {k: v for k, v in fields.items() if v is not None}]

    def _struct_entries(self, where: str, struct: str) -> dict[str, HclEntry]:
        # cdktf emits `xToHclTerraform` for every struct, even computed-only ones; a missing
        # one means part of the package was not read (e.g. split `index-structs/` files).
        entries = self.pkg.hcl_functions.get(_fn_name(struct))
        if entries is None:
            self.problems.append(f"{where}: no {_fn_name(struct)} in the package")
            return {}
        return entries

    def _struct_name(self, where: str, entry: HclEntry) -> str | None:
        if not entry.struct_fn:
            self.problems.append(f"{where}: no element mapper for {entry.storage}")
            return None
        fn = entry.struct_fn
        return fn[0].upper() + fn[1:].removesuffix("ToHclTerraform")

    def _known(self, where: str, cty: CtyType | None) -> CtyType:
        if cty is None:
            self.problems.append(f"{where}: unknown storage type")
            return "dynamic"
        return cty


def _fn_name(struct: str) -> str:
    return struct[0].lower() + struct[1:] + "ToHclTerraform"
