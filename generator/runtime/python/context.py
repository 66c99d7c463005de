"""What every processor receives besides its tables: logs, metrics, the clock, the Lambda context.

The generated `<Processor>Context` classes (contracts.py) extend `ProcessorContext` with one
attribute per table the processor reads or writes, named from the spec, each bound to the
physical table in `TABLE_<TABLE>`.
"""

from __future__ import annotations

import datetime as _dt
import os as _os
import typing as _t

if _t.TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

    from .observe import Telemetry


def utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def table_name(env_var: str) -> str:
    """The physical table name from the environment; a clear error when it is missing."""
    name = _os.environ.get(env_var)
    if not name:
        raise RuntimeError(f"{env_var} is not set: the function's environment names its tables")
    return name


class ProcessorContext:
    """Telemetry, clock and Lambda context shared by every processor's context."""

    def __init__(self, telemetry: Telemetry | None = None) -> None:
        self.telemetry = telemetry
        self.lambda_context: _t.Any = None
        self.clock: _t.Callable[[], _dt.datetime] = utc_now

    def now(self) -> _dt.datetime:
        """The current time (UTC, timezone-aware); tests replace `clock`."""
        return self.clock()

    @property
    def logger(self) -> Logger:
        """The Powertools Logger (structured JSON)."""
        if self.telemetry is None:
            raise RuntimeError("this context has no telemetry")
        return self.telemetry.logger

    @property
    def metrics(self) -> Metrics:
        """The Powertools Metrics (EMF), flushed after each invocation."""
        if self.telemetry is None:
            raise RuntimeError("this context has no telemetry")
        return self.telemetry.metrics

    def count(self, name: str, value: int = 1) -> None:
        """Add a Count metric; a no-op without telemetry."""
        if self.telemetry is not None:
            self.telemetry.count(name, value)
