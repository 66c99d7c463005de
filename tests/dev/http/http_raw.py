"""A raw-socket HTTP client for the server tests: send exact bytes, read one whole answer."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def connect(port: int, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def read_answer(sock: socket.socket) -> RawAnswer:
    """Read one answer (skipping 1xx); fails the test on a connection dropped without one."""
    file = sock.makefile("rb")
    while True:
        status_line = file.readline()
        assert status_line, "the server closed the connection without answering"
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while (line := file.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if status >= 200:
            break
    body = file.read(int(headers.get("content-length", "0")))
    return RawAnswer(status, headers, body)


def exchange(port: int, data: bytes) -> RawAnswer:
    """Send `data` on a new connection and read the answer."""
    with connect(port) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed; its answer is still there to read
        return read_answer(sock)


def closed_after(sock: socket.socket) -> bool:
    """True when the server closed its side (EOF) rather than keeping the connection open."""
    sock.settimeout(5.0)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
