"""Firehose's S3 object keys: ``<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>.gz``.

The prefix takes Firehose's custom-prefix expressions: ``!{timestamp:<Java DateTimeFormatter
pattern>}`` (letters yyyy yy MM dd HH mm ss, quoted 'literals') and
``!{firehose:random-string}``; a prefix with no timestamp expression gets Firehose's default
``yyyy/MM/dd/HH/`` appended. Every timestamp is the arrival time of the oldest record in the
object, in UTC, so the same records always land under the same date. Pure: no I/O.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from datetime import UTC, datetime

_EXPRESSION = re.compile(r"!\{([A-Za-z]+):([^}]*)\}")
_PATTERN_LETTERS = {
    "yyyy": "%Y",
    "yy": "%y",
    "MM": "%m",
    "dd": "%d",
    "HH": "%H",
    "mm": "%M",
    "ss": "%S",
}
_DEFAULT_TIME_PREFIX = "!{timestamp:yyyy/MM/dd/HH}/"


def _random_string() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(11))


def java_pattern_to_strftime(pattern: str) -> str:
    """Translate a DateTimeFormatter pattern (the subset above) to a strftime format."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.find("'", i + 1)
            if end == -1:
                raise ValueError(f"unterminated quote in timestamp pattern {pattern!r}")
            out.append(pattern[i + 1 : end].replace("%", "%%") or "'")
            i = end + 1
        elif char.isalpha():
            run = re.match(rf"{char}+", pattern[i:])
            assert run is not None
            letters = run.group()
            if letters not in _PATTERN_LETTERS:
                raise ValueError(
                    f"timestamp pattern letters {letters!r} are not supported locally; "
                    f"use {', '.join(_PATTERN_LETTERS)}"
                )
            out.append(_PATTERN_LETTERS[letters])
            i += len(letters)
        else:
            out.append("%%" if char == "%" else char)
            i += 1
    return "".join(out)


class ObjectNamer:
    """Evaluates one delivery stream's prefix and suffix into S3 keys."""

    def __init__(
        self,
        delivery_stream: str,
        prefix: str,
        version: int = 1,
        random_string: Callable[[], str] = _random_string,
    ) -> None:
        if "!{timestamp:" not in prefix:
            prefix += _DEFAULT_TIME_PREFIX
        self._parts: list[tuple[str, str]] = []  # (kind, text): literal | time | random
        position = 0
        for match in _EXPRESSION.finditer(prefix):
            self._parts.append(("literal", prefix[position : match.start()]))
            namespace, value = match.groups()
            if namespace == "timestamp":
                self._parts.append(("time", java_pattern_to_strftime(value)))
            elif namespace == "firehose" and value == "random-string":
                self._parts.append(("random", ""))
            else:
                raise ValueError(
                    f"prefix expression !{{{namespace}:{value}}} is not supported locally "
                    "(supported: !{timestamp:...}, !{firehose:random-string})"
                )
            position = match.end()
        if "!{" in prefix[position:]:
            raise ValueError(f"unterminated expression in prefix {prefix!r}")
        self._parts.append(("literal", prefix[position:]))
        self._delivery_stream = delivery_stream
        self._version = version
        self._random_string = random_string

    def prefix_for(self, oldest_arrival: datetime) -> str:
        """The evaluated prefix for an object whose oldest record arrived at ``oldest_arrival``."""
        moment = oldest_arrival.astimezone(UTC)
        text = []
        for kind, value in self._parts:
            if kind == "time":
                text.append(moment.strftime(value))
            elif kind == "random":
                text.append(self._random_string())
            else:
                text.append(value)
        return "".join(text)

    def key_for(self, oldest_arrival: datetime, unique_id: str) -> str:
        """The full object key, GZIP extension included."""
        stamp = oldest_arrival.astimezone(UTC).strftime("%Y-%m-%d-%H-%M-%S")
        suffix = f"{self._delivery_stream}-{self._version}-{stamp}-{unique_id}.gz"
        return self.prefix_for(oldest_arrival) + suffix
