"""The keys of every operation's `x-gen` binding in spec/openapi.yaml, checked as a document.

Contract: `check_xgen_keys(doc, diags)` reports every unknown `x-gen` key and `x-gen.sort` key
(E-BIND-KEY, with a "did you mean") in one pass. It needs nothing from model.yaml, so these
typos are reported even when model.yaml has errors of its own (which stop the IR build). What
the keys mean is checked later, by the IR builder.
"""

from __future__ import annotations

from typing import Any

from generator.diagnostics import Diagnostics, did_you_mean
from generator.load.yaml_loader import Pointer, YamlDocument

XGEN_KEYS = ("table", "list", "index", "sort", "key_from_claim", "stream", "public")
SORT_KEYS = ("from", "to", "order")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def unknown_keys(mapping: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    return [key for key in mapping if key not in allowed]


def check_xgen_keys(doc: YamlDocument, diags: Diagnostics) -> None:
    """Report every unknown key of every `x-gen` (and its `sort`); see the module docstring."""
    paths = doc.data.get("paths") if isinstance(doc.data, dict) else None
    if not isinstance(paths, dict):
        return
    for path in sorted(paths, key=str):
        item = paths[path]
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            xgen = op.get("x-gen") if isinstance(op, dict) else None
            if not isinstance(xgen, dict):
                continue
            xptr: Pointer = ("paths", path, method, "x-gen")
            for key in unknown_keys(xgen, XGEN_KEYS):
                diags.error("E-BIND-KEY", f"unknown x-gen key '{key}'", doc.locate(xptr + (key,), key=True),
                            did_you_mean(str(key), XGEN_KEYS) or f"allowed keys: {', '.join(XGEN_KEYS)}")
            sort = xgen.get("sort")
            if isinstance(sort, dict):
                for key in unknown_keys(sort, SORT_KEYS):
                    diags.error("E-BIND-KEY", f"unknown sort key '{key}'",
                                doc.locate(xptr + ("sort", key), key=True),
                                did_you_mean(str(key), SORT_KEYS) or "allowed: from, to, order")
