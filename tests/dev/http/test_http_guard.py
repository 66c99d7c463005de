"""The local control endpoints refuse foreign Host headers (DNS rebinding) and cross-origin
requests with 403; the API and the dashboard do not; binding beyond loopback warns."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from http_raw import exchange

from generator.dev import server as dev_server
from generator.dev.http import guard
from generator.dev.http.wsgi_server import WsgiServer
from generator.dev.stack import StackError
from generator.dev.web import dispatcher


def _named(name: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"app": name}).encode()]

    return app


@pytest.fixture
def web() -> Any:
    running = WsgiServer(dispatcher(_named("api"), _named("local"), _named("site")), "127.0.0.1", 0)
    running.start()
    yield running
    running.stop(5)


def _post(port: int, path: str, *headers: str) -> tuple[int, Any]:
    head = f"POST {path} HTTP/1.1\r\n" + "".join(h + "\r\n" for h in headers)
    answer = exchange(port, (head + "Content-Length: 0\r\nConnection: close\r\n\r\n").encode())
    return answer.status, answer.json()


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:8000", "127.0.0.1:9", "[::1]:8000", "LOCALHOST", "127.0.0.1"]
)
def test_loopback_hosts_reach_the_local_endpoints(web: WsgiServer, host: str) -> None:
    assert _post(web.port, "/_local/drain", f"Host: {host}") == (200, {"app": "local"})


def test_a_request_without_host_or_origin_is_served(web: WsgiServer) -> None:
    assert _post(web.port, "/_local/drain") == (200, {"app": "local"})


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example", "10.0.0.5"]
)
def test_a_foreign_host_is_refused_on_the_local_endpoints(web: WsgiServer, host: str) -> None:
    status, body = _post(web.port, "/_local/pollers/stop", f"Host: {host}")
    assert status == 403
    assert "DNS rebinding" in body["message"]


def test_a_foreign_host_still_reaches_the_api_and_the_site(web: WsgiServer) -> None:
    assert _post(web.port, "/api/events", "Host: evil.example") == (200, {"app": "api"})
    assert _post(web.port, "/", "Host: evil.example") == (200, {"app": "site"})


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://localhost:9999", "https://localhost:{port}"]
)
def test_a_cross_origin_post_is_refused(web: WsgiServer, origin: str) -> None:
    origin = origin.format(port=web.port)
    status, body = _post(web.port, "/_local/drain", f"Host: localhost:{web.port}", f"Origin: {origin}")
    assert status == 403
    assert "Cross-origin" in body["message"]


def test_the_servers_own_origin_is_served(web: WsgiServer) -> None:
    own = f"localhost:{web.port}"
    assert _post(web.port, "/_local/drain", f"Host: {own}", f"Origin: http://{own}") == (200, {"app": "local"})


def test_sec_fetch_site_cross_site_is_refused(web: WsgiServer) -> None:
    status, body = _post(web.port, "/_local/drain", "Host: localhost", "Sec-Fetch-Site: cross-site")
    assert status == 403
    assert "Cross-site" in body["message"]
    assert _post(web.port, "/_local/drain", "Host: localhost", "Sec-Fetch-Site: same-origin")[0] == 200


def test_the_bound_address_is_an_allowed_host() -> None:
    environ = {"SERVER_NAME": "192.168.1.20", "HTTP_HOST": "192.168.1.20:8000"}
    assert guard.refusal(environ) is None
    assert guard.refusal({**environ, "HTTP_HOST": "192.168.1.21:8000"}) is not None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("myhost.example", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert guard.is_loopback(host) is loopback


def test_gen_dev_on_a_non_loopback_address_warns_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_stack(*args: Any, **kwargs: Any) -> Any:
        raise StackError("stop here")

    monkeypatch.setattr(dev_server, "start_stack", no_stack)
    with pytest.raises(StackError):
        dev_server.serve(Path("."), "0.0.0.0", 0)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("gen dev: warning: listening on 0.0.0.0")
    with pytest.raises(StackError):
        dev_server.serve(Path("."), "127.0.0.1", 0)
    assert "warning" not in capsys.readouterr().err
