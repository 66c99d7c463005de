"""Stdlib logging records to the one writer, as ``access``, ``function`` or ``stack`` lines.

`SinkHandler(writer, access_logger)` turns a record into a `Line`: a record of `access_logger`
(or a logger under it) is ``access``; any other record logged while a function runs
(`origin.current_function`) is that function's; anything else is ``stack``, named by its logger. The exception
of a record logged with ``exc_info`` travels as the line's ``exception``.
"""

from __future__ import annotations

import logging
from generator.dev.logsink.origin import current_function
from generator.dev.logsink.records import Line
from generator.dev.logsink.writer import LineWriter


class SinkHandler(logging.Handler):
    def __init__(self, writer: LineWriter, access_logger: str) -> None:
        super().__init__()
        self._writer = writer
        self._access = access_logger

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._writer.record(self.line(record))
        except Exception:
            self.handleError(record)

    def line(self, record: logging.LogRecord) -> Line:
        function = current_function()
        if record.name == self._access or record.name.startswith(self._access + "."):
            source, name = "access", record.name
        elif function is not None:
            source, name = "function", function
        else:
            source, name = "stack", record.name
        exception = None
        if record.exc_info:
            exception = self.formatter.formatException(record.exc_info) if self.formatter else (
                logging.Formatter().formatException(record.exc_info))
        return Line(source, name, record.levelname, record.getMessage(),
                    record.created, exception=exception)
