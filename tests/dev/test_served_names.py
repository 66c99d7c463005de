"""`gen dev` serves a table whose spec name and snake_case identifier differ (``orders_``).

Regression: the mapping templates read ``$stageVariables.table_orders_`` while `gen dev`
supplied ``table_orders``, so every read of such a table went out with an empty table name
and answered 502. The golden case tests/golden/cases/trailing_underscore_table is built and
served by the real local stack (moto, the API Gateway emulator, the generated VTL).
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.dev.stack import RunningStack, start_stack

CASE = Path(__file__).resolve().parents[1] / "golden" / "cases" / "trailing_underscore_table"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    project = tmp_path_factory.mktemp("served") / "shop"
    shutil.copytree(CASE / "spec", project / "spec")
    assert pipeline.build(project, use_cache=False).written
    running = start_stack(project, "127.0.0.1", 0, log_level="WARNING")
    yield running
    running.stop()


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_stack_supplies_the_stage_variable_the_templates_read(stack: RunningStack) -> None:
    assert stack.names.stage_variables(stack.ir)["table_orders_"] == "shop-local-orders"


def test_get_item_from_a_trailing_underscore_table(stack: RunningStack) -> None:
    status, body = _get(f"{stack.api_url}/orders/o-1")
    assert status == 200, body
    assert body == {"orderId": "o-1", "status": "placed", "total": 12.5}


def test_list_a_trailing_underscore_table(stack: RunningStack) -> None:
    status, body = _get(f"{stack.api_url}/orders?limit=10")
    assert status == 200, body
    assert sorted(item["orderId"] for item in body["items"]) == ["o-1", "o-2"]
