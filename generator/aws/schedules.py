"""EventBridge schedule expressions: parse ``rate()`` / ``cron()`` text and compute fire times.

`parse_schedule(text)` returns a `Schedule` or raises `ScheduleError`, whose ``column`` is the
1-based position in ``text`` of the offending character (a validator adds it to the YAML
scalar's own column). `Schedule.next_after(dt)` returns the first fire time strictly after
``dt`` in UTC, or None when the schedule never fires again. Pure: no I/O, no clock.

The grammar is EventBridge's, not Unix cron's: six fields ``minutes hours day-of-month month
day-of-week year``; exactly one of day-of-month / day-of-week is ``?``; day-of-week counts
1=SUN..7=SAT; ``L``, ``LW``, ``nW`` in day-of-month; ``L``, ``nL``, ``n#k`` in day-of-week;
``/`` is not allowed in day-of-week; years run 1970-2199. ``rate()`` takes a positive integer
and minute/hour/day, singular exactly when the value is 1.
"""

from __future__ import annotations

import calendar
import difflib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIELD_NAMES = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    """An invalid schedule expression: what is wrong, where (1-based column), what to do."""

    def __init__(self, message: str, column: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        text = f"column {self.column}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


def _utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("schedules need a timezone-aware datetime (EventBridge runs in UTC)")
    return dt.astimezone(UTC)


class Schedule(ABC):
    """A parsed schedule expression."""

    expression: str

    @abstractmethod
    def next_after(self, dt: datetime) -> datetime | None:
        """The first fire time strictly after ``dt`` (aware), in UTC; None if there is none."""


@dataclass(frozen=True)
class RateSchedule(Schedule):
    """``rate(N unit)``: every ``period`` from ``anchor`` (EventBridge anchors at creation)."""

    expression: str
    value: int
    unit: str
    anchor: datetime = EPOCH

    @property
    def period(self) -> timedelta:
        return timedelta(seconds=self.value * _RATE_UNITS[self.unit])

    def anchored(self, at: datetime) -> RateSchedule:
        """This schedule counted from ``at``, as a rule created at ``at`` would be."""
        return replace(self, anchor=_utc(at))

    def next_after(self, dt: datetime) -> datetime:
        dt = _utc(dt)
        if dt < self.anchor:
            return self.anchor
        periods = (dt - self.anchor) // self.period + 1
        return self.anchor + periods * self.period


# Day-of-month / day-of-week specs. `frozenset` = plain values; the tuples are the specials.
_Any = None  # "?"
_DomSpec = frozenset[int] | tuple[str, int] | None  # ("L",0) | ("LW",0) | ("W",n)
_DowSpec = frozenset[int] | tuple[str, int, int] | None  # ("L",dow,0) | ("#",dow,k)


@dataclass(frozen=True)
class CronSchedule(Schedule):
    """``cron(...)`` with every field resolved to the values or special rule it allows."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    dom: _DomSpec
    months: frozenset[int]
    dow: _DowSpec
    years: frozenset[int]
    _sorted: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sorted_fields = {
            name: tuple(sorted(getattr(self, name)))
            for name in ("minutes", "hours", "months", "years")
        }
        object.__setattr__(self, "_sorted", sorted_fields)

    def next_after(self, dt: datetime) -> datetime | None:
        start = _utc(dt).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for year in self._sorted["years"]:
            if year < start.year:
                continue
            same = year == start.year
            for month in self._sorted["months"]:
                if same and month < start.month:
                    continue
                same_m = same and month == start.month
                for day in sorted(self._days(year, month)):
                    if same_m and day < start.day:
                        continue
                    found = self._time_on(year, month, day, start, same_m and day == start.day)
                    if found is not None:
                        return found
        return None

    def _time_on(
        self, year: int, month: int, day: int, start: datetime, same_day: bool
    ) -> datetime | None:
        for hour in self._sorted["hours"]:
            if same_day and hour < start.hour:
                continue
            for minute in self._sorted["minutes"]:
                if same_day and hour == start.hour and minute < start.minute:
                    continue
                return datetime(year, month, day, hour, minute, tzinfo=UTC)
        return None

    def _days(self, year: int, month: int) -> set[int]:
        last = calendar.monthrange(year, month)[1]
        if self.dom is not _Any:
            return _dom_days(self.dom, year, month, last)
        assert self.dow is not _Any  # the parser guarantees exactly one "?"
        return _dow_days(self.dow, year, month, last)


def _eb_weekday(year: int, month: int, day: int) -> int:
    """EventBridge's day-of-week number: 1=SUN .. 7=SAT."""
    return (date(year, month, day).weekday() + 1) % 7 + 1


def _dom_days(spec: frozenset[int] | tuple[str, int], year: int, month: int, last: int) -> set[int]:
    if isinstance(spec, frozenset):
        return {d for d in spec if d <= last}
    kind, n = spec
    if kind == "L":
        return {last}
    target = last if kind == "LW" else n
    if target > last:
        return set()
    wd = _eb_weekday(year, month, target)
    # The nearest weekday never crosses into another month (Quartz semantics).
    if wd == 7:  # Saturday
        target = target - 1 if target > 1 else target + 2
    elif wd == 1:  # Sunday
        target = target + 1 if target < last else target - 2
    return {target}


def _dow_days(
    spec: frozenset[int] | tuple[str, int, int], year: int, month: int, last: int
) -> set[int]:
    if isinstance(spec, frozenset):
        return {d for d in range(1, last + 1) if _eb_weekday(year, month, d) in spec}
    kind, dow, nth = spec
    days = [d for d in range(1, last + 1) if _eb_weekday(year, month, d) == dow]
    if kind == "L":
        return {days[-1]}
    return {days[nth - 1]} if nth <= len(days) else set()


# ---------------------------------------------------------------- parsing


def parse_schedule(text: str) -> Schedule:
    """Parse an EventBridge schedule expression; raise `ScheduleError` with a column."""
    for kind in ("rate", "cron"):
        if text.startswith(kind + "("):
            if not text.endswith(")"):
                raise ScheduleError(f"missing ')' at the end of {kind}(...)", len(text) + 1)
            inner = text[len(kind) + 1 : -1]
            offset = len(kind) + 1  # 0-based index of inner[0] in text
            if kind == "rate":
                return _parse_rate(text, inner, offset)
            return _parse_cron(text, inner, offset)
    head = text.split("(", 1)[0].strip()
    if head.lower() in ("rate", "cron"):
        raise ScheduleError(f"write '{head.lower()}(' in lower case with no space before '('", 1)
    if head == "at":
        raise ScheduleError(
            "one-time at() schedules are not supported", 1, "use rate(...) or cron(...)"
        )
    raise ScheduleError(
        "a schedule expression is rate(...) or cron(...)",
        1,
        "for example rate(5 minutes) or cron(0 10 * * ? *)",
    )


def _tokens(inner: str, offset: int) -> list[tuple[str, int]]:
    """Whitespace-separated tokens of ``inner`` with their 1-based columns in the full text."""
    return [(m.group(), offset + m.start() + 1) for m in re.finditer(r"\S+", inner)]


def _parse_rate(text: str, inner: str, offset: int) -> RateSchedule:
    tokens = _tokens(inner, offset)
    if len(tokens) != 2:
        col = tokens[2][1] if len(tokens) > 2 else offset + 1
        raise ScheduleError(
            f"rate() takes a value and a unit, got {len(tokens)} part(s)",
            col,
            "for example rate(5 minutes) or rate(1 hour)",
        )
    (value_text, value_col), (unit, unit_col) = tokens
    if not value_text.isdigit() or not value_text.isascii() or int(value_text) == 0:
        raise ScheduleError(
            f"rate value must be a positive whole number, got {value_text!r}", value_col
        )
    value = int(value_text)
    singular = unit.removesuffix("s")
    if singular not in _RATE_UNITS:
        hint = "EventBridge's finest precision is one minute" if singular == "second" else None
        close = difflib.get_close_matches(unit, [*_RATE_UNITS, *(u + "s" for u in _RATE_UNITS)], 1)
        if close and hint is None:
            hint = f"did you mean '{close[0]}'?"
        raise ScheduleError(
            f"unknown rate unit {unit!r}: use minute(s), hour(s) or day(s)", unit_col, hint
        )
    if value == 1 and unit != singular:
        raise ScheduleError(f"use the singular '{singular}' when the value is 1", unit_col)
    if value != 1 and unit == singular:
        raise ScheduleError(f"use the plural '{singular}s' when the value is not 1", unit_col)
    return RateSchedule(expression=text, value=value, unit=singular)


@dataclass(frozen=True)
class _Field:
    name: str
    lo: int
    hi: int
    names: tuple[str, ...] = ()  # names[i] is the value lo+i
    step_ok: bool = True

    def value(self, token: str, col: int) -> int:
        if token.isascii() and token.isdigit():
            number = int(token)
            if not self.lo <= number <= self.hi:
                raise ScheduleError(
                    f"{self.name} value {number} is out of range {self.lo}-{self.hi}", col
                )
            return number
        upper = token.upper()
        if self.names and upper in self.names:
            return self.lo + self.names.index(upper)
        if not token:
            raise ScheduleError(f"expected a {self.name} value", col)
        if self.names:
            close = difflib.get_close_matches(upper, self.names, 1)
            hint = f"did you mean '{close[0]}'?" if close else None
            raise ScheduleError(
                f"unknown {self.name} {token!r}: use {self.lo}-{self.hi} or "
                f"{self.names[0]}-{self.names[-1]}",
                col,
                hint,
            )
        bad = next((i for i, c in enumerate(token) if not (c.isascii() and c.isdigit())), 0)
        raise ScheduleError(
            f"unexpected {token[bad]!r} in the {self.name} field",
            col + bad,
            _special_hint(token[bad]),
        )


_FIELDS = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, MONTHS),
    _Field("day-of-week", 1, 7, WEEKDAYS, step_ok=False),
    _Field("year", 1970, 2199),
)


