"""What the dev console shows about the stack itself comes from `/_local/status`: ``state``
(where the stack's state lives: in memory only, or kept in a --state DIR) and ``reload`` (the
last `gen dev --watch` reload, with each located error of a spec that was refused)."""

from __future__ import annotations

import time
from pathlib import Path

from generator.dev.stack import start_stack
from tests.dev.watch.support import edit, get
from tests.dev.watch.test_watch_reload import Running


def test_status_says_state_is_in_memory_and_carries_a_failed_reloads_errors(
    running: Running, demo: Path
) -> None:
    stack, watcher, printed = running
    status = get(f"{stack.url}/_local/status")[1]
    assert status["state"] == {"dir": None, "line": stack.state_line}
    assert status["state"]["line"].startswith("in memory only")
    assert "reload" not in status  # no watcher has reported: gen dev without --watch
    edit(demo / "spec/model.yaml", "    partition_key: orderId", "    partition_key: orderId\n    sortkey: total")
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "invalid", printed
    status = get(f"{stack.url}/_local/status")[1]
    assert status["state"]["line"].startswith("in memory only")  # kept next to the reload
    reload = status["reload"]
    assert reload["state"] == "invalid" and reload["generation"] == 1
    assert reload["at"] >= time.time() - 60  # when it ended: the console says "at HH:MM:SS"
    (error,) = reload["errors"]
    assert (error["file"], error["line"], error["col"], error["level"]) == ("spec/model.yaml", 8, 5, "error")
    assert error["code"].startswith("E-") and "sortkey" in error["message"]
    assert error["text"].startswith(f"spec/model.yaml:8:5: error[{error['code']}]: ")


def test_status_names_the_state_directory_and_what_was_restored(demo: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    stack = start_stack(demo, port=0, state=state)
    try:
        assert get(f"{stack.url}/_local/status")[1]["state"] == {"dir": str(state), "line": f"kept in {state} (new)"}
    finally:
        stack.stop()
    again = start_stack(demo, port=0, state=state)
    try:
        where = get(f"{again.url}/_local/status")[1]["state"]
        assert where["dir"] == str(state) and where["line"] == again.state_line
        assert where["line"].startswith(f"kept in {state}; restored ")
    finally:
        again.stop()
