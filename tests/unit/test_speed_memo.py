"""The speed seam's memo: canonical JSON assembled from memoised fragments is the canonical
JSON, a memo file damaged in any way is a miss, never a wrong value, and a part's key changes
with exactly what the part declares it reads."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from generator.canonical import Prerendered, canonical_json, compact_members
from generator.diagnostics import Diagnostics, Location
from generator.ir.parts import Check, Part, Reads, is_text
from generator.speed.materials import Materials
from generator.speed.session import Session

_KEYS = ["a", "b", "id", "name", "ünïcode", "quote\"d", "new\nline", "tab\t", "", "Z", "€", "0", "10", "2"]
_SCALARS: list[Any] = [None, True, False, 0, -1, 2**70, 1.5, -0.0, 1e-7, 1e22, "", "x", "line\nbreak",
                       "\u2028", "emoji \U0001f600", "back\\slash", "</script>"]


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice(_SCALARS)
    if roll < 0.55:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    size = rng.choice([0, 1, 3, 17])
    return {f"{rng.choice(_KEYS)}{i}" if size > 3 else rng.choice(_KEYS): _value(rng, depth + 1) for i in range(size)}


def _reference(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_assembled_canonical_json_equals_the_standard_encoder(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    values = [{"root": _value(rng, 0), "paths": {f"/p{i}": _value(rng, 2) for i in range(20)}} for _ in range(20)]
    for _ in range(2):  # first with an empty memo, then from the memo written by the first pass
        session = Session(tmp_path)
        for value in values:
            assert canonical_json(value, session.fragment) == _reference(value)
        session.save()
    assert list((tmp_path / "render").glob("json.*.bin"))


def test_decimals_still_take_the_exact_writer(tmp_path: Path) -> None:
    value = {"tables": {f"t{i}": [{"n": Decimal("1.50"), "s": "x" * 300}] for i in range(20)}}
    plain = canonical_json(value)
    assert '"n": 1.50' in plain
    assert canonical_json(value, Session(tmp_path).fragment) == plain



@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "other-format"])
def test_a_damaged_memo_file_is_a_miss(tmp_path: Path, damage: str) -> None:
    session = Session(tmp_path)
    assert session.memoized("ns", "material", lambda: "right", is_text) == "right"
    session.save()
    [path] = (tmp_path / "render").glob("ns.*.bin")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[:-3])
    elif damage == "flip":
        path.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(data.replace(b"gen-memo 1", b"gen-memo 9"))
    assert Session(tmp_path).memoized("ns", "material", lambda: "recomputed", is_text) == "recomputed"


def test_a_value_that_fails_its_check_is_recomputed(tmp_path: Path) -> None:
    session = Session(tmp_path)
    session.memoized("ns", "m", lambda: ["not", "a", "string"], lambda v: True)
    session.save()
    assert Session(tmp_path).memoized("ns", "m", lambda: "fresh", is_text) == "fresh"


def test_no_memo_without_a_folder(tmp_path: Path) -> None:
    calls: list[int] = []
    session = Session(None)
    for _ in range(2):
        session.memoized("ns", "m", lambda: calls.append(1) or "v", lambda v: True)
    assert len(calls) == 2
    session = Session(tmp_path)
    assert session.key("ns", "m") != session.key("ns2", "m") != session.key("ns", "m2")


def test_only_clean_verdicts_are_reused(tmp_path: Path) -> None:
    runs: list[str] = []

    def finding(diags: Diagnostics) -> None:
        runs.append("finding")
        diags.error("E-X", "found", Location("spec/openapi.yaml"))

    def clean(diags: Diagnostics) -> None:
        runs.append("clean")

    for _ in range(2):
        session = Session(tmp_path)
        diags = Diagnostics()
        assert not session.clean("lint", "a", finding, diags)
        assert session.clean("lint", "b", clean, diags)
        assert [d.code for d in diags] == ["E-X"]
        session.save()
    assert runs == ["finding", "clean", "finding"]


def test_compact_members_is_the_compact_encoding() -> None:
    rng = random.Random(7)
    for _ in range(30):
        value = {f"{rng.choice(_KEYS)}{i}": _value(rng, 1) for i in range(rng.randint(0, 6))}
        materials = Materials()
        for member in value.values():
            materials.compact(member)
        assert compact_members(value, materials.compact) == json.dumps(value, sort_keys=True, ensure_ascii=False,
                                                                       separators=(",", ":"))


def test_prerendered_values_are_placed_as_laid_out(tmp_path: Path) -> None:
    inner = {"b": [1, {"c": "x\ny"}], "a": {}}
    laid_out = json.dumps(inner, sort_keys=True, indent=2, ensure_ascii=False)
    expected = _reference({"paths": {"/p": inner, "/q": 1, "/r": inner}, "n": 2.5})
    at_two = laid_out.replace("\n", "\n    ")  # as the API emitter keeps path items: nested at level 2
    value = {"paths": {"/p": Prerendered(laid_out), "/q": 1, "/r": Prerendered(at_two, level=2)}, "n": 2.5}
    assert canonical_json(value, Session(tmp_path).fragment) == expected
    assert canonical_json(value) == expected
    # the exact writer (taken when a Decimal is present) places it the same way
    with_decimal = canonical_json({**value, "n": Decimal("2.5")})
    assert with_decimal == expected
    with pytest.raises(TypeError):
        json.dumps(value)  # never silently written as a string


def _ir() -> Any:
    from generator.diagnostics import Diagnostics as D
    from generator.ir.build import build_ir
    from generator.load.spec import load_spec
    from tests.conftest import REPO

    diags = D()
    ir = build_ir(load_spec(REPO, diags), diags)
    assert ir is not None and len(ir.operations) >= 2
    return ir


def test_a_part_is_keyed_by_exactly_what_it_reads() -> None:
    """Each declaration's material changes when, and only when, what it names changes."""
    ir = _ir()
    first, second = ir.operations[0], ir.operations[1]
    other_op = replace(ir, operations=(replace(first, operation_id="renamed"),) + ir.operations[1:])
    other_table = replace(ir, tables=ir.tables[1:])
    doc = dict(ir.openapi)
    doc["info"] = {**doc["info"], "title": "another title"}
    other_rest = replace(ir, openapi=doc)
    paths = dict(ir.openapi["paths"])
    paths[second.path] = {**paths[second.path], "summary": "edited"}
    other_path = replace(ir, openapi={**ir.openapi, "paths": paths})

    def material(of: Any, reads: Reads) -> str | None:
        return Materials().reads(of, reads)

    op0, op1 = Reads(context=True, operation=0), Reads(context=True, operation=1)
    assert material(other_op, op0) != material(ir, op0)
    assert material(other_op, op1) == material(ir, op1)
    assert material(other_table, op1) != material(ir, op1)
    assert material(other_rest, op1) == material(ir, op1)
    assert material(other_rest, Reads(rest=True)) != material(ir, Reads(rest=True))
    at = Reads(context=True, rest=True, path=second.path)
    assert material(other_path, at) != material(ir, at)
    elsewhere = Reads(context=True, rest=True, path=first.path)
    assert first.path == second.path or material(other_path, elsewhere) == material(ir, elsewhere)
    assert material(other_op, Reads(nodes=True)) != material(ir, Reads(nodes=True))
    assert material(ir, Reads(constant="a")) != material(ir, Reads(constant="b"))


