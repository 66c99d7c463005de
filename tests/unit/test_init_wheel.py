"""From the built wheel, as a new user: a fresh virtualenv, `gen init demo`, `make install`,
`make test` (the project's own tests, mypy and ruff, `gen test --pipeline`, `gen validate
--terraform`) passes. Nothing of this repository is on the path: only the installed wheel.

Slow (a few minutes: pip installs gen's dependencies into the new virtualenv from the
configured index); one such test.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(argv)}\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return result


@pytest.mark.timeout(2400)
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_a_project_from_the_wheel_passes_make_test(tmp_path: Path) -> None:
    import generator

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("AWS_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)], tmp_path, env, 600)
    (wheel,) = dist.glob("specstack-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env, 300)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    python = str(venv / "bin" / "python")
    _run([python, "-m", "pip", "install", "-q", f"specstack[terraform] @ {wheel.as_uri()}"], tmp_path, env, 1500)
    where = _run([python, "-c", "import generator; print(generator.__file__)"], tmp_path, env, 60).stdout
    assert str(venv) in where, "gen must come from the wheel, not from this repository"
    version = _run(["gen", "--version"], tmp_path, env, 60).stdout
    assert generator.__version__ in version
    _run(["gen", "init", "demo"], tmp_path, env, 300)
    project = tmp_path / "demo"
    _run(["make", "install"], project, env, 1500)
    result = _run(["make", "test"], project, env, 1500)
    assert "passed" in result.stdout and "0 failed" in result.stdout
    assert re.search(r"terraform: \d+ file\(s\), 0 problem\(s\)", result.stderr), result.stderr
    assert (project / "build/gen-test.xml").is_file()
    _dev_console_from_the_wheel(project, env)


def _dev_console_from_the_wheel(project: Path, env: dict[str, str]) -> None:
    """`gen dev` of the new project serves its own routes at / and the console at /_local/,
    from files shipped in the wheel (the console's page is package data)."""
    from tests.localstack.test_6_cli import _ready_line

    process = subprocess.Popen(["gen", "dev", "--port", "0"], cwd=project, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        url, _ = _ready_line(process, timeout=120)
        with urllib.request.urlopen(url + "/", timeout=10) as answer:
            page = answer.read().decode()
        assert "/api/orders" in page and "/api/devices" not in page, page[:2000]
        for path in ("/_local/", "/_local/console/console.js", "/_local/console/console.css"):
            with urllib.request.urlopen(url + path, timeout=10) as answer:
                assert answer.status == 200 and answer.read(), path
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
