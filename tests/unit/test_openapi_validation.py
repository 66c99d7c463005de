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
from generator.speed.session import Session
from generator.speed.validation import start_openapi
from generator.validate.openapi import validate_openapi, whole_errors
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
    ours, crashed = whole_errors(copy.deepcopy(doc), "3.1.0")
    stock = [(list(e.absolute_path), str(e.message).splitlines()[0]) for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert not crashed
    assert sorted(map(str, ours)) == sorted(map(str, stock))
    assert ours


def test_cold_and_cached_runs_report_the_same(tmp_path: Path) -> None:
    doc = _broken()[1]
    doc["paths"]["/devices"]["get"]["parameters"][0] = {"name": "limit", "in": "body"}
    text = yaml.safe_dump(doc, sort_keys=False)
    rendered = []
    for background in (False, True, True):
        # first run fills the cache from one whole-document pass; the others read parts
        diags = Diagnostics()
        loaded = load_yaml("spec/openapi.yaml", text, diags)
        assert loaded is not None
        assert not start_openapi(Session(tmp_path / "cache"), loaded, diags, background=background)()
        rendered.append([d.render() for d in diags])
    assert list((tmp_path / "cache/oas").glob("oas.*.bin"))
    uncached = Diagnostics()
    loaded = load_yaml("spec/openapi.yaml", text, uncached)
    assert loaded is not None
    validate_openapi(loaded, uncached)
    assert rendered[0] == rendered[1] == rendered[2] == [d.render() for d in uncached]
    assert len(rendered[0]) == 3  # operationId type, and the body param twice (name+in rules)


def _old_subdocuments(data: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
    """The sub-documents as first defined, by walking the document (the reference)."""
    from generator.validate.openapi import _TOP_KEYS
    from generator.load.refs import ref_closure

    top = {k: data[k] for k in _TOP_KEYS if k in data}
    out: list[tuple[Any, dict[str, Any]]] = []
    for path, item in data["paths"].items():
        components: dict[str, Any] = {}
        for ptr in sorted(ref_closure(data, item), key=str):
            if len(ptr) == 3 and ptr[0] == "components":
                components.setdefault(str(ptr[1]), {})[str(ptr[2])] = data["components"][ptr[1]][ptr[2]]
        doc = dict(top, paths={path: item})
        if components:
            doc["components"] = components
        out.append((("paths", path), doc))
    rest = dict(top, components=data["components"], paths={})
    out.append(((), rest))
    return out


def test_subdocuments_from_compact_json_equal_the_walked_ones(tmp_path: Path) -> None:
    from benchmarks.synth import write_project
    from generator.validate.openapi import _subdocuments

    write_project(tmp_path, 6)
    synth = yaml.safe_load((tmp_path / "spec/openapi.yaml").read_text())
    tricky = _reference()
    schemas = tricky["components"]["schemas"]
    schemas["Odd~/Name"] = {"type": "object", "description": ',"$ref":"#/components/schemas/Nope"',
                            "properties": {'a"$ref': {"type": "string"}, "b": {"$ref": "#/components/schemas/Device"}}}
    tricky["paths"]["/sites"]["get"]["x-note"] = {"$ref": "#/components/schemas/Odd~0~1Name"}
    for data in (_reference(), synth, tricky):
        assert _subdocuments(data) == _old_subdocuments(data)


def test_refs_from_compact_json_are_exactly_the_walked_refs() -> None:
    from generator.validate.openapi import _compact, _refs
    from generator.load.refs import iter_refs

    value = {"a": [{"$ref": "#/x"}, {"$ref": 5}, {"k": 'say ,"$ref":"#/no"', 'q"$ref': "#/no"}],
             "b": {"$ref": '#/with "quote" \\ and \u00e9', "c": {"$ref": "#/y"}}, "$ref": "#/top"}
    assert sorted(_refs(_compact(value))) == sorted(ref for _, ref in iter_refs(value))
