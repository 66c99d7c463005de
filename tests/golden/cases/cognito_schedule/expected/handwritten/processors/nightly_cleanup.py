# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `nightly_cleanup`: runs on `cron(0 3 * * ? *)`.

Reads: settings. Writes: settings.
"""

from __future__ import annotations

from typing import Any


def handle(batch: Any) -> None:
    """Apply one batch; raise to fail it (the generated entry module reports the failures)."""
    raise NotImplementedError("nightly_cleanup: write the processing logic here")
