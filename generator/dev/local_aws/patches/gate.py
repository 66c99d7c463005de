"""Whether the local stack patches moto in this process: patched on a checked moto, else plain.

The speed patches (`SPEED_PATCHES`, one module each) and the direct reads of moto's backend
(`backend_reads`, the in-process JSON dispatch of `in_process`) depend on moto's private code,
checked against the versions in `CHECKED_MOTO_VERSIONS`. `decide()` picks the mode:

- ``SPECSTACK_MOTO_PATCHES=off``: plain moto, asked for, no warning;
- a moto version not in the checked set: plain moto, with a one-line warning saying so (the
  stack still runs, slower, instead of failing on someone else's moto);
- otherwise (unset, ``on``): patched. Any other value of the switch warns and counts as ``on``.

Plain means moto used only through its WSGI application and the AWS APIs: no patch installed,
Kinesis read through GetRecords. The correctness fix (`kinesis_serial`) is not a patch of moto
and holds in both modes. `apply(mode)` makes the process match a mode -- installs every speed
patch, or uninstalls every one -- and falls back to plain, with a warning, if a patch refuses
to install; it returns the mode in force. Both are idempotent; a later stack in the same
process may apply another mode.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType

SWITCH = "SPECSTACK_MOTO_PATCHES"
CHECKED_MOTO_VERSIONS = frozenset({"5.1.22"})
# Module names in this package, in installation order. Imported only to install them: a patch
# module reads moto's internals when imported, which on another moto may fail.
SPEED_PATCHES = (
    "moto_module_listing",
    "moto_method_names",
    "kinesis_sequence_lookup",
    "dynamodb_partition_query",
    "dynamodb_transaction_copies",
    "dynamodb_item_size",
    "dynamodb_condition_cache",
    "dynamodb_update_cache",
    "dynamodb_plain_set",
)
_PACKAGE = __name__.rsplit(".", 1)[0]
_ON, _OFF = ("", "on", "1", "true", "yes"), ("off", "0", "false", "no")


@dataclass(frozen=True)
class MotoMode:
    """``patched``: speed patches installed and moto's backend read directly; else plain."""

    patched: bool
    moto_version: str
    warning: str | None = None  # one line for stderr, when the mode is not what was asked


def moto_version() -> str:
    return metadata.version("moto")


def decide(environ: Mapping[str, str] | None = None, version: str | None = None) -> MotoMode:
    environ = os.environ if environ is None else environ
    version = moto_version() if version is None else version
    switch = environ.get(SWITCH, "").strip().lower()
    if switch in _OFF:
        return MotoMode(False, version)
    warning = None
    if switch not in _ON:
        warning = f"{SWITCH}={environ[SWITCH]!r} is neither on nor off: the moto patches stay on"
    if version not in CHECKED_MOTO_VERSIONS:
        checked = ", ".join(sorted(CHECKED_MOTO_VERSIONS))
        return MotoMode(False, version, (
            f"moto {version} is not a version the local stack's moto patches were checked "
            f"against ({checked}): running plain moto, slower ({SWITCH}=off silences this)"
        ))
    return MotoMode(True, version, warning)


def patch_module(name: str) -> ModuleType:
    """The speed patch `name` (one of `SPEED_PATCHES`), imported."""
    if name not in SPEED_PATCHES:
        raise KeyError(f"no moto patch named {name}")
    return importlib.import_module(f"{_PACKAGE}.{name}")


def _uninstall_all() -> None:
    for name in reversed(SPEED_PATCHES):
        module = sys.modules.get(f"{_PACKAGE}.{name}")  # never imported: never installed
        if module is not None:
            module.uninstall()


def apply(mode: MotoMode) -> MotoMode:
    if not mode.patched:
        _uninstall_all()
        return mode
    try:
        for name in SPEED_PATCHES:
            patch_module(name).install()
    except (ImportError, AttributeError, RuntimeError) as error:
        _uninstall_all()
        return MotoMode(
            False, mode.moto_version, f"a moto patch does not install ({error}): running plain moto"
        )
    return mode


def installed() -> list[str]:
    """The speed patches installed in this process, by name, in installation order."""
    return [
        name for name in SPEED_PATCHES
        if (module := sys.modules.get(f"{_PACKAGE}.{name}")) is not None and module.installed()
    ]
