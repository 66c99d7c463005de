"""Fleet rules shared by the processors: when a device counts as online, how long readings live.

Not a processor module (it lives outside handwritten/processors/ on purpose), so gen never
expects it to implement anything.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Protocol

OFFLINE_AFTER = dt.timedelta(minutes=10)
"""A device silent for longer than this is offline (mark_offline runs every 5 minutes)."""

READING_RETENTION = dt.timedelta(days=30)
"""Readings expire (DynamoDB TTL on `expiresAt`) this long after the time they were taken."""

UNGUARDED_TOLERANCE = dt.timedelta(minutes=5)
"""The tolerance for an event type whose spec turns the API's time guard off
(`max_future: null`): the processors still never let one event from a wrong clock pin state."""


class Timed(Protocol):
    """An event class of the generated package: it carries the spec's `max_future`."""

    max_future: ClassVar[dt.timedelta | None]


def tolerance(event_type: type[Timed]) -> dt.timedelta:
    """How far ahead of the processing time an event of `event_type` may be dated (device clock
    skew) and still be trusted for device state: the spec's `max_future`, which the API enforces
    against the request time, so nothing the API accepted is distrusted here (processing comes
    after the request). A later time would pin `lastSeen` until then."""
    return UNGUARDED_TOLERANCE if event_type.max_future is None else event_type.max_future


def state_tolerance() -> dt.timedelta:
    """The tolerance for a stored `lastSeen`/`lastReading`: the widest of the event types that
    write them."""
    # Imported here: the constants above are read by tools and tests that do not put the
    # generated package on the path.
    from fleet.events import DeviceHeartbeatEvent, ReadingRecordedEvent

    return max(tolerance(ReadingRecordedEvent), tolerance(DeviceHeartbeatEvent))


def is_recent(seen: dt.datetime, now: dt.datetime) -> bool:
    """Whether a device last seen at `seen` still counts as online at `now`."""
    return now - seen <= OFFLINE_AFTER


def is_ahead(time: dt.datetime, now: dt.datetime, allowed: dt.timedelta) -> bool:
    """Whether `time` lies further in the future of `now` than `allowed`."""
    return time - now > allowed


def expires_at(taken: dt.datetime, now: dt.datetime) -> int:
    """The TTL (epoch seconds) of a reading taken at `taken`, processed at `now`: a time too
    far ahead counts as `now` plus the tolerance (so it expires, and 9999 does not overflow)."""
    from fleet.events import ReadingRecordedEvent

    return int((min(taken, now + tolerance(ReadingRecordedEvent)) + READING_RETENTION).timestamp())
