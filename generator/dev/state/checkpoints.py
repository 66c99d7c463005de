"""Stream consumers' checkpoints kept with the state: in memory, journaled, snapshotted.

`StateCheckpointStore` is a `kinesis.checkpoints.CheckpointStore`: `put` records the checkpoint
in memory and appends it to the journal through the recorder (after the writes of the batch it
closes, in the same order); `snapshot()` is a copy for a snapshot; the store starts from what
`restore` recovered (`initial`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from generator.dev.state.recorder import Recorder


class StateCheckpointStore:
    def __init__(self, recorder: Recorder, initial: Mapping[str, str]) -> None:
        self._recorder = recorder
        self._lock = threading.Lock()
        self._data = dict(initial)

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._data.get(key)

    def put(self, key: str, sequence_number: str) -> None:
        with self._lock:
            self._data[key] = sequence_number
        self._recorder.checkpoint(key, sequence_number)

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return dict(self._data)
