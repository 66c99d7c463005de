"""Read a project's spec/ folder: openapi.yaml, model.yaml and seed/<table>.yaml.

Returns raw documents with their position indexes and the exact bytes read (for hashing).
Missing or unreadable files become located diagnostics; nothing here interprets the spec.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from generator.canonical import Fragment, canonical_json
from generator.diagnostics import Diagnostics, Location
from generator.load.yaml_loader import YamlDocument, load_yaml

OPENAPI = "spec/openapi.yaml"
MODEL = "spec/model.yaml"
SEED_DIR = "spec/seed"


@dataclass
class LoadedSpec:
    """The raw spec of one project. `texts` maps project-relative paths to their contents."""

    root: Path
    openapi: YamlDocument | None
    model: YamlDocument | None
    seeds: dict[str, YamlDocument] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def digest(self, fragment: Fragment | None = None) -> str:
        """sha256 of the spec's content: parsed data in canonical JSON, so comments, formatting
        and mapping-key order (none of which change the output) do not change it either.
        `fragment`: see `canonical_json` (the same digest, computed faster)."""
        content = {d.path: d.data for d in (self.openapi, self.model) if d is not None}
        for seed in self.seeds.values():
            # seed items are stored in key order, so the order they are written in does not count
            items = seed.data if isinstance(seed.data, list) else [seed.data]
            content[seed.path] = sorted(canonical_json(item) for item in items)
        return hashlib.sha256(canonical_json(content, fragment).encode("utf-8")).hexdigest()

    def document(self, path: str) -> YamlDocument | None:
        if path == OPENAPI:
            return self.openapi
        if path == MODEL:
            return self.model
        for doc in self.seeds.values():
            if doc.path == path:
                return doc
        return None


def _read(root: Path, rel: str, diags: Diagnostics) -> str | None:
    try:
        return (root / rel).read_text(encoding="utf-8")
    except FileNotFoundError:
        diags.error("E-FILE", f"{rel} is missing", Location(rel),
                    "every project has spec/openapi.yaml and spec/model.yaml; `gen init DIR` creates them")
    except UnicodeDecodeError as exc:
        diags.error("E-FILE", f"{rel} is not UTF-8 ({exc.reason} at byte {exc.start})", Location(rel),
                    "save the file as UTF-8")
    except OSError as exc:
        diags.error("E-FILE", f"cannot read {rel}: {exc.strerror}", Location(rel))
    return None


def load_spec(root: Path, diags: Diagnostics) -> LoadedSpec:
    """Load every spec file under `root`; syntax problems are reported, never raised."""
    spec = LoadedSpec(root=root, openapi=None, model=None)
    for rel in (OPENAPI, MODEL):
        text = _read(root, rel, diags)
        if text is None:
            continue
        spec.texts[rel] = text
        doc = load_yaml(rel, text, diags)
        if rel == OPENAPI:
            spec.openapi = doc
        else:
            spec.model = doc
    seed_dir = root / SEED_DIR
    if seed_dir.is_dir():
        for path in sorted(seed_dir.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            rel = f"{SEED_DIR}/{path.name}"
            if path.suffix not in (".yaml", ".yml"):
                diags.error("E-SEED-FILE", f"{rel} is not a .yaml file", Location(rel),
                            "seed files are spec/seed/<table>.yaml")
                continue
            text = _read(root, rel, diags)
            if text is None:
                continue
            spec.texts[rel] = text
            doc = load_yaml(rel, text, diags, exact_numbers=True)
            if doc is not None:
                spec.seeds[path.stem] = doc
    return spec
