"""HTTP/1.1 request framing: where a request's head and body start and end, or why they cannot.

Contract: `read_head(rfile, limits)` reads one request line and header section from a binary
stream and returns a `RequestHead`, or `None` when the peer closed the connection before sending
a byte (a keep-alive connection that ends). `read_body(rfile, head, limits)` then reads exactly
the body the head announces (`body_length` checks the head first: `Content-Length`, or de-chunked `Transfer-Encoding: chunked` with
its trailers skipped). Anything the server must not guess about raises `FramingError(status,
message)`; the caller answers it and closes the connection, because after a framing error the
next request's first byte is unknown:

| request | status |
| --- | --- |
| request line over `limits.request_line` bytes | 414 |
| header section over `limits.header_section` bytes or `limits.header_count` fields | 431 |
| request line or header field that does not parse; obs-fold; space before a colon; two `Host`s | 400 |
| `Content-Length` not a decimal number, or two different ones | 400 |
| both `Content-Length` and `Transfer-Encoding` (request smuggling) | 400 |
| a chunk size that is not hexadecimal, or a chunk not followed by CRLF | 400 |
| a transfer coding other than exactly `chunked` | 501 |
| POST, PUT or PATCH with neither `Content-Length` nor `Transfer-Encoding` | 411 (`limits.length_required`) |
| a body (declared, or de-chunked so far) over `limits.body` | 413 |
| an HTTP version other than 1.0 or 1.1 | 505 |

Why strict: the same byte stream must mean the same requests to every hop (RFC 9112 section
6.3); a lenient reading is how requests are smuggled. The request line's default is API
Gateway's URL limit (10,240 characters, regional API); the body's is above its 10 MB payload
limit, which the gateway itself enforces (`apigw.gateway`, 413 "Request Too Long").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol


class BinaryIO(Protocol):
    """What framing reads from: a buffered binary stream (a socket's ``makefile('rb')``)."""

    def readline(self, size: int | None = -1, /) -> bytes: ...

    def read(self, size: int | None = -1, /) -> bytes: ...


_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(rb"HTTP/(\d)\.(\d)")
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_MAX_BLANK_LINES = 8  # RFC 9112 2.2: ignore at least one empty line before the request line


@dataclass(frozen=True)
class Limits:
    """How large each part of a request may be, in bytes (``header_count``: fields)."""

    request_line: int = 10_240 + 64  # API Gateway's regional URL limit, plus method and version
    header_section: int = 64 * 1024
    header_count: int = 100
    # API Gateway's payload limit is 10 MB (not adjustable); the gateway answers a body over it
    # with its own (customisable) REQUEST_TOO_LARGE response, so the server reads a little more
    # and refuses, unread, only what is well beyond it.
    body: int = 16 * 1024 * 1024
    length_required: bool = True  # POST/PUT/PATCH without a length -> 411 (else: empty body)


class FramingError(Exception):
    """A request the server answers with `status` and closes the connection after."""

    REASONS = {
        400: "Bad Request",
        411: "Length Required",
        413: "Payload Too Large",
        414: "URI Too Long",
        431: "Request Header Fields Too Large",
        501: "Not Implemented",
        505: "HTTP Version Not Supported",
    }

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.REASONS[self.status]}"


@dataclass(frozen=True)
class RequestHead:
    method: str
    target: str
    version: str  # "HTTP/1.0" or "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        """The last value of header `name` (case-insensitive), or None."""
        lowered = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == lowered:
                found = value
        return found

    def all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for v in self.all("connection") for t in v.split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


def read_head(rfile: BinaryIO, limits: Limits) -> RequestHead | None:
    line = b""
    for _ in range(_MAX_BLANK_LINES):
        line = rfile.readline(limits.request_line + 1)
        if not line:
            return None
        if line not in (b"\r\n", b"\n"):
            break
    if len(line) > limits.request_line or not line.endswith(b"\n"):
        if len(line) > limits.request_line:
            raise FramingError(414, f"Request line longer than {limits.request_line} bytes")
        raise FramingError(400, "Request line ended before its end of line")
    method, target, version = _request_line(line.rstrip(b"\r\n"))
    head = RequestHead(method, target, version, _headers(rfile, limits))
    if len(head.all("host")) > 1:  # RFC 9112 3.2: which host is meant is ambiguous
        raise FramingError(400, "More than one Host header field")
    return head


