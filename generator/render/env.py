"""The jinja environments: one for ordinary text, one for Velocity mapping templates.

Templates live in the repository's ``templates/`` folder (shipped inside the wheel as
``generator/templates``). `StrictUndefined` turns a missing view field into an error instead
of an empty string. The VTL environment moves jinja's comment marker to ``{##`` because
``{#`` is everyday Velocity (``{#foreach``).
"""

from __future__ import annotations

from collections.abc import Callable
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


BytecodeCache = Callable[[], "jinja2.BytecodeCache | None"]
"""Makes the bytecode cache of an environment when it is created (so jinja2 loads only then)."""

_bytecode: list[BytecodeCache] = []


def use_bytecode_cache(make: BytecodeCache | None) -> None:
    """Keep compiled templates in the cache `make` returns (None: nowhere); the environments
    are made again on next use. Only speed depends on it, never output."""
    wanted = [] if make is None else [make]
    if _bytecode != wanted:
        _bytecode[:] = wanted
        text_env.cache_clear()
        vtl_env.cache_clear()


def _configure(env: jinja2.Environment) -> jinja2.Environment:
    from generator.render import filters

    env.filters.update(filters.FILTERS)
    if _bytecode:
        env.bytecode_cache = _bytecode[0]()
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
