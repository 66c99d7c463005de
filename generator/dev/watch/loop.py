"""The watch thread: poll spec/ and handwritten/, reload the stack on a change, report it.

Contract: `Watcher(stack, root, out)` polls every `interval` seconds (default 0.1 s); once a
change has settled (a second scan a moment later sees nothing newer, so a save written in two
steps is one change), it applies it (`reload.apply`), prints the outcome's lines with `out`
and publishes it as ``reload`` in ``/_local/status`` (with a growing ``generation``). Files the
build itself wrote under handwritten/ (a new processor's scaffold) do not trigger another
reload. Until a spec change has been applied, every later change is applied as a spec change
(a processor fixed after a spec reload failed on it brings the whole new spec in). `stop()`
joins the thread, after a reload in hand.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from generator.dev.stack import RunningStack
from generator.dev.watch.files import Snapshot, changes, scan
from generator.dev.watch.reload import Outcome, apply, classify

log = logging.getLogger(__name__)
INTERVAL_S = 0.1
SETTLE_S = 0.02


class Watcher:
    def __init__(
        self,
        stack: RunningStack,
        root: Path,
        out: Callable[[str], None] = print,
        *,
        interval: float = INTERVAL_S,
    ) -> None:
        self.stack = stack
        self.root = root.resolve()
        self.generation = 0
        self.last: Outcome | None = None
        self._out = out
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._snapshot: Snapshot = scan(self.root)
        self._spec_pending = False

    def start(self) -> None:
        self.stack.report_reload({"generation": 0, "state": "watching", "changed": [],
                                  "errors": [], "warnings": [], "message": ""})
        self._thread = threading.Thread(target=self._run, name="gen-dev-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.poll()
            except Exception:  # the watcher outlives any one bad round (apply() reports its own)
                log.exception("gen dev --watch: a polling round failed; still watching")

    def poll(self) -> Outcome | None:
        """One round: apply what changed since the last round, if anything (also for tests)."""
        current = scan(self.root)
        if not changes(self._snapshot, current):
            return None
        while True:  # let a save in several writes settle
            time.sleep(SETTLE_S)
            later = scan(self.root)
            if later == current:
                break
            current = later
        paths = changes(self._snapshot, current)
        self._snapshot = current
        change = classify(paths)
        if self._spec_pending:
            change = replace(change, spec=True)
        outcome = apply(self.stack, self.root, change)
        self._spec_pending = change.spec and outcome.state != "reloaded"
        if outcome.written:
            after = scan(self.root)
            for path in outcome.written:
                if path in after:
                    self._snapshot[path] = after[path]
        self.generation += 1
        self.last = outcome
        self.stack.report_reload(outcome.to_json(self.generation))
        for line in outcome.lines():
            self._out(line)
        return outcome
