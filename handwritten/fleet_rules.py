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


def is_recent(seen: dt.datetime, now: dt.datetime) -> bool:
    """Whether a device last seen at `seen` still counts as online at `now`."""
    return now - seen <= OFFLINE_AFTER


def expires_at(taken: dt.datetime) -> int:
    """The TTL (epoch seconds) of a reading taken at `taken`."""
    return int((taken + READING_RETENTION).timestamp())
