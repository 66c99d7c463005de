"""One output line's fields and its two renderings.

A `Line` is one record gen dev prints: its ``time``, ``source`` (``access``: a request the HTTP
server answered; ``function``: output of a processor's invocation; ``stack``: gen dev's own
messages and everything else), ``name`` (the processor for ``function``, the logger otherwise),
``level``, ``message``, and for a function's structured output (a Powertools log record, an EMF
metrics document) the printed object itself as ``data``.

``json`` renders one JSON object per line: ``{"time", "source", "name", "level", "message"}``
plus ``data`` and ``exception`` when present (the time in UTC, ISO 8601 with milliseconds).
``pretty`` renders ``HH:MM:SS.mmm LEVEL   label  message`` (local time; the label is
``access``, the processor's name, or ``stack``), a structured log's own keys appended as
``key=value``, an EMF document as its metric values; an exception's lines follow, indented.
Both are pure functions of the `Line`.
"""

from __future__ import annotations

import json
import time as _time
from dataclasses import dataclass, field
from typing import Any

LOG_FORMATS = ("pretty", "json")
SOURCES = ("access", "function", "stack")

# Keys every Powertools log record carries: shown in json (under data), not repeated in pretty.
_POWERTOOLS_KEYS = frozenset({
    "level", "location", "message", "timestamp", "service", "sampling_rate", "cold_start",
    "function_name", "function_memory_size", "function_arn", "function_request_id",
    "xray_trace_id", "processor", "exception", "exception_name", "stack_trace",
})


@dataclass(frozen=True)
class Line:
    source: str
    name: str
    level: str
    message: str
    time: float  # seconds since the epoch, as time.time()
    data: dict[str, Any] | None = None
    exception: str | None = None
    raw: str | None = field(default=None, compare=False, repr=False)  # `data` as printed


def function_line(name: str, text: str, level: str, time: float) -> Line:
    """A line a function printed: a Powertools record or EMF document is read, else plain text."""
    data = _object(text)
    if data is None:
        return Line("function", name, level, text, time)
    if isinstance(data.get("_aws"), dict):
        return Line("function", name, level, "metrics " + _metric_values(data), time, data, raw=text)
    message = data.get("message")
    if message is None:
        return Line("function", name, level, text, time, data, raw=text)
    exception = data.get("exception")
    return Line(
        "function", name, str(data.get("level") or level).upper(),
        message if isinstance(message, str) else json.dumps(message, default=str), time, data,
        exception if isinstance(exception, str) else None, raw=text,
    )


def _object(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _metric_values(document: dict[str, Any]) -> str:
    names: list[Any] = []
    for directive in document["_aws"].get("CloudWatchMetrics") or []:
        names += [m.get("Name") for m in directive.get("Metrics") or [] if isinstance(m, dict)]
    values = [f"{n}={_compact(document.get(n))}" for n in names if isinstance(n, str)]
    return " ".join(values) or "(none)"


def _compact(value: Any) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, default=str)


def render(line: Line, log_format: str) -> str:
    """`line` as `log_format` prints it (no trailing newline; pretty may span lines)."""
    return render_json(line) if log_format == "json" else render_pretty(line)


def render_json(line: Line) -> str:
    stamp = _stamp(line.time, utc=True) + "Z"
    record: dict[str, Any] = {
        "time": stamp, "source": line.source, "name": line.name, "level": line.level,
        "message": line.message,
    }
    if line.exception is not None:
        record["exception"] = line.exception
    text = json.dumps(record, default=str, separators=(",", ":"))
    if line.raw is not None:  # the printed object as it was printed: one JSON line already
        return f'{text[:-1]},"data":{line.raw}}}'
    if line.data is not None:
        return f'{text[:-1]},"data":{json.dumps(line.data, default=str, separators=(",", ":"))}}}'
    return text


def render_pretty(line: Line) -> str:
    label = line.name if line.source == "function" else line.source
    message = line.message.replace("\n", "\n    ")
    stamp = _stamp(line.time, utc=False)
    text = f"{stamp} {line.level:<7} {label:<16} {message}"
    if line.data is not None and "message" in line.data:
        extra = [f"{k}={_compact(v)}" for k, v in line.data.items() if k not in _POWERTOOLS_KEYS]
        text += "  " + " ".join(extra) if extra else ""
    if line.exception:
        text += "".join(f"\n    {part}" for part in line.exception.rstrip("\n").splitlines())
    return text


_seconds: dict[bool, tuple[int, str]] = {}  # the last second formatted (a line's time mostly repeats)


def _stamp(moment: float, *, utc: bool) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmm`` in UTC, or ``HH:MM:SS.mmm`` in local time."""
    millis = round(moment * 1000)
    whole = millis // 1000
    cached = _seconds.get(utc)
    if cached is not None and cached[0] == whole:
        second = cached[1]
    else:
        second = (_time.strftime("%Y-%m-%dT%H:%M:%S", _time.gmtime(whole)) if utc
                  else _time.strftime("%H:%M:%S", _time.localtime(whole)))
        _seconds[utc] = (whole, second)
    return f"{second}.{millis % 1000:03d}"
