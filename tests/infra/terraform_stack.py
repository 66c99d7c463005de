"""The generated Terraform of a spec, parsed with python-hcl2, for structural tests.

`Stack` holds the files as rendered (header included) and one merged view of every block:
``stack.resources("aws_lambda_function")`` -> {name: body}. python-hcl2 gives nested blocks as
lists of dicts and expressions as ``"${...}"`` strings; the helpers below hide both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hcl2.api import loads as hcl_loads

from generator.pipeline import generate
from generator.emit.terraform import OUT_DIR
from generator.ir.nodes import Ir
from generator.render.header import with_header

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = "generator.emit.terraform:emit_terraform"


def _cases() -> dict[str, Path]:
    """The reference spec, tests/infra/cases/* and the specs of tests/golden/cases/*."""
    cases = {"reference": ROOT}
    for folder, prefix in (
        (Path(__file__).parent / "cases", ""),
        (ROOT / "tests/golden/cases", "golden-"),
    ):
        if folder.is_dir():
            cases.update(
                {prefix + p.name: p for p in sorted(folder.iterdir()) if (p / "spec").is_dir()}
            )
    return cases


CASES = _cases()
CONCERNS = (
    "versions",
    "variables",
    "outputs",
    "dynamodb",
    "kinesis",
    "archive",
    "lambda",
    "schedules",
    "api",
    "iam",
    "frontend",
    "auth",
    "monitoring",
)

Body = dict[str, Any]


@dataclass
class Stack:
    name: str
    ir: Ir
    files: dict[str, str]  # file name (api.tf) -> content as written, header included
    blocks: dict[str, dict[str, dict[str, Body]]] = field(default_factory=dict)
    singles: dict[str, list[Body]] = field(default_factory=dict)

    def resources(self, rtype: str) -> dict[str, Body]:
        return self.blocks.get("resource", {}).get(rtype, {})

    def data(self, dtype: str) -> dict[str, Body]:
        return self.blocks.get("data", {}).get(dtype, {})

    def resource(self, rtype: str, name: str) -> Body:
        found = self.resources(rtype).get(name)
        assert found is not None, f"{self.name}: no {rtype}.{name}"
        return found

    @property
    def variables(self) -> dict[str, Body]:
        return {k: v for d in self.singles.get("variable", []) for k, v in d.items()}

    @property
    def outputs(self) -> dict[str, Body]:
        return {k: v for d in self.singles.get("output", []) for k, v in d.items()}

    @property
    def locals(self) -> Body:
        return {k: v for d in self.singles.get("locals", []) for k, v in d.items()}


def parse(files: dict[str, str], name: str, ir: Ir) -> Stack:
    stack = Stack(name=name, ir=ir, files=files)
    for text in files.values():
        doc = hcl_loads(text)
        for kind in ("resource", "data"):
            for entry in doc.get(kind, []):
                for rtype, named in entry.items():
                    for label, body in named.items():
                        bucket = stack.blocks.setdefault(kind, {}).setdefault(rtype, {})
                        assert label not in bucket, f"{kind} {rtype}.{label} declared twice"
                        bucket[label] = body
        for kind in ("variable", "output", "locals", "provider", "terraform"):
            stack.singles.setdefault(kind, []).extend(doc.get(kind, []))
    return stack


@cache
def stack(case: str) -> Stack:
    ir, files, _ = generate(CASES[case], use_cache=False, emitters=(TERRAFORM,))
    rendered = {
        f.path.removeprefix(OUT_DIR + "/"): with_header(f.path, f.source, f.content) for f in files
    }
    return parse(rendered, case, ir)


def write(st: Stack, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in st.files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def one(body: Body, key: str) -> Body:
    """The single nested block `key` of a body (python-hcl2 lists blocks)."""
    blocks = body.get(key)
    assert isinstance(blocks, list) and len(blocks) == 1, (
        f"expected one {key} block, got {blocks!r}"
    )
    item: Body = blocks[0]
    return item


def many(body: Body, key: str) -> list[Body]:
    blocks = body.get(key, [])
    assert isinstance(blocks, list)
    return blocks


def ref(expr: Any) -> str:
    """``"${aws_x.y.arn}"`` -> ``aws_x.y.arn``; anything else unchanged (as str)."""
    text = str(expr)
    match = re.fullmatch(r"\$\{(.*)\}", text, flags=re.S)
    return match.group(1) if match else text


def jsonencoded(expr: Any) -> Any:
    """The value inside ``${jsonencode(<object>)}`` as python-hcl2 prints it (JSON-compatible)."""
    inner = ref(expr)
    assert inner.startswith("jsonencode(") and inner.endswith(")"), inner
    return json.loads(inner[len("jsonencode(") : -1])


def lifecycle(body: Body) -> Body:
    return one(body, "lifecycle")
