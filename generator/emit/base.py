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
    `header=False` means the emitter already put the header in (or the format has none).
    Scaffolds (`ownership="scaffold"`) are created under handwritten/ only when absent.
    """

    path: str
    content: str
    source: str
    ownership: Ownership = "generated"
    header: bool = True


Emitter = Callable[[Ir], list[OutputFile]]
