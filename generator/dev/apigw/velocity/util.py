"""`$util` of API Gateway mapping templates, with the exact Java behaviour of each function.

A null argument reads as the empty string, so every function but `parseJson` answers "" for it
(recorded for `urlEncode`: `$util.urlEncode($input.body.missing)` renders nothing on AWS); and
`parseJson(null)` is null. Invalid input to `urlDecode`, `base64Decode` and `parseJson` is an
error (the template fails, and API Gateway answers 500), as Java's decoders throw.

- `escapeJavaScript(s)`: Apache Commons `StringEscapeUtils.escapeJavaScript`: `'` -> `\\'`,
  `"` -> `\\"`, `\\` -> `\\\\`, `/` -> `\\/`, `\\b \\t \\n \\f \\r`, other control characters and
  every character above U+007F as `\\uXXXX` (upper-case hex, UTF-16 units, so an emoji is a
  surrogate pair). `\\'` is not valid JSON: that is API Gateway's real behaviour, and why templates
  write `$util.escapeJavaScript($s).replaceAll("\\\\'", "'")`.
- `parseJson(s)`: a JSON text as a template value (objects are maps, arrays JSON arrays).
- `urlEncode(s)` / `urlDecode(s)`: `java.net.URLEncoder` / `URLDecoder` in UTF-8 (space is `+`;
  `*`, `-`, `.`, `_` stay; `~` is encoded; a malformed `%` escape is an error).
- `base64Encode(s)` / `base64Decode(s)`: standard alphabet with padding over the UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from generator.dev.apigw.velocity import jackson, java

_SIMPLE_ESCAPES = {
    "'": "\\'",
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_NEEDS_ESCAPE = re.compile(r"""['"\\/\x00-\x1f]|[^\x00-\x7f]""")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    simple = _SIMPLE_ESCAPES.get(char)
    if simple is not None:
        return simple
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"
    return f"\\u{code:04X}"


def _text(value: Any) -> str:
    return "" if value is None else java.to_string(value)


def escape_javascript(value: Any) -> str:
    return _NEEDS_ESCAPE.sub(_escape_char, _text(value))


def parse_json(text: Any) -> Any:
    if text is None:
        return None
    return java.from_json(jackson.loads(java.to_string(text)))


def url_encode(value: Any) -> str:
    raw = _text(value).encode("utf-8", "replace")
    return quote_plus(raw, safe="*").replace("~", "%7E")


_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def url_decode(value: Any) -> str:
    text = _text(value)
    if _BAD_PERCENT.search(text):
        raise ValueError(f"URLDecoder: illegal hex characters in escape (%) pattern in {text!r}")
    return unquote_plus(text, encoding="utf-8", errors="replace")


def base64_encode(value: Any) -> str:
    return base64.b64encode(_text(value).encode("utf-8", "replace")).decode("ascii")


def base64_decode(value: Any) -> str:
    text = _text(value).strip()
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as error:
        raise ValueError(f"Illegal base64 input {text!r}: {error}") from None
    return raw.decode("utf-8", "replace")


class UtilVariable:
    """The `$util` object a template sees (method names are API Gateway's)."""

    def escapeJavaScript(self, value: Any) -> str:  # noqa: N802 - API Gateway's name
        return escape_javascript(value)

    def parseJson(self, text: Any) -> Any:  # noqa: N802
        return parse_json(text)

    def urlEncode(self, value: Any) -> str:  # noqa: N802
        return url_encode(value)

    def urlDecode(self, value: Any) -> str:  # noqa: N802
        return url_decode(value)

    def base64Encode(self, value: Any) -> str:  # noqa: N802
        return base64_encode(value)

    def base64Decode(self, value: Any) -> str:  # noqa: N802
        return base64_decode(value)
