"""Golden trees: each cases/<name>/spec builds to exactly cases/<name>/expected/.

`pytest --update-golden` rewrites expected/; reviewers read the golden diff as the real
change. Both directions are compared (missing, extra and differing files).
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from tests.conftest import read_tree

CASES = sorted(p for p in (Path(__file__).parent / "cases").iterdir() if p.is_dir())


def _built(case: Path, tmp_path: Path) -> dict[str, bytes]:
    project = tmp_path / case.name
    shutil.copytree(case / "spec", project / "spec")
    result = pipeline.build(project, use_cache=False)
    assert result.written and not result.plan.conflicts
    return {k: v for k, v in read_tree(project).items() if not k.startswith("spec/")}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_tree(case: Path, tmp_path: Path, update_golden: bool) -> None:
    produced = _built(case, tmp_path)
    expected_dir = case / "expected"
    if update_golden:
        if expected_dir.exists():
            shutil.rmtree(expected_dir)
        for rel, data in produced.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_bytes(data)
    expected = read_tree(expected_dir)
    problems = [f"missing: {p}" for p in sorted(set(expected) - set(produced))]
    problems += [f"unexpected: {p}" for p in sorted(set(produced) - set(expected))]
    for path in sorted(set(expected) & set(produced)):
        if expected[path] != produced[path]:
            diff = difflib.unified_diff(expected[path].decode().splitlines(), produced[path].decode().splitlines(),
                                        f"expected/{path}", f"produced/{path}", lineterm="", n=2)
            problems.append("\n".join(list(diff)[:60]))
    assert not problems, "\n".join(problems)
