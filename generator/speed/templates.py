"""jinja2's compiled templates, kept in .gen-cache/jinja/: compiling ~50 templates costs more
than rendering them on a rebuild.

jinja2's own file cache checks the template source, not the bytecode it loads, so a damaged
file could render wrong text: each file here starts with the sha256 of its bytecode, and a
file that does not match is compiled again. jinja2 is imported only when an environment is
made (`generator.render.env.use_bytecode_cache`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


def checked_cache(folder: Path) -> Callable[[], jinja2.BytecodeCache | None]:
    """Makes the hash-checked cache in `folder` (None when the folder cannot be made)."""

    def make() -> jinja2.BytecodeCache | None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return _checked_class()(str(folder), "gen-%s.cache")

    return make


@functools.cache
def _checked_class() -> type[jinja2.FileSystemBytecodeCache]:
    import jinja2

    class CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
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
