"""All of gen dev's output through one writer, for one run: `installed(log_format)`.

While the context is open: ``sys.stdout`` and ``sys.stderr`` are `LineCapture` stand-ins (a
function's ``print()``, Powertools logs and EMF metrics, gen dev's banner), and stdlib logging
reaches a `SinkHandler` twice over: on the ``generator`` logger (gen dev's own and access
records; not propagated) and on the root logger (everything else, e.g. a handler's
``logging.getLogger(__name__)``), both at INFO. Powertools adds a filter to the root logger's
handlers that drops every record whose logger name *contains* its service name, so gen dev's
records must not depend on the root handler (a project named ``dev`` would silence them).
On exit everything is put back as it was, and unterminated text is passed on.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO, cast

from generator.dev.logsink.capture import LineCapture
from generator.dev.logsink.handler import SinkHandler
from generator.dev.logsink.writer import LineWriter

ACCESS_LOGGER = "generator.dev.access"
OWN_LOGGER = "generator"


@contextmanager
def installed(log_format: str = "pretty", *, level: int = logging.INFO) -> Iterator[LineWriter]:
    out, err = sys.stdout, sys.stderr
    writer = LineWriter(out, err, log_format)
    captures = LineCapture(writer, out, on_stderr=False), LineCapture(writer, err, on_stderr=True)
    own, root = logging.getLogger(OWN_LOGGER), logging.getLogger()
    saved = (own.level, own.propagate, root.level)
    own_handler, root_handler = SinkHandler(writer, ACCESS_LOGGER), SinkHandler(writer, ACCESS_LOGGER)
    own.addHandler(own_handler)
    own.propagate = False
    own.setLevel(level)
    root.addHandler(root_handler)
    root.setLevel(level)
    stand_ins = cast(TextIO, captures[0]), cast(TextIO, captures[1])
    sys.stdout, sys.stderr = stand_ins
    try:
        yield writer
    finally:
        if sys.stdout is stand_ins[0]:
            sys.stdout = out
        if sys.stderr is stand_ins[1]:
            sys.stderr = err
        for capture in captures:
            capture.close()
        own.removeHandler(own_handler)
        root.removeHandler(root_handler)
        own.setLevel(saved[0])
        own.propagate = saved[1]
        root.setLevel(saved[2])