def _special_hint(char: str) -> str | None:
    return {
        "?": "'?' is only allowed in day-of-month or day-of-week",
        "L": "'L' is only allowed in day-of-month or day-of-week",
        "W": "'W' is only allowed in day-of-month, e.g. 15W",
        "#": "'#' is only allowed in day-of-week, e.g. 2#1 for the first Monday",
    }.get(char)


def _parse_values(spec: _Field, token: str, col: int) -> frozenset[int]:
    """A list of values, ranges and steps (``*``, ``5``, ``1-5``, ``*/10``, ``0-30/5``)."""
    values: set[int] = set()
    pos = 0
    for item in token.split(","):
        values |= _parse_item(spec, item, col + pos)
        pos += len(item) + 1
    return frozenset(values)


def _parse_item(spec: _Field, item: str, col: int) -> set[int]:
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not spec.step_ok:
            raise ScheduleError(f"'/' is not allowed in the {spec.name} field", col + len(base))
        step_col = col + len(base) + 1
        if not (step_text.isascii() and step_text.isdigit()) or int(step_text) == 0:
            raise ScheduleError(
                f"the increment after '/' must be a positive whole number, got {step_text!r}",
                step_col,
            )
        step = int(step_text)
        if step > spec.hi - spec.lo + 1:
            raise ScheduleError(
                f"increment {step} is larger than the {spec.name} range {spec.lo}-{spec.hi}",
                step_col,
            )
    if base == "*":
        start, end = spec.lo, spec.hi
    elif "-" in base:
        first, _, second = base.partition("-")
        start = spec.value(first, col)
        end = spec.value(second, col + len(first) + 1)
        if start > end:
            raise ScheduleError(
                f"range {base} runs backwards",
                col,
                f"write it as two ranges, e.g. {first}-{spec.hi},{spec.lo}-{second}",
            )
    else:
        start = spec.value(base, col)
        end = spec.hi if slash else start
    return set(range(start, end + 1, step))


