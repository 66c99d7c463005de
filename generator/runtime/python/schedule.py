"""The EventBridge side of scheduled processors: a typed tick, then the handwritten function.

The scheduled event (`{"id", "time", "detail-type": "Scheduled Event", ...}`) is validated into
a `Tick`; an invalid event raises (Lambda reports the invocation failed; EventBridge retries).
The processor's own exceptions propagate the same way, after being logged.
"""

from __future__ import annotations

import datetime as _dt
import typing as _t

import msgspec as _msgspec

if _t.TYPE_CHECKING:
    from .observe import Telemetry

C = _t.TypeVar("C")


class Tick(_msgspec.Struct, kw_only=True, frozen=True, rename={"detail_type": "detail-type"}):
    """One firing of a schedule. `time` is when EventBridge fired it (UTC)."""

    time: _t.Annotated[_dt.datetime, _msgspec.Meta(tz=True)]
    id: str = ""
    source: str = "aws.events"
    account: str = ""
    region: str = ""
    resources: list[str] = []
    detail_type: str = "Scheduled Event"
    detail: dict[str, _t.Any] = {}


def decode_tick(event: object) -> Tick:
    """The Tick of a scheduled event; raises ValueError when the event is not one."""
    try:
        return _msgspec.convert(event, Tick)
    except _msgspec.ValidationError as exc:
        raise ValueError(f"not a scheduled event: {exc}") from exc


class ScheduleRunner(_t.Generic[C]):
    """Runs one scheduled processor: `invoke` is the Lambda handler body, `process` its core."""

    def __init__(
        self,
        *,
        project: str,
        processor: str,
        handle: _t.Callable[[Tick, C], None],
        context: _t.Callable[[Telemetry | None], C],
    ) -> None:
        self.project = project
        self.processor = processor
        self.handle = handle
        self.make_context = context
        self._invoke: _t.Callable[[_t.Any, _t.Any], _t.Any] | None = None

    def invoke(self, event: dict[str, _t.Any], lambda_context: _t.Any) -> None:
        """The Lambda handler: sets up telemetry and context once, then processes."""
        if self._invoke is None:
            from .observe import telemetry

            tel = telemetry(self.project, self.processor)
            ctx = self.make_context(tel)

            def run(event: dict[str, _t.Any], lambda_context: _t.Any) -> None:
                if hasattr(ctx, "lambda_context"):
                    ctx.lambda_context = lambda_context
                self.process(event, ctx, tel)

            self._invoke = tel.wrap(run)
        self._invoke(event, lambda_context)

    def reset(self) -> None:
        """Drop the cached setup (tests that change the environment call this)."""
        self._invoke = None

    def process(self, event: dict[str, _t.Any], ctx: C, telemetry: Telemetry | None = None) -> Tick:
        """Validate the tick and run the processor on it; returns the tick."""
        try:
            tick = decode_tick(event)
        except ValueError:
            if telemetry is not None:
                telemetry.logger.exception("invalid scheduled event")
                telemetry.count("TicksInvalid")
            raise
        if telemetry is not None:
            telemetry.logger.info("tick", extra={"tick_id": tick.id, "tick_time": str(tick.time)})
        try:
            self.handle(tick, ctx)
        except Exception:
            if telemetry is not None:
                telemetry.logger.exception("scheduled processor failed")
                telemetry.count("TicksFailed")
            raise
        if telemetry is not None:
            telemetry.count("TicksProcessed")
        return tick
