"""Size guards (#11 M3): W-SIZE where an item or event has no largest size or may exceed
DynamoDB's 400 KB / a Kinesis record's 1 MB, and the bounds reaching the API definition.

The exact wording and locations are the error golden tests/golden/errors/warning_sizes; here:
the reference spec and a `gen init` project have no size warning, the rules the estimate
keeps, and the emitted API models carrying every bound (API Gateway validates with them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import pipeline
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "golden" / "errors" / "warning_sizes"


def _size_warnings(root: Path) -> list[str]:
    ir, diags = pipeline.validate(root, use_cache=False)
    assert ir is not None, [d.render() for d in diags.items]
    return [d.render() for d in diags.items if d.code == "W-SIZE"]


def test_the_reference_spec_has_no_size_warning() -> None:
    assert _size_warnings(ROOT) == []


def test_a_new_project_has_no_size_warning(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "demo")).exit_code == 0
    assert _size_warnings(tmp_path / "demo") == []


def _case(tmp_path: Path, edit: Any) -> list[str]:
    project = tmp_path / "p"
    shutil.copytree(CASE / "spec", project / "spec")
    path = project / "spec" / "openapi.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc["components"]["schemas"])
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return _size_warnings(project)


def _bound_everything(schemas: dict[str, Any]) -> None:
    schemas["Order"]["properties"]["orderId"]["maxLength"] = 64
    schemas["Order"]["properties"]["labels"]["propertyNames"] = {"maxLength": 32}
    schemas["Line"]["properties"]["text"]["maxLength"] = 500
    schemas["Order"]["properties"]["note"]["maxLength"] = 10_000
    schemas["OrderPlaced"]["properties"]["blob"]["maxLength"] = 100_000


def test_bounded_parts_that_fit_give_no_warning(tmp_path: Path) -> None:
    assert _case(tmp_path, _bound_everything) == []


@pytest.mark.parametrize(("edit", "expected"), [
    # 100 lines of up to 1032 characters at 4 bytes each (UTF-8), a 10000-character note, ...
    (lambda s: s["Line"]["properties"]["text"].update(maxLength=1000),
     "an item of table 'orders' may be 446 KB with the bounds its schema sets, more than DynamoDB's 400 KB"),
    # 6 bytes per character in JSON: 180000 characters are over 1 MB
    (lambda s: s["OrderPlaced"]["properties"]["blob"].update(maxLength=180_000),
     "event 'order.placed' may be 1.1 MB with the bounds its schema sets, more than a Kinesis record's 1 MB"),
    (lambda s: s["Order"]["properties"]["lines"].pop("maxItems"),
     "an array without maxItems: an item of table 'orders' has no largest size"),
    (lambda s: s["Order"]["properties"]["labels"].pop("maxProperties"),
     "a map without maxProperties: an item of table 'orders' has no largest size"),
])
def test_what_the_estimate_counts(tmp_path: Path, edit: Any, expected: str) -> None:
    def apply(schemas: dict[str, Any]) -> None:
        _bound_everything(schemas)
        edit(schemas)

    warnings = _case(tmp_path, apply)
    assert len(warnings) == 1 and expected in warnings[0], warnings


def test_the_api_models_carry_every_bound() -> None:
    """What API Gateway's request validator (and gen dev's) checks: the payload's and the
    envelope's bounds (map keys: draft 4 has no propertyNames)."""
    schemas = json.loads((ROOT / "generated" / "api" / "openapi.json").read_text())["components"]["schemas"]
    registered = schemas["DeviceRegistered"]["properties"]
    assert registered["name"]["maxLength"] == 256
    assert registered["tags"] == {"type": "object", "maxProperties": 20,
                                  "additionalProperties": {"type": "string", "maxLength": 256}}
    envelope = schemas["DeviceRegisteredEvent"]["properties"]
    assert {k: envelope[k]["maxLength"] for k in ("id", "source", "subject", "time")} == {
        "id": 256, "source": 1024, "subject": 256, "time": 64}
