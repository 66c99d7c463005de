"""The state directory: one `gen dev` at a time, and a bad DIR refused with exit 2 and one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.dev.state.store import StateDir, StateDirError
from tests.conftest import REPO


def test_a_second_holder_is_refused_until_the_first_closes(tmp_path: Path) -> None:
    first = StateDir.open(tmp_path / "s")
    try:
        with pytest.raises(StateDirError, match=r"another gen dev \(pid \d+\) is using it"):
            StateDir.open(tmp_path / "s")
    finally:
        first.close()
    StateDir.open(tmp_path / "s").close()  # released: usable again


def test_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(StateDirError, match="is a file, not a directory"):
        StateDir.open(target)


def test_a_directory_that_cannot_be_made_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StateDirError, match="cannot write there"):
        StateDir.open(tmp_path / "file" / "state")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["file", "under-a-file"])
def test_gen_dev_exits_2_with_one_line_on_a_bad_state_dir(tmp_path: Path, kind: str) -> None:
    (tmp_path / "file").write_text("x")
    state = tmp_path / "file" if kind == "file" else tmp_path / "file" / "state"
    done = subprocess.run([sys.executable, "-m", "generator", "-C", str(REPO), "dev", "--port", "0",
                           "--state", str(state)], capture_output=True, text=True, timeout=120,
                          cwd=REPO)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"--state {state}" in lines[0], lines
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_an_unreadable_snapshot_is_refused_in_one_line_and_the_lock_released(tmp_path: Path) -> None:
    from generator.dev.stack import start_stack

    state = tmp_path / "state"
    state.mkdir()
    (state / "snapshot.jsonl").write_text('{"k": "meta", "journal_from": 1}\n{not json\n')
    with pytest.raises(StateDirError, match="cannot restore from it .*move it away"):
        start_stack(REPO, port=0, state=state)
    StateDir.open(state).close()
