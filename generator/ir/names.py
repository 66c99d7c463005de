"""Names decided once: Python identifiers, class names, and the cloud names gen creates.

Cloud resource names are ``<name>-<stage>-<resource>``; `STAGE_MAX` is the longest stage the
generated Terraform accepts, so length limits can be checked before anything is deployed.
"""

from __future__ import annotations

import functools
import keyword
import re

STAGE_MAX = 12
ACCOUNT_ID_LEN = 12
CORS_ORIGIN_VARIABLE = "cors_origin"
"""The stage variable holding the one origin the API's CORS headers allow (per stage)."""

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {
    "self", "cls", "None", "True", "False", "type", "id", "object", "list", "dict", "str", "int",
    "float", "bool", "bytes", "set", "tuple", "json", "msgspec", "datetime", "typing", "decimal",
}


_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_CAPS = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


@functools.lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    # the same few hundred names are split thousands of times while the IR is built
    text = _CAMEL.sub(r"\1 \2", text)
    text = _CAPS.sub(r"\1 \2", text)
    return tuple(w for w in _SEPARATORS.split(text) if w)


def snake(text: str) -> str:
    """``deviceId`` -> ``device_id``; ``reading.recorded`` -> ``reading_recorded``."""
    words = _words(text)
    out = "_".join(w.lower() for w in words) or "x"
    return out if not out[0].isdigit() else f"n{out}"


def pascal(text: str) -> str:
    """``reading.recorded`` -> ``ReadingRecorded``; keeps inner capitals of ``DevicePage``."""
    words = _words(text)
    out = "".join(w[:1].upper() + w[1:] for w in words) or "X"
    return out if not out[0].isdigit() else f"N{out}"


def py_identifier(text: str) -> str:
    """A valid, non-reserved Python identifier for a property or parameter name."""
    ident = snake(text)
    return f"{ident}_" if ident in _RESERVED or keyword.iskeyword(ident) else ident


def kebab(text: str) -> str:
    return snake(text).replace("_", "-")


def cloud_name(project: str, stage: str, resource: str) -> str:
    """The physical name pattern: ``fleet-dev-devices``."""
    return f"{project}-{stage}-{kebab(resource)}"
