"""The page `gen dev` serves at `/` in a `gen init` project without a frontend: the project's
own routes (from its spec), how to add a frontend without an `npm ci` that cannot work there,
and a link to the dev console."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
from werkzeug.test import Client

from generator import pipeline
from generator.dev.web import StaticSite
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "shop"
    assert run_cli("init", str(root)).exit_code == 0
    return root


def test_the_page_lists_the_project_s_routes_and_how_to_add_a_frontend(project: Path) -> None:
    ir, diags = pipeline.validate(project)
    assert ir is not None and not diags.has_errors()
    page = Client(StaticSite(project / "frontend" / "dist", ir.operations)).get("/").text
    for op in ir.operations:
        assert f"<code>/api{op.path}</code>" in page, op.path
        assert op.method.upper() in page
    assert "/api/devices" not in page  # not the reference app's routes
    assert "npm ci" not in page  # there is no package.json, let alone a lockfile
    assert "gen init --frontend" in page and "frontend/dist/" in page
    assert 'href="/_local/"' in page
    assert "this project has no frontend" in page


@pytest.mark.slow
def test_gen_dev_serves_the_page_and_the_console_in_a_new_project(project: Path) -> None:
    from generator.dev.server import summary
    from generator.dev.stack import start_stack

    stack = start_stack(project, port=0)
    try:
        printed = "\n".join(summary(stack, project, 0.0))
        with urllib.request.urlopen(stack.url + "/") as answer:
            page = answer.read().decode()
        with urllib.request.urlopen(stack.url + "/_local/") as answer:
            console = answer.read().decode()
        with urllib.request.urlopen(stack.url + "/_local/tables") as answer:
            tables = answer.read().decode()
    finally:
        stack.stop()
    assert "npm ci" not in printed and "no frontend" in printed
    assert f"console     {stack.url}/_local/" in printed
    routes = set(re.findall(r"<code>(/api/[^<]*)</code>", page))
    assert routes and all(path.startswith("/api/") for path in routes)
    assert {f"/api{op.path}" for op in stack.ir.operations} == routes
    assert "<title>gen dev console</title>" in console
    assert all(f'"{t.name}"' in tables for t in stack.ir.tables)
