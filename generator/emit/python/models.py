"""IR schemas -> the view of models.py: msgspec Structs, Literal enums and type aliases.

Type mapping (deliberate, documented in the generated module): string -> str; `date-time` ->
timezone-aware datetime; `date` -> date; string enum -> a named `Literal` alias; integer ->
int; number -> Decimal (exact; bounds checked in `__post_init__`, msgspec has none for
Decimal); boolean -> bool; object -> a frozen Struct (inline objects get derived names);
`additionalProperties` map -> dict[str, V]; array -> list[V]; nullable -> `| None`;
not required -> `| UnsetType = UNSET` (absent and null stay different). Field names are the
IR's `py_name`; wire names that differ go into the Struct's `rename` mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.emit.python.layout import Namespace, bracketed, docstring, literal, number_literal
from generator.ir.names import pascal
from generator.ir.nodes import Ir, Model, Schema

STRUCT_OPTIONS = ["kw_only=True", "frozen=True", "gc=False"]
_NUMBER_BOUNDS = (("minimum", "ge"), ("maximum", "le"), ("multipleOf", "multiple_of"))
_INT_META = (("minimum", "ge"), ("maximum", "le"), ("multipleOf", "multiple_of"))
_STR_META = (("minLength", "min_length"), ("maxLength", "max_length"), ("pattern", "pattern"))
_SIZE_META = {"array": (("minItems", "min_length"), ("maxItems", "max_length")),
              "map": (("minProperties", "min_length"), ("maxProperties", "max_length"))}
_INT_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True)
class FieldView:
    name: str
    annotation: str
    default: str | None

    @property
    def text(self) -> str:
        """The field's line in the class body, as ruff formats it: a line over 100 characters
        whose annotation is a union puts the union in parentheses, on one line when it fits,
        else one member a line."""
        tail = f" = {self.default}" if self.default else ""
        line = f"    {self.name}: {self.annotation}{tail}"
        members = _top_level_union(self.annotation)
        if len(line) <= 100 or len(members) < 2:
            return line
        if len(self.annotation) <= 92:
            body = f"        {self.annotation}"
        else:
            body = "\n".join(f"        {'| ' if i else ''}{m}" for i, m in enumerate(members))
        return f"    {self.name}: (\n{body}\n    ){tail}"


def _top_level_union(annotation: str) -> list[str]:
    """`A[x | y] | B` -> ["A[x | y]", "B"]: the members of a union outside any brackets."""
    members, depth, start = [], 0, 0
    for i, char in enumerate(annotation):
        depth += char in "[("
        depth -= char in "])"
        if depth == 0 and annotation.startswith(" | ", i):
            members.append(annotation[start:i])
            start = i + 3
    members.append(annotation[start:])
    return members


@dataclass(frozen=True)
class StructView:
    """One Struct class: header lines, docstring lines, fields, `__post_init__` check lines."""

    name: str
    header: list[str]
    doc: list[str]
    fields: list[FieldView]
    rename: list[str]
    checks: list[str]


@dataclass(frozen=True)
class AliasView:
    name: str
    lines: list[str]
    doc: list[str]


@dataclass
class ModelsView:
    structs: list[StructView] = field(default_factory=list)
    enums: list[AliasView] = field(default_factory=list)
    aliases: list[AliasView] = field(default_factory=list)
    uses: set[str] = field(default_factory=set)
    constants: dict[str, str] = field(default_factory=dict)

    def decimal_constant(self, value: object) -> str:
        """A module-level Decimal for a bound (comparing Decimals is twice as fast as mixed)."""
        expr = number_literal(value)
        expr = expr if expr.startswith("_decimal.") else f"_decimal.Decimal({expr})"
        if expr not in self.constants:
            self.constants[expr] = f"_B{len(self.constants)}"
        self.uses.add("decimal")
        return self.constants[expr]

    @property
    def constant_lines(self) -> list[str]:
        return [f"{name} = {expr}" for expr, name in self.constants.items()]

    @property
    def imports(self) -> list[str]:
        """The import lines the module needs, in ruff/isort order."""
        stdlib = [f"import {m} as _{a}" for m, a in (("datetime", "dt"), ("decimal", "decimal"),
                                                    ("typing", "t")) if a in self.uses]
        third = [f"from msgspec import {n} as _{a}" for n, a in (("UNSET", "UNSET"), ("Meta", "Meta"),
                                                                ("Struct", "Struct"), ("UnsetType", "Unset"))
                 if a in self.uses]
        local = [f"from .runtime import {m} as _{m}" for m in ("checks",) if m in self.uses]
        local += [f"from .runtime.types import {n} as _{n}" for n in ("DateTime",) if n in self.uses]
        return [*stdlib, *([""] if stdlib and third else []), *third, *([""] if local else []), *local]


class TypeMapper:
    """Maps IR schemas to annotations, registering inline structs and enums it meets."""

    def __init__(self, ir: Ir, names: Namespace, view: ModelsView, qualify: str = "") -> None:
        self.ir = ir
        self.names = names
        self.view = view
        self.qualify = qualify
        self.models = {m.name: m for m in ir.models}

    def annotation(self, schema: Schema, hint: str, label: str = "") -> str:
        """The annotation of a value of `schema`; `hint` names inline objects and enums, `label`
        says where the value sits (for their docstrings)."""
        base = self._base(schema, hint, label or hint)
        nullable = schema.nullable or (schema.kind == "ref" and self._ref_nullable(schema))
        return f"{base} | None" if nullable and base != "_t.Any" else base

    def _ref_nullable(self, schema: Schema) -> bool:
        """Structs and enums do not carry their schema's nullability; references to them do."""
        model = self.models.get(schema.ref or "")
        if model is None or not model.schema.nullable:
            return False
        return model.schema.kind == "object" or (model.schema.kind == "string" and bool(model.schema.enum))

    def _base(self, schema: Schema, hint: str, label: str) -> str:
        kind = schema.kind
        if kind == "ref":
            return self.qualify + self.models[schema.ref or ""].class_name
        if kind == "string":
            return self._string(schema, hint, label)
        if kind == "integer":
            bounds = self._meta(schema, _INT_META)
            if schema.format in _INT_FORMATS and not bounds:
                low, high = _INT_FORMATS[schema.format]
                bounds = [f"ge={low}", f"le={high}"]
            return self._annotated("int", bounds)
        if kind == "number":
            self.view.uses.add("decimal")
            return "_decimal.Decimal"
        if kind == "boolean":
            return "bool"
        if kind == "object":
            name = self.names.claim(hint)
            build_struct(self, name, schema, f"The inline object at `{label}`.")
            return self.qualify + name
        if kind == "map":
            values = self.annotation(schema.values or Schema(kind="any"), hint + "Value", label + "{}")
            return self._annotated(f"dict[str, {values}]", self._meta(schema, _SIZE_META["map"]))
        if kind == "array":
            items = self.annotation(schema.items or Schema(kind="any"), hint + "Item", label + "[]")
            return self._annotated(f"list[{items}]", self._meta(schema, _SIZE_META["array"]))
        self.view.uses.add("t")
        return "_t.Any"

    def _string(self, schema: Schema, hint: str, label: str) -> str:
        if schema.enum:
            name = self.names.claim(hint)
            self.view.uses.add("t")
            lines = bracketed(f"{name} = _t.Literal[", [literal(v) for v in schema.enum], "]")
            self.view.enums.append(AliasView(name, lines, docstring(f"The values of `{label}`.", "")))
            return self.qualify + name
        if schema.format == "date-time":
            self.view.uses.add("DateTime")
            return "_DateTime"
        if schema.format == "date":
            self.view.uses.add("dt")
            return "_dt.date"
        return self._annotated("str", self._meta(schema, _STR_META))

    def _meta(self, schema: Schema, keys: tuple[tuple[str, str], ...]) -> list[str]:
        out: list[str] = []
        for key, arg in keys:
            value = schema.constraint(key)
            if value is None:
                continue
            rendered = literal(value) if isinstance(value, str) else repr(value)
            out.append(f"{arg}={rendered}")
        if schema.kind == "integer":
            out += _exclusive(schema)
        return out

    def _annotated(self, base: str, meta: list[str]) -> str:
        if not meta:
            return base
        self.view.uses.update(("t", "Meta"))
        return f"_t.Annotated[{base}, _Meta({', '.join(meta)})]"


