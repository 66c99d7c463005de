"""The destructive-change guard: `gen build` refuses to destroy data it built before, unasked.

The manifest records each table's key and Terraform address as last built. A build whose IR
would delete a recorded table (it left the spec) or replace it (its key changed, so DynamoDB
needs a new table) is refused with a located error, unless spec/model.yaml acknowledges the
change in `changes:` (docs/review.md); an acknowledged key change moves the table to its next
generation (`generator.ir.changes`), so nothing is replaced. Pure apart from reading
spec/model.yaml to word an error.
"""

from __future__ import annotations

from pathlib import Path

from generator.diagnostics import Diagnostics, Location
from generator.ir.nodes import Ir, Table
from generator.validate.change_rules import KEY_CHANGED, TABLE_REMOVED
from generator.write.manifest import TableRecord

CODE = "E-DESTRUCTIVE"
MODEL = "spec/model.yaml"


def key_of(t: Table) -> tuple[str, ...]:
    parts = [t.partition_key] + ([t.sort_key] if t.sort_key else [])
    return tuple(f"{k.name}:{k.type}" for k in parts)


def address_of(t: Table) -> str:
    """The address of `t`'s current generation, as the IR named it."""
    return t.names.table.address


def table_records(ir: Ir) -> dict[str, TableRecord]:
    """What the manifest records of each table of `ir`."""
    return {t.name: TableRecord(key_of(t), address_of(t)) for t in ir.tables}


def _ack(rule: str, target: str) -> str:
    return f"  - {{rule: {rule}, target: {target}, reason: <why>}}"


def check_destructive(root: Path, ir: Ir, recorded: dict[str, TableRecord] | None) -> Diagnostics:
    """An error for every recorded table this IR would delete or replace without acknowledgement."""
    diags = Diagnostics()
    if not recorded:
        return diags  # nothing built yet (or by a gen that did not record tables)
    tables = {t.name: t for t in ir.tables}
    removed = {c.target for c in ir.changes if c.rule == TABLE_REMOVED}
    locate = _Locator(root)
    for name, before in sorted(recorded.items()):
        t = tables.get(name)
        if t is None:
            if name not in removed:
                diags.error(CODE, f"table '{name}' left the spec: `terraform apply` would delete it and its data",
                            locate(("tables",), key=True),
                            "if that is intended, acknowledge it in spec/model.yaml (Terraform then forgets the "
                            f"table and its data stays; add `delete_data: true` to delete it):\n  changes:\n"
                            f"{_ack(TABLE_REMOVED, name)}\n  or put the table back")
            continue
        key, address = key_of(t), address_of(t)
        if key != before.key and address == before.address:
            diags.error(CODE, f"the key of table '{name}' changed from ({', '.join(before.key)}) to "
                        f"({', '.join(key)}): DynamoDB cannot change a key, so the table would be replaced "
                        "and its data lost", locate(("tables", name, "partition_key")),
                        "if that is intended, acknowledge it: gen then creates the table under a new name and "
                        f"keeps the old one with its data (docs/review.md, migration):\n  changes:\n"
                        f"{_ack(KEY_CHANGED, name)}\n  or restore the key")
        elif key == before.key and address != before.address:
            diags.error(CODE, f"table '{name}' would move from {before.address} to {address} although its key "
                        f"did not change: a `{KEY_CHANGED}` entry for it was added or removed",
                        locate(("tables", name), key=True),
                        f"keep the `{KEY_CHANGED}` entries of a table: they decide its name")
    return diags


class _Locator:
    """Positions in spec/model.yaml, read only when an error needs one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.doc: object | None = None

    def __call__(self, pointer: tuple[str, ...], *, key: bool = False) -> Location:
        from generator.load.yaml_loader import YamlDocument, load_yaml

        if self.doc is None:
            try:
                text = (self.root / MODEL).read_text(encoding="utf-8")
            except OSError:
                return Location(MODEL)
            self.doc = load_yaml(MODEL, text, Diagnostics()) or False
        return self.doc.locate(pointer, key=key) if isinstance(self.doc, YamlDocument) else Location(MODEL)
