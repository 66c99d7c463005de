"""The jinja environments: one for ordinary text, one for Velocity mapping templates.

Templates live in the repository's ``templates/`` folder (shipped inside the wheel as
``generator/templates``). `StrictUndefined` turns a missing view field into an error instead
of an empty string. The VTL environment moves jinja's comment marker to ``{##`` because
``{#`` is everyday Velocity (``{#foreach``).
"""

from __future__ import annotations

import hashlib
import io
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2


def templates_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("templates/ not found next to the generator package")


def spec_reference() -> Path:
    """docs/spec-format.md, the spec format reference (shipped in the wheel as
    ``generator/docs/spec-format.md``, which `gen init` copies into new projects)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "docs" / "spec-format.md", here.parent / "docs" / "spec-format.md"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("docs/spec-format.md not found next to the generator package")


_bytecode: list[Path] = []


def use_bytecode_cache(folder: Path | None) -> None:
    """Keep compiled templates in `folder` (None: nowhere). Only speed depends on it, never
    output. jinja2 itself is imported only when something is rendered."""
    wanted = [] if folder is None else [folder]
    if _bytecode != wanted:
        _bytecode[:] = wanted
        text_env.cache_clear()
        vtl_env.cache_clear()


@cache
def _checked_cache_class() -> type[jinja2.FileSystemBytecodeCache]:
    import jinja2

    class CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
        """jinja2's file cache checks the template source, not the bytecode it loads; a damaged
        file could render wrong text. Each file here starts with the sha256 of its bytecode."""

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                raw = Path(self._get_cache_filename(bucket)).read_bytes()
            except OSError:
                return
            check, body = raw[:32], raw[32:]
            if hashlib.sha256(body).digest() == check:
                bucket.load_bytecode(io.BytesIO(body))

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            buffer = io.BytesIO()
            bucket.write_bytecode(buffer)
            body = buffer.getvalue()
            target = Path(self._get_cache_filename(bucket))
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            try:
                tmp.write_bytes(hashlib.sha256(body).digest() + body)
                tmp.replace(target)
            except OSError:
                tmp.unlink(missing_ok=True)

    return CheckedBytecodeCache


def _configure(env: jinja2.Environment) -> jinja2.Environment:
    from generator.render import filters

    env.filters.update(filters.FILTERS)
    if _bytecode:
        try:
            _bytecode[0].mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = _checked_cache_class()(str(_bytecode[0]), "gen-%s.cache")
        except OSError:
            pass
    return env


@cache
def text_env() -> jinja2.Environment:
    import jinja2

    return _configure(jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False))


@cache
def vtl_env() -> jinja2.Environment:
    import jinja2

    return _configure(jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
        comment_start_string="{##", comment_end_string="##}"))


def render(template: str, **view: Any) -> str:
    """Render a template by path under templates/ (``.vtl.j2`` files use the VTL environment)."""
    env = vtl_env() if template.endswith(".vtl.j2") else text_env()
    return env.get_template(template).render(**view)
