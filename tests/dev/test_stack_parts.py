"""The parts of `gen dev` that need no running stack: physical names and table definitions from
the IR, the functions' environment, the web routing and static site, the keep-alive WSGI
server, the invocation counters and the freshness check."""

from __future__ import annotations

import http.client
import json
import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from generator import pipeline
from generator.dev.freshness import StaleOutput, check_generated
from generator.dev.http.wsgi_server import WsgiServer
from generator.dev.lambdas.functions import ProcessEnvironment, function_environment
from generator.dev.lambdas.invocations import CountingHandler
from generator.dev.local_aws.resources import local_names, table_definition
from generator.dev.web import CONFIG, StaticSite, dispatcher
from tests.conftest import REPO, run_cli, write_tree


@pytest.fixture(scope="module")
def ir() -> Any:
    found, diags = pipeline.validate(REPO)
    assert found is not None and not diags.has_errors()
    return found


# -- names and tables ----------------------------------------------------------------------------


def test_physical_names_follow_the_runtime_contract(ir: Any) -> None:
    names = local_names(ir)
    assert names.prefix == "fleet-local"
    assert names.tables == {"devices": "fleet-local-devices", "profiles": "fleet-local-profiles",
                            "readings": "fleet-local-readings", "sites": "fleet-local-sites"}
    assert names.streams == {"telemetry": "fleet-local-telemetry"}
    assert names.dlqs["apply_readings"] == "fleet-local-apply-readings-dlq"
    assert names.dlqs["mark_offline"] == "fleet-local-mark-offline-dlq"
    assert names.functions["register_devices"] == "fleet-local-register-devices"
    assert names.idempotency_table == "fleet-local-idempotency"
    assert names.datalake_bucket == "fleet-local-datalake-123456789012"
    assert names.stage_variables(ir) == {
        "table_devices": "fleet-local-devices", "table_profiles": "fleet-local-profiles",
        "table_readings": "fleet-local-readings", "table_sites": "fleet-local-sites",
        "stream_telemetry": "fleet-local-telemetry"}
    assert names.table_env(ir)["TABLE_READINGS"] == "fleet-local-readings"


