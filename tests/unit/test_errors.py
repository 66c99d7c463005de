"""The error family and the CLI's exit codes: what the user can fix is one line (or located
diagnostics) and exit 2; anything else is an internal error, exit 3, traceback only with --debug.

Includes the bugs of issue 12 that were internal errors or hid their reason: gen seed without a
project, a seed.json, a region, credentials, a table or a live endpoint; gen dev --port 99999;
a missing -C directory; the project root seen from a subdirectory.
"""

from __future__ import annotations

import ast
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import project_root
from generator.diagnostics import Diagnostics, GenError, Location, SpecError
from generator.errors import EnvError, UsageError, UserError
from tests.conftest import REPO, run_cli

AWS_VARIABLES = ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE",
                 "AWS_SHARED_CREDENTIALS_FILE")


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS settings from this machine: no region, no credentials (files included)."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def built(shop: Path) -> Path:
    assert run_cli("-C", str(shop), "build", "-q").exit_code == 0
    return shop


# -- the family -------------------------------------------------------------------------------


def test_the_family_has_one_base() -> None:
    from generator.dev.freshness import StaleOutput
    from generator.dev.lambdas.functions import FunctionLoadError
    from generator.dev.stack import StackError
    from generator.package import PackageError
    from generator.tfcheck import TfCheckError
    from generator.write.plan import PathError

    assert GenError is SpecError
    for kind in (SpecError, UsageError, EnvError, StackError, StaleOutput, FunctionLoadError,
                 PackageError, PathError, TfCheckError):
        assert issubclass(kind, UserError), kind
    error = EnvError("no region", hint="set AWS_REGION")
    assert error.lines() == ["no region", "  hint: set AWS_REGION"]
    diags = Diagnostics()
    diags.error("E-X", "broken", Location("spec/model.yaml", 3, 1), "fix it")
    assert SpecError(diags).lines() == ["spec/model.yaml:3:1: error[E-X]: broken\n  hint: fix it",
                                        "1 error(s), 0 warning(s)"]


def test_only_the_cli_imports_click() -> None:
    """The import-linter contract, checked here too so a plain pytest run catches it."""
    offenders = []
    for path in sorted((REPO / "generator").rglob("*.py")):
        if path.name in ("cli.py", "__main__.py") and path.parent.name == "generator":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "click" or n.startswith("click.") for n in names):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


# -- exit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(("raised", "code", "shown"), [
    (UsageError("bad value", hint="use another"), 2, "gen validate: bad value\n  hint: use another\n"),
    (EnvError("no region"), 2, "gen validate: no region\n"),
    (RuntimeError("boom"), 3, "internal error: RuntimeError: boom (rerun with --debug)\n"),
])
def test_exit_codes_are_mapped_by_the_cli(monkeypatch: pytest.MonkeyPatch, shop: Path, raised: Exception,
                                          code: int, shown: str) -> None:
    from generator import pipeline

    def fail(root: Path, **kwargs: Any) -> Any:
        raise raised

    monkeypatch.setattr(pipeline, "validate", fail)
    result = run_cli("-C", str(shop), "validate")
    assert (result.exit_code, result.stderr) == (code, shown)


def test_debug_shows_the_traceback_of_an_internal_error(monkeypatch: pytest.MonkeyPatch, shop: Path) -> None:
    from generator import pipeline

    def fail(root: Path, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "validate", fail)
    result = run_cli("--debug", "-C", str(shop), "validate")
    assert result.exit_code == 3 and "Traceback" in result.stderr and "RuntimeError: boom" in result.stderr


def test_a_missing_dash_c_directory_is_named(tmp_path: Path) -> None:
    result = run_cli("-C", str(tmp_path / "nowhere"), "validate")
    assert result.exit_code == 2
    assert result.stderr == f"gen validate: -C {tmp_path / 'nowhere'}: no such directory\n"
    (tmp_path / "file").write_text("x")
    assert "not a directory" in run_cli("-C", str(tmp_path / "file"), "build").stderr