def _parse_dom(token: str, col: int) -> _DomSpec:
    spec = _FIELDS[2]
    if token == "?":
        return _Any
    if token in ("L", "LW"):
        return (token, 0)
    match = re.fullmatch(r"(\d+)W", token)
    if match:
        return ("W", spec.value(match.group(1), col))
    _reject_specials(spec, token, col, "?LW", "e.g. L, LW or 15W")
    return _parse_values(spec, token, col)


def _parse_dow(token: str, col: int) -> _DowSpec:
    spec = _FIELDS[4]
    if token == "?":
        return _Any
    if token == "L":  # alone, L is the last day of the week: Saturday
        return frozenset({7})
    match = re.fullmatch(r"([A-Za-z]+|\d+)L", token)
    if match:
        return ("L", spec.value(match.group(1), col), 0)
    match = re.fullmatch(r"([A-Za-z]+|\d+)#(\d+)", token)
    if match:
        nth_col = col + len(match.group(1)) + 1
        nth = int(match.group(2))
        if not 1 <= nth <= 5:
            raise ScheduleError(f"'#' takes an occurrence 1-5, got {nth}", nth_col)
        return ("#", spec.value(match.group(1), col), nth)
    if "#" in token and "," in token:
        raise ScheduleError(
            "with '#' the day-of-week field takes a single expression",
            col,
            "EventBridge rejects lists such as 3#1,6#3: use one schedule per occurrence",
        )
    _reject_specials(spec, token, col, "?L#", "e.g. L, 6L (last Friday) or 2#1 (first Monday)")
    return _parse_values(spec, token, col)


