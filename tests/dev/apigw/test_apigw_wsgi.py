"""The WSGI adapter, through werkzeug's test client and through a real werkzeug server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import urllib3
from werkzeug.serving import make_server
from werkzeug.test import Client

from generator.dev.apigw import ApiGateway, wsgi_app


@pytest.fixture(scope="module")
def served(gateway: ApiGateway) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, wsgi_app(gateway), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_test_client_request(gateway: ApiGateway) -> None:
    client = Client(wsgi_app(gateway))
    response = client.get("/api/echo/a%2Fb/c?x=1&x=2&y=%C3%A9", headers={"User-Agent": "tc"})
    assert response.status_code == 200
    body = json.loads(response.get_data())
    assert body["proxy"] == "a/b/c"
    assert body["path"] == "/api/echo/a%2Fb/c"
    assert body["queryNames"] == ["x", "y"]
    assert response.headers["x-amzn-RequestId"] == body["requestId"]


def test_real_server_keeps_the_raw_path_and_passes_bodies(served: str) -> None:
    http = urllib3.PoolManager()
    echo = http.request("GET", served + "/api/echo/%E2%82%AC%2F1", headers={"User-Agent": "real"})
    assert echo.status == 200
    body = json.loads(echo.data)
    assert body["proxy"] == "€/1"
    assert body["path"] == "/api/echo/%E2%82%AC%2F1"
    assert body["userAgent"] == "real"
    put = http.request(
        "PUT",
        served + "/api/devices/wsgi-1",
        body=json.dumps({"name": "over http"}),
        headers={"Content-Type": "application/json"},
    )
    assert put.status == 200
    got = http.request("GET", served + "/api/devices/wsgi-1")
    assert json.loads(got.data)["name"] == "over http"
    assert got.headers["Access-Control-Allow-Origin"] == "*"
    missing = http.request("GET", served + "/elsewhere")
    assert missing.status == 403
    assert json.loads(missing.data)["message"] == "Missing Authentication Token"
