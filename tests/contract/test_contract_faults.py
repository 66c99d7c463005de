"""`gen test` finds faults: each check is run against a stack or an API that is wrong on purpose.

A fresh project (the `gen init` spec) runs on one local stack for the module; faults are put
into its DynamoDB directly and taken out again. A fake API serves broken pages. (A processor
that raises: test_contract_pipeline_fault.py, on a stack of its own.)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from generator.contract import run_checks
from generator.contract.target import Auth, Http, Target, local_target
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("contract") / "shop"
    assert run_cli("init", str(root)).exit_code == 0
    return root


@pytest.fixture(scope="module")
def target(project: Path) -> Iterator[Target]:
    with local_target(project) as running:
        yield running


def _put(target: Target, item: dict[str, Any]) -> None:
    assert target.local is not None
    target.local.dynamodb.put_item(TableName=target.local.tables["orders"], Item=item)


def _cases(report: Any, check: str) -> list[Any]:
    return [c for c in report.cases if c.check == check]


def test_a_correct_project_passes_every_check(target: Target, project: Path) -> None:
    from generator.seeding import load_seed_file

    report = run_checks(target, pipeline=True)
    assert target.local is not None
    load_seed_file(project, client=target.local.dynamodb)  # the pipeline's events changed seeded orders
    assert report.ok, "\n".join(report.summary_lines())
    assert {c.check for c in report.cases} == {"seed", "listed", "unknown-key", "pagination", "rejects", "fuzz",
                                              "fuzz-unauthenticated", "fuzz-ingestion", "pipeline"}


def test_a_changed_seed_item_fails_seed(target: Target) -> None:
    _put(target, {"orderId": {"S": "o-1"}, "status": {"S": "placed"}, "total": {"N": "13"}})
    try:
        report = run_checks(target, ["seed"])
    finally:
        _put(target, {"orderId": {"S": "o-1"}, "status": {"S": "placed"}, "total": {"N": "12.50"}})
    (case,) = report.cases
    assert case.status == "failed"
    assert "GET /orders/o-1: /total: expected 12.50, got 13" in case.detail
    assert run_checks(target, ["seed"]).ok


def test_an_item_outside_the_schema_fails_listed(target: Target) -> None:
    _put(target, {"orderId": {"S": "o-odd"}, "status": {"S": "lost"}, "total": {"N": "1"}})
    try:
        report = run_checks(target, ["listed"])
    finally:
        assert target.local is not None
        target.local.dynamodb.delete_item(TableName=target.local.tables["orders"], Key={"orderId": {"S": "o-odd"}})
    (case,) = report.cases
    assert case.status == "failed" and "('o-odd',): /status: 'lost' is not one of" in case.detail


class BrokenPages:
    """GET /orders answers two items whatever the limit, and always the same next cursor."""

    def __init__(self) -> None:
        items = [{"orderId": "o-1", "status": "placed", "total": 1}, {"orderId": "o-2", "status": "placed", "total": 2}]
        self.page = {"items": items, "next": None}

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        body = json.dumps(self.page) if request.path.endswith("/orders") else json.dumps({"message": "no"})
        return Response(body, status=200 if request.path.endswith("/orders") else 404,
                        content_type="application/json")(environ, start_response)


@pytest.fixture
def broken_api(target: Target) -> Iterator[Target]:
    app = BrokenPages()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Target(ir=target.ir, root=target.root, http=Http(f"http://127.0.0.1:{server.server_port}/api", Auth("none")),
                 description="a broken API", spec_document=target.spec_document, definition=target.definition)
    server.shutdown()
    thread.join(timeout=5)


def test_pages_over_the_limit_fail_pagination(broken_api: Target) -> None:
    report = run_checks(broken_api, ["pagination"])
    (case,) = report.cases
    assert case.status == "failed" and "2 items on a page of limit 1" in case.detail
