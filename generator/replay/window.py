"""The time range of a replay: ``--since`` / ``--until`` as ISO 8601 moments or ages (``2h``).

A moment is ISO 8601 (``2026-05-01``, ``2026-05-01T12:00``, ``...Z`` or with an offset; no
offset means UTC) or an age before now: a number and a unit, ``s`` ``m`` ``h`` ``d`` ``w``
(``90s``, ``15m``, ``2h``, ``3d``). The window holds both ends (``since <= t <= until``) and
is always stored resolved (absolute, UTC), so a resumed replay keeps the window it started
with. Pure: `now` is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from generator.errors import UsageError

_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str, now: datetime, option: str = "--since") -> datetime:
    """The UTC moment `text` names; `UsageError` (one line, an example) when it names none."""
    value = text.strip()
    age = _AGE.fullmatch(value)
    if age is not None:
        amount, unit = age.groups()
        return now - timedelta(**{_UNITS[unit]: float(amount)})
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is neither an ISO 8601 time nor an age",
            hint="e.g. 2026-05-01T12:00:00Z, 2026-05-01, or 2h (also 90s, 15m, 3d, 1w)",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """``since <= t <= until``; None leaves that end open."""

    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, since: str | None, until: str | None, now: datetime) -> Window:
        window = cls(
            parse_moment(since, now, "--since") if since else None,
            parse_moment(until, now, "--until") if until else None,
        )
        if window.since and window.until and window.since > window.until:
            raise UsageError(
                f"--since {since} is after --until {until}: the window is empty",
                hint="--since names the older end",
            )
        return window

    def contains(self, moment: datetime) -> bool:
        if self.since is not None and moment < self.since:
            return False
        return self.until is None or moment <= self.until

    def describe(self) -> str:
        def show(moment: datetime | None, open_end: str) -> str:
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else open_end

        return f"{show(self.since, 'the first record')} .. {show(self.until, 'the last')}"

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Window:
        def moment(value: Any) -> datetime | None:
            return datetime.fromisoformat(value) if isinstance(value, str) else None

        return cls(moment(document.get("since")), moment(document.get("until")))
