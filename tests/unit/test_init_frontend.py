"""`gen init --frontend`: the app builds (types from the generated API, type check, bundle) and
`gen dev` serves it at `/` with the API and /config.json beside it.

Uses the repository's frontend/node_modules (the same pinned versions) instead of an install.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from generator.dev.stack import start_stack
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.slow
NODE_MODULES = REPO / "frontend" / "node_modules"


@pytest.mark.skipif(not NODE_MODULES.is_dir() or shutil.which("npm") is None, reason="needs frontend/node_modules")
def test_the_app_builds_on_the_typed_client_and_is_served(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    assert run_cli("init", "--frontend", str(root)).exit_code == 0
    (root / "frontend" / "node_modules").symlink_to(NODE_MODULES.resolve())
    build = subprocess.run(["npm", "run", "build"], cwd=root / "frontend", capture_output=True, text=True,
                           timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    schema = (root / "frontend/src/api/schema.d.ts").read_text()
    assert '"/orders": {' in schema and "Order: {" in schema
    assert (root / "frontend/dist/index.html").is_file()
    # a call the API does not have is a type error
    app = root / "frontend/src/App.tsx"
    app.write_text(app.read_text().replace('client.GET("/orders"', 'client.GET("/ordres"'))
    broken = subprocess.run(["npx", "tsc", "--noEmit"], cwd=root / "frontend", capture_output=True, text=True,
                            timeout=300)
    assert broken.returncode != 0 and "/ordres" in broken.stdout
    stack = start_stack(root, port=0)
    try:
        with urllib.request.urlopen(stack.url + "/", timeout=10) as answer:
            page = answer.read().decode()
        assert "<title>shop</title>" in page and "/assets/" in page
        with urllib.request.urlopen(stack.url + "/config.json", timeout=10) as answer:
            assert b'"apiUrl": "/api"' in answer.read()
    finally:
        stack.stop()
