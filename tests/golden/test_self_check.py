"""The repository's own generated/ is exactly what `gen build` makes of its spec/."""

from __future__ import annotations

from tests.conftest import REPO, run_cli


def test_repository_generated_is_up_to_date() -> None:
    result = run_cli("-C", str(REPO), "build", "--check")
    assert result.exit_code == 0, result.stderr
