# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `register_devices`: handles device.registered from stream `telemetry`.

Reads: nothing. Writes: devices, sites.
"""

from __future__ import annotations

from typing import Any


def handle(batch: Any) -> None:
    """Apply one batch; raise to fail it (the generated entry module reports the failures)."""
    raise NotImplementedError("register_devices: write the processing logic here")
