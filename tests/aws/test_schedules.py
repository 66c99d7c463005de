"""EventBridge schedule expressions: parsing, errors with columns, and next fire times."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.aws.schedules import (
    CronSchedule,
    RateSchedule,
    ScheduleError,
    parse_schedule,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def next_times(expression: str, start: str, count: int) -> list[str]:
    schedule = parse_schedule(expression)
    moment: datetime | None = at(start)
    out = []
    for _ in range(count):
        assert moment is not None
        moment = schedule.next_after(moment)
        assert moment is not None
        out.append(moment.strftime("%Y-%m-%d %H:%M"))
    return out


# ------------------------------------------------------------------ rate()


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(12 hours)", 43200),
        ("rate(1 day)", 86400),
        ("rate(7 days)", 604800),
    ],
)
def test_rate_periods(expression: str, seconds: int) -> None:
    schedule = parse_schedule(expression)
    assert isinstance(schedule, RateSchedule)
    assert schedule.period == timedelta(seconds=seconds)
    assert schedule.expression == expression


def test_rate_counts_from_its_anchor() -> None:
    schedule = parse_schedule("rate(5 minutes)")
    assert isinstance(schedule, RateSchedule)
    anchored = schedule.anchored(at("2024-03-01T10:02:30"))
    assert anchored.next_after(at("2024-03-01T10:02:30")) == at("2024-03-01T10:07:30")
    assert anchored.next_after(at("2024-03-01T10:07:29")) == at("2024-03-01T10:07:30")
    # Strictly after: a fire time itself is not "next".
    assert anchored.next_after(at("2024-03-01T10:07:30")) == at("2024-03-01T10:12:30")
    assert anchored.next_after(at("2024-03-01T09:00:00")) == at("2024-03-01T10:02:30")
    # Unanchored rates count from the Unix epoch, so they align to round times.
    assert schedule.next_after(at("2024-03-01T10:02:30")) == at("2024-03-01T10:05:00")


@pytest.mark.parametrize(
    ("expression", "column", "fragment"),
    [
        ("rate(1 minutes)", 8, "singular 'minute'"),
        ("rate(1 hours)", 8, "singular 'hour'"),
        ("rate(5 minute)", 8, "plural 'minutes'"),
        ("rate(2 day)", 8, "plural 'days'"),
        ("rate(0 minutes)", 6, "positive whole number"),
        ("rate(-5 minutes)", 6, "positive whole number"),
        ("rate(1.5 hours)", 6, "positive whole number"),
        ("rate(5 seconds)", 8, "unknown rate unit 'seconds'"),
        ("rate(5 weeks)", 8, "unknown rate unit"),
        ("rate(5)", 6, "value and a unit"),
        ("rate()", 6, "value and a unit"),
        ("rate(5 minutes now)", 16, "value and a unit"),
        ("rate(5 minutes", 15, "missing ')'"),
    ],
)
def test_rate_errors(expression: str, column: int, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression)
    assert fragment in caught.value.message
    assert caught.value.column == column


def test_rate_unit_typo_gets_a_suggestion() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("rate(5 minuts)")
    assert caught.value.hint == "did you mean 'minutes'?"


def test_seconds_hint_explains_precision() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("rate(30 seconds)")
    assert caught.value.hint is not None and "one minute" in caught.value.hint


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("Rate(5 minutes)", "lower case"),
        ("rate (5 minutes)", "lower case"),
        ("every 5 minutes", "rate(...) or cron(...)"),
        ("", "rate(...) or cron(...)"),
        ("at(2024-01-01T00:00:00)", "one-time"),
    ],
)
def test_not_a_schedule(expression: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression)
    assert fragment in caught.value.message
    assert caught.value.column == 1


# ------------------------------------------------------------------ cron(): fire times


@pytest.mark.parametrize(
    ("expression", "start", "expected"),
    [
        # The examples of the EventBridge documentation.
        ("cron(0 10 * * ? *)", "2024-03-01T09:00", ["2024-03-01 10:00", "2024-03-02 10:00"]),
        ("cron(15 12 * * ? *)", "2024-03-01T12:15", ["2024-03-02 12:15", "2024-03-03 12:15"]),
        (
            "cron(0 18 ? * MON-FRI *)",
            "2024-03-01T19:00",  # a Friday evening
            ["2024-03-04 18:00", "2024-03-05 18:00"],
        ),
        ("cron(0 8 1 * ? *)", "2024-01-15T00:00", ["2024-02-01 08:00", "2024-03-01 08:00"]),
        (
            "cron(0/15 * * * ? *)",
            "2024-03-01T10:07",
            ["2024-03-01 10:15", "2024-03-01 10:30", "2024-03-01 10:45", "2024-03-01 11:00"],
        ),
        (
            "cron(0/10 * ? * MON-FRI *)",
            "2024-03-01T23:55",  # Friday night: next is Monday
            ["2024-03-04 00:00", "2024-03-04 00:10"],
        ),
        (
            "cron(0/5 8-17 ? * MON-FRI *)",
            "2024-03-01T17:52",
            ["2024-03-01 17:55", "2024-03-04 08:00", "2024-03-04 08:05"],
        ),
        (
            "cron(0 9 ? * 2#1 *)",  # first Monday of the month
            "2024-01-01T10:00",
            ["2024-02-05 09:00", "2024-03-04 09:00", "2024-04-01 09:00"],
        ),
        # Steps, lists, ranges, names.
        ("cron(1/20 * * * ? *)", "2024-03-01T10:00", ["2024-03-01 10:01", "2024-03-01 10:21"]),
        ("cron(10-20/5 3 * * ? *)", "2024-03-01T03:12", ["2024-03-01 03:15", "2024-03-01 03:20"]),
        ("cron(0 0 1 JAN,JUL ? *)", "2024-02-01T00:00", ["2024-07-01 00:00", "2025-01-01 00:00"]),
        ("cron(0 0 1 jan-mar ? *)", "2024-02-15T00:00", ["2024-03-01 00:00", "2025-01-01 00:00"]),
        ("cron(0 12 ? * SUN,SAT *)", "2024-03-01T00:00", ["2024-03-02 12:00", "2024-03-03 12:00"]),
        ("cron(0 12 ? * 1 *)", "2024-03-01T00:00", ["2024-03-03 12:00", "2024-03-10 12:00"]),
        ("cron(0 12 ? * 7 *)", "2024-03-01T00:00", ["2024-03-02 12:00", "2024-03-09 12:00"]),
        ("cron(0 0 1 */4 ? *)", "2024-02-01T00:00", ["2024-05-01 00:00", "2024-09-01 00:00"]),
        # Day 31 only in months that have it; 29 February only in leap years.
        ("cron(0 0 31 * ? *)", "2024-04-01T00:00", ["2024-05-31 00:00", "2024-07-31 00:00"]),
        ("cron(0 0 29 2 ? *)", "2024-03-01T00:00", ["2028-02-29 00:00", "2032-02-29 00:00"]),
        # L: last day of the month; in day-of-week alone, Saturday.
        ("cron(0 0 L * ? *)", "2024-01-31T00:00", ["2024-02-29 00:00", "2024-03-31 00:00"]),
        ("cron(0 0 L 2 ? *)", "2023-01-01T00:00", ["2023-02-28 00:00", "2024-02-29 00:00"]),
        ("cron(0 0 ? * L *)", "2024-03-01T00:00", ["2024-03-02 00:00", "2024-03-09 00:00"]),
        # nL: the last such weekday of the month (6 = Friday).
        ("cron(0 0 ? * 6L *)", "2024-03-01T00:00", ["2024-03-29 00:00", "2024-04-26 00:00"]),
        ("cron(0 0 ? * FRIL *)", "2024-03-01T00:00", ["2024-03-29 00:00", "2024-04-26 00:00"]),
        # n#k: the k-th such weekday; a fifth one only in months that have it.
        ("cron(0 0 ? * 3#5 *)", "2024-01-01T00:00", ["2024-01-30 00:00", "2024-04-30 00:00"]),
        ("cron(0 0 ? * TUE#2 *)", "2024-03-01T00:00", ["2024-03-12 00:00", "2024-04-09 00:00"]),
        # nW: the weekday nearest day n, never leaving the month.
        # 2024-06-01 is a Saturday: 1W moves forward to Monday the 3rd.
        ("cron(0 0 1W 6 ? *)", "2024-05-01T00:00", ["2024-06-03 00:00", "2025-06-02 00:00"]),
        # 2024-03-16 is a Saturday (-> Fri 15th); 2024-06-16 a Sunday (-> Mon 17th).
        ("cron(0 0 16W 3,6 ? *)", "2024-03-01T00:00", ["2024-03-15 00:00", "2024-06-17 00:00"]),
        # 2024-03-31 is a Sunday and the last day: 31W moves back to Friday the 29th.
        ("cron(0 0 31W 3 ? *)", "2024-03-01T00:00", ["2024-03-29 00:00", "2025-03-31 00:00"]),
        # LW: the last weekday (2024-08-31 is a Saturday).
        ("cron(0 0 LW 8 ? *)", "2024-01-01T00:00", ["2024-08-30 00:00", "2025-08-29 00:00"]),
        # Years.
        ("cron(0 0 1 1 ? 2030-2031)", "2024-01-01T00:00", ["2030-01-01 00:00", "2031-01-01 00:00"]),
        ("cron(0 0 1 1 ? 2024/3)", "2024-06-01T00:00", ["2027-01-01 00:00", "2030-01-01 00:00"]),
    ],
)
def test_cron_next_times(expression: str, start: str, expected: list[str]) -> None:
    assert next_times(expression, start, len(expected)) == expected


def test_next_after_is_strict_and_drops_seconds() -> None:
    schedule = parse_schedule("cron(* * * * ? *)")
    assert schedule.next_after(at("2024-03-01T10:00:00")) == at("2024-03-01T10:01:00")
    assert schedule.next_after(at("2024-03-01T10:00:59.9")) == at("2024-03-01T10:01:00")


def test_year_and_month_rollover() -> None:
    assert next_times("cron(59 23 31 12 ? *)", "2024-12-31T23:59", 1) == ["2025-12-31 23:59"]
    assert next_times("cron(0 0 * * ? *)", "2024-12-31T23:59", 1) == ["2025-01-01 00:00"]


def test_schedule_in_the_past_never_fires_again() -> None:
    assert parse_schedule("cron(0 0 1 1 ? 2020)").next_after(at("2024-01-01T00:00")) is None
    assert parse_schedule("cron(0 0 30 2 ? *)").next_after(at("2024-01-01T00:00")) is None


def test_other_timezones_are_converted_to_utc() -> None:
    from datetime import timezone

    plus_two = timezone(timedelta(hours=2))
    start = datetime(2024, 3, 1, 11, 30, tzinfo=plus_two)  # 09:30 UTC
    assert parse_schedule("cron(0 10 * * ? *)").next_after(start) == at("2024-03-01T10:00")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_schedule("cron(0 10 * * ? *)").next_after(datetime(2024, 3, 1))


# ------------------------------------------------------------------ cron(): errors


@pytest.mark.parametrize(
    ("expression", "column", "fragment"),
    [
        ("cron(0 10 * * *)", 16, "6 fields, got 5"),
        ("cron(0 10 * * ? * *)", 19, "6 fields, got 7"),
        ("cron(0 10 * * * *)", 15, "must be '?'"),
        ("cron(0 10 1 * MON *)", 15, "must be '?'"),
        ("cron(0 10 * * MON *)", 11, "must be '?'"),
        ("cron(0 10 ? * ? *)", 15, "cannot both be '?'"),
        ("cron(60 10 * * ? *)", 6, "minutes value 60 is out of range 0-59"),
        ("cron(0 24 * * ? *)", 8, "hours value 24 is out of range 0-23"),
        ("cron(0 0 0 * ? *)", 10, "day-of-month value 0 is out of range 1-31"),
        ("cron(0 0 32 * ? *)", 10, "day-of-month value 32"),
        ("cron(0 0 1 13 ? *)", 12, "month value 13"),
        ("cron(0 0 ? * 8 *)", 14, "day-of-week value 8"),
        ("cron(0 0 ? * 0 *)", 14, "day-of-week value 0"),
        ("cron(0 0 1 1 ? 1969)", 16, "year value 1969"),
        ("cron(0 0 1 1 ? 2200)", 16, "year value 2200"),
        ("cron(0 0 1 JANUARY ? *)", 12, "unknown month 'JANUARY'"),
        ("cron(0 0 ? * MONDAY *)", 14, "unknown day-of-week 'MONDAY'"),
        ("cron(0 22-2 * * ? *)", 8, "runs backwards"),
        ("cron(0/0 * * * ? *)", 8, "positive whole number"),
        ("cron(0/61 * * * ? *)", 8, "larger than the minutes range"),
        ("cron(0 0 ? * */2 *)", 15, "'/' is not allowed in the day-of-week field"),
        ("cron(0 0 ? * 3#1,6#3 *)", 14, "single expression"),
        ("cron(0 0 ? * 3#6 *)", 16, "occurrence 1-5"),
        ("cron(0 0 1,L * ? *)", 12, "'L' cannot be combined"),
        ("cron(0 0 1-5W * ? *)", 13, "'W' cannot be combined"),
        ("cron(0 0 ? * MON,L *)", 18, "'L' cannot be combined"),
        ("cron(0 0 1,? * MON *)", 12, "'?' must be the whole"),
        ("cron(0 ? * * ? *)", 8, "unexpected '?' in the hours field"),
        ("cron(L 0 * * ? *)", 6, "unexpected 'L' in the minutes field"),
        ("cron(0 0 * * ? 2024#1)", 20, "unexpected '#'"),
        ("cron(0 0 1, * ? *)", 12, "expected a day-of-month value"),
        ("cron(0 0 -5 * ? *)", 10, "expected a day-of-month value"),
        ("cron(0 10 * * ? *", 18, "missing ')'"),
    ],
)
def test_cron_errors(expression: str, column: int, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression)
    assert fragment in caught.value.message, caught.value.message
    assert caught.value.column == column


def test_five_field_unix_cron_gets_a_hint() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("cron(*/5 * * * *)")
    assert caught.value.hint is not None and "year" in caught.value.hint


def test_month_name_typo_gets_a_suggestion() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("cron(0 0 1 JNU ? *)")
    assert caught.value.hint == "did you mean 'JUN'?"


def test_error_str_carries_column_and_hint() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("cron(0 22-2 * * ? *)")
    assert str(caught.value) == (
        "column 8: range 22-2 runs backwards (hint: write it as two ranges, e.g. 22-23,0-2)"
    )


def test_names_inside_ranges_are_not_specials() -> None:
    # JUL contains an L; it must not be read as the "last" special.
    schedule = parse_schedule("cron(0 0 1 JUN-JUL ? *)")
    assert isinstance(schedule, CronSchedule)
    assert schedule.months == frozenset({6, 7})


# ------------------------------------------------------------------ search vs brute force


def _brute_force(schedule: CronSchedule, start: datetime, limit_days: int) -> datetime | None:
    """Minute-by-minute scan over plain value sets: an independent oracle for next_after."""
    assert isinstance(schedule.dom, frozenset | None) and isinstance(schedule.dow, frozenset | None)
    moment = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    end = start + timedelta(days=limit_days)
    while moment <= end:
        weekday = (moment.weekday() + 1) % 7 + 1
        day_ok = (
            moment.day in schedule.dom
            if schedule.dom is not None
            else weekday in (schedule.dow or ())
        )
        if (
            moment.minute in schedule.minutes
            and moment.hour in schedule.hours
            and moment.month in schedule.months
            and moment.year in schedule.years
            and day_ok
        ):
            return moment
        # Skip whole hours/days that cannot match, to keep the oracle fast.
        if moment.hour not in schedule.hours or not day_ok or moment.month not in schedule.months:
            moment = moment.replace(minute=0) + timedelta(hours=1)
        else:
            moment += timedelta(minutes=1)
    return None


def _field(draw: st.DrawFn, lo: int, hi: int) -> str:
    kind = draw(st.sampled_from(["*", "value", "range", "step", "list"]))
    if kind == "*":
        return "*"
    if kind == "value":
        return str(draw(st.integers(lo, hi)))
    if kind == "range":
        a = draw(st.integers(lo, hi))
        return f"{a}-{draw(st.integers(a, hi))}"
    if kind == "step":
        return f"{draw(st.integers(lo, hi))}/{draw(st.integers(1, hi - lo + 1))}"
    values = draw(st.lists(st.integers(lo, hi), min_size=1, max_size=4))
    return ",".join(map(str, values))


@st.composite
def _cron_and_start(draw: st.DrawFn) -> tuple[str, datetime]:
    minutes = _field(draw, 0, 59)
    hours = _field(draw, 0, 23)
    if draw(st.booleans()):
        dom, dow = _field(draw, 1, 28), "?"
    else:
        dom, dow = "?", draw(st.sampled_from(["*", "MON-FRI", "1,7", "3", "2-4"]))
    months = draw(st.sampled_from(["*", "1-6", "JAN,APR,SEP", "*/2", "12"]))
    start = draw(st.datetimes(datetime(2023, 1, 1), datetime(2026, 12, 31)))
    return f"cron({minutes} {hours} {dom} {months} {dow} *)", start.replace(tzinfo=UTC)


@settings(max_examples=60, deadline=None)
@given(_cron_and_start())
def test_next_after_matches_a_brute_force_scan(case: tuple[str, datetime]) -> None:
    expression, start = case
    schedule = parse_schedule(expression)
    assert isinstance(schedule, CronSchedule)
    expected = _brute_force(schedule, start, limit_days=400)
    assert expected is not None  # every generated schedule fires at least yearly
    assert schedule.next_after(start) == expected


def test_weekday_numbering_is_eventbridge_not_unix() -> None:
    # 1 = Sunday in EventBridge (0 = Sunday in Unix cron).
    for day in range(1, 8):
        fire = parse_schedule(f"cron(0 0 ? * {day} *)").next_after(at("2024-03-02T00:00"))
        assert fire is not None
        assert (
            calendar.day_abbr[fire.weekday()].upper()[:3]
            == ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"][day - 1]
        )
