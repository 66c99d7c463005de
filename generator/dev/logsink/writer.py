"""The one writer: whole lines, one at a time, to stdout or stderr, each flushed.

`LineWriter(out, err, log_format)` serialises every write of gen dev's output behind one lock:
a line (or a pretty record's continuation lines) is written and flushed before any other line
starts, on either stream, so lines are never interleaved or merged, even when stdout and stderr
are one terminal or one pipe (``2>&1``). Records (`record`) go to ``out``; `text` is a line
printed outside any function: in ``pretty`` it is written unchanged to the stream it was
printed on (gen dev's banner, ``ready: URL``), in ``json`` it becomes a ``stack`` record on
``out``. A stream that fails (a closed pipe) drops the line, never the caller.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

from generator.dev.logsink.records import LOG_FORMATS, Line, function_line, render


class LineWriter:
    def __init__(self, out: TextIO, err: TextIO, log_format: str = "pretty") -> None:
        if log_format not in LOG_FORMATS:
            raise ValueError(f"unknown log format {log_format!r}: one of {', '.join(LOG_FORMATS)}")
        self.out, self.err, self.log_format = out, err, log_format
        # Reentrant: a signal handler that prints while its thread holds the lock must not hang.
        self._lock = threading.RLock()

    def record(self, line: Line) -> None:
        self._write(self.out, render(line, self.log_format))

    def text(self, text: str, *, function: str | None, on_stderr: bool) -> None:
        """One whole line printed by a function (`function`) or by gen dev itself (None)."""
        level = "WARNING" if on_stderr else "INFO"
        now = time.time()
        if function is not None:
            self.record(function_line(function, text, level, now))
        elif self.log_format == "json":
            self.record(Line("stack", "gen dev", level, text, now))
        else:
            self._write(self.err if on_stderr else self.out, text)

    def _write(self, stream: TextIO, text: str) -> None:
        with self._lock:
            try:
                stream.write(text + "\n")
                stream.flush()
            except (OSError, ValueError):
                pass  # a closed pipe or stream: the line is lost, the stack keeps serving
