"""One side of a review (BASE or HEAD): where its spec comes from, its IR and its Terraform.

A side is a directory holding spec/ or a git revision, whose spec/ is materialised with
`git archive` into a temporary directory (so a review never touches the working tree). Both
sides are generated with the Terraform emitter only, under `.gen-cache/review/` (content-keyed
caches shared by both sides, kept apart from the project's own build caches).
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import shutil
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostics, GenError, Location
from generator.ir.nodes import Ir, Model
from generator.load.spec import LoadedSpec
from generator.load.yaml_loader import Pointer

TERRAFORM = "generator.emit.terraform:emit_terraform"
TF_DIR = "generated/terraform/"


class SideError(Exception):
    """A side that cannot be read: neither a directory with spec/ nor a git revision (exit 2)."""


class InvalidSide(Exception):
    """A side whose spec is invalid: its diagnostics, and which side it is (exit 2)."""

    def __init__(self, label: str, diagnostics: Diagnostics) -> None:
        super().__init__(f"the spec of {label} is invalid")
        self.label = label
        self.diagnostics = diagnostics


@dataclass
class Side:
    """A generated side: its IR, its Terraform files by name, and positions in its spec."""

    label: str
    root: Path
    ir: Ir
    terraform: dict[str, str]
    _spec: LoadedSpec | None = field(default=None, repr=False)

    @property
    def spec(self) -> LoadedSpec:
        if self._spec is None:
            from generator.load.spec import load_spec

            self._spec = load_spec(self.root, Diagnostics())
        return self._spec

    def locate(self, file: str, pointer: Pointer, *, key: bool = True) -> Location:
        """Where `pointer` is in spec/`file` (openapi.yaml or model.yaml) of this side."""
        doc = self.spec.document(f"spec/{file}")
        return doc.locate(pointer, key=key) if doc is not None else Location(f"spec/{file}")

    @property
    def openapi(self) -> Any:
        return self.ir.openapi

    @functools.cached_property
    def models(self) -> dict[str, Model]:
        return {m.name: m for m in self.ir.models}


def seed_cache(cache: Path, project: Path) -> None:
    """Start a side's cache as a copy of the project's own (.gen-cache/, but for the review's):
    every cache there is keyed by content, so what the last `gen build` validated and rendered
    serves a review of the same parts, and the project's cache is never touched."""
    if cache.exists() or not project.is_dir():
        return
    try:
        shutil.copytree(project, cache, ignore=lambda folder, names: [n for n in names if n == "review"])
    except OSError:
        shutil.rmtree(cache, ignore_errors=True)  # a cache that cannot be seeded only costs time


def generate_side(label: str, root: Path, cache: Path) -> Side:
    """Validate and generate the side under `root`; raises InvalidSide on an invalid spec."""
    from generator import pipeline

    loaded: list[LoadedSpec] = []
    try:
        ir, files, _ = pipeline.generate(root, emitters=(TERRAFORM,), cache=cache, on_spec=loaded.append)
    except GenError as exc:
        raise InvalidSide(label, exc.diagnostics) from None
    from generator.render.header import with_header

    # as written to disk (header included), so that line numbers in findings are the files' own
    terraform = {f.path.removeprefix(TF_DIR): with_header(f.path, f.source, f.content) if f.header else f.content
                 for f in files if f.path.startswith(TF_DIR)}
    return Side(label=label, root=root, ir=ir, terraform=terraform, _spec=loaded[0] if loaded else None)


def generate_sides(base: tuple[str, Path, Path], head: tuple[str, Path, Path]) -> tuple[Side, Side]:
    """Both sides, each (label, root, cache); BASE in a forked child while this process generates
    HEAD (they share nothing but the CPU), or one after the other where forking is unsafe."""
    if not (hasattr(os, "fork") and threading.active_count() == 1):
        return generate_side(*base), generate_side(*head)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never return into the caller's code
        code = 1
        try:
            os.close(read_fd)
            try:
                side = generate_side(*base)
                answer: tuple[Any, ...] = ("ok", side.ir, side.terraform)
            except InvalidSide as exc:
                answer = ("invalid", exc.diagnostics)
            with os.fdopen(write_fd, "wb") as pipe:
                pickle.dump(answer, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        theirs = generate_side(*head)
    finally:
        with os.fdopen(read_fd, "rb") as pipe:
            payload = pipe.read()  # to EOF before waiting, or a full pipe would deadlock
        _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return generate_side(*base), theirs  # the child failed: do it here, and say why
    answer = pickle.loads(payload)  # noqa: S301 - written by our own child a moment ago
    if answer[0] == "invalid":
        raise InvalidSide(base[0], answer[1])
    return Side(label=base[0], root=base[1], ir=answer[1], terraform=answer[2]), theirs


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)


@contextmanager
def materialise(root: Path, ref: str) -> Iterator[Path]:
    """The project root of `ref`: a directory as it is, or a git revision's spec/ in a temp dir."""
    for candidate in (Path(ref), root / ref):
        if candidate.is_dir():
            project = candidate.parent if candidate.name == "spec" and (candidate / "openapi.yaml").is_file() \
                else candidate
            if not (project / "spec").is_dir():
                raise SideError(f"{ref}: a directory without spec/")
            yield project
            return
    try:
        found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except OSError as exc:
        raise SideError(f"{ref}: not a directory, and git cannot be run ({exc.strerror})") from None
    if found.returncode != 0:
        raise SideError(f"{ref}: neither a directory nor a git revision of {root}")
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.decode().strip()
    top = Path(_git(root, "rev-parse", "--show-toplevel").stdout.decode().strip() or root)
    # from the top: in a subfolder, git archive would only see that subfolder's part of the tree
    archive = _git(top, "archive", "--format=tar", f"{found.stdout.decode().strip()}:{prefix}spec")
    if archive.returncode != 0:
        raise SideError(f"{ref}: has no {prefix}spec/ ({archive.stderr.decode().strip()})")
    with tempfile.TemporaryDirectory(prefix="gen-review-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(Path(tmp) / "spec", filter="data")
        yield Path(tmp)
