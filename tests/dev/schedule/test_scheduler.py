"""The EventBridge-like scheduler, driven by an injected clock."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from generator.aws.schedules import ScheduleError
from generator.dev.schedule.scheduler import Scheduler

T0 = datetime(2024, 3, 1, 10, 7, 30, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def advance(self, **delta: float) -> None:
        with self.lock:
            self.now += timedelta(**delta)


class Calls:
    def __init__(self, result: Any = None, error: Exception | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.result = result
        self.error = error
        self.called = threading.Event()

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        self.called.set()
        if self.error is not None:
            raise self.error
        return self.result


def test_rate_schedules_count_from_when_they_were_added() -> None:
    clock, calls = Clock(), Calls()
    scheduler = Scheduler(clock=clock)
    scheduler.add("mark_offline", "rate(5 minutes)", calls)
    assert scheduler.next_fire("mark_offline") == T0 + timedelta(minutes=5)

    clock.advance(minutes=4, seconds=59)
    assert scheduler.run_due() == []
    clock.advance(seconds=1)
    (run,) = scheduler.run_due()
    assert run.scheduled_time == T0 + timedelta(minutes=5) and run.ok and not run.manual
    assert calls.events[0]["time"] == "2024-03-01T10:12:30Z"
    assert scheduler.run_due() == []  # once per fire time
    assert scheduler.next_fire("mark_offline") == T0 + timedelta(minutes=10)


def test_missed_fire_times_coalesce_into_one_run() -> None:
    clock, calls = Clock(), Calls()
    scheduler = Scheduler(clock=clock)
    scheduler.add("tick", "rate(1 minute)", calls)
    clock.advance(minutes=10, seconds=10)  # e.g. the laptop slept
    assert len(scheduler.run_due()) == 1
    assert scheduler.next_fire("tick") == T0 + timedelta(minutes=11)


def test_cron_schedules_fire_on_their_times() -> None:
    clock, calls = Clock(), Calls()
    scheduler = Scheduler(clock=clock)
    scheduler.add("quarterly", "cron(0/15 * * * ? *)", calls)
    assert scheduler.next_fire("quarterly") == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    clock.now = datetime(2024, 3, 1, 10, 15, 0, 400_000, tzinfo=UTC)
    (run,) = scheduler.run_due()
    assert run.scheduled_time == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert calls.events[0]["time"] == "2024-03-01T10:15:00Z"
    assert scheduler.next_fire("quarterly") == datetime(2024, 3, 1, 10, 30, tzinfo=UTC)


def test_fire_now_delivers_the_eventbridge_event_and_a_lambda_context() -> None:
    clock, calls = Clock(), Calls(result={"marked": 3})
    scheduler = Scheduler(clock=clock, region="eu-west-1", account="111122223333")
    scheduler.add("mark_offline", "rate(5 minutes)", calls, rule_name="fleet-mark_offline",
                  function_name="fleet-mark_offline")  # fmt: skip

    run = scheduler.fire_now("mark_offline")

    assert run.result == {"marked": 3} and run.ok and run.manual
    (event,) = calls.events
    assert set(event) == {
        "version", "id", "detail-type", "source", "account", "time", "region", "resources",
        "detail",
    }  # fmt: skip
    assert event["version"] == "0"
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["account"] == "111122223333"
    assert event["region"] == "eu-west-1"
    assert event["time"] == "2024-03-01T10:07:30Z"
    assert event["resources"] == ["arn:aws:events:eu-west-1:111122223333:rule/fleet-mark_offline"]
    assert event["detail"] == {}
    context = calls.contexts[0]
    assert context.function_name == "fleet-mark_offline"
    assert context.invoked_function_arn.endswith(":111122223333:function:fleet-mark_offline")
    assert context.get_remaining_time_in_millis() > 0
    # Firing by hand does not move the regular schedule.
    assert scheduler.next_fire("mark_offline") == T0 + timedelta(minutes=5)
    scheduler.fire_now("mark_offline")
    assert calls.events[0]["id"] != calls.events[1]["id"]  # every event has its own id


def test_handler_errors_are_recorded_and_do_not_stop_other_schedules() -> None:
    clock = Clock()
    broken, healthy = Calls(error=RuntimeError("table missing")), Calls(result="ok")
    scheduler = Scheduler(clock=clock)
    scheduler.add("broken", "rate(1 minute)", broken)
    scheduler.add("healthy", "rate(1 minute)", healthy)
    clock.advance(minutes=1)
    runs = scheduler.run_due()
    assert [(r.name, r.ok) for r in runs] == [("broken", False), ("healthy", True)]
    assert runs[0].error == "RuntimeError: table missing"
    clock.advance(minutes=1)
    assert len(scheduler.run_due()) == 2  # the broken one keeps its schedule

    status = {entry["name"]: entry for entry in scheduler.status()}
    json.dumps(status)  # ready for a status endpoint
    assert status["broken"]["runs"] == 2 and status["broken"]["failures"] == 2
    assert status["broken"]["lastRun"]["error"] == "RuntimeError: table missing"
    assert status["broken"]["nextRun"] == "2024-03-01T10:10:30Z"
    assert status["healthy"]["lastRun"]["result"] == "ok"
    assert status["healthy"]["expression"] == "rate(1 minute)"
    assert len(scheduler.history("broken")) == 2


def test_status_survives_results_that_are_not_json() -> None:
    scheduler = Scheduler(clock=Clock())
    scheduler.add("odd", "rate(1 day)", Calls(result={1, 2}))
    scheduler.fire_now("odd")
    (entry,) = scheduler.status()
    assert entry["lastRun"]["result"] == "{1, 2}"
    assert entry["lastRun"]["manual"] is True


def test_history_is_bounded() -> None:
    scheduler = Scheduler(clock=Clock(), history_size=3)
    scheduler.add("x", "rate(1 day)", Calls())
    for _ in range(5):
        scheduler.fire_now("x")
    assert len(scheduler.history("x")) == 3
    assert scheduler.status()[0]["runs"] == 5


def test_the_background_thread_fires_when_the_clock_reaches_a_fire_time() -> None:
    clock, calls = Clock(), Calls()
    scheduler = Scheduler(clock=clock, max_sleep_s=0.02)
    scheduler.add("tick", "rate(1 minute)", calls)
    scheduler.start()
    try:
        assert not calls.called.wait(0.1)
        clock.advance(minutes=1)
        assert calls.called.wait(2.0)
    finally:
        scheduler.stop()
    assert len(calls.events) == 1


def test_registration_errors() -> None:
    scheduler = Scheduler(clock=Clock())
    scheduler.add("a", "rate(1 hour)", Calls())
    with pytest.raises(ValueError, match="already registered"):
        scheduler.add("a", "rate(1 hour)", Calls())
    with pytest.raises(ScheduleError):
        scheduler.add("b", "rate(1 hours)", Calls())
    with pytest.raises(KeyError, match="known: a"):
        scheduler.fire_now("nope")


def test_fire_now_waits_for_a_run_in_progress() -> None:
    clock, entered, release = Clock(), threading.Event(), threading.Event()
    inside: list[int] = []
    most = 0

    def handler(event: dict[str, Any], context: Any) -> None:
        nonlocal most
        inside.append(1)
        most = max(most, len(inside))
        entered.set()
        release.wait(2)
        inside.pop()

    scheduler = Scheduler(clock=clock)
    scheduler.add("x", "rate(1 minute)", handler)
    clock.advance(minutes=1)
    scheduled = threading.Thread(target=scheduler.run_due)
    scheduled.start()
    assert entered.wait(2)
    threading.Timer(0.1, release.set).start()
    manual = scheduler.fire_now("x")  # blocks until the scheduled run has finished
    scheduled.join()
    assert most == 1 and manual.ok
    assert [run.manual for run in scheduler.history("x")] == [False, True]