def test_a_repr_that_shows_an_address_is_never_a_key(tmp_path: Path) -> None:
    ir = replace(_ir(), frontend_domain=object())  # type: ignore[arg-type]
    assert Materials().reads(ir, Reads(nodes=True)) is None
    computed: list[int] = []
    run = Session(tmp_path).runner(ir)
    for _ in range(2):
        run.value(Part("ns", Reads(nodes=True), lambda: computed.append(1) or "v", is_text))
        run.check(Check("ns", Reads(nodes=True), lambda diags: computed.append(2)), Diagnostics())
    assert computed == [1, 2, 1, 2]


def test_no_part_reads_a_line(tmp_path: Path) -> None:
    """Memo keys leave a SourceRef's line and col out (an added operation moves every line after
    it), which is sound only while no output depends on them: the reference spec with every line
    moved gives the same IR reprs and the same files, built without any memo."""
    import shutil

    from generator import pipeline
    from tests.conftest import REPO

    roots = []
    for name, moved in (("here", ""), ("moved", "# three lines\n# that move\n# every node\n")):
        root = tmp_path / name
        shutil.copytree(REPO / "spec", root / "spec")
        for doc in ("openapi.yaml", "model.yaml"):
            path = root / "spec" / doc
            path.write_text(moved + path.read_text(encoding="utf-8"), encoding="utf-8")
        roots.append(root)
    (ir, files, _), (ir_moved, files_moved, _) = (pipeline.generate(root, use_cache=False) for root in roots)
    assert [op.source.line + 3 for op in ir.operations] == [op.source.line for op in ir_moved.operations]
    assert [m.source.line + 3 for m in ir.models] == [m.source.line for m in ir_moved.models]
    assert repr(ir) == repr(ir_moved)
    assert files == files_moved


def test_a_moved_line_is_not_part_of_a_key() -> None:
    ir = _ir()
    op = ir.operations[1]
    moved = replace(ir, operations=(ir.operations[0], replace(op, source=replace(op.source, line=op.source.line + 9)))
                    + ir.operations[2:], models=tuple(replace(m, source=replace(m.source, col=7)) for m in ir.models))
    for reads in (Reads(nodes=True), Reads(context=True, operation=1), Reads(context=True, rest=True, path=op.path)):
        assert Materials().reads(moved, reads) == Materials().reads(ir, reads)
    renamed = replace(ir, models=(replace(ir.models[0], source=replace(ir.models[0].source, pointer=("x",))),)
                      + ir.models[1:])
    assert Materials().reads(renamed, Reads(context=True)) != Materials().reads(ir, Reads(context=True))


def test_diagnostics_stay_unique_and_ordered() -> None:
    diags = Diagnostics()
    a, b = (Location("spec/openapi.yaml", line) for line in (1, 2))
    for loc in (a, b, a, b):
        diags.warning("W-X", "same", loc)
    assert [d.location.line for d in diags.items] == [1, 2]
    later = diags.withdraw(1)
    assert [d.location.line for d in later] == [2] and len(diags) == 1
    diags.extend(later + later)
    diags.warning("W-X", "same", b)
    assert [d.location.line for d in diags.items] == [1, 2]
