"""`gen dev --log-format`: an unknown format is a usage error; a stack that cannot start prints
its one error line on the real stderr, after the one writer is put away (never as a record)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli


def test_an_unknown_log_format_is_a_usage_error() -> None:
    result = run_cli("dev", "--log-format", "xml")
    assert result.exit_code == 2 and "'xml' is not one of 'pretty', 'json'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("log_format", ["pretty", "json"])
def test_a_stack_that_cannot_start_says_so_in_one_plain_line(shop: Path, log_format: str) -> None:
    streams = sys.stdout, sys.stderr, logging.getLogger().handlers[:]
    result = run_cli("-C", str(shop), "dev", "--port", "0", "--log-format", log_format)
    assert result.exit_code == 2
    assert result.stderr.startswith("gen dev: generated/ is out of date")
    assert result.stderr.count("\n") == 1 and result.stderr.rstrip().endswith("run `gen build` first")
    assert result.stdout == "" and (sys.stdout, sys.stderr, logging.getLogger().handlers) == streams
