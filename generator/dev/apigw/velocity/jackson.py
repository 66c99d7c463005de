"""Strict JSON, as API Gateway's Java side reads a request body (named after Jackson, its parser).

Contract: `loads(data)` parses a request body (bytes: UTF-8, strictly; or text) into Python
values as `json.loads` does, or raises `JsonParseError` (a `ValueError`) with a message in
Jackson's words. Python's `json` is lenient where Jackson, with its defaults, is not, and some
of its failures are not `JSONDecodeError`s at all; each of those became a 500 with a traceback:
- ``NaN``, ``Infinity``, ``-Infinity``: Python reads them as floats (which later fail to
  serialise); Jackson refuses them ("Non-standard token 'NaN'") unless
  ``ALLOW_NON_NUMERIC_NUMBERS`` is on, and API Gateway does not turn it on;
- a number beyond a double (``1e999``): Python reads infinity. Refused here: no service behind an
  integration takes it (DynamoDB numbers end at 9.99E+125; JSON has no infinity to send);
- a number of more than `MAX_NUMBER_LENGTH` characters: Python raises a bare `ValueError` past
  4,300 digits; Jackson's `StreamReadConstraints` refuse numbers over 1,000 characters;
- nesting deeper than `MAX_DEPTH`: Python's recursive decoder (and everything after it that walks
  the value: the validator, `$input.path`) ends in a `RecursionError`; refused before parsing;
- bytes that are not UTF-8: refused with the offending byte, as Jackson's UTF-8 reader does.
Trailing text after the value is refused, as before (``json.loads``'s "Extra data").
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 256  # Jackson's default bound is 1,000; Python's own stack does not reach that
MAX_NUMBER_LENGTH = 1_000  # Jackson's StreamReadConstraints default
# A JSON string (so brackets inside it do not count), or one bracket.
_NESTING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class JsonParseError(ValueError):
    """A request body that is not the strict JSON API Gateway's parsers accept."""


def _constant(name: str) -> Any:
    raise JsonParseError(
        f"Non-standard token '{name}': enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS to allow"
    )


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise JsonParseError(f"Number value length ({len(text)}) exceeds the maximum allowed ({MAX_NUMBER_LENGTH})")
    value = float(text)
    if math.isinf(value):
        raise JsonParseError(f"Numeric value ({text[:40]}) out of range of double")
    return value


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_LENGTH:
        raise JsonParseError(f"Number value length ({len(text)}) exceeds the maximum allowed ({MAX_NUMBER_LENGTH})")
    return int(text)


def _check_depth(text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # cannot nest deeper than it has brackets: the common case costs two counts
    depth = 0
    for match in _NESTING.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise JsonParseError(
                    f"Document nesting depth ({depth}) exceeds the maximum allowed ({MAX_DEPTH})"
                )
        elif token in ("]", "}"):
            depth -= 1


def decode(data: bytes) -> str:
    """UTF-8 text of a body, strictly."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise JsonParseError(f"Invalid UTF-8 byte 0x{byte:02x} at offset {error.start}") from None


def loads(data: str | bytes) -> Any:
    text = decode(data) if isinstance(data, bytes) else data
    _check_depth(text)
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as error:
        raise JsonParseError(
            f"Unexpected character at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:  # a backstop: _check_depth should have refused it
        raise JsonParseError(f"Document nesting depth exceeds the maximum allowed ({MAX_DEPTH})") from None
