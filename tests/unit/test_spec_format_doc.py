"""docs/spec-format.md cannot drift from the code: every model.yaml key, every x-gen key and
every diagnostic code gen raises is documented there, and the code table lists nothing gen no
longer raises. The wheel carries the file (generator/docs/spec-format.md) for `gen init`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.ir.build_api import SORT_KEYS, XGEN_KEYS
from generator.validate.model_schema import MODEL_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "spec-format.md"
CODE = re.compile(r'"([EW]-[A-Z0-9]+(?:-[A-Z0-9]+)*)"')


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def _schema_keys(schema: Any) -> Iterator[str]:
    """Every property name of a JSON schema, nested ones included."""
    if not isinstance(schema, dict):
        return
    for name, sub in (schema.get("properties") or {}).items():
        yield name
        yield from _schema_keys(sub)
    yield from _schema_keys(schema.get("additionalProperties"))
    yield from _schema_keys(schema.get("items"))


def _raised_codes() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "generator").rglob("*.py"):
        codes |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return codes


def _table_rows(text: str) -> set[str]:
    """The backticked first cells of the doc's table rows (where keys and codes are described)."""
    return set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.M))


def test_every_model_key_is_documented() -> None:
    documented = _table_rows(_text())
    keys = set(_schema_keys(MODEL_SCHEMA))
    assert keys >= {"version", "name", "partition_key", "retention_hours", "memory_mb", "domain", "projection"}
    assert sorted(keys - documented) == []


def test_every_x_gen_key_is_documented() -> None:
    documented = _table_rows(_text())
    assert sorted(set(XGEN_KEYS) - documented) == []
    assert sorted(set(SORT_KEYS) - documented) == []


def test_every_raised_code_is_documented_and_only_those() -> None:
    text = _text()
    table = set(re.findall(r"^\| `([EW]-[A-Z0-9-]+)` \|", text, flags=re.M))
    raised = _raised_codes()
    assert len(raised) > 30
    assert sorted(raised - table) == [], "raised by generator/ but missing from the code table"
    assert sorted(table - raised) == [], "in the code table but no longer raised"
    mentioned = set(re.findall(r"`([EW]-[A-Z0-9]+(?:-[A-Z0-9]+)*)`", text))
    assert sorted(mentioned - raised) == [], "the doc names codes gen does not raise"


def test_the_wheel_carries_the_reference() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["docs/spec-format.md"] == "generator/docs/spec-format.md"


def test_the_reference_is_found_from_the_source_tree() -> None:
    from generator.render.env import spec_reference

    assert spec_reference() == DOC


def test_hints_and_templates_point_inside_the_project() -> None:
    """Nothing a user sees refers to a design document outside this repository."""
    offenders = []
    for folder in ("generator", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".j2", ".md", ".yaml") and "node_modules" not in path.parts:
                text = path.read_text(encoding="utf-8")
                if "DESIGN.md" in text or "shared/" in text:
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
