"""Seed files (spec/seed/<table>.yaml) checked against their table's item schema and keys."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from generator.diagnostics import known_names_hint
from generator.ir.context import BuildContext
from generator.ir.jsonschema import model_json_schema
from generator.ir.nodes import SeedTable, Table
from generator.load.yaml_loader import YamlDocument

if TYPE_CHECKING:
    import jsonschema  # type: ignore[import-untyped]


def _sort_key(item: dict[str, Any], table: Table) -> tuple[Any, ...]:
    out: list[Any] = []
    for attr in table.key_names:
        value = item.get(attr)
        # numbers sort numerically before strings so the order is total and stable
        out.append((0, Decimal(str(value)), "") if isinstance(value, (int, Decimal)) else (1, 0, str(value)))
    return tuple(out)


def build_seeds(ctx: BuildContext, tables: tuple[Table, ...]) -> tuple[SeedTable, ...]:
    by_name = {t.name: t for t in tables}
    declared = set((ctx.model_doc.data or {}).get("tables") or {})
    out: list[SeedTable] = []
    for name, doc in sorted(ctx.spec.seeds.items()):
        if name not in declared:
            ctx.diags.error("E-SEED-TABLE", f"seed file for unknown table '{name}'", doc.locate(()),
                            known_names_hint(name, declared, "tables") + f" (rename {doc.path} to spec/seed/<table>.yaml)")
            continue
        table = by_name.get(name)
        if table is None:
            continue
        items = _check_items(ctx, doc, table)
        if items is not None:
            out.append(SeedTable(table=name, items=tuple(sorted(items, key=lambda i: _sort_key(i, table))),
                                 source=ctx.source(doc, ())))
    return tuple(out)


def _check_items(ctx: BuildContext, doc: YamlDocument, table: Table) -> list[dict[str, Any]] | None:
    data = doc.data if doc.data is not None else []
    if not isinstance(data, list):
        ctx.diags.error("E-SEED", f"{doc.path} must be a list of items", doc.locate(()),
                        "write each item as a '- key: value' mapping")
        return None
    import jsonschema

    validator = jsonschema.Draft4Validator(model_json_schema(table.item, ctx.models),
                                           format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    ok = True
    seen: dict[tuple[str, ...], int] = {}
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            ctx.diags.error("E-SEED", f"seed item {i + 1} of table '{table.name}' is not a mapping", doc.locate((i,)),
                            "each item is a mapping of attribute names to values")
            ok = False
            continue
        errors = sorted(validator.iter_errors(item), key=lambda e: [str(p) for p in e.absolute_path])
        for err in errors:
            ok = False
            path = tuple(err.absolute_path)
            where = "/".join(str(p) for p in path)
            prefix = f"seed item {i + 1} of table '{table.name}'" + (f", attribute '{where}'" if where else "")
            ctx.diags.error("E-SEED", f"{prefix}: {_short(err)}", doc.locate((i,) + path, key=bool(path)),
                            f"items must match schema {table.item}")
        if any(k not in item for k in table.key_names):
            continue
        key = tuple(str(item[k]) for k in table.key_names)
        if key in seen:
            ctx.diags.error("E-SEED-DUP", f"seed items {seen[key] + 1} and {i + 1} of table '{table.name}' have the same "
                            f"key ({', '.join(key)})", doc.locate((i,)), "each item's primary key must be unique")
            ok = False
        seen[key] = i
    return data if ok else None


def _short(err: jsonschema.ValidationError) -> str:
    msg = str(err.message)
    if err.validator == "type" and len(msg) > 160:
        msg = f"{msg[:80]}... is not of type {err.schema.get('type')!r}"
    return msg if len(msg) <= 200 else msg[:197] + "..."
