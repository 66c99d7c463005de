"""Hostile HTTP against the running stack, end to end: malformed framing gets its 4xx over a raw
socket (never a dropped connection), hostile JSON bodies get API Gateway's 400 (never a 500), the
control endpoints refuse foreign hosts and other origins, and a burst of clients is served."""

from __future__ import annotations

import json
import socket
import threading
from typing import Any

import pytest

from generator.dev.stack import RunningStack
from tests.localstack.support import INGEST_PATH, Http, now_iso, reading, unique

pytestmark = pytest.mark.slow


def _raw(stack: RunningStack, data: bytes) -> tuple[int, dict[str, str], Any]:
    """Send exact bytes; the status, headers and JSON body of the answer (the test fails if the
    server drops the connection without one)."""
    port = int(stack.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        file = sock.makefile("rb")
        status_line = file.readline()
        assert status_line, "the server closed the connection without answering"
        headers: dict[str, str] = {}
        while (line := file.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = file.read(int(headers.get("content-length", "0")))
        return int(status_line.split()[1]), headers, json.loads(body) if body else None


HOST = b"Host: 127.0.0.1\r\n"
MALFORMED = {
    "request-line-70k": (b"GET /api/" + b"a" * 70_000 + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414),
    "content-length-abc": (b"POST /api/events HTTP/1.1\r\n" + HOST + b"Content-Length: abc\r\n\r\n[]", 400),
    "content-length-negative": (b"POST /api/events HTTP/1.1\r\n" + HOST + b"Content-Length: -5\r\n\r\n", 400),
    "bad-chunk-size": (b"POST /api/events HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n", 400),
    "smuggling": (b"POST /api/events HTTP/1.1\r\n" + HOST + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    "post-without-length": (b"POST /_local/drain HTTP/1.1\r\n" + HOST + b"\r\n", 411),
    "over-16-mib": (b"POST /api/events HTTP/1.1\r\n" + HOST + b"Content-Length: 16777217\r\n\r\n[", 413),
    "gzip-coding": (b"POST /api/events HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip\r\n\r\n", 501),
}


@pytest.mark.parametrize("data,status", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_framing_is_answered_not_dropped(stack: RunningStack, data: bytes, status: int) -> None:
    answered, headers, body = _raw(stack, data)
    assert answered == status
    assert headers["connection"] == "close"
    assert isinstance(body["message"], str) and body["message"]


def _batch_with(raw_value: bytes) -> bytes:
    """A reading whose temperature (a number) is `raw_value`, as bytes on the wire."""
    event = reading(unique("hostile"), now_iso(), temperature=12.25)
    return json.dumps([event]).encode().replace(b"12.25", raw_value)


HOSTILE_JSON = {
    "nan": b"NaN",
    "infinity": b"Infinity",
    "1e999": b"1e999",
    "deep-3000": b"[" * 3000 + b"]" * 3000,
    "invalid-utf8": b'"caf\xe9"',
    "5000-digits": b"1" * 5000,
}


@pytest.mark.parametrize("value", HOSTILE_JSON.values(), ids=HOSTILE_JSON.keys())
def test_hostile_json_is_400_invalid_request_body(http: Http, value: bytes) -> None:
    answer = http.post(INGEST_PATH, data=_batch_with(value), headers={"Content-Type": "application/json"})
    assert answer.status == 400, answer.text
    assert answer.json["message"].startswith("Invalid request body")  # + the validator's details


def test_the_control_endpoints_refuse_other_origins_and_hosts(http: Http, stack: RunningStack) -> None:
    port = stack.url.rsplit(":", 1)[1]
    rebound = http.post("/_local/pollers/stop", headers={"Host": f"attacker.example:{port}"})
    assert rebound.status == 403
    page = http.post("/_local/pollers/stop", headers={"Origin": "http://attacker.example"})
    assert page.status == 403
    assert http.get("/_local/status", headers={"Sec-Fetch-Site": "cross-site"}).status == 403
    assert http.get("/_local/status", headers={"Origin": stack.url}).status == 200
    assert http.get("/api/devices", headers={"Origin": "http://attacker.example"}).status == 200


def test_a_burst_of_new_connections_is_served(stack: RunningStack) -> None:
    """60 clients open a connection each at once (the old backlog of 5 reset some of them)."""
    start = threading.Barrier(60)
    statuses: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        start.wait()
        status, _, _ = _raw(stack, b"GET /api/devices?limit=1 HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 60


def test_a_payload_over_api_gateways_10_mb_gets_its_gateway_response(http: Http) -> None:
    body = b"[" + b" " * (10 * 1024 * 1024) + b"]"
    answer = http.post(INGEST_PATH, data=body, headers={"Content-Type": "application/json"})
    assert answer.status == 413
    assert answer.json["message"] == "Request Too Long"
