"""A real `WsgiServer` on a free loopback port with an echo application."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from generator.dev.http.wsgi_server import WsgiServer


def echo(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Answers what it received: method, path, body length and the body's first bytes."""
    body = environ["wsgi.input"].read()
    document = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "length": len(body),
        "body": body[:64].decode("latin-1"),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(document).encode()]


@pytest.fixture
def server() -> Iterator[WsgiServer]:
    running = WsgiServer(echo, "127.0.0.1", 0)
    running.start()
    yield running
    running.stop(5)
