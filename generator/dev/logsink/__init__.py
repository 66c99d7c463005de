"""`gen dev`'s one writer: every line the local stack prints, whole, in one format.

Owns: `records` (one line's fields and its two renderings, ``pretty`` and ``json``), `writer`
(`LineWriter`: one lock around whole-line writes to stdout and stderr), `origin` (which function
a thread is running, set around each invocation), `capture` (`LineCapture`: a ``sys.stdout`` /
``sys.stderr`` stand-in that buffers each thread's text until a newline and hands whole lines
to the writer), `handler` (`SinkHandler`: stdlib logging records to the writer) and `install`
(`installed(log_format)`: all of it put in place for one `gen dev` run, and undone).

May import: the standard library. Nothing of `generator` (everything above may use it).
"""

from generator.dev.logsink.install import installed
from generator.dev.logsink.origin import attributed, current_function
from generator.dev.logsink.records import LOG_FORMATS

__all__ = ["LOG_FORMATS", "attributed", "current_function", "installed"]
