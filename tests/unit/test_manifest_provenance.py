"""Every manifest entry says which emitter made the file and, for rendered or copied text, from
which template or runtime module: a reviewer can go from any generated file to its source."""

from __future__ import annotations

import json
from pathlib import Path

from generator.emit import EMITTERS

REPO = Path(__file__).resolve().parents[2]
SERIALISED = {"generated/api/openapi.json", "generated/dynamodb/seed.json"}  # built as data, not rendered


def _entries() -> dict[str, dict[str, str]]:
    files: dict[str, dict[str, str]] = json.loads((REPO / "generated/.gen-manifest.json").read_text())["files"]
    return files


def test_every_entry_names_a_registered_emitter() -> None:
    entries = _entries()
    assert entries
    assert {path: e.get("emitter") for path, e in entries.items() if e.get("emitter") not in EMITTERS} == {}


def test_every_rendered_file_names_a_template_that_exists() -> None:
    missing = {}
    for path, entry in _entries().items():
        template = entry.get("template")
        if path in SERIALISED or path.endswith("py.typed"):
            assert template is None, path
            continue
        if template is None:
            missing[path] = "no template recorded"
            continue
        where = REPO / template if template.startswith("generator/") else REPO / "templates" / template
        if not where.is_file():
            missing[path] = f"{template} does not exist"
    assert missing == {}


def test_a_runtime_module_names_its_source_file() -> None:
    entries = _entries()
    runtime = {p: e for p, e in entries.items() if "/runtime/" in p}
    assert runtime
    for path, entry in runtime.items():
        assert entry["template"] == f"generator/runtime/python/{path.rsplit('/', 1)[1]}"
