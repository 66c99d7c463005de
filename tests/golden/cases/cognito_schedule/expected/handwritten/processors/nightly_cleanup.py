# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `nightly_cleanup`: runs on `cron(0 3 * * ? *)`.

Reads: settings. Writes: settings.
"""

from __future__ import annotations

from prefs.contracts import NightlyCleanupContext
from prefs.runtime.schedule import Tick


def handle(tick: Tick, ctx: NightlyCleanupContext) -> None:
    """Run once per tick of `cron(0 3 * * ? *)` (contract:
    prefs.contracts.NightlyCleanupHandler).

    Raise to report the invocation as failed (EventBridge retries it).
    """
    raise NotImplementedError("nightly_cleanup: write the processing logic here")
