"""Located diagnostics: what every stage reports instead of raising.

A `Diagnostic` prints as ``spec/model.yaml:12:5: error[CODE]: message`` followed by an
indented ``hint:`` line. Stages append to a `Diagnostics` collector so that one run reports
every problem; the CLI renders them sorted by file, line and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from generator.errors import UserError

Level = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based line and column in a project-relative file (``line == 0``: whole file)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, where it is, and what to do about it."""

    level: Level
    code: str
    message: str
    location: Location
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.code, self.message)

    def render(self) -> str:
        text = f"{self.location}: {self.level}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


@dataclass
class Diagnostics:
    """An ordered, de-duplicated collection of diagnostics. Change `items` only through the
    methods (`add`, `extend`, `withdraw`): they keep the set that makes `add` O(1) (a build at
    400 operations reports over a thousand size warnings)."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, init=False, repr=False, compare=False)

    def add(self, diagnostic: Diagnostic) -> None:
        if len(self._seen) != len(self.items):  # given at construction, or changed directly
            self._seen = set(self.items)
        if diagnostic not in self._seen:
            self.items.append(diagnostic)
            self._seen.add(diagnostic)

    def withdraw(self, mark: int) -> list[Diagnostic]:
        """Remove and return the diagnostics added after the first `mark`."""
        later = self.items[mark:]
        del self.items[mark:]
        self._seen = set(self.items)
        return later

    def error(self, code: str, message: str, location: Location, hint: str | None = None) -> None:
        self.add(Diagnostic("error", code, message, location, hint))

    def warning(self, code: str, message: str, location: Location, hint: str | None = None) -> None:
        self.add(Diagnostic("warning", code, message, location, hint))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.add(d)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]

    def has_errors(self) -> bool:
        return any(d.level == "error" for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self.items)


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """A ``did you mean 'x'?`` phrase for the closest choice, or None when nothing is close."""
    close = difflib.get_close_matches(name, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def known_names_hint(name: str, choices: Iterable[str], noun: str) -> str:
    """A hint naming the closest valid choice, or listing them all when none is close."""
    options = sorted(set(choices))
    suggestion = did_you_mean(name, options)
    if suggestion:
        return suggestion
    if not options:
        return f"no {noun} is defined"
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f"known {noun}: {shown}"


class SpecError(UserError):
    """Located problems in spec/, already collected: the CLI prints every diagnostic (exit 2)."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
        super().__init__(f"{errors} error(s), {warnings} warning(s)")
        self.diagnostics = diagnostics

    def lines(self) -> list[str]:
        return [d.render() for d in self.diagnostics] + ([self.message] if self.diagnostics.errors else [])


GenError = SpecError
"""The name SpecError had before the error family (generator.errors); kept for callers."""
