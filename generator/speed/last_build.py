"""A memo of the last clean build, so that a no-op `gen build` / `--check` costs a few hashes.

Output is a pure function of the spec files and the generator's own code and templates, so
when their fingerprint equals the one recorded after the last clean build, the expected output
is the recorded manifest: it is enough to confirm that the planner would find nothing to do
with it, by the planner's own rules (`generator.write.plan`): every generated file identical,
every scaffold present, nothing to warn about. Any doubt (no memo, another fingerprint, a file
differs, a file to warn about) falls back to the full pipeline, which alone decides verbs,
diffs and conflicts. The memo lives in .gen-cache/ and is only an accelerator: deleting it
changes nothing but speed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator.speed.keys import code_fingerprint
from generator.speed.store import CACHE_DIR, read_json, write_json
from generator.write.manifest import MANIFEST_PATH, Entry, Manifest, sha256_bytes
from generator.write.plan import PathError, kept_files, read_output

MEMO = f"{CACHE_DIR}/build-memo.json"


def fingerprint(root: Path) -> str | None:
    """sha256 over every spec file's bytes and the generator's code; None if spec/ is unreadable."""
    h = hashlib.sha256(code_fingerprint().encode())
    spec = root / "spec"
    try:
        files = [spec / "openapi.yaml", spec / "model.yaml"]
        seed = spec / "seed"
        if seed.is_dir():
            files += sorted(p for p in seed.iterdir() if p.is_file() and not p.name.startswith("."))
        for path in files:
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def record(root: Path, manifest_text: str, diagnostics: list[str]) -> None:
    """Remember a clean build (disk == output). Failing to write the memo only costs speed."""
    fp = fingerprint(root)
    if fp is None:
        return
    write_json(root / MEMO, {"fingerprint": fp, "manifest": manifest_text, "diagnostics": diagnostics})


def up_to_date(root: Path) -> list[str] | None:
    """The recorded diagnostics when disk provably holds the current output; else None."""
    data = read_json(root / MEMO)
    try:
        manifest_text = (root / MANIFEST_PATH).read_text(encoding="utf-8")
    except OSError:
        return None
    if not isinstance(data, dict) or data.get("manifest") != manifest_text or data.get("fingerprint") != fingerprint(root):
        return None
    try:
        files = {str(path): Entry(str(e["sha256"]), str(e["ownership"]), str(e.get("source", "")))
                 for path, e in json.loads(manifest_text)["files"].items()}
        for rel, entry in files.items():
            disk = read_output(root, rel)
            if disk is None or (entry.ownership != "scaffold" and sha256_bytes(disk) != entry.sha256):
                return None  # the plan would create or update it
    except (PathError, OSError, KeyError, TypeError, ValueError, AttributeError):
        return None
    scaffolds = {rel for rel, entry in files.items() if entry.ownership == "scaffold"}
    if kept_files(root, set(files), scaffolds, Manifest(files=files)):
        return None  # the full run prints the warnings
    return [str(d) for d in data.get("diagnostics", [])]
