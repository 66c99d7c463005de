# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `tick_tock`: runs on `cron(0 12 * * ? *)`.

Reads: metrics. Writes: nothing.
"""

from __future__ import annotations

from edge_case.contracts import TickTockContext
from edge_case.runtime.schedule import Tick


def handle(tick: Tick, ctx: TickTockContext) -> None:
    """Run once per tick of `cron(0 12 * * ? *)` (contract:
    edge_case.contracts.TickTockHandler).

    Raise to report the invocation as failed (EventBridge retries it).
    """
    raise NotImplementedError("tick_tock: write the processing logic here")
