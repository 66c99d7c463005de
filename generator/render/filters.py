"""Quoting and naming filters available to every template. Escaping is per target language."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

_HCL_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class HclExpr(str):
    """Text that already is an HCL expression (a reference, a call): printed as it is."""

    __slots__ = ()


def hcl_str(value: Any) -> str:
    """A Terraform string literal: JSON escaping plus ``${``/``%{`` escaped as HCL requires."""
    text = json.dumps(str(value), ensure_ascii=False)
    return text.replace("${", "$${").replace("%{", "%%{")


def hcl_frag(value: Any) -> str:
    """`value` escaped for the inside of an HCL quoted template (``"${local.x}-<here>"``)."""
    return hcl_str(value)[1:-1]


def hcl_value(value: Any) -> str:
    """Any view value as an HCL expression: HclExpr as is, str quoted, bool/int/float, one-line lists."""
    if isinstance(value, HclExpr):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return hcl_str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(hcl_value(v) for v in value) + "]"
    raise TypeError(f"no HCL form for {type(value).__name__}")


def hcl_key(key: str) -> str:
    """An object key: bare when it is an identifier, quoted otherwise."""
    return key if _HCL_IDENT.match(key) else hcl_str(key)


def hcl_aligned(pairs: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """A run of one-line ``key = value`` items as (padded key, value), aligned as terraform fmt does."""
    items = [(hcl_key(k), hcl_value(v)) for k, v in pairs]
    width = max((len(k) for k, _ in items), default=0)
    return [(k.ljust(width), v) for k, v in items]


def py_str(value: Any) -> str:
    """A Python string literal (repr of str is always valid Python)."""
    return repr(str(value))


def json_str(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


FILTERS: dict[str, Callable[..., Any]] = {
    "hcl_str": hcl_str,
    "hcl_frag": hcl_frag,
    "hcl_value": hcl_value,
    "hcl_aligned": hcl_aligned,
    "py_str": py_str,
    "json_str": json_str,
    "md_cell": md_cell,
}
