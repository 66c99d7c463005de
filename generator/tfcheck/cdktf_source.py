"""Read the facts the schema table needs out of an unpacked `@cdktf/provider-aws` npm package.

Two sources, each used for what only it says precisely:
- `package/.jsii`: every class and struct, each property's required flag, its documentation
  link (which ends in the exact Terraform name) and "<name> block." summaries for blocks;
- `package/lib/**/*.js`: the generated code, whose `*ToHclTerraform` functions and
  `synthesizeHclAttributes` methods name every settable argument with its HCL kind
  (simple/list/set/map/struct), whose `listMapperHcl(fn, isBlock)` calls tell blocks from
  list-of-object attributes, and whose `// name - computed: ...` comments and getters describe
  computed-only attributes.
This module only parses; `table_builder` turns the facts into the table.  No network access.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

_TOP_LEVEL: Final = re.compile(
    r"^(?:function (?P<fn>\w+)\(|class (?P<cls>\w+) extends (?P<base>[\w.]+) \{)"
)
_HCL_ENTRY: Final = re.compile(
    r"^\s+(?P<name>\w+): \{\n"
    r"\s+value: (?P<value>.*),\n"
    r"\s+isBlock: (?:true|false),\n"  # true for every object; listMapperHcl's flag is exact
    r"\s+type: \"(?P<kind>\w+)\",\n"
    r"\s+storageClassType: \"(?P<storage>\w+)\",\n"
    r"\s+\},?$",
    re.M,
)
_MEMBER_COMMENT: Final = re.compile(
    r"^\s+// (?P<name>\w+) - computed: (?P<computed>true|false), "
    r"optional: (?P<optional>true|false), required: (?P<required>true|false)\n"
    r"(?P<line1>.*)(?=\n(?P<line2>.*))",
    re.M,
)
_COMPLEX_INIT: Final = re.compile(
    r"this\._\w+ = new (?P<cls>[\w.]+)\(this, \"(?P<name>\w+)\"(?:, (?P<set>true|false))?\);"
)
_GETTER_RETURN: Final = re.compile(r"return (?P<expr>.*);")
_LIST_GET: Final = re.compile(r"return new (?:\w+\.)?(?P<cls>\w+)\(this\.terraformResource")
_TF_TYPE: Final = re.compile(r'^(?P<cls>\w+)\.tfResourceType = "(?P<type>\w+)";$', re.M)
_FN_REF: Final = re.compile(r"(?:^|[^.\w])(?:\w+_1\.)?(?P<fn>[a-z]\w*ToHclTerraform)\b")
DOC_LINK: Final = re.compile(r"#(?P<tf>\w+) \w+#(?P=tf)\}")


@dataclass(frozen=True, slots=True)
class HclEntry:
    """One settable argument as cdktf writes it into HCL."""

    name: str
    kind: str  # simple | list | set | map | struct
    storage: str  # string, stringList, ..., or a generated class name
    mapper_is_block: bool | None  # listMapperHcl's flag: False for list(object) attributes
    struct_fn: str | None  # the element's `xToHclTerraform`, for object-valued entries


@dataclass(frozen=True, slots=True)
class Member:
    """An attribute described by a `// name - computed: ...` comment in a generated class."""

    name: str
    computed: bool
    optional: bool
    required: bool
    getter: str | None  # the getter's return expression, for primitive attributes
    cls: str | None  # the wrapper class (XList, XOutputReference, cdktf.StringMap, ...)
    wraps_set: bool | None  # third constructor argument of list wrappers


@dataclass(slots=True)
class JsClass:
    name: str
    base: str
    body: str
    tf_type: str | None = None
    members: dict[str, Member] = field(default_factory=dict)


@dataclass(slots=True)
class CdktfPackage:
    version: str
    provider_version: str
    types: dict[str, Any]  # jsii fqn -> type
    classes: dict[str, JsClass]  # generated JS classes by (unique) name
    hcl_functions: dict[str, dict[str, HclEntry]]  # `xToHclTerraform` -> entries


def parse_hcl_entries(text: str) -> dict[str, HclEntry]:
    """Return the argument entries of one `attrs = {...}` object literal."""
    entries: dict[str, HclEntry] = {}
    for m in _HCL_ENTRY.finditer(text):
        value = m["value"]
        mapper = re.search(r"listMapperHcl\([\w.]+, (true|false)\)", value)
        fn = _FN_REF.search(value)
        entries[m["name"]] = HclEntry(
            name=m["name"],
            kind=m["kind"],
            storage=m["storage"],
            mapper_is_block=None if mapper is None else mapper.group(1) == "true",
            struct_fn=fn["fn"] if fn else None,
        )
    return entries


def parse_members(body: str) -> dict[str, Member]:
    """Return the commented attributes of one generated class body."""
    members: dict[str, Member] = {}
    for m in _MEMBER_COMMENT.finditer(body):
        init = _COMPLEX_INIT.search(m["line1"])
        getter = (
            _GETTER_RETURN.search(m["line2"]) if m["line1"].strip().startswith("get ") else None
        )
        members[m["name"]] = Member(
            name=m["name"],
            computed=m["computed"] == "true",
            optional=m["optional"] == "true",
            required=m["required"] == "true",
            getter=getter["expr"] if getter else None,
            cls=_class_ref(init["cls"]) if init else None,
            wraps_set=None if not init or init["set"] is None else init["set"] == "true",
        )
    return members


def _class_ref(name: str) -> str:
    # `index_structs_1.X` names a class of a sibling file; `cdktf.X` one of cdktf itself.
    return name if name.startswith("cdktf.") else name.rsplit(".", 1)[-1]


def _split_top_level(text: str) -> list[tuple[str, str, str]]:
    """Split generated JS into (kind, name, body) for top-level functions and classes."""
    items: list[tuple[str, str, str]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _TOP_LEVEL.match(lines[i])
        if not m:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end] != "}":
            end += 1
        body = "\n".join(lines[i : end + 1])
        if m["fn"]:
            items.append(("function", m["fn"], body))
        else:
            items.append(("class", m["cls"], m["base"] + "\n" + body))
        i = end + 1
    return items


def method_body(class_body: str, method: str) -> str:
    """Return the text of `method() {...}` inside a generated class body ('' if absent)."""
    start = class_body.find(f"\n    {method}() {{\n")
    if start < 0:
        return ""
    end = class_body.find("\n    }\n", start + 1)
    return class_body[start : end if end >= 0 else len(class_body)]


def list_element_class(cls: JsClass) -> str | None:
    """For a generated XList/XMap wrapper class, the OutputReference class of its items."""
    m = _LIST_GET.search(cls.body)
    return m["cls"] if m else None


def load_package(package_dir: Path) -> CdktfPackage:
    """Parse `package_dir` (the `package/` folder of the npm tarball)."""
    jsii = json.loads((package_dir / ".jsii").read_text(encoding="utf-8"))
    classes: dict[str, JsClass] = {}
    functions: dict[str, dict[str, HclEntry]] = {}
    for js in sorted((package_dir / "lib").rglob("*.js")):
        text = js.read_text(encoding="utf-8")
        tf_types = {m["cls"]: m["type"] for m in _TF_TYPE.finditer(text)}
        for kind, name, body in _split_top_level(text):
            if kind == "function" and name.endswith("ToHclTerraform"):
                _unique(functions, name, parse_hcl_entries(body), js)
            elif kind == "class":
                base, _, source = body.partition("\n")
                cls = JsClass(name, base, source, tf_types.get(name), parse_members(source))
                _unique(classes, name, cls, js)
    provider_version = jsii["metadata"].get("providerVersion") or _provider_version(classes)
    return CdktfPackage(jsii["version"], provider_version, jsii["types"], classes, functions)


def _unique(index: dict[str, Any], name: str, value: Any, where: Path) -> None:
    if name in index:
        raise ValueError(f"{where}: {name} is defined twice in the package")
    index[name] = value


def _provider_version(classes: dict[str, JsClass]) -> str:
    provider = next(c for c in classes.values() if c.base == "cdktf.TerraformProvider")
    m = re.search(r"providerVersion: '([^']+)'", provider.body)
    return m.group(1) if m else "unknown"
