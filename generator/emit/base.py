"""What an emitter returns: files as values. Emitters never touch disk, clock or environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from generator.ir.nodes import Ir

Ownership = Literal["generated", "scaffold"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputFile:
    """A file to write, relative to the project root (POSIX separators).

    `source` names the spec file(s) the content comes from, for the header and manifest.
    `template` names what the content was rendered or copied from (a template under
    templates/, or a runtime module), "" when it is serialised from data; `emitter` is set by
    the registry (`generator.emit.emit_all`) to the emitter that produced the file. Both are
    recorded in the manifest, so a reviewer can go from a generated file to its source.
    `header=False` means the emitter already put the header in (or the format has none).
    Scaffolds (`ownership="scaffold"`) are created under handwritten/ only when absent.
    """

    path: str
    content: str
    source: str
    ownership: Ownership = "generated"
    header: bool = True
    template: str = ""
    emitter: str = ""


Emitter = Callable[[Ir], list[OutputFile]]