def test_the_project_root_is_found_from_a_subdirectory(shop: Path, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    (shop / "spec" / "seed" / "deeper").mkdir()
    assert project_root(None, shop / "spec" / "seed" / "deeper") == shop
    assert project_root(None, shop) == shop
    assert project_root(None, tmp_path) == tmp_path  # no spec/ anywhere up: here
    monkeypatch.chdir(shop / "spec")
    result = run_cli("validate")
    assert result.exit_code == 0, result.stderr
    assert run_cli("build", "-q").exit_code == 0
    assert (shop / "generated" / "api" / "openapi.json").is_file()
    assert not (shop / "spec" / "generated").exists()


# -- gen seed -------------------------------------------------------------------------------------


def test_seed_in_an_empty_directory_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("seed")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"gen seed: no project in {tmp_path}")


def test_seed_before_a_build_says_to_build(shop: Path) -> None:
    result = run_cli("-C", str(shop), "seed", "--region", "us-east-1")
    assert (result.exit_code, result.stderr) == (
        2, "gen seed: generated/dynamodb/seed.json is missing\n  hint: run `gen build` first\n")


def test_seed_of_an_older_gen_says_to_build(built: Path) -> None:
    """seed.json from before it named the DynamoDB tables: guessing `<table>` would seed the
    generation an acknowledged key change left behind."""
    seed = built / "generated" / "dynamodb" / "seed.json"
    content = json.loads(seed.read_text(encoding="utf-8"))
    del content["names"]
    seed.write_text(json.dumps(content), encoding="utf-8")
    result = run_cli("-C", str(built), "seed", "--region", "us-east-1")
    assert (result.exit_code, result.stderr) == (
        2, "gen seed: generated/dynamodb/seed.json does not name its tables' DynamoDB tables\n"
           "  hint: run `gen build` (this gen writes their names)\n")


def test_seed_without_region_or_credentials(built: Path, no_aws: None) -> None:
    result = run_cli("-C", str(built), "seed")
    assert result.exit_code == 2 and result.stderr.startswith("gen seed: no AWS region"), result.stderr
    result = run_cli("-C", str(built), "seed", "--region", "eu-west-1")
    assert result.exit_code == 2 and result.stderr.startswith("gen seed: no AWS credentials found"), result.stderr
    assert "Traceback" not in result.stderr


def test_seed_against_a_closed_port(built: Path, no_aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends
    started = time.monotonic()
    result = run_cli("-C", str(built), "seed", "--region", "us-east-1", "--endpoint-url", f"http://127.0.0.1:{port}")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"gen seed: cannot reach DynamoDB at http://127.0.0.1:{port}")
    assert time.monotonic() - started < 30


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A port that accepts connections and never answers (a dead endpoint behind a firewall)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    server.close()


def test_seed_gives_up_on_a_silent_endpoint(built: Path, no_aws: None, monkeypatch: pytest.MonkeyPatch,
                                             silent_endpoint: str) -> None:
    from generator.seeding import load_seed_file

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    started = time.monotonic()
    with pytest.raises(EnvError, match="cannot reach DynamoDB at http://127.0.0.1"):
        load_seed_file(built, endpoint_url=silent_endpoint, region="us-east-1", timeout=1.0)
    assert time.monotonic() - started < 15  # two attempts of a 1 s read timeout, not a hang


def test_seed_into_a_missing_table(built: Path, no_aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        result = run_cli("-C", str(built), "seed", "--region", "us-east-1", "--stage", "prod")
    assert result.exit_code == 2
    assert result.stderr.startswith("gen seed: table shop-prod-orders does not exist at AWS"), result.stderr
    assert "--stage" in result.stderr


# -- gen dev --------------------------------------------------------------------------------------


def test_dev_port_out_of_range_is_a_usage_error(shop: Path) -> None:
    from generator.dev.stack import StackError, start_stack

    result = run_cli("-C", str(shop), "dev", "--port", "99999")
    assert result.exit_code == 2 and "99999 is not in the range 0<=x<=65535" in result.stderr
    with pytest.raises(StackError, match="port 99999 is out of range"):
        start_stack(shop, port=99999)
