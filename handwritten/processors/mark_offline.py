# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `mark_offline`: runs on `rate(5 minutes)`.

Reads: devices. Writes: devices.
"""

from __future__ import annotations

from typing import Any


def handle(batch: Any) -> None:
    """Apply one batch; raise to fail it (the generated entry module reports the failures)."""
    raise NotImplementedError("mark_offline: write the processing logic here")
