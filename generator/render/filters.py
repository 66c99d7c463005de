"""Quoting and naming filters available to every template. Escaping is per target language."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def hcl_str(value: Any) -> str:
    """A Terraform string literal: JSON escaping plus ``${``/``%{`` escaped as HCL requires."""
    text = json.dumps(str(value), ensure_ascii=False)
    return text.replace("${", "$${").replace("%{", "%%{")


def py_str(value: Any) -> str:
    """A Python string literal (repr of str is always valid Python)."""
    return repr(str(value))


def json_str(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


FILTERS: dict[str, Callable[..., str]] = {
    "hcl_str": hcl_str,
    "py_str": py_str,
    "json_str": json_str,
    "md_cell": md_cell,
}
