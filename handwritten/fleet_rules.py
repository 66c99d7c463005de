"""Fleet rules shared by the processors: when a device counts as online, how long readings live.

Not a processor module (it lives outside handwritten/processors/ on purpose), so gen never
expects it to implement anything.
"""

from __future__ import annotations

import datetime as dt

OFFLINE_AFTER = dt.timedelta(minutes=10)
"""A device silent for longer than this is offline (mark_offline runs every 5 minutes)."""

READING_RETENTION = dt.timedelta(days=30)
"""Readings expire (DynamoDB TTL on `expiresAt`) this long after the time they were taken."""

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
"""How far ahead of the processing time an event's own time may be (device clock skew). A
later time is not trusted for device state: one such event would pin `lastSeen` until then."""


def is_recent(seen: dt.datetime, now: dt.datetime) -> bool:
    """Whether a device last seen at `seen` still counts as online at `now`."""
    return now - seen <= OFFLINE_AFTER


def is_ahead(time: dt.datetime, now: dt.datetime) -> bool:
    """Whether `time` lies further in the future of `now` than FUTURE_TOLERANCE allows."""
    return time - now > FUTURE_TOLERANCE


def expires_at(taken: dt.datetime, now: dt.datetime) -> int:
    """The TTL (epoch seconds) of a reading taken at `taken`, processed at `now`: a time too
    far ahead counts as `now` plus the tolerance (so it expires, and 9999 does not overflow)."""
    return int((min(taken, now + FUTURE_TOLERANCE) + READING_RETENTION).timestamp())
