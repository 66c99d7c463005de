"""The accelerated OpenAPI validation reports exactly what openapi-spec-validator reports."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator

from generator.diagnostics import Diagnostics
from generator.load.yaml_loader import load_yaml
from generator.validate.openapi import _run_whole, validate_openapi
from tests.conftest import REPO


def _reference() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "spec/openapi.yaml").read_text())
    assert isinstance(data, dict)
    return data


def _broken() -> list[dict[str, Any]]:
    docs = []
    a = _reference()
    a["paths"]["/sites"]["get"]["parameters"].append({"name": "x", "in": "querystring", "schema": {"type": "string"}})
    docs.append(a)
    b = _reference()
    b["paths"]["/sites"]["get"]["operationId"] = 5
    docs.append(b)
    c = _reference()
    del c["paths"]["/devices"]["get"]["responses"]
    c["info"]["version"] = 3
    docs.append(c)
    return docs


@pytest.mark.parametrize("doc", _broken(), ids=["param-in", "operation-id-type", "missing-responses"])
def test_same_errors_as_the_stock_validator(doc: dict[str, Any]) -> None:
    ours, crashed = _run_whole(copy.deepcopy(doc), "3.1.0")
    stock = [(list(e.absolute_path), str(e.message).splitlines()[0]) for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert not crashed
    assert sorted(map(str, ours)) == sorted(map(str, stock))
    assert ours


def test_cold_and_cached_runs_report_the_same(tmp_path: Path) -> None:
    doc = _broken()[1]
    doc["paths"]["/devices"]["get"]["parameters"][0] = {"name": "limit", "in": "body"}
    text = yaml.safe_dump(doc, sort_keys=False)
    rendered = []
    for _ in range(2):  # first run fills the cache from one whole-document pass; second reads parts
        diags = Diagnostics()
        loaded = load_yaml("spec/openapi.yaml", text, diags)
        assert loaded is not None
        assert not validate_openapi(loaded, diags, tmp_path / "cache")
        rendered.append([d.render() for d in diags])
    uncached = Diagnostics()
    loaded = load_yaml("spec/openapi.yaml", text, uncached)
    assert loaded is not None
    validate_openapi(loaded, uncached, None)
    assert rendered[0] == rendered[1] == [d.render() for d in uncached]
    assert len(rendered[0]) == 3  # operationId type, and the body param twice (name+in rules)
