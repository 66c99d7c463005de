"""Shared test helpers: the --update-golden flag, in-process CLI runs, inline project trees."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliResult:
    """Run `gen ARGS` in this process, as the console script would."""
    from generator.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return CliResult(code, out.getvalue(), err.getvalue())


def write_tree(root: Path, files: dict[str, str | None]) -> Path:
    """Create files under root from {relative path: text}; None deletes the path."""
    for rel, text in files.items():
        path = root / rel
        if text is None:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def read_tree(root: Path, *, skip: tuple[str, ...] = (".gen-cache",), prefix: str = "") -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = prefix + path.relative_to(root).as_posix()
        if path.is_file() and not any(rel == s or rel.startswith(s + "/") for s in skip) \
                and "__pycache__" not in path.parts:
            out[rel] = path.read_bytes()
    return out


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Path]:
    """A fresh minimal project (the `gen init` spec), not yet built."""
    from generator.render.env import render

    root = tmp_path / "shop"
    write_tree(root, {
        "spec/model.yaml": render("init/spec/model.yaml.j2", name="shop"),
        "spec/openapi.yaml": render("init/spec/openapi.yaml.j2", name="shop"),
        "spec/seed/orders.yaml": render("init/spec/seed/orders.yaml.j2", name="shop"),
    })
    yield root
