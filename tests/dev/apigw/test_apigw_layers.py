"""The template engine imports nothing of the gateway (velocity/__init__.py states the rule)."""

from __future__ import annotations

import ast
from pathlib import Path

import generator.dev.apigw.velocity as velocity


def test_velocity_imports_only_itself_of_generator() -> None:
    folder = Path(velocity.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""] if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names] if isinstance(node, ast.Import)
                else []
            )  # fmt: skip
            for name in names:
                if name.startswith("generator"):
                    assert name.startswith("generator.dev.apigw.velocity"), (
                        f"{path.name} imports {name}"
                    )


def test_no_apigw_folder_holds_more_than_twelve_modules() -> None:
    root = Path(velocity.__file__).parent.parent
    for folder in (root, root / "velocity"):
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        assert len(modules) <= 12, (folder, len(modules))
