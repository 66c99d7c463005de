"""The pure parts of gen replay: the window's syntax, the lake's object names and lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from generator.errors import UsageError
from generator.replay.feed import Position
from generator.replay.lake import LakeObject, day_prefixes, object_stamp, parse_line
from generator.replay.window import Window, parse_moment

NOW = datetime(2026, 5, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "moment"), [
    ("2h", NOW - timedelta(hours=2)),
    ("90s", NOW - timedelta(seconds=90)),
    ("3d", NOW - timedelta(days=3)),
    ("1w", NOW - timedelta(weeks=1)),
    ("2026-05-01", datetime(2026, 5, 1, tzinfo=UTC)),
    ("2026-05-01T10:30:00Z", datetime(2026, 5, 1, 10, 30, tzinfo=UTC)),
    ("2026-05-01T12:30:00+02:00", datetime(2026, 5, 1, 10, 30, tzinfo=UTC)),
])
def test_moments(text: str, moment: datetime) -> None:
    assert parse_moment(text, NOW) == moment


def test_a_window_holds_both_ends_and_keeps_what_it_resolved() -> None:
    window = Window.parse("2h", "1h", NOW)
    assert window.contains(NOW - timedelta(hours=2)) and window.contains(NOW - timedelta(hours=1))
    assert not window.contains(NOW - timedelta(hours=3)) and not window.contains(NOW)
    assert Window.from_json(window.to_json()) == window
    assert Window().contains(NOW)
    with pytest.raises(UsageError):
        Window.parse("1h", "2h", NOW)


def test_object_names_carry_the_oldest_arrival() -> None:
    key = ("telemetry/year=2026/month=05/day=01/fleet-local-telemetry-archive-1-2026-05-01-23-59-58-"
           "0b1c2d3e-1111-2222-3333-444455556666.gz")
    assert object_stamp(key, NOW) == datetime(2026, 5, 1, 23, 59, 58, tzinfo=UTC)
    assert object_stamp("telemetry/other-file", NOW) == NOW


def test_day_partitions_are_those_the_archive_writes() -> None:
    assert day_prefixes("telemetry/", datetime(2026, 4, 30, 23, tzinfo=UTC), NOW) == [
        "telemetry/year=2026/month=04/day=30/",
        "telemetry/year=2026/month=05/day=01/",
        "telemetry/year=2026/month=05/day=02/",
        "telemetry/year=2026/month=05/day=03/",
    ]


def test_a_line_is_read_as_the_record_ingestion_made() -> None:
    obj = LakeObject(NOW, NOW, "k")
    event = parse_line(obj, 3, b'{"type":"reading.recorded","subject":"d-1","id":"1",'
                               b'"time":"2026-05-01T10:00:00Z"}')
    assert (event.type, event.subject, event.time, event.line) == (
        "reading.recorded", "d-1", datetime(2026, 5, 1, 10, tzinfo=UTC), 3)
    junk = parse_line(obj, 4, b'"not an event"')
    assert (junk.type, junk.time) == (None, NOW)  # kept: the processor rejects it, as it would have


def test_positions_sort_in_delivery_order() -> None:
    early, late = LakeObject(NOW, NOW, "b"), LakeObject(NOW + timedelta(seconds=1), NOW, "a")
    assert Position.of(early, 9) < Position.of(late, 1) and Position.of(early, 1) < Position.of(early, 2)
    assert Position.from_json(Position.of(late, 2).to_json()) == Position.of(late, 2)
