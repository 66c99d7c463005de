"""Each watch test runs `gen dev`'s stack on its own copy of a fresh `gen init` project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.dev.stack import RunningStack, start_stack
from generator.dev.watch import Watcher
from tests.conftest import run_cli
from tests.dev.watch.support import copy_project


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("watch-template") / "demo"
    result = run_cli("init", str(root))
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    return copy_project(demo_template, tmp_path)


@pytest.fixture
def running(demo: Path) -> Iterator[tuple[RunningStack, Watcher, list[str]]]:
    """The stack on the copy and a watcher that is polled by hand (`watcher.poll()`)."""
    stack = start_stack(demo, port=0)
    printed: list[str] = []
    watcher = Watcher(stack, demo, printed.append)
    try:
        yield stack, watcher, printed
    finally:
        stack.stop()
