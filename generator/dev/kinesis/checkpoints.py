"""Checkpoint stores: the last sequence number a stream consumer has finished, per key.

A key names one consumer of one shard (e.g. ``apply_readings/fleet-telemetry/shardId-0``).
`MemoryCheckpointStore` lives as long as the process; `JsonFileCheckpointStore` keeps one
small JSON file per key under a directory, replaced atomically, so a restarted consumer
resumes exactly after its last checkpoint. Both are safe to share between threads.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol
from urllib.parse import quote


class CheckpointStore(Protocol):
    """Where stream consumers remember how far they got."""

    def get(self, key: str) -> str | None:
        """The checkpointed sequence number for ``key``, or None if it has none."""
        ...

    def put(self, key: str, sequence_number: str) -> None:
        """Record that everything up to and including ``sequence_number`` is done."""
        ...


class MemoryCheckpointStore:
    """Checkpoints in a dict: survives stop/start of a consumer, not of the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._data.get(key)

    def put(self, key: str, sequence_number: str) -> None:
        with self._lock:
            self._data[key] = sequence_number


class JsonFileCheckpointStore:
    """One ``<quoted key>.json`` file per key under ``directory``, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        return self.directory / (quote(key, safe="") + ".json")

    def get(self, key: str) -> str | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        value = data.get("sequenceNumber")
        return value if isinstance(value, str) else None

    def put(self, key: str, sequence_number: str) -> None:
        body = json.dumps({"key": key, "sequenceNumber": sequence_number}) + "\n"
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(body)
                # A reader sees the old or the new checkpoint, never a torn file.
                os.replace(tmp, self._path(key))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
