"""EventBridge-like scheduled rules for the local stack: run handlers on rate()/cron() times.

`Scheduler` invokes each handler with the event and Lambda context an EventBridge rule would
deliver, at the times `generator.aws.schedules` computes (UTC; rate schedules count from when they were
added, as a rule counts from its creation). A handler error is logged and recorded, never
fatal. Missed fire times (a paused process, a jumped clock) coalesce into one run. The clock
is injectable: tests drive `run_due()` directly; `start()` runs it in a thread. Firings run
one at a time, in the scheduler's thread; a `fire_now()` from another thread waits for a run
of the same schedule in progress, as one Lambda execution environment would.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from generator.aws.schedules import RateSchedule, Schedule, parse_schedule
from generator.dev.lambdas.shapes import LambdaContext, function_arn, scheduled_event
from generator.dev.local_aws.identity import DEFAULT_REGION, LOCAL_ACCOUNT

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any], Any], Any]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


@dataclass(frozen=True)
class RunRecord:
    """One invocation of a scheduled handler and how it ended."""

    name: str
    scheduled_time: datetime  # the time in the event: the fire time, or now for fire_now
    started_at: datetime
    duration_ms: float
    result: Any = None
    error: str | None = None  # "ExceptionType: message" when the handler raised
    manual: bool = False  # fired by fire_now()

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "scheduledTime": _iso(self.scheduled_time),
            "startedAt": self.started_at.astimezone(UTC).isoformat(),
            "durationMs": round(self.duration_ms, 3),
            "ok": self.ok,
            "result": _jsonable(self.result),
            "error": self.error,
            "manual": self.manual,
        }


@dataclass
class _Rule:
    name: str
    schedule: Schedule
    handler: Handler
    rule_arn: str
    function_name: str
    next_fire: datetime | None
    history: deque[RunRecord]
    runs: int = 0
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)  # guards history/counters
    # One execution environment per function: a fire_now() waits for a scheduled run.
    invoke_lock: threading.Lock = field(default_factory=threading.Lock)


class Scheduler:
    """Named schedules, each calling one handler; see the module docstring for semantics."""

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        region: str = DEFAULT_REGION,
        account: str = LOCAL_ACCOUNT,
        history_size: int = 20,
        max_sleep_s: float = 1.0,
    ) -> None:
        self._clock = clock
        self._region = region
        self._account = account
        self._history_size = history_size
        self._max_sleep_s = max_sleep_s
        self._rules: dict[str, _Rule] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(
        self,
        name: str,
        schedule: str | Schedule,
        handler: Handler,
        rule_name: str | None = None,
        function_name: str | None = None,
    ) -> None:
        """Register ``handler`` under ``name``; raises `ScheduleError` for a bad expression."""
        parsed = parse_schedule(schedule) if isinstance(schedule, str) else schedule
        now = self._clock()
        if isinstance(parsed, RateSchedule):
            parsed = parsed.anchored(now)
        with self._lock:
            if name in self._rules:
                raise ValueError(f"schedule {name!r} is already registered")
            self._rules[name] = _Rule(
                name=name,
                schedule=parsed,
                handler=handler,
                rule_arn=f"arn:aws:events:{self._region}:{self._account}:rule/{rule_name or name}",
                function_name=function_name or name,
                next_fire=parsed.next_after(now),
                history=deque(maxlen=self._history_size),
            )

    def _rule(self, name: str) -> _Rule:
        with self._lock:
            if name not in self._rules:
                known = ", ".join(sorted(self._rules)) or "none"
                raise KeyError(f"no schedule named {name!r} (known: {known})")
            return self._rules[name]

    def next_fire(self, name: str) -> datetime | None:
        return self._rule(name).next_fire

    def run_due(self) -> list[RunRecord]:
        """Fire every schedule whose next time has come (once each); what ran, in order."""
        now = self._clock()
        with self._lock:
            due = [r for r in self._rules.values() if r.next_fire and r.next_fire <= now]
            due.sort(key=lambda rule: (rule.next_fire or now, rule.name))
            fire_times = {}
            for rule in due:
                fire_times[rule.name] = rule.next_fire
                rule.next_fire = rule.schedule.next_after(now)
        return [self._invoke(rule, fire_times[rule.name] or now, manual=False) for rule in due]

    def fire_now(self, name: str) -> RunRecord:
        """Run the schedule ``name`` immediately (its regular times are unaffected)."""
        return self._invoke(self._rule(name), self._clock(), manual=True)

    def _invoke(self, rule: _Rule, scheduled_time: datetime, manual: bool) -> RunRecord:
        event = scheduled_event(rule.rule_arn, scheduled_time, self._region, self._account)
        context = LambdaContext(
            function_name=rule.function_name,
            invoked_function_arn=function_arn(rule.function_name, self._region, self._account),
        )
        result: Any = None
        error: str | None = None
        with rule.invoke_lock:
            started_at = self._clock()
            began = time.perf_counter()
            try:
                result = rule.handler(event, context)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                log.error("schedule %s: handler failed: %s", rule.name, error, exc_info=True)
            duration_ms = (time.perf_counter() - began) * 1000
        record = RunRecord(
            name=rule.name,
            scheduled_time=scheduled_time,
            started_at=started_at,
            duration_ms=duration_ms,
            result=result,
            error=error,
            manual=manual,
        )
        with rule.lock:
            rule.history.append(record)
            rule.runs += 1
            rule.failures += 0 if record.ok else 1
        return record

    def history(self, name: str) -> list[RunRecord]:
        """The most recent runs of ``name``, oldest first."""
        rule = self._rule(name)
        with rule.lock:
            return list(rule.history)

    def status(self) -> list[dict[str, Any]]:
        """JSON-ready status of every schedule, by name: for a status endpoint."""
        with self._lock:
            rules = sorted(self._rules.values(), key=lambda rule: rule.name)
        out = []
        for rule in rules:
            with rule.lock:
                last = rule.history[-1] if rule.history else None
                out.append(
                    {
                        "name": rule.name,
                        "expression": rule.schedule.expression,
                        "ruleArn": rule.rule_arn,
                        "nextRun": _iso(rule.next_fire) if rule.next_fire else None,
                        "runs": rule.runs,
                        "failures": rule.failures,
                        "lastRun": last.to_json() if last else None,
                    }
                )
        return out

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the scheduler is already running")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_due()
            self._stop.wait(self._sleep_for())

    def _sleep_for(self) -> float:
        now = self._clock()
        with self._lock:
            upcoming = [r.next_fire for r in self._rules.values() if r.next_fire is not None]
        if not upcoming:
            return self._max_sleep_s
        # Waking at least every max_sleep_s notices clock jumps and newly added schedules.
        return min(max((min(upcoming) - now).total_seconds(), 0.01), self._max_sleep_s)
