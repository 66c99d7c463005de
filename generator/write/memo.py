"""A memo of the last clean build, so that a no-op `gen build` / `--check` costs a few hashes.

Output is a pure function of the spec files and the generator's own code and templates, so
when their fingerprint equals the one recorded after the last clean build, the expected
output is known without regenerating: it is enough to confirm that disk still holds exactly
those bytes. Any doubt (no memo, other fingerprint, a file differs, an unknown file appears)
falls back to the full pipeline, which alone decides verbs, diffs and conflicts. The memo
lives in .gen-cache/ and is only an accelerator: deleting it changes nothing but speed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator.cache import code_fingerprint, read_json, write_json

MEMO = "build-memo.json"


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


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def record(root: Path, manifest_text: str, diagnostics: list[str]) -> None:
    """Remember a clean build (disk == output). Failing to write the memo only costs speed."""
    fp = fingerprint(root)
    if fp is None:
        return
    write_json(root / ".gen-cache" / MEMO, {"fingerprint": fp, "manifest": manifest_text, "diagnostics": diagnostics})


def up_to_date(root: Path) -> list[str] | None:
    """The recorded diagnostics when disk provably holds the current output; else None."""
    data = read_json(root / ".gen-cache" / MEMO)
    try:
        manifest_text = (root / "generated/.gen-manifest.json").read_text(encoding="utf-8")
    except OSError:
        return None
    if not isinstance(data, dict) or data.get("manifest") != manifest_text or data.get("fingerprint") != fingerprint(root):
        return None
    files = json.loads(manifest_text).get("files", {})
    for rel, entry in files.items():
        path = root / rel
        if entry.get("ownership") == "scaffold":
            if not path.is_file():
                return None
        elif _sha(path) != entry.get("sha256"):
            return None
    # files gen would warn about (unknown in generated/, orphan handwritten modules) need the full run
    gen_dir = root / "generated"
    for path in gen_dir.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel not in files and rel != "generated/.gen-manifest.json" \
                and "__pycache__" not in path.parts:
            return None
    processors = root / "handwritten/processors"
    if processors.is_dir():
        for path in processors.glob("*.py"):
            if path.relative_to(root).as_posix() not in files:
                return None
    return [str(d) for d in data.get("diagnostics", [])]
