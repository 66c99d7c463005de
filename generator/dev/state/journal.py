"""An append-only journal of AWS writes, in numbered segments of JSON lines.

`Journal(directory, segment)` appends to ``<directory>/<segment:08d>.jsonl``. `append(entry)`
writes one line with one ``write(2)`` before returning, so an entry appended is in the kernel's
page cache: a `kill -9` of the process loses nothing appended; a background thread fsyncs the
segment every `FSYNC_INTERVAL_S` when it has grown, so a crash of the machine loses at most the
entries of the last interval. `synced` counts the entries known to be on disk (tests wait on it).
`rotate()` starts the next segment and returns its number (a snapshot is taken at a rotation and
covers every earlier segment); `drop_before(n)` deletes the segments a snapshot made obsolete.

`read(directory, first)` yields the entries of segments ``>= first`` in order. A line cut short
by a crash mid-write (no newline, or not JSON) ends its segment: it was never acknowledged.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
FSYNC_INTERVAL_S = 1.0
_SUFFIX = ".jsonl"


def segments(directory: Path) -> list[int]:
    """The segment numbers present, ascending."""
    found = []
    for path in directory.glob(f"*{_SUFFIX}"):
        stem = path.name[: -len(_SUFFIX)]
        if stem.isdigit():
            found.append(int(stem))
    return sorted(found)


def _path(directory: Path, segment: int) -> Path:
    return directory / f"{segment:08d}{_SUFFIX}"


def read(directory: Path, first: int) -> Iterator[dict[str, Any]]:
    for segment in segments(directory):
        if segment < first:
            continue
        with _path(directory, segment).open("rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    log.warning("state: journal %08d ends with a torn entry (a crash mid-write): "
                                "ignored", segment)
                    break
                try:
                    entry = json.loads(line)
                except ValueError:
                    log.warning("state: journal %08d has an unreadable entry: the rest of the "
                                "segment is ignored", segment)
                    break
                if isinstance(entry, dict):
                    yield entry


class Journal:
    def __init__(self, directory: Path, segment: int, interval_s: float = FSYNC_INTERVAL_S) -> None:
        self.directory = directory
        self.segment = segment
        self._lock = threading.Lock()
        self._fd = self._open(segment)
        self._written = 0  # entries appended
        self.synced = 0  # entries known to be on disk
        self._stop = threading.Event()
        self._interval = interval_s
        self._thread = threading.Thread(target=self._run, name="gen-state-fsync", daemon=True)
        self._thread.start()

    def _open(self, segment: int) -> int:
        return os.open(_path(self.directory, segment), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view):]
            self._written += 1

    def sync(self) -> None:
        """fsync what was appended (the background thread's job; callable directly)."""
        with self._lock:
            written = self._written
            if written == self.synced or self._fd < 0:
                return
            fd = os.dup(self._fd)  # fsync outside the lock: appends go on meanwhile
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        with self._lock:
            self.synced = max(self.synced, written)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.sync()
            except OSError as error:  # a full disk: say so once a second, keep serving
                log.warning("state: cannot fsync the journal: %s", error.strerror or error)

    def rotate(self) -> int:
        """Close this segment (fsynced) and continue in the next; the new segment's number."""
        with self._lock:
            os.fsync(self._fd)
            os.close(self._fd)
            self.segment += 1
            self._fd = self._open(self.segment)
            self.synced = self._written
            return self.segment

    def drop_before(self, segment: int) -> None:
        for number in segments(self.directory):
            if number < segment:
                _path(self.directory, number).unlink(missing_ok=True)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        with self._lock:
            if self._fd >= 0:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = -1
                self.synced = self._written