def _exclusive(schema: Schema) -> list[str]:
    """exclusiveMinimum/Maximum: a number (OpenAPI 3.1) or a flag on minimum/maximum (3.0)."""
    out: list[str] = []
    for key, bound, arg in (("exclusiveMinimum", "minimum", "gt"), ("exclusiveMaximum", "maximum", "lt")):
        value = schema.constraint(key)
        if value is True and schema.constraint(bound) is not None:
            out.append(f"{arg}={number_literal(schema.constraint(bound))}")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(f"{arg}={number_literal(value)}")
    return out


def _number_checks(schema: Schema, view: ModelsView) -> list[str] | None:
    """Keyword arguments of checks.number for a Decimal leaf reachable through lists and maps."""
    while schema.kind in ("array", "map"):
        schema = (schema.items if schema.kind == "array" else schema.values) or Schema(kind="any")
    if schema.kind != "number":
        return None
    bounds: dict[str, object] = {arg: schema.constraint(key) for key, arg in _NUMBER_BOUNDS
                                 if schema.constraint(key) is not None}
    for key, bound, arg in (("exclusiveMinimum", "minimum", "gt"), ("exclusiveMaximum", "maximum", "lt")):
        value = schema.constraint(key)
        if value is True and schema.constraint(bound) is not None:
            bounds[arg] = bounds.pop("ge" if arg == "gt" else "le")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            bounds[arg] = value
    order = ("ge", "gt", "le", "lt", "multiple_of")
    return [f"{arg}={view.decimal_constant(bounds[arg])}" for arg in order if arg in bounds]


