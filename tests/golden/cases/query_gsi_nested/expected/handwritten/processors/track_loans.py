# Scaffolded by gen from spec/model.yaml. This file is yours: gen never overwrites it.
"""Processor `track_loans`: handles book.loaned, book.returned from stream `activity`.

Reads: books. Writes: loans.
"""

from __future__ import annotations

from typing import Any


def handle(batch: Any) -> None:
    """Apply one batch; raise to fail it (the generated entry module reports the failures)."""
    raise NotImplementedError("track_loans: write the processing logic here")
