"""Compare the emitted files with disk and the manifest: one verb per path. Reads, never writes.

Verbs: `create` (absent), `update` (gen-owned, unedited, content changed), `identical`,
`delete` (gen-owned, no longer emitted, unedited), `conflict` (a gen-owned file edited by hand,
or a file in the way that gen does not own), `skip` (a scaffold that exists: it is the
user's now). `force` turns conflicts into updates/deletes. Warnings report handwritten
modules whose processor left the spec and unknown files under generated/; both are kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from generator.errors import UserError
from generator.ir.names import SCAFFOLD_DIR
from generator.render.header import with_header
from generator.write.manifest import MANIFEST_PATH, Entry, Manifest, TableRecord, read_manifest, sha256_bytes

if TYPE_CHECKING:  # a no-op build (generator.speed.last_build) reads the rules below without the emitters
    from generator.emit.base import OutputFile

Verb = Literal["create", "update", "identical", "delete", "conflict", "skip"]


class PathError(UserError):
    """A path gen refuses to write: it would escape its folder, follow a symlink or replace a
    directory. Nothing is written; the message names the path."""


@dataclass(frozen=True, slots=True)
class Action:
    verb: Verb
    path: str
    content: str | None = None
    old: str | None = None
    reason: str = ""


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    manifest: Manifest = field(default_factory=Manifest)
    manifest_text: str = ""
    manifest_changed: bool = False
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (path, message, hint)

    def by_verb(self, *verbs: Verb) -> list[Action]:
        return [a for a in self.actions if a.verb in verbs]

    @property
    def conflicts(self) -> list[Action]:
        return self.by_verb("conflict")

    @property
    def changes(self) -> list[Action]:
        return self.by_verb("create", "update", "delete")

    @property
    def stale(self) -> bool:
        return bool(self.changes or self.conflicts or self.manifest_changed)


def check_path(path: str, ownership: str) -> None:
    p = PurePosixPath(path)
    top = "handwritten" if ownership == "scaffold" else "generated"
    if p.is_absolute() or ".." in p.parts or not p.parts or p.parts[0] != top or len(p.parts) < 2 or "\\" in path:
        raise PathError(f"refusing to write {path!r}: {ownership} files must stay inside {top}/")


def read_output(root: Path, rel: str) -> bytes | None:
    """The bytes at `rel`, None when absent; PathError for a symlink or a directory there."""
    target = os.path.join(root, rel)
    if os.path.islink(target):
        raise PathError(f"refusing to follow the symlink {rel}")
    try:
        with open(target, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise PathError(f"{rel} is a directory where gen writes a file") from None


def plan(root: Path, files: list[OutputFile], spec_digest: str, *, force: bool = False,
         tables: dict[str, TableRecord] | None = None) -> Plan:
    """`tables` is what the new manifest records of each table (`guard.table_records`); None keeps
    what the manifest on disk records (for callers that only ask whether files are current)."""
    old = read_manifest(root) or Manifest()
    result = Plan()
    new_entries: dict[str, Entry] = {}
    emitted: set[str] = set()
    for f in files:
        check_path(f.path, f.ownership)
        emitted.add(f.path)
        scaffold = f.ownership == "scaffold"
        content = with_header(f.path, f.source, f.content, scaffold=scaffold) if f.header else f.content
        encoded = content.encode("utf-8")
        digest = sha256_bytes(encoded)
        disk = read_output(root, f.path)
        if scaffold:
            # The file on disk belongs to the user; the manifest records what gen would scaffold
            # now, so the manifest depends on the spec alone, never on the tree's history.
            new_entries[f.path] = Entry(digest, "scaffold", f.source, f.emitter, f.template)
            result.actions.append(Action("skip", f.path) if disk is not None else Action("create", f.path, content))
            continue
        new_entries[f.path] = Entry(digest, "generated", f.source, f.emitter, f.template)
        recorded = old.files.get(f.path)
        if disk is None:
            result.actions.append(Action("create", f.path, content))
        elif disk == encoded:
            result.actions.append(Action("identical", f.path))
        elif force or (recorded and recorded.ownership == "generated" and sha256_bytes(disk) == recorded.sha256):
            result.actions.append(Action("update", f.path, content, _text(disk)))
        else:
            why = ("edited by hand since gen wrote it" if recorded else "exists but gen did not write it")
            result.actions.append(Action("conflict", f.path, content, _text(disk), why))
    for path, entry in sorted(old.files.items()):
        if path in emitted or entry.ownership == "scaffold":
            continue
        disk = read_output(root, path)
        if disk is None:
            continue
        if force or sha256_bytes(disk) == entry.sha256:
            result.actions.append(Action("delete", path, None, _text(disk)))
        else:
            result.actions.append(Action("conflict", path, None, _text(disk),
                                         "no longer generated, but edited by hand since gen wrote it"))
            new_entries[path] = entry
    result.warnings = kept_files(root, emitted, {f.path for f in files if f.ownership == "scaffold"}, old)
    manifest = Manifest(spec_sha256=spec_digest, files=new_entries,
                        tables=tables if tables is not None else old.tables)
    result.manifest = manifest
    result.manifest_text = manifest.render()
    on_disk = read_output(root, MANIFEST_PATH)
    result.manifest_changed = on_disk is None or on_disk.decode("utf-8", "replace") != result.manifest_text
    result.actions.sort(key=lambda a: a.path)
    return result


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def kept_files(root: Path, emitted: set[str], scaffolds: set[str], old: Manifest) -> list[tuple[str, str, str]]:
    """Files gen keeps but warns about, as (path, message, hint): scaffolds whose processor left
    the spec, unknown files under generated/, and handwritten processor modules that implement
    nothing. `emitted`: every path emitted now; `scaffolds`: those that are scaffolds."""
    warnings: list[tuple[str, str, str]] = []
    for path, entry in sorted(old.files.items()):
        if path not in emitted and entry.ownership == "scaffold" and (root / path).exists():
            warnings.append((path, "implements no processor in the spec any more",
                             "it is yours, so gen keeps it; delete it if it is no longer needed"))
    _unknown_files(root, emitted, old, warnings)
    _orphan_handwritten(root, scaffolds, old, warnings)
    return warnings


def _unknown_files(root: Path, emitted: set[str], old: Manifest, warnings: list[tuple[str, str, str]]) -> None:
    gen_dir = root / "generated"
    if not gen_dir.is_dir():
        return
    found: list[str] = []
    for folder, dirs, names in os.walk(gen_dir):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        base = Path(folder).relative_to(root).as_posix()
        found += [f"{base}/{name}" for name in names
                  if name != "__pycache__" and os.path.splitext(name)[1] != ".pyc"]
    for rel in sorted(found, key=lambda r: r.split("/")):  # the order of path parts, as before
        if rel == MANIFEST_PATH or rel in emitted or rel in old.files or not (root / rel).is_file():
            continue
        warnings.append((rel, "is not generated by gen (not in the manifest)",
                         "gen leaves it alone; generated/ is for gen's output, so move it elsewhere"))


def _orphan_handwritten(root: Path, scaffolds: set[str], old: Manifest, warnings: list[tuple[str, str, str]]) -> None:
    folder = root / SCAFFOLD_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in scaffolds or rel in old.files:
            continue  # old scaffolds were warned about above
        warnings.append((rel, "implements no processor in the spec",
                         "it is yours, so gen keeps it; name it after a processor in spec/model.yaml"))
