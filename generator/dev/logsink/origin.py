"""Which function the current thread (context) is running: set around each invocation.

`attributed(name, handler)` returns `handler` wrapped so that, while it runs, `current_function()`
is `name`; output written meanwhile (``print()``, Powertools logs and EMF metrics, stdlib
logging) is that function's. Threads a handler starts itself do not inherit it (their output
counts as the stack's). Costs one context-variable set and reset per call.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any, TypeVar

_FUNCTION: contextvars.ContextVar[str | None] = contextvars.ContextVar("gen_dev_function", default=None)
F = TypeVar("F", bound=Callable[..., Any])


def current_function() -> str | None:
    """The function (processor) whose invocation the caller runs in, if any."""
    return _FUNCTION.get()


def attributed(name: str, handler: F) -> F:
    """`handler`, with its calls' output attributed to the function `name`."""

    @functools.wraps(handler)
    def invoke(*args: Any, **kwargs: Any) -> Any:
        token = _FUNCTION.set(name)
        try:
            return handler(*args, **kwargs)
        finally:
            _FUNCTION.reset(token)

    return invoke  # type: ignore[return-value]
