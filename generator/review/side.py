"""One side of a review (BASE or HEAD): where its spec comes from, its IR and its Terraform.

A side is a directory holding spec/ or a git revision, whose spec/ is materialised with
`git archive` into a temporary directory (so a review never touches the working tree). Both
sides are generated with the Terraform emitter only, each with its own cache under
`.gen-cache/review/` (`generator.speed.review_caches`), apart from the project's build caches.
"""

from __future__ import annotations

import functools
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostics, GenError, Location, SpecError
from generator.errors import UsageError
from generator.ir.nodes import Ir, Model
from generator.load.spec import LoadedSpec
from generator.load.yaml_loader import Pointer

TERRAFORM = "generator.emit.terraform:emit_terraform"
TF_DIR = "generated/terraform/"


class SideError(UsageError):
    """A side that cannot be read: neither a directory with spec/ nor a git revision."""


class InvalidSide(SpecError):
    """A side whose spec is invalid: its diagnostics, and which side it is."""

    def __init__(self, label: str, diagnostics: Diagnostics) -> None:
        super().__init__(diagnostics)
        self.label = label

    def lines(self) -> list[str]:
        return [f"the spec of {self.label} is invalid:"] + super().lines()


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
    from generator.speed.process import can_fork, in_child

    if not can_fork():
        return generate_side(*base), generate_side(*head)

    def child() -> tuple[Any, ...]:
        try:
            side = generate_side(*base)
            return ("ok", side.ir, side.terraform)
        except InvalidSide as exc:
            return ("invalid", exc.diagnostics)

    join = in_child(child, pickled=True)
    try:
        theirs = generate_side(*head)
    finally:
        answer, ok = join()
    if not ok:
        return generate_side(*base), theirs  # the child failed: do it here, and say why
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
