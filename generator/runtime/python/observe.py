"""Structured JSON logs and EMF metrics through Powertools, built on the first invocation.

Importing Powertools costs tens of milliseconds, so entry modules import this module (cheap)
and Powertools is loaded only when `telemetry()` is first called. Service name and metrics
namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE, defaulting to the
project name gen was given; LOG_LEVEL sets the level.

Each processor's log keys are its own. Powertools' Loggers of one service share one logging
logger, handler and formatter, so when several processors, or several invocations of one, run
in one process at once (gen dev: a thread per shard) the keys one appends (its ``processor``,
its Lambda context, keys its code appends) would appear in the others' lines. The service's
formatter keeps one key set per processor and invoking thread instead (what one Lambda
execution environment holds: keys last across its invocations), chosen by the invocation that
is running (a context variable set around it; in a thread the handler started itself, the
invocation that started last). Metrics likewise: one Powertools Metrics per processor and
invoking thread, so an invocation's EMF document holds its own values. In AWS a process runs one
processor, one invocation at a time, so its lines are what plain Powertools prints. A custom
formatter is left alone.
"""

from __future__ import annotations

import contextvars as _cv
import os as _os
import threading as _threading
import typing as _t

if _t.TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

# The formatter's own attributes (it lives as long as the process, across re-imports of this
# module): key sets by environment, the context variable naming the running one, the last one.
_KEY_SETS = "gen_key_sets"
_SCOPE = "gen_environment"
_LAST = "gen_last_environment"
# The running invocation's environment ("<processor>@<thread>"), for its Metrics.
_ENVIRONMENT: _cv.ContextVar[str] = _cv.ContextVar("gen_environment", default="")


class Telemetry:
    """One Powertools Logger and a Metrics per execution environment for a processor."""

    __slots__ = ("_last", "_metrics", "_new_metrics", "logger", "processor")

    def __init__(
        self, logger: Logger, new_metrics: _t.Callable[[], Metrics], processor: str
    ) -> None:
        self.logger = logger
        self.processor = processor
        self._new_metrics = new_metrics
        self._metrics: dict[str, Metrics] = {}
        self._last = ""

    @property
    def metrics(self) -> Metrics:
        """The Metrics of the running invocation's environment (of the last one started, in a
        thread the handler started itself): concurrent invocations flush only their own."""
        environment = _ENVIRONMENT.get() or self._last
        found = self._metrics.get(environment)
        if found is None:
            found = self._metrics.setdefault(environment, self._new_metrics())
        return found

    def count(self, name: str, value: int = 1) -> None:
        """Add a Count metric, zeros included (flushed as EMF at the end of the invocation)."""
        self.metrics.add_metric(name=name, unit="Count", value=value)

    def wrap(self, handler: _t.Callable[[_t.Any, _t.Any], _t.Any]) -> _t.Callable[..., _t.Any]:
        """`handler` with the Lambda context in every log line and metrics flushed after it."""

        def labelled(event: _t.Any, context: _t.Any) -> _t.Any:
            # Per invocation: metric dimensions are cleared at every flush.
            metrics = self.metrics
            if metrics.provider.dimension_set.get("processor") != self.processor:
                metrics.add_dimension(name="processor", value=self.processor)
            self.logger.append_keys(processor=self.processor)
            return handler(event, context)

        with_context = self.logger.inject_lambda_context(labelled)

        def flushed(event: _t.Any, context: _t.Any) -> _t.Any:
            metrics = self.metrics
            return metrics.log_metrics(with_context, capture_cold_start_metric=True)(event, context)

        formatter = self.logger.registered_formatter
        keys_scope: _cv.ContextVar[str] | None = getattr(formatter, _SCOPE, None)
        processor, keys = self.processor, formatter.__dict__

        def scoped(event: _t.Any, context: _t.Any) -> _t.Any:
            # A thread runs one invocation at a time, as a Lambda execution environment does.
            environment = f"{processor}@{_threading.get_ident()}"
            token = _ENVIRONMENT.set(environment)
            self._last = environment
            keys_token = None
            if keys_scope is not None:
                keys_token = keys_scope.set(environment)
                keys[_LAST] = environment
            try:
                return flushed(event, context)
            finally:
                _ENVIRONMENT.reset(token)
                if keys_scope is not None and keys_token is not None:
                    keys_scope.reset(keys_token)

        return scoped


def _environment(formatter: _t.Any) -> str:
    running: str = formatter.__dict__[_SCOPE].get()
    return running or str(formatter.__dict__.get(_LAST, ""))


def _keys_of(formatter: _t.Any) -> dict[str, _t.Any]:
    key_sets: dict[str, dict[str, _t.Any]] = formatter.__dict__[_KEY_SETS]
    environment = _environment(formatter)
    found = key_sets.get(environment)
    if found is None:  # an environment's first line: the keys set before any invocation
        found = key_sets.setdefault(environment, dict(key_sets[""]))
    return found


def _set_keys_of(formatter: _t.Any, keys: dict[str, _t.Any]) -> None:
    formatter.__dict__[_KEY_SETS][_environment(formatter)] = keys


def _keys_per_processor(logger: Logger) -> None:
    """Give the service's formatter one key set per environment (processor and invoking
    thread); once per process."""
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    formatter = logger.registered_formatter
    if type(formatter) is not LambdaPowertoolsFormatter:
        return  # already per processor, or a formatter of the project's own
    state = formatter.__dict__
    state[_KEY_SETS] = {"": state.pop("log_format")}
    state[_SCOPE] = _cv.ContextVar(_SCOPE, default="")
    # The same object, with `log_format` (every key method reads and assigns it) per environment.
    formatter.__class__ = type(
        "ProcessorKeysFormatter",
        (LambdaPowertoolsFormatter,),
        {"log_format": property(_keys_of, _set_keys_of), "__module__": __name__},
    )


_cache: dict[tuple[str, str], Telemetry] = {}


def telemetry(default_service: str, processor: str) -> Telemetry:
    """The Telemetry of `processor` (created once per process)."""
    key = (default_service, processor)
    found = _cache.get(key)
    if found is None:
        from aws_lambda_powertools import Logger, Metrics
        from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
            AmazonCloudWatchEMFProvider,
        )

        service = _os.environ.get("POWERTOOLS_SERVICE_NAME") or default_service
        namespace = _os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or default_service
        level = _os.environ.get("LOG_LEVEL") or _os.environ.get("POWERTOOLS_LOG_LEVEL") or "INFO"
        logger = Logger(service=service, level=level)
        _keys_per_processor(logger)

        def new_metrics() -> Metrics:
            # A provider of its own keeps these metrics apart from other processors and
            # invocations sharing the process (gen dev); Metrics() alone shares class-level state.
            provider = AmazonCloudWatchEMFProvider(namespace=namespace, service=service)
            return Metrics(service=service, namespace=namespace, provider=provider)

        found = _cache[key] = Telemetry(logger, new_metrics, processor)
    return found
