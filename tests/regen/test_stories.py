"""Regeneration safety, told as stories on a real project tree (copier-style).

The contract: handwritten/ is never overwritten; a hand edit in generated/ is detected and
never silently lost; gen deletes only what its manifest says it wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator import pipeline
from generator.emit.base import OutputFile
from generator.ir.nodes import Ir
from tests.conftest import read_tree, run_cli, write_tree

HANDLER = "handwritten/processors/apply_orders.py"
DOCS = "generated/docs/architecture.md"
MANIFEST = "generated/.gen-manifest.json"


def per_table(ir: Ir) -> list[OutputFile]:
    """A test emitter with one file per table, so removing a table removes a file."""
    return [OutputFile(path=f"generated/tables/{t.name}.txt", content=f"{t.name}\n", source="spec/model.yaml")
            for t in ir.tables]


EMITTERS = pipeline.EMITTERS + ("tests.regen.test_stories:per_table",)


def _add_table(root: Path) -> None:
    model = (root / "spec/model.yaml").read_text()
    model = model.replace("streams:\n", "  archive:\n    partition_key: orderId\n    item: Order\n\nstreams:\n")
    (root / "spec/model.yaml").write_text(model)


def _remove_table(root: Path) -> None:
    """Drop the table _add_table added; the removal is acknowledged (else gen build refuses it)."""
    model = (root / "spec/model.yaml").read_text()
    model = model.replace("  archive:\n    partition_key: orderId\n    item: Order\n", "")
    (root / "spec/model.yaml").write_text(
        model + "\nchanges:\n  - {rule: data.table-removed, target: archive, reason: a story}\n")


def test_scaffold_is_created_once_and_survives_spec_changes(shop: Path) -> None:
    assert run_cli("-C", str(shop), "build").exit_code == 0
    scaffold = (shop / HANDLER).read_text()
    assert scaffold.startswith("# Scaffolded by gen")
    mine = scaffold + "\n# my processing logic\n"
    (shop / HANDLER).write_text(mine)
    _add_table(shop)
    result = run_cli("-C", str(shop), "build")
    assert result.exit_code == 0, result.stderr
    assert (shop / HANDLER).read_text() == mine
    assert run_cli("-C", str(shop), "build", "--check").exit_code == 0


def test_deleted_scaffold_is_recreated(shop: Path) -> None:
    run_cli("-C", str(shop), "build")
    (shop / HANDLER).unlink()
    check = run_cli("-C", str(shop), "build", "--check")
    assert check.exit_code == 1 and f"would create    {HANDLER}" in check.stderr
    assert run_cli("-C", str(shop), "build").exit_code == 0
    assert (shop / HANDLER).is_file()


def test_hand_edit_is_a_conflict_and_nothing_is_written(shop: Path) -> None:
    run_cli("-C", str(shop), "build")
    edited = (shop / DOCS).read_text() + "my note\n"
    (shop / DOCS).write_text(edited)
    _add_table(shop)  # other files would change too: none of them may be written
    before = read_tree(shop)
    result = run_cli("-C", str(shop), "build")
    assert result.exit_code == 1
    assert f"conflict  {DOCS}: edited by hand since gen wrote it" in result.stderr
    assert "nothing was written" in result.stderr
    assert read_tree(shop) == before
    check = run_cli("-C", str(shop), "build", "--check")
    assert check.exit_code == 1 and f"conflict  {DOCS}" in check.stderr


def test_force_discards_the_hand_edit(shop: Path) -> None:
    run_cli("-C", str(shop), "build")
    pristine = (shop / DOCS).read_text()
    (shop / DOCS).write_text(pristine + "my note\n")
    result = run_cli("-C", str(shop), "build", "--force")
    assert result.exit_code == 0
    assert (shop / DOCS).read_text() == pristine


def test_removed_processor_keeps_its_handwritten_module_with_a_warning(shop: Path) -> None:
    run_cli("-C", str(shop), "build")
    model = (shop / "spec/model.yaml").read_text()
    start = model.index("processors:")
    (shop / "spec/model.yaml").write_text(model[:start])
    result = run_cli("-C", str(shop), "build")
    assert result.exit_code == 0, result.stderr
    assert (shop / HANDLER).is_file()
    assert f"{HANDLER}: warning[W-KEEP]: implements no processor in the spec any more" in result.stderr
    manifest = json.loads((shop / MANIFEST).read_text())
    assert HANDLER not in manifest["files"]
    # the warning is repeated as long as the module lingers; it is never deleted
    again = run_cli("-C", str(shop), "build")
    assert (shop / HANDLER).is_file() and "implements no processor" in again.stderr


def test_only_manifest_owned_files_are_deleted(shop: Path) -> None:
    _add_table(shop)
    pipeline.build(shop, emitters=EMITTERS)
    assert (shop / "generated/tables/archive.txt").is_file()
    (shop / "generated/tables/mine.txt").write_text("not gen's\n")
    _remove_table(shop)
    result = pipeline.build(shop, emitters=EMITTERS)
    assert [a.path for a in result.plan.by_verb("delete")] == ["generated/tables/archive.txt"]
    assert not (shop / "generated/tables/archive.txt").exists()
    assert (shop / "generated/tables/mine.txt").read_text() == "not gen's\n"
    assert ("generated/tables/mine.txt", "is not generated by gen (not in the manifest)",
            "gen leaves it alone; generated/ is for gen's output, so move it elsewhere") in result.plan.warnings


def test_edited_file_that_is_no_longer_generated_is_a_conflict(shop: Path) -> None:
    _add_table(shop)
    pipeline.build(shop, emitters=EMITTERS)
    (shop / "generated/tables/archive.txt").write_text("edited\n")
    _remove_table(shop)
    result = pipeline.build(shop, emitters=EMITTERS)
    assert [a.path for a in result.plan.conflicts] == ["generated/tables/archive.txt"]
    assert not result.written
    assert (shop / "generated/tables/archive.txt").read_text() == "edited\n"


def test_unknown_file_in_generated_is_reported_and_kept(shop: Path) -> None:
    run_cli("-C", str(shop), "build")
    write_tree(shop, {"generated/notes.txt": "mine\n"})
    result = run_cli("-C", str(shop), "build")
    assert result.exit_code == 0
    assert "generated/notes.txt: warning[W-KEEP]: is not generated by gen (not in the manifest)" in result.stderr
    assert (shop / "generated/notes.txt").read_text() == "mine\n"


def test_a_file_gen_did_not_write_in_the_way_is_a_conflict(shop: Path) -> None:
    write_tree(shop, {DOCS: "someone else's\n"})
    result = run_cli("-C", str(shop), "build")
    assert result.exit_code == 1
    assert f"conflict  {DOCS}: exists but gen did not write it" in result.stderr
    assert (shop / DOCS).read_text() == "someone else's\n"


def test_unchanged_files_are_not_rewritten(shop: Path) -> None:
    run_cli("-C", str(shop), "build")
    mtimes = {p: p.stat().st_mtime_ns for p in (shop / "generated").rglob("*") if p.is_file()}
    result = run_cli("-C", str(shop), "build")
    assert "done: 0 file(s) changed" in result.stderr
    assert {p: p.stat().st_mtime_ns for p in (shop / "generated").rglob("*") if p.is_file()} == mtimes


def test_check_and_diff(shop: Path) -> None:
    fresh = run_cli("-C", str(shop), "build", "--check")
    assert fresh.exit_code == 1 and "generated/ is stale" in fresh.stderr
    assert not (shop / "generated").exists()
    run_cli("-C", str(shop), "build")
    assert run_cli("-C", str(shop), "build", "--check").exit_code == 0
    (shop / "spec/seed/orders.yaml").write_text("- {orderId: o-9, status: placed, total: 1.25}\n")
    stale = run_cli("-C", str(shop), "build", "--check", "--diff")
    assert stale.exit_code == 1
    assert "--- a/generated/dynamodb/seed.json" in stale.stdout and '+                "S": "o-9"' in stale.stdout
    assert "would update    generated/dynamodb/seed.json" in stale.stderr


def test_deleted_generated_file_is_restored(shop: Path) -> None:
    run_cli("-C", str(shop), "build")
    (shop / DOCS).unlink()
    assert run_cli("-C", str(shop), "build", "--check").exit_code == 1
    run_cli("-C", str(shop), "build")
    assert (shop / DOCS).is_file()


def exploding(ir: Ir) -> list[OutputFile]:
    raise RuntimeError("boom")


def escaping(ir: Ir) -> list[OutputFile]:
    return [OutputFile(path="generated/../spec/evil.txt", content="x", source="spec/model.yaml")]


def test_failing_emitter_writes_nothing(shop: Path) -> None:
    from generator.write.plan import PathError

    before = read_tree(shop)
    for emitter, error in (("tests.regen.test_stories:exploding", RuntimeError),
                           ("tests.regen.test_stories:escaping", PathError)):
        try:
            pipeline.build(shop, emitters=pipeline.EMITTERS + (emitter,))
        except error:
            pass
        else:
            raise AssertionError(f"{emitter} should have failed")
        assert read_tree(shop) == before


def test_no_op_check_uses_the_memo_and_any_change_falls_back(shop: Path, monkeypatch: object) -> None:
    import pytest as _pytest

    import generator.pipeline as gen_api

    assert run_cli("-C", str(shop), "build").exit_code == 0
    calls: list[int] = []
    real_build = gen_api.build

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    mp = _pytest.MonkeyPatch()
    mp.setattr(gen_api, "build", counting)
    try:
        assert run_cli("-C", str(shop), "build", "--check").exit_code == 0
        assert calls == []  # answered from the memo
        (shop / "spec/seed/orders.yaml").write_text("- {orderId: o-3, status: placed, total: 3}\n")
        assert run_cli("-C", str(shop), "build", "--check").exit_code == 1
        assert calls == [1]
        run_cli("-C", str(shop), "build")
        (shop / DOCS).write_text((shop / DOCS).read_text() + "edit\n")
        result = run_cli("-C", str(shop), "build", "--check")
        assert result.exit_code == 1 and "conflict" in result.stderr
        (shop / ".gen-cache").rename(shop / ".gen-cache-old")
        assert run_cli("-C", str(shop), "build", "--check").exit_code == 1  # no memo: same verdict
    finally:
        mp.undo()


def test_optional_parts_come_and_go_with_the_spec(shop: Path) -> None:
    """A frontend added to the spec brings frontend.tf; removed again, gen deletes the file it wrote."""
    frontend = "generated/terraform/frontend.tf"
    model = (shop / "spec/model.yaml").read_text()
    assert run_cli("-C", str(shop), "build").exit_code == 0
    assert not (shop / frontend).exists() and not (shop / "generated/terraform/auth.tf").exists()
    (shop / "spec/model.yaml").write_text(model + "\nfrontend: {}\n")
    assert run_cli("-C", str(shop), "build").exit_code == 0
    assert "aws_cloudfront_distribution" in (shop / frontend).read_text()
    assert frontend in json.loads((shop / MANIFEST).read_text())["files"]
    (shop / "spec/model.yaml").write_text(model)
    result = run_cli("-C", str(shop), "build")
    assert result.exit_code == 0, result.stderr
    assert not (shop / frontend).exists() and frontend in result.stderr
    assert run_cli("-C", str(shop), "build", "--check").exit_code == 0


def _unknown_file(root: Path) -> None:
    (root / "generated/notes.txt").write_text("mine\n")


def _orphan_module(root: Path) -> None:
    (root / "handwritten/processors/orphan.py").write_text("def handle(batch, context): ...\n")


def _stray_bytecode(root: Path) -> None:
    (root / "generated/docs/stray.pyc").write_bytes(b"\0")  # the planner ignores compiled Python


def _symlinked_output(root: Path) -> None:
    target = root / DOCS
    copy = root / "docs-copy.md"
    copy.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(copy)  # same bytes, but the planner refuses to follow it


def _deleted_scaffold(root: Path) -> None:
    (root / HANDLER).unlink()


def test_the_no_op_memo_answers_only_what_the_planner_would_find_nothing_in(shop: Path) -> None:
    """The memo of the last clean build reuses the planner's rules: after each disturbance it
    answers "up to date" exactly when a full `--check` finds nothing to change or warn about."""
    from generator.speed import last_build
    from generator.write.plan import PathError

    verdicts: dict[str, tuple[bool, bool]] = {}
    for disturb in (_unknown_file, _orphan_module, _stray_bytecode, _symlinked_output, _deleted_scaffold):
        for leftover in ("generated/notes.txt", "handwritten/processors/orphan.py", "generated/docs/stray.pyc", DOCS):
            if (shop / leftover).is_symlink() or leftover != DOCS:
                (shop / leftover).unlink(missing_ok=True)
        assert run_cli("-C", str(shop), "build").exit_code == 0
        assert last_build.up_to_date(shop) is not None, disturb.__name__
        disturb(shop)
        try:
            result = pipeline.build(shop, check=True)
            planner = not result.plan.stale and not result.plan.warnings
        except PathError:
            planner = False
        verdicts[disturb.__name__] = (last_build.up_to_date(shop) is not None, planner)
    assert verdicts == {"_unknown_file": (False, False), "_orphan_module": (False, False),
                        "_stray_bytecode": (True, True), "_symlinked_output": (False, False),
                        "_deleted_scaffold": (False, False)}