def _inline_condition(args: list[str], v: str) -> str:
    """`v.is_finite() and lo <= v <= hi ...`: the bounds of checks.number as one expression."""
    bounds = dict(a.split("=", 1) for a in args)
    parts = [f"{v}.is_finite()"]
    low = ("ge", "<=") if "ge" in bounds else ("gt", "<") if "gt" in bounds else None
    high = ("le", "<=") if "le" in bounds else ("lt", "<") if "lt" in bounds else None
    if low and high:
        parts.append(f"{bounds[low[0]]} {low[1]} {v} {high[1]} {bounds[high[0]]}")
    elif low:
        parts.append(f"{v} {'>=' if low[1] == '<=' else '>'} {bounds[low[0]]}")
    elif high:
        parts.append(f"{v} {high[1]} {bounds[high[0]]}")
    if "multiple_of" in bounds:
        parts.append(f"{v} % {bounds['multiple_of']} == 0")
    return " and ".join(parts)


def _checks(view: ModelsView, py_name: str, wire: str, schema: Schema, v: str, required: bool) -> list[str]:
    """`__post_init__` lines for what msgspec cannot check: Decimal bounds, unique items.

    A Decimal field is checked inline (a comparison per record, no call unless it fails);
    Decimals inside lists and maps go through checks.number, which walks them.
    """
    lines: list[str] = []
    number = _number_checks(schema, view)
    if number is not None:
        view.uses.add("checks")
        condition = _inline_condition(number, v)
        negated = f"not ({condition})" if " and " in condition else f"not {condition}"
        always = required and not schema.nullable  # then it is always a Decimal
        test = negated if always else f"isinstance({v}, _decimal.Decimal) and {negated}"
        inline = [f"        {v} = self.{py_name}",
                  f"        if {test}:",
                  *bracketed("_checks.reject(", [v, literal(wire), *number], ")", " " * 12)]
        if schema.kind == "number" and all(len(line) <= 100 for line in inline):
            view.uses.add("decimal")
            lines += inline
        else:
            lines += bracketed("_checks.number(", [f"self.{py_name}", literal(wire), *number], ")", " " * 8)
    if schema.kind == "array" and schema.constraint("uniqueItems") is True:
        view.uses.add("checks")
        lines.append(f"        _checks.unique(self.{py_name}, {literal(wire)})")
    return lines


