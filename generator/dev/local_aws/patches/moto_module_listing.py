"""Speed: moto's server lists its own package directory once, not on every request.

To route a request, moto's ``DomainDispatcherApplication`` asks whether the request's host names
one of its services, through ``moto.backends.list_of_moto_modules()``: a fresh ``os.listdir`` of
moto's package and an ``isdir`` per entry, about a hundred ``stat`` calls per request. The
directory does not change while the process runs: `install()` replaces the function with a
cached tuple of its first answer.

Touches (moto private): ``moto.backends.list_of_moto_modules`` (looked up as a module attribute
by ``moto.moto_server.werkzeug_app``).
Checked against: moto 5.1.22 (`gate.CHECKED_MOTO_VERSIONS`).
Upstream: no moto issue found (moto #4207 is about the first request's imports, not this);
report text in docs/upstream/moto-server-dispatch-overhead.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto import backends

_original: list[Callable[[], Any]] = []


def installed() -> bool:
    return bool(_original)


def install() -> None:
    """Cache ``moto.backends.list_of_moto_modules`` in this process; again does nothing."""
    if _original:
        return
    listing = getattr(backends, "list_of_moto_modules", None)
    if not callable(listing):
        raise RuntimeError("moto.backends has no list_of_moto_modules(): not supported")
    _original.append(listing)
    backends.list_of_moto_modules = functools.lru_cache(maxsize=1)(lambda: tuple(listing()))


def uninstall() -> None:
    """Restore moto's own function; calling it again does nothing."""
    if _original:
        backends.list_of_moto_modules = _original.pop()
