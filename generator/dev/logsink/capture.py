"""A ``sys.stdout`` / ``sys.stderr`` stand-in that hands whole lines to the writer.

`LineCapture(writer, stream, on_stderr)` buffers what each thread writes until a newline, then
passes each complete line to `LineWriter.text` with the function the writing thread is running
(`origin.current_function`), so a ``print()`` split into several writes, or written while other
threads print, still arrives as one line. ``flush()`` does not cut a line short (``print(...,
end="")`` continues it); a line longer than `MAX_PENDING` characters is passed on in parts;
`close()` passes on what every thread left unterminated. Anything else (``fileno()``,
``isatty()``, ``encoding``) is the real stream's. After `close()` (gen dev stopped) writes go to
whatever ``sys.stdout``/``sys.stderr`` then is: a Powertools handler keeps the stream it was
created with for the life of the process.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO

from generator.dev.logsink.origin import current_function
from generator.dev.logsink.writer import LineWriter

MAX_PENDING = 1 << 20


class LineCapture:
    def __init__(self, writer: LineWriter, stream: TextIO, *, on_stderr: bool) -> None:
        self._writer = writer
        self._stream = stream
        self._on_stderr = on_stderr
        self._pending: dict[int, str] = {}  # thread ident -> its unterminated text
        self._closed = False

    def write(self, text: str) -> int:
        if self._closed:
            current = sys.stderr if self._on_stderr else sys.stdout
            target: Any = self._stream if current is self else current
            target.write(text)
            return len(text)
        ident = threading.get_ident()
        pending = self._pending.pop(ident, "") + text
        *lines, rest = pending.split("\n")
        if len(rest) > MAX_PENDING:
            lines.append(rest)
            rest = ""
        if rest:
            self._pending[ident] = rest
        function = current_function()
        for line in lines:
            self._writer.text(line, function=function, on_stderr=self._on_stderr)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Lines are flushed as they complete; an unterminated line waits for its newline."""

    def close(self) -> None:
        """Pass on every thread's unterminated text; later writes go to the current sys stream."""
        pending, self._pending = self._pending, {}
        for rest in pending.values():
            self._writer.text(rest, function=None, on_stderr=self._on_stderr)
        self._closed = True

    @property
    def closed(self) -> bool:
        return False  # to its writers it stays open (see the module docstring)

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