def build_struct(mapper: TypeMapper, name: str, schema: Schema, default_doc: str,
                 extra_options: tuple[str, ...] = ()) -> StructView:
    """Register (and return) the Struct for object `schema`; nested objects register first."""
    view = mapper.view
    view.uses.add("Struct")
    fields: list[FieldView] = []
    renames: list[tuple[str, str]] = []
    checks: list[str] = []
    # Sorted by wire name: the output must not depend on the order properties are written in.
    for f in sorted(schema.properties, key=lambda f: f.name):
        annotation = mapper.annotation(f.schema, name + pascal(f.name), f"{name}.{f.name}")
        default = None
        if not f.required:
            view.uses.update(("Unset", "UNSET"))
            annotation, default = f"{annotation} | _Unset", "_UNSET"
        fields.append(FieldView(f.py_name, annotation, default))
        if f.py_name != f.name:
            renames.append((f.py_name, f.name))
        checks += _checks(view, f.py_name, f.name, f.schema, f"v{len(checks)}", f.required)
    options = ["_Struct", *STRUCT_OPTIONS, *extra_options]
    rename_lines: list[str] = []
    if renames:
        const = mapper.names.claim(f"_{name}Names")
        rename_lines = bracketed(f"{const} = {{", [f"{literal(a)}: {literal(b)}" for a, b in renames], "}",
                                 hug=False)  # ruff never hugs dict displays
        options.append(f"rename={const}")
    struct = StructView(name=name, header=bracketed(f"class {name}(", options, "):"),
                        doc=docstring(schema.description or default_doc, "    "), fields=fields,
                        rename=rename_lines, checks=checks)
    view.structs.append(struct)
    return struct


def models_view(ir: Ir, names: Namespace) -> ModelsView:
    """Every component schema of the spec as a Struct, enum alias or type alias."""
    view = ModelsView()
    mapper = TypeMapper(ir, names, view)
    for model in ir.models:
        _model(mapper, model)
    view.aliases = _alias_order(view.aliases)
    return view


def _alias_order(aliases: list[AliasView]) -> list[AliasView]:
    """Aliases run at import, so each comes after the aliases it mentions (cycles keep order)."""
    pending = list(aliases)
    ordered: list[AliasView] = []
    while pending:
        names = {a.name for a in pending}
        ready = [a for a in pending if not any(_mentions(a, n) for n in names - {a.name})] or pending[:1]
        ordered.append(ready[0])
        pending.remove(ready[0])
    return ordered


def _mentions(alias: AliasView, name: str) -> bool:
    text = " ".join(alias.lines).split("=", 1)[1]
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None


def _model(mapper: TypeMapper, model: Model) -> None:
    schema = model.schema
    doc = schema.description or f"Schema `{model.name}` (components/schemas/{model.name})."
    if schema.kind == "object":
        build_struct(mapper, model.class_name, schema, doc)
    elif schema.kind == "string" and schema.enum:
        mapper.view.uses.add("t")
        lines = bracketed(f"{model.class_name} = _t.Literal[", [literal(v) for v in schema.enum], "]")
        mapper.view.enums.append(AliasView(model.class_name, lines, docstring(doc, "")))
    else:
        mapper.view.uses.add("t")
        annotation = mapper.annotation(schema, model.class_name)
        line = f"{model.class_name}: _t.TypeAlias = {annotation}"
        mapper.view.aliases.append(AliasView(model.class_name, [line], docstring(doc, "")))