def _reject_specials(
    spec: _Field, token: str, col: int, chars: str = "", example: str = ""
) -> None:
    """Reject the specials ?, L, W, #: outside ``chars`` at all, inside ``chars`` unless alone."""
    for i, char in enumerate(token):
        # Letters that belong to a name (e.g. the L in JUL) are not the L special.
        if char not in "?LW#" or (char.isalpha() and _inside_name(token, i, spec.names)):
            continue
        if char not in chars:
            raise ScheduleError(
                f"unexpected '{char}' in the {spec.name} field", col + i, _special_hint(char)
            )
        if char == "?":
            raise ScheduleError(f"'?' must be the whole {spec.name} field", col + i)
        raise ScheduleError(
            f"'{char}' cannot be combined with other values in {spec.name}",
            col + i,
            f"use it as the whole field, {example}",
        )


def _inside_name(token: str, index: int, names: tuple[str, ...]) -> bool:
    start = index
    while start > 0 and token[start - 1].isalpha():
        start -= 1
    end = index
    while end < len(token) and token[end].isalpha():
        end += 1
    return token[start:end].upper() in names


def _parse_cron(text: str, inner: str, offset: int) -> CronSchedule:
    tokens = _tokens(inner, offset)
    if len(tokens) != 6:
        col = tokens[6][1] if len(tokens) > 6 else len(text)
        hint = (
            "EventBridge cron has a year field; add '*' at the end"
            if len(tokens) == 5
            else "the fields are: " + " ".join(FIELD_NAMES)
        )
        raise ScheduleError(f"cron() takes 6 fields, got {len(tokens)}", col, hint)
    (mi, mi_c), (hr, hr_c), (dm, dm_c), (mo, mo_c), (dw, dw_c), (yr, yr_c) = tokens
    for token, col, spec in (
        (mi, mi_c, _FIELDS[0]),
        (hr, hr_c, _FIELDS[1]),
        (mo, mo_c, _FIELDS[3]),
        (yr, yr_c, _FIELDS[5]),
    ):
        _reject_specials(spec, token, col)
    dom = _parse_dom(dm, dm_c)
    dow = _parse_dow(dw, dw_c)
    if dom is _Any and dow is _Any:
        raise ScheduleError(
            "day-of-month and day-of-week cannot both be '?'",
            dw_c,
            "put '*' in one of them, e.g. cron(0 10 * * ? *)",
        )
    if dom is not _Any and dow is not _Any:
        raise ScheduleError(
            "one of day-of-month or day-of-week must be '?'",
            dw_c if dw == "*" or dm != "*" else dm_c,
            "EventBridge does not combine them: e.g. cron(0 18 ? * MON-FRI *) or cron(0 8 1 * ? *)",
        )
    return CronSchedule(
        expression=text,
        minutes=_parse_values(_FIELDS[0], mi, mi_c),
        hours=_parse_values(_FIELDS[1], hr, hr_c),
        dom=dom,
        months=_parse_values(_FIELDS[3], mo, mo_c),
        dow=dow,
        years=_parse_values(_FIELDS[5], yr, yr_c),
    )
