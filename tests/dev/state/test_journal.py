"""The journal: entries in order across segments; a torn last line (a crash mid-write) ignored."""

from __future__ import annotations

from pathlib import Path

from generator.dev.state import journal
from generator.dev.state.journal import Journal


def test_entries_come_back_in_order_across_rotations_and_dropped_segments_are_gone(tmp_path: Path) -> None:
    log = Journal(tmp_path, 1, interval_s=0.01)
    log.append({"n": 1})
    second = log.rotate()
    log.append({"n": 2})
    log.append({"n": 3})
    log.sync()
    assert log.synced == 3
    assert [e["n"] for e in journal.read(tmp_path, 0)] == [1, 2, 3]
    log.drop_before(second)
    assert [e["n"] for e in journal.read(tmp_path, 0)] == [2, 3]
    log.close()


def test_a_torn_last_entry_ends_the_segment(tmp_path: Path) -> None:
    log = Journal(tmp_path, 7)
    log.append({"n": 1})
    log.close()
    with (tmp_path / "00000007.jsonl").open("ab") as handle:
        handle.write(b'{"n": 2, "cut sh')  # what a kill -9 mid-write would leave
    assert [e["n"] for e in journal.read(tmp_path, 0)] == [1]
    assert journal.segments(tmp_path) == [7]
