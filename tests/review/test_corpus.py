"""The change-review corpus: every case's findings are exactly its golden JSON.

Each case (tests/review/cases/<name>/case.yaml, see corpus.py) edits a small base spec; `gen
review` compares the two sides. `pytest --update-golden` rewrites expected.json: read its diff as
the real change. Cases named `trap_*` are changes that must not be reported as breaking.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.review.report import to_json
from generator.review.run import review
from generator.validate.change_rules import BLOCKING, RULES
from tests.review import corpus

CASES = corpus.cases()
FIELDS = ("severity", "rule", "target", "where", "message", "acknowledged")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One review cache for the module: it is keyed by content, so cases share it safely."""
    return tmp_path_factory.mktemp("review-cache")


def run_case(case: Path, work: Path, cache: Path) -> dict[str, Any]:
    base, head = corpus.materialise(case, work)
    data = to_json(review(work, str(base), str(head), cache=cache, with_cost=False, labels=("BASE", "HEAD")))
    return {"exit": data["exit"], "findings": [{k: f[k] for k in FIELDS} for f in data["findings"]]}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, tmp_path: Path, cache: Path, update_golden: bool) -> None:
    produced = run_case(case, tmp_path, cache)
    expected = case / "expected.json"
    if update_golden:
        expected.write_text(json.dumps(produced, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert produced == json.loads(expected.read_text(encoding="utf-8"))


def _expected(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    return data


def test_the_corpus_covers_every_rule() -> None:
    seen = {f["rule"] for case in CASES for f in _expected(case)["findings"]}
    assert sorted(set(RULES) - seen) == []


def test_the_corpus_has_at_least_forty_pairs() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", [c for c in CASES if c.name.startswith("trap_")],
                         ids=[c.name for c in CASES if c.name.startswith("trap_")])
def test_traps_are_not_breaking(case: Path) -> None:
    found = _expected(case)
    assert found["exit"] == 0
    assert [f for f in found["findings"] if f["severity"] in BLOCKING] == []


def test_exit_status_follows_unacknowledged_blocking_findings() -> None:
    for case in CASES:
        found = _expected(case)
        blocking = [f for f in found["findings"] if f["severity"] in BLOCKING and f["acknowledged"] is None]
        assert found["exit"] == (1 if blocking else 0), case.name
