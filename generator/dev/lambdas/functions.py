"""The processors as in-process Lambda functions: their environment and their entry points.

Contract (docs/runtime-contract.md): every function's handler is
``<package>.entry.<processor>.handler`` under ``generated/python/``, importing its logic from
``handwritten/processors/``; its environment names its tables (``TABLE_<TABLE>``), the
idempotency table, the Powertools service and namespace and ``LOG_LEVEL``; boto3 finds moto
through ``AWS_ENDPOINT_URL``. All functions share one process here, and the values they need
agree (one stage, one prefix), so one process environment serves them all.

`function_environment` computes that environment (pure); `ProcessEnvironment` applies it to
``os.environ`` and ``sys.path``, sets aside already imported modules of the given packages (the
stack imports its own copies: a cold start, with clients bound to this stack's endpoint), and
on `restore()` puts environment, path and modules back as it found them; `load_handler`
imports an entry module and returns its ``handler``, its output attributed to the processor
(`logsink.attributed`: what it prints and logs while it runs is that function's).

For `gen dev --watch`: `FunctionSlot` is the handler the workers hold; `swap` replaces the code
behind it, so an invocation in hand finishes on the old code and the next one runs the new.
`ProcessEnvironment.update` adds variables (new tables) that `restore()` also undoes;
`ProcessEnvironment.purge` forgets the imported modules of its packages and their bytecode
caches, so the next `load_handler` imports handwritten and generated code fresh from disk.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from generator.dev.local_aws.resources import LocalNames
from generator.dev.logsink import attributed
from generator.errors import UserError
from generator.ir.names import PYTHON_ROOT
from generator.ir.nodes import Ir

Handler = Callable[[dict[str, Any], Any], Any]
LOCAL_ACCESS_KEY = "testing"


class FunctionLoadError(UserError):
    """An entry module could not be imported or has no callable ``handler``."""


def function_environment(
    ir: Ir, names: LocalNames, endpoint_url: str, region: str, log_level: str = "INFO"
) -> dict[str, str]:
    """The environment variables the generated functions read, pointed at moto."""
    env = {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": LOCAL_ACCESS_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        ir.names.idempotency_env: names.idempotency_table,
        "POWERTOOLS_SERVICE_NAME": ir.name,
        "POWERTOOLS_METRICS_NAMESPACE": ir.name,
        "LOG_LEVEL": log_level,
    }
    env.update(names.table_env(ir))
    return env


class ProcessEnvironment:
    """Applies an environment and import paths to this process; `restore()` undoes both."""

    def __init__(
        self, env: Mapping[str, str], paths: list[Path], packages: tuple[str, ...] = ()
    ) -> None:
        self._packages = packages
        self._modules = {name: sys.modules.pop(name) for name in self._package_modules()}
        self._saved: dict[str, str | None] = {}
        self._paths = [str(p) for p in paths]
        self._added: list[str] = []
        for key, value in env.items():
            self._saved[key] = os.environ.get(key)
            os.environ[key] = value
        # AWS_PROFILE would make boto3 look for a profile that the dummy credentials replace.
        self._saved.setdefault("AWS_PROFILE", os.environ.get("AWS_PROFILE"))
        os.environ.pop("AWS_PROFILE", None)
        for path in reversed(self._paths):
            if path not in sys.path:
                sys.path.insert(0, path)
                self._added.append(path)

    def update(self, env: Mapping[str, str]) -> None:
        """Set more (or new values of) variables; `restore()` undoes them too."""
        for key, value in env.items():
            self._saved.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def purge(self) -> None:
        """Forget this environment's imports of its packages, and the bytecode written before
        its source last changed.

        A ``.pyc`` is trusted when the source's mtime (in whole seconds) and size match: an edit
        within the second of the last import that keeps the size would run the old code."""
        for name in self._package_modules():
            del sys.modules[name]
        for source, (mtime_ns, _) in self.sources().items():
            cached = importlib.util.cache_from_source(source)
            with contextlib.suppress(OSError):
                if os.stat(cached).st_mtime_ns <= mtime_ns:
                    os.unlink(cached)
        importlib.invalidate_caches()  # new files (a new processor's entry module) are seen

    def sources(self) -> dict[str, tuple[int, int]]:
        """Every Python source of its packages under its paths, with its mtime (ns) and size:
        two equal answers mean the functions' code has not changed in between."""
        found: dict[str, tuple[int, int]] = {}
        for path in self._paths:
            for package in self._packages:
                for source in Path(path, package).rglob("*.py"):
                    with contextlib.suppress(OSError):
                        stat = source.stat()
                        found[str(source)] = (stat.st_mtime_ns, stat.st_size)
        return found

    def _package_modules(self) -> list[str]:
        return [name for name in list(sys.modules) if name.split(".", 1)[0] in self._packages]

    def restore(self) -> None:
        for name in self._package_modules():
            del sys.modules[name]
        sys.modules.update(self._modules)
        self._modules.clear()
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved.clear()
        for path in self._added:
            if path in sys.path:
                sys.path.remove(path)
        self._added.clear()


class FunctionSlot:
    """A function's handler as the workers hold it; `swap` deploys new code behind it."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def swap(self, handler: Handler) -> None:
        self.handler = handler

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        return self.handler(event, context)


def import_paths(root: Path) -> list[Path]:
    """``generated/python`` (the package) and the project root (``handwritten``)."""
    return [root.resolve() / PYTHON_ROOT, root.resolve()]


def entry_module(ir: Ir, processor: str) -> str:
    return ir.processor(processor).names.module


def load_handler(ir: Ir, processor: str) -> Handler:
    """Import the entry module of ``processor`` (paths already set) and return its handler."""
    module_name = entry_module(ir, processor)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure of generated or handwritten code
        raise FunctionLoadError(
            f"cannot import {module_name} (processor {processor}): {type(exc).__name__}: {exc}"
        ) from exc
    handler = getattr(module, "handler", None)
    if not callable(handler):
        raise FunctionLoadError(f"{module_name} has no callable `handler`")
    loaded: Handler = handler
    return attributed(processor, loaded)
