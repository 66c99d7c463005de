"""generated/.gen-manifest.json: which files gen owns, their hashes, ownership and sources.

The manifest is the ownership record: only files listed here as `generated` are ever updated
or deleted; a file whose bytes differ from its recorded hash was edited by hand. The
generator version lives here, not in file headers, so an upgrade does not touch every file.
It also records each table's key and Terraform address as last built (`tables`), so that the
next build can refuse a change that would destroy data (`generator.write.guard`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.canonical import canonical_json

MANIFEST_PATH = "generated/.gen-manifest.json"
GENERATOR_VERSION = "0.1.0"
NOTE = ("Written by gen; never edit by hand. It records which files gen owns, their hashes, and each "
        "table's key as last built.")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    sha256: str
    ownership: str
    source: str
    emitter: str = ""
    template: str = ""


@dataclass(frozen=True, slots=True)
class TableRecord:
    """A table as last built: its key (``name:S`` parts, partition key first) and address."""

    key: tuple[str, ...]
    address: str

    def render(self) -> dict[str, Any]:
        return {"key": list(self.key), "terraform": self.address}


@dataclass
class Manifest:
    spec_sha256: str = ""
    files: dict[str, Entry] = field(default_factory=dict)
    tables: dict[str, TableRecord] | None = None  # None: written before tables were recorded

    def render(self) -> str:
        data: dict[str, Any] = {
            "note": NOTE,
            "generator": {"name": "gen", "version": GENERATOR_VERSION},
            "spec_sha256": self.spec_sha256,
            "files": {p: _entry(e) for p, e in sorted(self.files.items())},
            "tables": {name: t.render() for name, t in sorted((self.tables or {}).items())},
        }
        return canonical_json(data)


def _entry(e: Entry) -> dict[str, str]:
    """A file's record; `emitter` and `template` say which code made it (absent when unknown)."""
    out = {"sha256": e.sha256, "ownership": e.ownership, "source": e.source}
    if e.emitter:
        out["emitter"] = e.emitter
    if e.template:
        out["template"] = e.template
    return out


def read_manifest(root: Path) -> Manifest | None:
    """The manifest on disk, or None when absent or unreadable (then gen owns nothing yet)."""
    path = root / MANIFEST_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = {str(p): Entry(str(e["sha256"]), str(e["ownership"]), str(e.get("source", "")),
                               str(e.get("emitter", "")), str(e.get("template", "")))
                 for p, e in data.get("files", {}).items()}
        tables = None
        if isinstance(data.get("tables"), dict):
            tables = {str(n): TableRecord(tuple(str(k) for k in t["key"]), str(t["terraform"]))
                      for n, t in data["tables"].items()}
        return Manifest(spec_sha256=str(data.get("spec_sha256", "")), files=files, tables=tables)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
