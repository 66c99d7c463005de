"""The render memo: canonical JSON assembled from memoised fragments is the canonical JSON, and
a memo file that is damaged in any way is a miss, never a wrong value."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from generator.render.memo import Memo, active_memo, current, memoized
from generator.render.serialize import canonical_json

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
        with active_memo(tmp_path / "memo"):
            for value in values:
                assert canonical_json(value) == _reference(value)
    assert list((tmp_path / "memo").glob("json.*.bin"))


def test_decimals_still_take_the_exact_writer(tmp_path: Path) -> None:
    value = {"tables": {f"t{i}": [{"n": Decimal("1.50"), "s": "x" * 300}] for i in range(20)}}
    plain = canonical_json(value)
    assert '"n": 1.50' in plain
    with active_memo(tmp_path / "memo"):
        assert canonical_json(value) == plain


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "other-format"])
def test_a_damaged_memo_file_is_a_miss(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "memo"
    with active_memo(folder):
        assert memoized("ns", "material", lambda: "right", lambda v: isinstance(v, str)) == "right"
    [path] = folder.glob("ns.*.bin")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[:-3])
    elif damage == "flip":
        path.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(data.replace(b"gen-memo 1", b"gen-memo 9"))
    with active_memo(folder):
        assert memoized("ns", "material", lambda: "recomputed", lambda v: isinstance(v, str)) == "recomputed"


def test_a_value_that_fails_its_check_is_recomputed(tmp_path: Path) -> None:
    folder = tmp_path / "memo"
    with active_memo(folder):
        memoized("ns", "m", lambda: ["not", "a", "string"], lambda v: True)
    with active_memo(folder):
        assert memoized("ns", "m", lambda: "fresh", lambda v: isinstance(v, str)) == "fresh"


def test_no_memo_outside_a_build(tmp_path: Path) -> None:
    assert current() is None
    calls: list[int] = []
    for _ in range(2):
        memoized("ns", "m", lambda: calls.append(1) or "v", lambda v: True)
    assert len(calls) == 2
    memo = Memo(tmp_path)
    assert memo.key("ns", "m") != memo.key("ns2", "m") != memo.key("ns", "m2")


def test_compact_members_is_the_compact_encoding(tmp_path: Path) -> None:
    from generator.render.serialize import compact_json, compact_members, remember_compact

    rng = random.Random(7)
    for _ in range(30):
        value = {f"{rng.choice(_KEYS)}{i}": _value(rng, 1) for i in range(rng.randint(0, 6))}
        with active_memo(tmp_path / "memo"):
            for member in value.values():
                remember_compact(member, compact_json(member))
            assert compact_members(value) == json.dumps(value, sort_keys=True, ensure_ascii=False,
                                                        separators=(",", ":"))


def test_prerendered_values_are_placed_as_laid_out(tmp_path: Path) -> None:
    from generator.render.serialize import Prerendered

    inner = {"b": [1, {"c": "x\ny"}], "a": {}}
    laid_out = json.dumps(inner, sort_keys=True, indent=2, ensure_ascii=False)
    expected = _reference({"paths": {"/p": inner, "/q": 1, "/r": inner}, "n": 2.5})
    at_two = laid_out.replace("\n", "\n    ")  # as the API emitter keeps path items: nested at level 2
    value = {"paths": {"/p": Prerendered(laid_out), "/q": 1, "/r": Prerendered(at_two, level=2)}, "n": 2.5}
    with active_memo(tmp_path / "memo"):
        assert canonical_json(value) == expected
    # the exact writer (taken when a Decimal is present) places it the same way
    with_decimal = canonical_json({**value, "n": Decimal("2.5")})
    assert with_decimal == expected
    with pytest.raises(TypeError):
        json.dumps(value)  # never silently written as a string
