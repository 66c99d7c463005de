"""`gen build` refuses to destroy data it built, unless the spec acknowledges it (stories).

The manifest records each table's key and Terraform address; a removed table or a changed key
is refused with a located error and nothing is written, until spec/model.yaml `changes:` says
so. Then a removed table is forgotten by Terraform (`removed` block, destroy = false) and a
changed key moves the table to its next generation, forgetting the old one the same way.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from generator.ir.changes import forgotten_tables
from generator.pipeline import validate
from tests.conftest import read_tree, run_cli
from tests.review.corpus import BASE

MANIFEST = "generated/.gen-manifest.json"
DYNAMODB = "generated/terraform/dynamodb.tf"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(BASE, root / "spec")
    assert run_cli("-C", str(root), "build", "-q").exit_code == 0
    return root


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "spec/model.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _acknowledge(root: Path, entry: str) -> None:
    path = root / "spec/model.yaml"
    text = path.read_text(encoding="utf-8")
    if "\nchanges:\n" not in text:
        text += "\nchanges:\n"
    path.write_text(text + f"  - {entry}\n", encoding="utf-8")


def _remove_notes(root: Path) -> None:
    _edit(root, "  notes:\n    partition_key: noteId\n    item: Note\n", "")
    _edit(root, "  ship_notes:\n    on: [order.shipped]\n    writes: [notes]\n", "")


def _refused(root: Path, *args: str) -> str:
    before = read_tree(root)
    result = run_cli("-C", str(root), "build", *args)
    assert result.exit_code == 2, result.stderr
    assert read_tree(root) == before  # nothing written, the manifest included
    return result.stderr


def test_the_manifest_records_each_table_key_and_address(shop: Path) -> None:
    tables = json.loads((shop / MANIFEST).read_text())["tables"]
    assert tables == {
        "lines": {"key": ["orderId:S", "lineNo:N"], "terraform": "aws_dynamodb_table.lines"},
        "notes": {"key": ["noteId:S"], "terraform": "aws_dynamodb_table.notes"},
        "orders": {"key": ["orderId:S"], "terraform": "aws_dynamodb_table.orders"},
    }


def _without_size_warnings(stderr: str) -> str:
    """The corpus leaves its strings unbounded on purpose: drop its W-SIZE warnings."""
    kept = re.sub(r"^\S+: warning\[W-SIZE\]: .*\n(  hint: .*\n)?", "", stderr, flags=re.M)
    return re.sub(r"(\d+) error\(s\), \d+ warning\(s\)", r"\1 error(s), 0 warning(s)", kept)


def test_a_changed_key_is_refused_with_a_located_error(shop: Path) -> None:
    _edit(shop, "    sort_key: lineNo\n", "    sort_key: sku\n")
    assert _without_size_warnings(_refused(shop)) == (
        "spec/model.yaml:12:20: error[E-DESTRUCTIVE]: the key of table 'lines' changed from (orderId:S, lineNo:N) "
        "to (orderId:S, sku:S): DynamoDB cannot change a key, so the table would be replaced and its data lost\n"
        "  hint: if that is intended, acknowledge it: gen then creates the table under a new name and keeps the old "
        "one with its data (docs/review.md, migration):\n"
        "  changes:\n"
        "  - {rule: data.key-changed, target: lines, reason: <why>}\n"
        "  or restore the key\n"
        "1 error(s), 0 warning(s)\n")
    assert "E-DESTRUCTIVE" in _refused(shop, "--check")


def test_a_removed_table_is_refused_with_a_located_error(shop: Path) -> None:
    _remove_notes(shop)
    stderr = _refused(shop)
    assert stderr.startswith("spec/model.yaml:5:1: error[E-DESTRUCTIVE]: table 'notes' left the spec: "
                             "`terraform apply` would delete it and its data\n")
    assert "  - {rule: data.table-removed, target: notes, reason: <why>}\n" in stderr


def test_an_acknowledged_removal_forgets_the_table_and_keeps_its_data(shop: Path) -> None:
    _remove_notes(shop)
    _acknowledge(shop, "{rule: data.table-removed, target: notes, reason: notes move to the CRM}")
    result = run_cli("-C", str(shop), "build")
    assert result.exit_code == 0, result.stderr
    tf = (shop / DYNAMODB).read_text()
    assert 'resource "aws_dynamodb_table" "notes"' not in tf
    assert "removed {\n  from = aws_dynamodb_table.notes\n\n  lifecycle {\n    destroy = false\n  }\n}\n" in tf
    assert 'required_version = ">= 1.7.0"' in (shop / "generated/terraform/versions.tf").read_text()
    assert "notes" not in json.loads((shop / MANIFEST).read_text())["tables"]
    assert run_cli("-C", str(shop), "build", "--check").exit_code == 0


def test_delete_data_lets_terraform_delete_the_table(shop: Path) -> None:
    _remove_notes(shop)
    _acknowledge(shop, "{rule: data.table-removed, target: notes, reason: test data, delete_data: true}")
    assert run_cli("-C", str(shop), "build").exit_code == 0
    tf = (shop / DYNAMODB).read_text()
    assert "aws_dynamodb_table.notes" not in tf and "removed {" not in tf


def test_an_acknowledged_key_change_creates_the_next_generation(shop: Path) -> None:
    _edit(shop, "    sort_key: lineNo\n", "    sort_key: sku\n")
    _acknowledge(shop, "{rule: data.key-changed, target: lines, reason: lines are looked up by sku}")
    result = run_cli("-C", str(shop), "build")
    assert result.exit_code == 0, result.stderr
    tf = (shop / DYNAMODB).read_text()
    assert 'resource "aws_dynamodb_table" "lines_v2" {\n  name                        = "${local.prefix}-lines-v2"' in tf
    assert 'range_key                   = "sku"' in tf
    assert "removed {\n  from = aws_dynamodb_table.lines\n" in tf
    assert 'resource "aws_dynamodb_table" "lines" ' not in tf
    # everything that named the table follows it: roles, environment, stage variables, alarms
    terraform = "".join(p.read_text() for p in (shop / "generated/terraform").glob("*.tf"))
    assert "aws_dynamodb_table.lines." not in terraform.replace("from = aws_dynamodb_table.lines\n", "")
    assert json.loads((shop / MANIFEST).read_text())["tables"]["lines"] == {
        "key": ["orderId:S", "sku:S"], "terraform": "aws_dynamodb_table.lines_v2"}
    assert run_cli("-C", str(shop), "build", "--check").exit_code == 0


def test_dropping_the_acknowledgement_later_is_refused(shop: Path) -> None:
    _edit(shop, "    sort_key: lineNo\n", "    sort_key: sku\n")
    _acknowledge(shop, "{rule: data.key-changed, target: lines, reason: lines are looked up by sku}")
    assert run_cli("-C", str(shop), "build", "-q").exit_code == 0
    model = shop / "spec/model.yaml"
    model.write_text(model.read_text().split("\nchanges:\n")[0] + "\n")
    stderr = _refused(shop)
    assert "table 'lines' would move from aws_dynamodb_table.lines_v2 to aws_dynamodb_table.lines although its " \
           "key did not change" in stderr


def test_a_second_key_change_needs_a_second_acknowledgement(shop: Path) -> None:
    _edit(shop, "    sort_key: lineNo\n", "    sort_key: sku\n")
    _acknowledge(shop, "{rule: data.key-changed, target: lines, reason: by sku}")
    assert run_cli("-C", str(shop), "build", "-q").exit_code == 0
    _edit(shop, "    sort_key: sku\n", "    sort_key: lineNo\n")
    assert "the key of table 'lines' changed" in _refused(shop)
    _acknowledge(shop, "{rule: data.key-changed, target: lines, reason: back to line numbers}")
    assert run_cli("-C", str(shop), "build", "-q").exit_code == 0
    tf = (shop / DYNAMODB).read_text()
    assert '"lines_v3"' in tf and "from = aws_dynamodb_table.lines\n" in tf and "from = aws_dynamodb_table.lines_v2\n" in tf


def test_a_manifest_without_tables_guards_nothing(shop: Path) -> None:
    """A tree built by a gen that did not record tables: the first build records them."""
    manifest = json.loads((shop / MANIFEST).read_text())
    del manifest["tables"]
    (shop / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    _edit(shop, "    sort_key: lineNo\n", "    sort_key: sku\n")
    assert run_cli("-C", str(shop), "build", "-q").exit_code == 0
    assert json.loads((shop / MANIFEST).read_text())["tables"]["lines"]["key"] == ["orderId:S", "sku:S"]


def test_forgotten_tables_never_name_a_resource_of_the_configuration(shop: Path) -> None:
    _edit(shop, "    sort_key: lineNo\n", "    sort_key: sku\n")
    _remove_notes(shop)
    _acknowledge(shop, "{rule: data.key-changed, target: lines, reason: by sku}")
    _acknowledge(shop, "{rule: data.table-removed, target: notes, reason: gone}")
    ir, diags = validate(shop, use_cache=False)
    assert ir is not None, [d.render() for d in diags]
    labels = {f.label for f in forgotten_tables(ir)}
    assert labels == {"lines", "notes"}
    assert labels.isdisjoint({t.names.table.label for t in ir.tables})
    assert {t.name: t.names.table.label for t in ir.tables if t.generation > 1} == {"lines": "lines_v2"}


@pytest.mark.slow
def test_removed_blocks_pass_terraform_validate(shop: Path) -> None:
    """The real `terraform validate` (generator.tfcheck, offline) accepts the removed blocks: one for a
    removed table, one for the first generation of a table whose key changed."""
    from generator.tfcheck import fmt_check, validate as tf_validate

    _edit(shop, "    sort_key: lineNo\n", "    sort_key: sku\n")
    _remove_notes(shop)
    _acknowledge(shop, "{rule: data.key-changed, target: lines, reason: by sku}")
    _acknowledge(shop, "{rule: data.table-removed, target: notes, reason: gone}")
    assert run_cli("-C", str(shop), "build", "-q").exit_code == 0
    directory = shop / "generated/terraform"
    assert (directory / "dynamodb.tf").read_text().count("removed {") == 2
    result = tf_validate(directory)
    assert result.ok and not result.diagnostics, [d.format() for d in result.diagnostics]
    assert fmt_check(directory) == []
