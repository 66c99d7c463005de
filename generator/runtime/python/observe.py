"""Structured JSON logs and EMF metrics through Powertools, built on the first invocation.

Importing Powertools costs tens of milliseconds, so entry modules import this module (cheap)
and Powertools is loaded only when `telemetry()` is first called. Service name and metrics
namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE, defaulting to the
project name gen was given; LOG_LEVEL sets the level.
"""

from __future__ import annotations

import os as _os
import typing as _t

if _t.TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics


class Telemetry:
    """One Powertools Logger and Metrics pair for a processor."""

    __slots__ = ("logger", "metrics", "processor")

    def __init__(self, logger: Logger, metrics: Metrics, processor: str) -> None:
        self.logger = logger
        self.metrics = metrics
        self.processor = processor

    def count(self, name: str, value: int = 1) -> None:
        """Add a Count metric, zeros included (flushed as EMF at the end of the invocation)."""
        self.metrics.add_metric(name=name, unit="Count", value=value)

    def wrap(self, handler: _t.Callable[[_t.Any, _t.Any], _t.Any]) -> _t.Callable[..., _t.Any]:
        """`handler` with the Lambda context in every log line and metrics flushed after it."""

        def labelled(event: _t.Any, context: _t.Any) -> _t.Any:
            # Per invocation: metric dimensions are cleared at every flush, and Loggers of one
            # service share their keys when several processors share a process (gen dev).
            if self.metrics.provider.dimension_set.get("processor") != self.processor:
                self.metrics.add_dimension(name="processor", value=self.processor)
            self.logger.append_keys(processor=self.processor)
            return handler(event, context)

        with_context = self.logger.inject_lambda_context(labelled)
        return self.metrics.log_metrics(with_context, capture_cold_start_metric=True)


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
        # A provider of its own keeps this processor's metrics apart from other processors
        # sharing the process (gen dev); Metrics() alone shares class-level state.
        provider = AmazonCloudWatchEMFProvider(namespace=namespace, service=service)
        metrics = Metrics(service=service, namespace=namespace, provider=provider)
        found = _cache[key] = Telemetry(logger, metrics, processor)
    return found
