"""A replay's progress file and its failed-records file.

The checkpoint (JSON, replaced atomically) says which replay it belongs to (`Identity`: stream,
bucket, processor, types and the window as given), the window as resolved when the replay
began, the `Position` of the last record settled (applied, duplicate, skipped by type or
failed: every record up to it is done), how far `--reapply` has deleted idempotency records,
whether the replay finished, and its running totals. The same command finds it and resumes;
another replay's checkpoint is refused; a finished one is started over.

`Checkpoint` is also the shard worker's `CheckpointStore`: the worker `put`s the sequence
number it settled and the feed says where that record sits in the lake. `FailedLog` is the
worker's on-failure destination: it appends each record it is given (what Lambda would send to
the dead-letter queue) as one JSON line to ``<checkpoint>.failed.jsonl``.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator.dev.lambdas.dead_letters import DeadLetterQueue
from generator.errors import UsageError
from generator.ir.names import REPLAY_FAILED_SUFFIX
from generator.replay.feed import LakeFeed, Position
from generator.replay.window import Window

VERSION = 1


@dataclass(frozen=True)
class Identity:
    """What makes two replays the same replay (the options as given, not as resolved)."""

    stream: str
    bucket: str
    processor: str
    types: tuple[str, ...]
    since: str | None
    until: str | None
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "types": list(self.types)}


@dataclass
class Totals:
    read: int = 0
    applied: int = 0
    duplicates: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass
class State:
    identity: Identity
    window: Window
    position: Position | None = None
    reapplied: Position | None = None
    done: bool = False
    totals: Totals = field(default_factory=Totals)


def failed_path(checkpoint: Path) -> Path:
    return checkpoint.with_name(checkpoint.name + REPLAY_FAILED_SUFFIX)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)  # a reader sees the old or the new checkpoint, never a torn one
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_state(path: Path, identity: Identity, fresh: Window, restart: bool) -> tuple[State, bool]:
    """The state to run with and whether it resumes an interrupted replay.

    Raises `UsageError` when `path` holds another replay's checkpoint (unless `restart`)."""
    if restart or not path.is_file():
        return State(identity, fresh), False
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        stored = document["replay"]
        same = stored == identity.to_json() and document.get("version") == VERSION
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(f"{path} is not a gen replay checkpoint",
                         hint="pass another --checkpoint, or --restart to overwrite it") from None
    if not same:
        shown = ", ".join(f"{k}={v}" for k, v in stored.items() if v not in (None, []))
        raise UsageError(f"{path} is the checkpoint of another replay ({shown})",
                         hint="run that command again to resume it, pass another --checkpoint, "
                              "or --restart to start this replay over")
    if document.get("done"):
        return State(identity, fresh), False
    return State(
        identity,
        Window.from_json(document["window"]),
        Position.from_json(document.get("position")),
        Position.from_json(document.get("reapplied")),
        False,
        Totals(**document.get("totals", {})),
    ), True


class Checkpoint:
    """The checkpoint file of one replay, and the shard worker's `CheckpointStore`."""

    def __init__(self, path: Path, state: State) -> None:
        self.path = path
        self.state = state
        self.feed: LakeFeed | None = None
        self.on_settled: Callable[[list[str]], None] = lambda seqs: None
        self._settled = 0  # highest sequence number settled (they are 1, 2, 3, ...)

    def save(self) -> None:
        state = self.state
        document = {
            "version": VERSION,
            "replay": state.identity.to_json(),
            "window": state.window.to_json(),
            "position": state.position.to_json() if state.position else None,
            "reapplied": state.reapplied.to_json() if state.reapplied else None,
            "done": state.done,
            "totals": asdict(state.totals),
        }
        _write_atomic(self.path, json.dumps(document, indent=2) + "\n")

    # CheckpointStore: the worker resumes from nothing; the feed already starts after position.
    def get(self, key: str) -> str | None:
        return None

    def put(self, key: str, sequence_number: str) -> None:
        assert self.feed is not None
        upto = int(sequence_number)
        seqs = [str(n) for n in range(self._settled + 1, upto + 1)]
        self._settled = max(self._settled, upto)
        found = [self.feed.positions.pop(seq) for seq in seqs if seq in self.feed.positions]
        if found:
            self.state.position = max(position for position, _ in found)
        self.on_settled(seqs)
        self.save()


class FailedLog(DeadLetterQueue):
    """Appends the records the worker gives up on to ``<checkpoint>.failed.jsonl``."""

    def __init__(self, path: Path, feed: LakeFeed, reasons: dict[str, str],
                 on_failed: Callable[[list[str]], None]) -> None:
        super().__init__(None, None)
        self.path = path
        self._feed = feed
        self._reasons = reasons
        self._on_failed = on_failed

    def send(self, document: dict[str, Any], records: Sequence[dict[str, Any]]) -> int:
        condition = document["requestContext"]["condition"]
        lines, seqs = [], []
        for record in records:
            seq = record["kinesis"]["sequenceNumber"]
            data = base64.b64decode(record["kinesis"]["data"])
            position, _ = self._feed.positions[seq]
            try:
                event: Any = json.loads(data)
            except ValueError:
                event = data.decode("utf-8", "replace")
            lines.append(json.dumps({
                "object": position.key, "line": position.line, "condition": condition,
                "error": self._reasons.get(seq, "unknown"), "event": event,
            }, separators=(",", ":")) + "\n")
            seqs.append(seq)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.writelines(lines)
        self._on_failed(seqs)
        return len(lines)
