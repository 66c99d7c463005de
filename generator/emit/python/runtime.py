"""<package>/runtime/: generator/runtime/python/*.py copied byte for byte, the header added.

The sources are gen's own files, read as text (like templates, never imported) once per
process; the code fingerprint hashes them with the rest of gen, so memoised output follows
an edit. Every module in that folder ships: adding one needs no change here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from generator.emit.base import OutputFile

RUNTIME_SOURCE = Path(__file__).resolve().parents[2] / "runtime" / "python"


@cache
def runtime_sources() -> tuple[tuple[str, str], ...]:
    """(file name, text) of every runtime module, sorted by name."""
    return tuple((path.name, path.read_text(encoding="utf-8"))
                 for path in sorted(RUNTIME_SOURCE.glob("*.py")))


def runtime_files(root: str, source: str) -> list[OutputFile]:
    """The runtime modules as files of the package at `root`, headed as generated from `source`."""
    return [OutputFile(path=f"{root}/runtime/{name}", source=source, content=text,
                       template=f"generator/runtime/python/{name}")
            for name, text in runtime_sources()]
