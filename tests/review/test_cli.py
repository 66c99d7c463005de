"""`gen review` as a command: git revisions and directories, exit codes, the PR comment."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import read_tree, run_cli
from tests.review.corpus import BASE

HERE = Path(__file__).resolve().parent


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose project lives in a subfolder (shop/), its spec committed."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root / "shop" / "spec")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root / "shop"


def _edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / "spec" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_changed_exits_0(repo: Path) -> None:
    result = run_cli("-C", str(repo), "review", "main")
    assert result.exit_code == 0, result.stderr
    assert "**No changes** to the API, events, data, infrastructure or permissions." in result.stdout


def test_a_git_revision_against_the_working_tree(repo: Path) -> None:
    _edit(repo, "model.yaml", "    sort_key: lineNo\n", "    sort_key: sku\n")
    before = read_tree(repo, skip=(".gen-cache",))
    result = run_cli("-C", str(repo), "review", "main", "--format", "json")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    assert (data["base"], data["head"], data["exit"]) == ("main", "working tree", 1)
    assert [f["rule"] for f in data["findings"] if f["severity"] == "destructive"] == [
        "data.key-changed", "infra.stateful-resource-replaced"]
    assert read_tree(repo, skip=(".gen-cache",)) == before  # a review writes nothing but its cache


def test_an_acknowledged_change_exits_0(repo: Path) -> None:
    _edit(repo, "openapi.yaml", "        - {name: view, in: query, required: false,",
          "        - {name: region, in: query, required: true, schema: {type: string}}\n"
          "        - {name: view, in: query, required: false,")
    assert run_cli("-C", str(repo), "review", "main").exit_code == 1
    (repo / "spec/model.yaml").write_text((repo / "spec/model.yaml").read_text() + (
        "\nchanges:\n  - {rule: api.new-required-request-parameter, target: getOrder, reason: clients send it}\n"))
    result = run_cli("-C", str(repo), "review", "main")
    assert result.exit_code == 0, result.stdout
    assert "✔ acknowledged: clients send it" in result.stdout


def test_two_revisions(repo: Path) -> None:
    _edit(repo, "openapi.yaml", "      security:\n        - cognito: []\n", "")
    _git(repo.parent, "commit", "-q", "-am", "public lines")
    result = run_cli("-C", str(repo), "review", "main~1", "main", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]][:1] == ["api.api-security-removed"]


def test_directories(tmp_path: Path) -> None:
    shutil.copytree(BASE, tmp_path / "old" / "spec")
    shutil.copytree(BASE, tmp_path / "new" / "spec")
    _edit(tmp_path / "new", "model.yaml", "    ttl: expiresAt\n", "")
    result = run_cli("-C", str(tmp_path / "new"), "review", str(tmp_path / "old"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["findings"][0]["rule"] == "data.ttl-disabled"


def test_an_invalid_spec_exits_2_and_says_which_side(repo: Path) -> None:
    _edit(repo, "model.yaml", "    item: Line\n", "    item: Lines\n")
    result = run_cli("-C", str(repo), "review", "main")
    assert result.exit_code == 2
    assert result.stderr.startswith("the spec of working tree is invalid:\nspec/model.yaml:")
    assert "did you mean 'Line'?" in result.stderr


def test_an_unknown_base_is_a_usage_error(repo: Path) -> None:
    result = run_cli("-C", str(repo), "review", "no-such-branch")
    assert result.exit_code == 2
    assert "no-such-branch: neither a directory nor a git revision" in result.stderr


def test_the_pull_request_comment(repo: Path, update_golden: bool) -> None:
    """The Markdown comment of one change with a destructive, a breaking and several other
    findings: marker first, summary table, blocking findings open, the rest folded."""
    _edit(repo, "model.yaml", "    sort_key: lineNo\n", "    sort_key: sku\n")
    _edit(repo, "openapi.yaml", "enum: [full, summary]", "enum: [full]")
    _edit(repo, "model.yaml", "    ttl: expiresAt\n", "")
    result = run_cli("-C", str(repo), "review", "main")
    assert result.exit_code == 1
    expected = HERE / "expected_comment.md"
    if update_golden:
        expected.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == expected.read_text(encoding="utf-8")
    lines = result.stdout.splitlines()
    assert lines[0] == "<!-- gen-review -->"
    assert lines.index("### Destructive and breaking") < lines.index("<details><summary>Warnings (1)</summary>")
