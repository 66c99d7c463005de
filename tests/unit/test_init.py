"""`gen init`: a complete project (two commands, pinned requirements, tests, CI, optional app).

What the project's `make test` does is run by tests/unit/test_init_wheel.py (slow: a fresh
virtualenv with the built wheel); here, the files and what they promise.
"""

from __future__ import annotations

import py_compile
import tomllib
from pathlib import Path

import pytest

from generator.init_project import FILES, FRONTEND_FILES, TEST_PINS, spec_reference
from generator.ir.names import package_identifier
from tests.conftest import REPO, run_cli


def test_a_project_has_every_file_and_builds(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    result = run_cli("init", str(root))
    assert result.exit_code == 0, result.stderr
    for rel, _ in FILES:
        assert (root / rel).is_file(), rel
    assert not (root / "frontend" / "package.json").exists()
    assert run_cli("-C", str(root), "build", "--check").exit_code == 0
    assert "next: cd" in result.stderr
    makefile = (root / "Makefile").read_text()
    assert "\nrun: build\n\t$(GEN) dev\n" in makefile
    for step in ("$(GEN) build --check", "$(PYTHON) -m pytest -q", "$(GEN) test --pipeline",
                 "$(GEN) validate --terraform", "$(PYTHON) -m mypy", "$(PYTHON) -m ruff check"):
        assert f"\t{step}" in makefile, step
    readme = (root / "README.md").read_text()
    for promise in ("make run", "make test", "gen test", "docs/spec-format.md"):
        assert promise in readme
    ci = (root / ".github/workflows/ci.yml").read_text()
    assert "gen build --check" in ci and "make test" in ci
    assert "generated/** linguist-generated=true" in (root / ".gitattributes").read_text()
    assert ".gen-cache/" in (root / ".gitignore").read_text()
    settings = tomllib.loads((root / "pyproject.toml").read_text())
    assert settings["tool"]["mypy"]["files"] == ["generated/python/demo", "handwritten", "tests"]
    assert settings["tool"]["pytest"]["ini_options"]["pythonpath"] == ["generated/python", "."]
    for path in list(root.rglob("*.py")):
        py_compile.compile(str(path), doraise=True)


def test_requirements_pin_this_gen_and_the_test_tools_gen_uses(tmp_path: Path) -> None:
    import generator

    root = tmp_path / "demo"
    assert run_cli("init", str(root)).exit_code == 0
    lines = [line for line in (root / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines[0] == f"specstack[terraform]=={generator.__version__}"
    assert lines[1:] == list(TEST_PINS)
    ours = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    versions = {pin.split("[")[0].split("==")[0]: pin.split("==")[1] for pin in ours}
    for pin in TEST_PINS:
        name, version = pin.split("[")[0].split("==")[0], pin.split("==")[1]
        assert versions[name] == version, f"{pin}: gen's own tests use {name}=={versions[name]}"


@pytest.mark.parametrize(("name", "package"), [
    ("lambda", "lambda_"), ("class", "class_"), ("json", "json_"), ("my-service", "my_service"),
    ("handwritten", "handwritten_"), ("shop", "shop"), ("match", "match_"),
])
def test_package_names_are_safe(name: str, package: str) -> None:
    assert package_identifier(name) == package


def test_a_keyword_project_name_builds_importable_code(tmp_path: Path) -> None:
    """`gen init /x/lambda` built, but `from lambda.contracts import ...` was a SyntaxError."""
    root = tmp_path / "lambda"
    assert run_cli("init", str(root)).exit_code == 0
    assert "name: lambda" in (root / "spec/model.yaml").read_text()
    assert (root / "generated/python/lambda_/contracts.py").is_file()
    assert "from lambda_.contracts import" in (root / "handwritten/processors/apply_orders.py").read_text()
    for path in [*root.rglob("*.py")]:
        py_compile.compile(str(path), doraise=True)


def test_frontend_adds_a_typed_vite_app(tmp_path: Path) -> None:
    import json

    root = tmp_path / "shop"
    assert run_cli("init", "--frontend", str(root)).exit_code == 0
    for rel, _ in FRONTEND_FILES:
        assert (root / rel).is_file(), rel
    package = json.loads((root / "frontend/package.json").read_text())
    ours = json.loads((REPO / "frontend/package.json").read_text())
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        assert version == {**ours["dependencies"], **ours["devDependencies"]}[name], name
    assert "openapi-typescript ../generated/api/openapi.json" in package["scripts"]["gen:types"]
    assert "\ntest: frontend\n" in (root / "Makefile").read_text()
    assert 'client.GET("/orders"' in (root / "frontend/src/App.tsx").read_text()


def test_the_spec_reference_is_copied_when_gen_ships_it(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    assert run_cli("init", str(root)).exit_code == 0
    reference = spec_reference()
    if reference is None:
        assert not (REPO / "docs/spec-format.md").exists()
        pytest.skip("docs/spec-format.md is not in this tree yet")
    assert (root / "docs/spec-format.md").read_text() == reference.read_text()
