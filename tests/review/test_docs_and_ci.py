"""The docs of gen review list its rules; the GitHub Actions workflow `gen init` ships posts the review."""

from __future__ import annotations

from typing import Any

import yaml

from generator.render.env import render
from generator.review.report import MARKER


def _workflow() -> tuple[str, dict[Any, Any]]:
    text = render("init/github/workflows/review.yml.j2", name="shop")
    return text, yaml.safe_load(text)


def test_it_reviews_against_the_target_branch_and_keeps_one_comment() -> None:
    text, workflow = _workflow()
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = workflow["jobs"]["review"]["steps"]
    run = next(s for s in steps if s.get("id") == "review")["run"]
    assert 'gen review "origin/${{ github.base_ref }}" > review.md' in run
    script = next(s for s in steps if s.get("uses") == "actions/github-script@v7")["with"]["script"]
    # the comment is found again by the marker gen review prints first, then updated in place
    assert f"const marker = '{MARKER}';" in script and "updateComment" in script and "createComment" in script
    assert steps[-1]["if"] == "steps.review.outputs.exit != '0'"
    assert text.endswith("exit 1\n") and "{%" not in text and "shop" in text.splitlines()[0]


def test_the_docs_list_every_rule() -> None:
    from generator.validate.change_rules import RULES
    from tests.conftest import REPO

    text = (REPO / "docs/review.md").read_text(encoding="utf-8")
    missing = [r.id for r in RULES.values() if f"| `{r.id}` | {r.severity} |" not in text]
    assert missing == []
