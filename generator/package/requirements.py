"""handwritten/requirements.txt: the third-party libraries handwritten code imports, pinned.

The format is the part of pip's that `pip freeze` and `pip-compile` print: one
`name==version` (or `name[extra,...]==version`) per requirement, optional `--hash=sha256:<hex>`
options (continued over lines with a trailing backslash), `#` comments and blank lines.
Anything else -- ranges, URLs, markers, -r/-e/--index-url -- is an E-DEPS error, because a zip
must come out the same on every machine and every day; pip's own configuration (pip.conf,
PIP_INDEX_URL) chooses the index. Reading is pure: a missing file means no dependencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.aws.lambda_platform import MACHINE, PYTHON_VERSION
from generator.diagnostics import Diagnostics, Location
from generator.package.wheels import Pin, normalize

REQUIREMENTS = "handwritten/requirements.txt"
_PIN = re.compile(r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[([A-Za-z0-9._,-]*)\])?==([A-Za-z0-9.+!_-]+)")
_HASH = re.compile(r"--hash[=:]?(sha256):([0-9a-fA-F]{64})")
PIN_HINT = "pin an exact version, e.g. six==1.17.0 (pip freeze and pip-compile print this form)"


@dataclass(frozen=True)
class Requirement:
    """One declared library: its pin, requested extras, allowed wheel hashes, and its line."""

    pin: Pin
    extras: tuple[str, ...]
    hashes: tuple[str, ...]
    location: Location


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each requirement, continuations joined, comments dropped."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        start, sofar = pending if pending else (number, "")
        if line.endswith("\\"):
            pending = (start, f"{sofar} {line[:-1]}")
            continue
        pending = None
        joined = f"{sofar} {line}".strip()
        if joined:
            out.append((start, joined))
    if pending and pending[1].strip():
        out.append((pending[0], pending[1].strip()))
    return out


def parse_requirements(text: str, diags: Diagnostics, file: str = REQUIREMENTS) -> list[Requirement]:
    """The requirements of `text`; every malformed or repeated line is an E-DEPS error."""
    found: dict[str, Requirement] = {}
    for number, line in _logical_lines(text):
        where = Location(file, number, 1)
        hashes = tuple(m.group(2).lower() for m in _HASH.finditer(line))
        rest = _HASH.sub("", line)
        requirement = "".join(rest.split())
        match = _PIN.fullmatch(requirement)
        if match is None:
            diags.error("E-DEPS", f"'{line}' is not a pinned requirement", where, _hint_for(line))
            continue
        name, extras, version = match.group(1), match.group(2) or "", match.group(3)
        key = normalize(name)
        if key in found:
            first = found[key].location
            diags.error("E-DEPS", f"{name} is declared twice (first on line {first.line})", where,
                        "keep one pinned line per library")
            continue
        found[key] = Requirement(Pin(name, version), tuple(sorted(e for e in extras.split(",") if e)), hashes,
                                 where)
    return sorted(found.values(), key=lambda r: r.pin.key)


def _hint_for(line: str) -> str:
    if line.startswith("-"):
        return ("options other than --hash are not supported; pip's configuration (pip.conf, PIP_INDEX_URL) "
                "chooses the index")
    if ";" in line:
        return f"drop the marker: gen packs for one platform, CPython {PYTHON_VERSION} on Linux {MACHINE}"
    if "://" in line or line.startswith((".", "/")):
        return "gen packs released wheels only: " + PIN_HINT
    return PIN_HINT


def read_requirements(root: Path, diags: Diagnostics) -> list[Requirement]:
    """handwritten/requirements.txt of the project at `root` (none: no dependencies)."""
    path = root / REQUIREMENTS
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        diags.error("E-DEPS", "the file is not UTF-8 text", Location(REQUIREMENTS), "save it as UTF-8")
        return []
    return parse_requirements(text, diags)
