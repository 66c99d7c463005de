"""The server holds under load: a burst of connections waits in the backlog instead of being
reset, and beyond its bounds it answers 503 with JSON instead of dropping a connection."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterable
from typing import Any

import pytest
from http_raw import closed_after, connect, read_answer

from generator.dev.http import wsgi_server
from generator.dev.http.wsgi_server import WsgiServer

GET = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def ok(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


def test_a_burst_of_connections_waits_in_the_backlog() -> None:
    """40 clients connect before the server accepts anything: with socketserver's backlog of 5
    the kernel dropped the connections beyond it; all of them must connect and be answered."""
    server = WsgiServer(ok, "127.0.0.1", 0)  # bound and listening, not yet accepting
    sockets: list[socket.socket] = []
    try:
        for _ in range(40):
            sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=0.5))
        server.start()
        for sock in sockets:
            sock.settimeout(10)
            sock.sendall(GET)
        assert [read_answer(sock).status for sock in sockets] == [200] * 40
    finally:
        for sock in sockets:
            sock.close()
        server.stop(5)


def test_a_connection_over_the_limit_gets_503_json() -> None:
    server = WsgiServer(ok, "127.0.0.1", 0, max_connections=2)
    server.start()
    held = [connect(server.port), connect(server.port)]
    try:
        for sock in held:  # both served and kept open (keep-alive)
            sock.sendall(GET)
            assert read_answer(sock).status == 200
        with connect(server.port) as extra:
            extra.sendall(GET)
            answer = read_answer(extra)
            assert answer.status == 503
            assert answer.headers["connection"] == "close"
            assert answer.headers["retry-after"] == "1"
            assert "connections" in json.loads(answer.body)["message"]
            assert closed_after(extra)
        held.pop().close()
        for _ in range(50):  # the freed slot is reused once its thread has ended
            with connect(server.port) as again:
                again.sendall(GET)
                if read_answer(again).status == 200:
                    break
        else:
            pytest.fail("a freed connection slot was never reused")
    finally:
        for sock in held:
            sock.close()
        server.stop(5)


def test_a_request_finding_every_worker_busy_gets_503_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsgi_server, "QUEUE_WAIT_S", 0.2)
    release = threading.Event()
    entered = threading.Event()

    def slow(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        entered.set()
        release.wait(10)
        return ok(environ, start_response)

    server = WsgiServer(slow, "127.0.0.1", 0, max_active=1)
    server.start()
    try:
        with connect(server.port) as first, connect(server.port) as second:
            first.sendall(GET)
            assert entered.wait(5)
            second.sendall(GET)
            busy = read_answer(second)
            assert busy.status == 503
            assert json.loads(busy.body)["message"].startswith("The local server is busy")
            assert busy.headers["connection"] == "close"
            release.set()
            assert read_answer(first).status == 200
    finally:
        release.set()
        server.stop(5)


def test_the_listen_backlog_is_not_socketservers_five() -> None:
    assert wsgi_server._Server.request_queue_size == wsgi_server.LISTEN_BACKLOG >= 128