def _request_line(line: bytes) -> tuple[str, str, str]:
    parts = line.split(b" ")
    if len(parts) != 3 or not all(parts):
        raise FramingError(400, "Malformed request line")
    method, target, version = parts
    if not _TOKEN.fullmatch(method):
        raise FramingError(400, "Malformed request method")
    if any(byte <= 0x20 or byte == 0x7F for byte in target):
        raise FramingError(400, "Malformed request target")
    matched = _VERSION.fullmatch(version)
    if matched is None:
        raise FramingError(400, "Malformed HTTP version")
    if matched.group(1) != b"1" or matched.group(2) not in (b"0", b"1"):
        raise FramingError(505, f"HTTP version {version.decode('latin-1')} is not supported")
    return method.decode("ascii"), target.decode("latin-1"), version.decode("ascii")


def _headers(rfile: BinaryIO, limits: Limits) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    size = 0
    while True:
        line = rfile.readline(limits.header_section - size + 1)
        size += len(line)
        if size > limits.header_section:
            raise FramingError(431, f"Request header section larger than {limits.header_section} bytes")
        if not line.endswith(b"\n"):
            raise FramingError(400, "Header section ended before its end")
        if line in (b"\r\n", b"\n"):
            return headers
        if line[:1] in (b" ", b"\t"):
            raise FramingError(400, "Obsolete line folding in a header field")
        name, colon, value = line.rstrip(b"\r\n").partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise FramingError(400, "Malformed header field")
        if len(headers) >= limits.header_count:
            raise FramingError(431, f"More than {limits.header_count} request header fields")
        headers.append((name.decode("ascii"), value.strip(b" \t").decode("latin-1")))


def body_length(head: RequestHead, limits: Limits) -> int | None:
    """The body's length as the head declares it (None: chunked), checked before any body byte
    is read (so ``Expect: 100-continue`` is answered only for a body the server will take)."""
    codings = [
        token.strip().lower() for value in head.all("transfer-encoding") for token in value.split(",")
    ]
    lengths = head.all("content-length")
    if codings and lengths:
        raise FramingError(400, "Both Content-Length and Transfer-Encoding: refusing an ambiguous body")
    if codings:
        if codings != ["chunked"]:
            raise FramingError(501, f"Transfer-Encoding {', '.join(codings)} is not supported")
        return None
    if not lengths:
        if limits.length_required and head.method in _BODY_METHODS:
            raise FramingError(411, f"{head.method} without Content-Length")
        return 0
    values = {value.strip() for value in lengths}
    if len(values) != 1:
        raise FramingError(400, "Conflicting Content-Length values")
    (text,) = values
    if not _DIGITS.fullmatch(text):
        raise FramingError(400, f"Content-Length is not a number of bytes: {text[:40]!r}")
    length = int(text)
    if length > limits.body:
        raise FramingError(413, f"Request body larger than {limits.body} bytes")
    return length


def read_body(rfile: BinaryIO, head: RequestHead, limits: Limits) -> bytes:
    length = body_length(head, limits)
    if length is None:
        return _chunked(rfile, limits)
    body = rfile.read(length) if length else b""
    if len(body) != length:
        raise FramingError(400, "Request body shorter than its Content-Length")
    return body


def _chunked(rfile: BinaryIO, limits: Limits) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        line = rfile.readline(1024)
        if not line.endswith(b"\n"):
            raise FramingError(400, "Malformed chunk size line")
        digits = line.split(b";", 1)[0].strip()
        if not _HEX.fullmatch(digits) or len(digits) > 16:
            raise FramingError(400, f"Bad chunk size: {digits[:20].decode('latin-1')!r}")
        length = int(digits, 16)
        if length == 0:
            _trailers(rfile, limits)
            return b"".join(parts)
        size += length
        if size > limits.body:
            raise FramingError(413, f"Request body larger than {limits.body} bytes")
        chunk = rfile.read(length)
        if len(chunk) != length or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise FramingError(400, "Chunk not followed by CRLF")
        parts.append(chunk)


def _trailers(rfile: BinaryIO, limits: Limits) -> None:
    size = 0
    while True:
        line = rfile.readline(limits.header_section + 1)
        size += len(line)
        if size > limits.header_section:
            raise FramingError(431, "Trailer section too large")
        if line in (b"\r\n", b"\n"):
            return
        if not line:
            raise FramingError(400, "Chunked body ended before its trailers")
