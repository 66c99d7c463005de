"""`changes:` in model.yaml -> Change nodes, table generations and the tables Terraform forgets.

A `changes:` entry acknowledges a reviewed finding (docs/review.md). Two kinds shape output:
- `data.key-changed` on table T: DynamoDB cannot change a key in place, so each acknowledged
  key change moves T to its next *generation*, a new Terraform address and physical name
  (``readings`` -> ``readings_v2`` / ``<prefix>-readings-v2``); the earlier generations are
  forgotten by Terraform (`removed` blocks), so their tables and data stay in AWS.
- `data.table-removed` on T (T no longer in the spec): T's last generation is forgotten too,
  unless the entry says `delete_data: true` (then Terraform plans to delete it).
Entries are kept after they are applied: they decide names, so removing one would move a table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator.diagnostics import known_names_hint
from generator.ir.context import BuildContext
from generator.ir.names import Resource, table_generation, table_names
from generator.ir.nodes import Change, Ir, Table
from generator.validate.change_rules import KEY_CHANGED, RULES, TABLE_REMOVED


@dataclass(frozen=True, slots=True)
class ForgottenTable:
    """A table generation that Terraform stops managing (a `removed` block); it stays in AWS.
    `table` is that generation's resource, named by `generator.ir.names.table_generation`."""

    name: str
    generation: int
    table: Resource

    @property
    def label(self) -> str:
        return self.table.label


def build_changes(ctx: BuildContext, tables: tuple[Table, ...]) -> tuple[tuple[Table, ...], tuple[Change, ...]]:
    """The `changes:` entries as nodes, checked, and `tables` with their generations."""
    doc = ctx.model_doc
    raw = doc.data.get("changes") or []
    names = {t.name for t in tables}
    removed = {str(e.get("target")) for e in raw if isinstance(e, dict) and e.get("rule") == TABLE_REMOVED}
    out: list[Change] = []
    for i, entry in enumerate(raw):
        ptr = ("changes", i)
        rule, target = str(entry["rule"]), str(entry["target"])
        if rule not in RULES:
            ctx.error("E-CHANGE", f"unknown rule '{rule}'", doc, ptr + ("rule",),
                      known_names_hint(rule, RULES, "rules") + " (the rule ids `gen review` prints)")
            continue
        delete = bool(entry.get("delete_data", False))
        if "delete_data" in entry and rule != TABLE_REMOVED:
            ctx.error("E-CHANGE", f"delete_data applies to {TABLE_REMOVED} only", doc, ptr + ("delete_data",),
                      "remove it", key=True)
        if rule == TABLE_REMOVED and target in names:
            ctx.error("E-CHANGE", f"table '{target}' is in the spec, so its removal acknowledges nothing", doc,
                      ptr + ("target",), "remove this entry, or remove the table from tables:")
        if rule == KEY_CHANGED and target not in names and target not in removed:
            ctx.error("E-CHANGE", f"{KEY_CHANGED}: '{target}' is not a table", doc, ptr + ("target",),
                      known_names_hint(target, names, "tables"))
        out.append(Change(rule=rule, target=target, reason=str(entry["reason"]), delete_data=delete,
                          source=ctx.source(doc, ptr)))
    changes = tuple(out)
    return tuple(_at_generation(t, generation(changes, t.name)) for t in tables), changes


def _at_generation(t: Table, g: int) -> Table:
    return t if g == t.generation else replace(t, generation=g, names=table_names(t.name, g))


def generation(changes: tuple[Change, ...], table: str) -> int:
    return 1 + sum(1 for c in changes if c.rule == KEY_CHANGED and c.target == table)


def forgotten_tables(ir: Ir) -> tuple[ForgottenTable, ...]:
    """Every table generation Terraform must forget (not destroy), sorted by label."""
    out: list[ForgottenTable] = []
    present = {t.name for t in ir.tables}
    removed = {c.target: c for c in ir.changes if c.rule == TABLE_REMOVED and c.target not in present}
    for name in sorted(present | set(removed)):
        last = generation(ir.changes, name)
        kept = name in removed and not removed[name].delete_data
        out += [ForgottenTable(name, g, table_generation(name, g)) for g in range(1, last + (1 if kept else 0))]
    return tuple(sorted(out, key=lambda f: f.label))
