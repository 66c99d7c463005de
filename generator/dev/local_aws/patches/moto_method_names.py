"""Speed: moto lists a response class's methods once per class, not once per call.

Every call moto dispatches looks its action up among the handler class's methods, which moto
lists afresh each time (``method_names_from_class``: ``inspect.getmembers`` over the class and
its bases, some hundreds of attributes). A class's methods do not change while the process
runs: `install()` caches the list per class.

Touches (moto private): ``moto.core.responses.method_names_from_class`` (the name as
``moto.core.responses`` imported it from ``moto.core.utils``).
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found; report text in docs/upstream/moto-server-dispatch-overhead.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.core import responses

_original: list[Callable[[Any], Any]] = []


def installed() -> bool:
    return bool(_original)


def install() -> None:
    """Cache ``method_names_from_class`` per class in this process; again does nothing."""
    if _original:
        return
    module: Any = responses
    names = getattr(module, "method_names_from_class", None)
    if not callable(names):
        raise RuntimeError("moto.core.responses has no method_names_from_class(): not supported")
    _original.append(names)
    module.method_names_from_class = functools.lru_cache(maxsize=None)(
        lambda cls: tuple(names(cls))
    )


def uninstall() -> None:
    """Restore moto's own function; calling it again does nothing."""
    if _original:
        module: Any = responses
        module.method_names_from_class = _original.pop()
