"""The console's routes: which paths under /_local/ are its own (the others fall through to the
local endpoints), the page and its assets, and the request JSON read from the recorder."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from generator.dev.apigw.response import RequestTrace
from generator.dev.console.recorder import Recorder
from generator.dev.console.views import Console


@pytest.fixture
def console() -> Console:
    # Only the recorder is reached by these routes; the AWS clients and workers are not.
    unused: Any = None
    return Console(Recorder({}, {}), unused, unused, unused, unused, {})


def respond(console: Console, method: str, path: str) -> Any:
    path, _, query = path.partition("?")
    request = Request(EnvironBuilder(method=method, path=path, query_string=query).get_environ())
    parts = [p for p in path.removeprefix("/_local").strip("/").split("/") if p]
    return console.respond(request, parts)


@pytest.mark.parametrize("method, path", [
    ("GET", "/_local/status"),
    ("POST", "/_local/schedules/mark_offline/fire"),
    ("POST", "/_local/pollers/stop"),
    ("POST", "/_local/drain"),
    ("POST", "/_local/archives/flush"),
    ("POST", "/_local/dlq/apply/other"),
    ("GET", "/_local/requests/a/b"),
])
def test_paths_that_are_not_the_console_s_fall_through(console: Console, method: str, path: str) -> None:
    assert respond(console, method, path) is None


def test_the_page_and_its_assets(console: Console) -> None:
    page = respond(console, "GET", "/_local/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert '<script src="/_local/console/console.js">' in text and "console.css" in text
    script = respond(console, "GET", "/_local/console/console.js")
    assert script.mimetype == "text/javascript" and "setInterval(tick, POLL_MS)" in script.get_data(as_text=True)
    assert respond(console, "GET", "/_local/console/console.css").mimetype == "text/css"
    assert respond(console, "GET", "/_local/console/index.py").status_code == 404
    assert respond(console, "GET", "/_local/console/..").status_code == 404
    assert respond(console, "POST", "/_local/").status_code == 405


def test_requests_are_served_from_the_recorder(console: Console) -> None:
    trace = RequestTrace.begin("r-1", "POST", "/api/events", {}, [("Host", "x")], b"[]")
    trace.integration_request = '{"StreamName": "s"}'
    console.recorder.record_request(trace)
    listed = respond(console, "GET", "/_local/requests").json
    assert [r["id"] for r in listed["requests"]] == ["r-1"] and listed["last"] == 1
    assert respond(console, "GET", "/_local/requests?since=1").json["requests"] == []
    one = respond(console, "GET", "/_local/requests/r-1")
    assert one.headers["Cache-Control"] == "no-store"
    assert one.json["integrationRequest"]["rendered"] == '{"StreamName": "s"}'
    assert respond(console, "GET", "/_local/requests/r-2").status_code == 404
    assert respond(console, "GET", "/_local/requests?since=x").status_code == 400
    assert respond(console, "DELETE", "/_local/requests").status_code == 405