def test_table_definitions_carry_keys_and_indexes(ir: Any) -> None:
    devices = table_definition(ir.table("devices"), "t")
    assert devices["KeySchema"] == [{"AttributeName": "deviceId", "KeyType": "HASH"}]
    assert devices["GlobalSecondaryIndexes"] == [{
        "IndexName": "bySite",
        "KeySchema": [{"AttributeName": "siteId", "KeyType": "HASH"},
                      {"AttributeName": "deviceId", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"}}]
    assert {a["AttributeName"] for a in devices["AttributeDefinitions"]} == {"deviceId", "siteId"}
    readings = table_definition(ir.table("readings"), "t")
    assert readings["KeySchema"][1] == {"AttributeName": "time", "KeyType": "RANGE"}
    assert "GlobalSecondaryIndexes" not in readings


# -- the functions' environment -------------------------------------------------------------------


def test_function_environment_points_boto3_at_moto(ir: Any) -> None:
    env = function_environment(ir, local_names(ir), "http://127.0.0.1:1234", "eu-west-1", "DEBUG")
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1234"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["IDEMPOTENCY_TABLE"] == "fleet-local-idempotency"
    assert env["TABLE_DEVICES"] == "fleet-local-devices"
    assert env["POWERTOOLS_SERVICE_NAME"] == env["POWERTOOLS_METRICS_NAMESPACE"] == "fleet"
    assert env["LOG_LEVEL"] == "DEBUG"


def test_process_environment_is_restored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_REGION", "before")
    monkeypatch.delenv("TABLE_X", raising=False)
    monkeypatch.setenv("AWS_PROFILE", "someone")
    applied = ProcessEnvironment({"AWS_REGION": "after", "TABLE_X": "x"}, [tmp_path])
    assert os.environ["AWS_REGION"] == "after" and os.environ["TABLE_X"] == "x"
    assert "AWS_PROFILE" not in os.environ
    assert sys.path[0] == str(tmp_path)
    applied.restore()
    assert os.environ["AWS_REGION"] == "before" and "TABLE_X" not in os.environ
    assert os.environ["AWS_PROFILE"] == "someone"
    assert str(tmp_path) not in sys.path


def test_process_environment_sets_modules_aside(tmp_path: Path) -> None:
    write_tree(tmp_path, {"isolated_pkg/__init__.py": "VALUE = 1\n"})
    sys.path.insert(0, str(tmp_path))
    try:
        import isolated_pkg  # type: ignore[import-not-found]

        applied = ProcessEnvironment({}, [], packages=("isolated_pkg",))
        assert "isolated_pkg" not in sys.modules
        import isolated_pkg as fresh

        assert fresh is not isolated_pkg
        applied.restore()
        assert sys.modules["isolated_pkg"] is isolated_pkg
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("isolated_pkg", None)


# -- invocation counters ------------------------------------------------------------------------


def _event(*seqs: str) -> dict[str, Any]:
    return {"Records": [{"kinesis": {"sequenceNumber": s, "partitionKey": "p"}} for s in seqs]}


def test_counting_handler_counts_what_lambda_would_checkpoint() -> None:
    answers: list[Any] = [None, {"batchItemFailures": [{"itemIdentifier": "3"}, {"itemIdentifier": "2"}]},
                          {"batchItemFailures": []}, {"batchItemFailures": [{"itemIdentifier": "9"}]}]

    def handler(event: dict[str, Any], context: Any) -> Any:
        return answers.pop(0)

    counting = CountingHandler(handler)
    counting(_event("1", "2"), None)  # success: both
    counting(_event("1", "2", "3", "4"), None)  # lowest failure is 2 (index 1): one acknowledged
    counting(_event("5"), None)
    counting(_event("6", "7"), None)  # unknown identifier: the whole batch failed
    counts = counting.counts()
    assert (counts.invocations, counts.delivered, counts.acknowledged, counts.errors) == (4, 9, 4, 0)

    def broken(event: dict[str, Any], context: Any) -> Any:
        raise RuntimeError("boom")

    failing = CountingHandler(broken)
    with pytest.raises(RuntimeError):
        failing(_event("1", "2"), None)
    assert failing.counts().to_json() == {"invocations": 1, "delivered": 2, "acknowledged": 0, "errors": 1}


# -- web routing and the static site --------------------------------------------------------------


def _named(name: str) -> Any:
    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"{name}:{environ['PATH_INFO']}".encode()]

    return app


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "dist", {
        "index.html": "<!doctype html><title>app</title>",
        "assets/app.js": "console.log(1)",
        "favicon.svg": "<svg/>",
    })


def test_routes(dist: Path) -> None:
    client = Client(dispatcher(_named("api"), _named("local"), StaticSite(dist)))
    assert client.get("/api").text == "api:/api"
    assert client.get("/api/devices/x").text == "api:/api/devices/x"
    assert client.get("/_local/status").text == "local:/_local/status"
    assert client.get("/apix").text.startswith("<!doctype")  # not the stage: an app route
    config = client.get("/config.json")
    assert config.json == CONFIG == {
        "apiUrl": "/api",
        "auth": "local",
        "localAuth": True,
        "localSigning": {"accessKeyId": "testing", "secretAccessKey": "testing", "region": "us-east-1"},
    }
    assert config.headers["Cache-Control"] == "no-store"


def test_static_site_with_spa_fallback(dist: Path) -> None:
    client = Client(StaticSite(dist))
    assert client.get("/assets/app.js").text == "console.log(1)"
    assert "javascript" in client.get("/assets/app.js").headers["Content-Type"]
    for route in ("/", "/devices/dev-001", "/sites/site-zrh/devices", "/me"):
        answer = client.get(route)
        assert answer.status_code == 200 and "<title>app</title>" in answer.text, route
        assert answer.headers["Content-Type"].startswith("text/html")
    assert client.get("/assets/missing.js").status_code == 404
    escape = client.get("/../../etc/passwd")  # never a file outside dist: the app, or nothing
    assert "root:" not in escape.text and (escape.status_code == 404 or "<title>app" in escape.text)
    assert client.get("/%2e%2e/secret.txt").status_code == 404
    assert client.post("/").status_code == 405


def test_a_missing_build_gets_a_helpful_page(tmp_path: Path, ir: Any) -> None:
    """The reference system has a frontend (package.json and lockfile): build it with npm ci."""
    frontend = write_tree(tmp_path / "frontend", {"package.json": "{}", "package-lock.json": "{}"})
    answer = Client(StaticSite(frontend / "dist", ir.operations)).get("/devices")
    assert answer.status_code == 200
    assert "cd frontend &amp;&amp; npm ci &amp;&amp; npm run build" in answer.text
    assert 'href="/_local/"' in answer.text and "/_local/status" in answer.text
    assert '<a href="/api/devices"><code>/api/devices</code></a>' in answer.text  # the spec's own route
    (frontend / "package-lock.json").unlink()  # no lockfile: npm ci would fail
    assert "npm install &amp;&amp; npm run build" in Client(StaticSite(frontend / "dist")).get("/").text


# -- the keep-alive WSGI server -------------------------------------------------------------------


@pytest.fixture
def echo_server() -> Iterator[WsgiServer]:
    def app(environ: Any, start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("boom")
        body = environ["wsgi.input"].read()
        start_response("201 Created", [("Content-Type", "application/json"), ("X-Thread", "t")])
        return [json.dumps({"path": environ["PATH_INFO"], "raw": environ["RAW_URI"],
                            "query": environ["QUERY_STRING"], "body": body.decode(),
                            "type": environ.get("CONTENT_TYPE")}).encode()]

    server = WsgiServer(app, "127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


def test_keep_alive_serves_many_requests_on_one_connection(echo_server: WsgiServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", echo_server.port, timeout=5)
    for i in range(3):
        connection.request("POST", f"/a%2Fb/{i}?x=1", body=b'{"n": %d}' % i,
                           headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        data = json.loads(answer.read())
        assert answer.status == 201 and answer.getheader("Connection") is None
        assert data == {"path": f"/a/b/{i}", "raw": f"/a%2Fb/{i}?x=1", "query": "x=1",
                        "body": f'{{"n": {i}}}', "type": "application/json"}
    connection.request("GET", "/chunked", body=iter([b"ab", b"cd"]), encode_chunked=True)
    assert json.loads(connection.getresponse().read())["body"] == "abcd"
    connection.request("GET", "/boom")
    failed = connection.getresponse()
    assert failed.status == 500 and failed.read() == b"internal error\n"
    connection.request("HEAD", "/h")
    head = connection.getresponse()
    assert head.status == 201 and head.read() == b""
    connection.close()


def test_stop_closes_idle_connections(echo_server: WsgiServer) -> None:
    idle = socket.create_connection(("127.0.0.1", echo_server.port))
    idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"201 Created" in idle.recv(65536)
    stopper = threading.Thread(target=echo_server.stop)
    stopper.start()
    stopper.join(5)
    assert not stopper.is_alive()
    assert idle.recv(10) == b""  # the server closed the kept-alive connection
    idle.close()


# -- refusing stale output ------------------------------------------------------------------------


def test_freshness_check(shop: Path) -> None:
    with pytest.raises(StaleOutput, match="run `gen build`"):
        check_generated(shop)
    assert run_cli("-C", str(shop), "build").exit_code == 0
    assert check_generated(shop).name == "shop"
    (shop / "generated/dynamodb/seed.json").unlink()
    with pytest.raises(StaleOutput, match="seed.json"):
        check_generated(shop)
    with pytest.raises(StaleOutput, match="no spec/"):
        check_generated(shop / "generated")


def test_raw_dot_dot_paths_never_leave_dist(dist: Path) -> None:
    (dist.parent / "secret.txt").write_text("secret")
    server = WsgiServer(StaticSite(dist), "127.0.0.1", 0)
    server.start()
    try:
        for raw in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"):
            with socket.create_connection(("127.0.0.1", server.port)) as raw_socket:
                raw_socket.sendall(f"GET {raw} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                answer = b""
                while chunk := raw_socket.recv(65536):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 404") and b"secret" not in answer, raw
    finally:
        server.stop()


def test_the_start_summary_prints_the_local_keys() -> None:
    """gen dev says how to call its SigV4 and API-key routes: the key pair, each client's key."""
    from generator.dev.server import access_lines
    from tests.vtl.support import case_ir

    signed = "\n".join(access_lines(case_ir(REPO), "us-east-1"))
    assert "ingestEvents" in signed and "testing/testing" in signed and "execute-api" in signed
    keyed = access_lines(case_ir(REPO / "tests/golden/cases/query_gsi_nested"), "us-east-1")
    assert "  client library-kiosk: local-api-key-library-kiosk   (quota 2000 per week)" in keyed
    assert "  client scanner-app: local-api-key-scanner-app   (quota 50000 per day)" in keyed
