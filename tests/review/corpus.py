"""The change-review corpus: spec change pairs made from one small base spec by listed edits.

A case is ``cases/<name>/case.yaml``::

    about: what the case shows (one line)
    base:                      # optional edits that make this case's BASE from base/spec
      - set: openapi.yaml#/paths/~1orders/get/deprecated
        value: true
    head:                      # edits that make HEAD from this case's BASE
      - delete: model.yaml#/tables/notes
      - rename: model.yaml#/tables/lines
        to: items

Edits address a value by file and JSON pointer (``~1`` is ``/``); `set` creates or replaces
(``-`` appends to a list), `delete` removes, `rename` renames a mapping key in place. Both
sides are written with the same YAML dumper, so their line numbers are comparable. The
expected findings are ``cases/<name>/expected.json``.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
BASE = HERE / "base" / "spec"
CASES = HERE / "cases"


def _split(address: str) -> tuple[str, list[str]]:
    file, _, pointer = address.partition("#")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return file, parts


def _parent(doc: Any, parts: list[str]) -> Any:
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def apply(docs: dict[str, Any], edit: dict[str, Any]) -> None:
    op = next(k for k in ("set", "delete", "rename") if k in edit)
    file, parts = _split(edit[op])
    parent = _parent(docs[file], parts)
    last = parts[-1]
    if op == "set":
        value = copy.deepcopy(edit["value"])
        if isinstance(parent, list):
            if last == "-":
                parent.append(value)
            else:
                parent[int(last)] = value
        else:
            parent[last] = value
    elif op == "delete":
        del parent[int(last) if isinstance(parent, list) else last]
    else:
        items = [(edit["to"] if k == last else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans (only true/false), as gen reads the spec: `on:` stays a key."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def load_base() -> dict[str, Any]:
    return {name: _load((BASE / name).read_text(encoding="utf-8")) for name in ("openapi.yaml", "model.yaml")}


def write_spec(root: Path, docs: dict[str, Any]) -> Path:
    spec = root / "spec"
    if spec.exists():
        shutil.rmtree(spec)
    spec.mkdir(parents=True)
    for name, data in docs.items():
        (spec / name).write_text(yaml.safe_dump(data, sort_keys=False, width=120), encoding="utf-8")
    return root


def materialise(case: Path, into: Path) -> tuple[Path, Path]:
    """Write the case's BASE and HEAD projects under `into` (as `base/` and `head/`)."""
    spec = _load((case / "case.yaml").read_text(encoding="utf-8"))
    docs = load_base()
    for edit in spec.get("base") or []:
        apply(docs, edit)
    base = write_spec(into / "base", docs)
    for edit in spec.get("head") or []:
        apply(docs, edit)
    head = write_spec(into / "head", docs)
    return base, head


def cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "case.yaml").is_file())
