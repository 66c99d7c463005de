"""Checks of handwritten/ before it is packed: every module compiles, every import resolves.

An import resolves when its top-level module is in the zip (the generated package,
handwritten/, a packed wheel), in the target Python's standard library, or in the AWS SDK the
Lambda runtime provides. Imports that cannot run at import time on Lambda are exempt: those
under `if TYPE_CHECKING:` and those inside a `try` that handles ImportError. Relative imports
stay inside handwritten/ and are not checked. Pure: sources in, diagnostics out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from generator.aws.lambda_platform import PYTHON_VERSION
from generator.ir.names import HANDWRITTEN_PACKAGE
from generator.diagnostics import Diagnostics, Location
from generator.package.requirements import REQUIREMENTS
from generator.package.wheels import skip_entry

HANDWRITTEN = HANDWRITTEN_PACKAGE
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def handwritten_files(root: Path) -> dict[str, bytes]:
    """Every file under handwritten/ that is packed, by project-relative path (sorted)."""
    base = root / HANDWRITTEN
    files: dict[str, bytes] = {}
    for path in sorted(base.rglob("*")) if base.is_dir() else []:
        rel = path.relative_to(root)
        if path.is_file() and not skip_entry(rel.parts) and rel.as_posix() != REQUIREMENTS:
            files[rel.as_posix()] = path.read_bytes()
    return files


def compile_modules(files: dict[str, bytes], diags: Diagnostics) -> dict[str, ast.Module]:
    """The syntax tree of every .py file; one E-COMPILE error for each that does not compile."""
    trees: dict[str, ast.Module] = {}
    for rel, data in files.items():
        if not rel.endswith(".py"):
            continue
        try:
            tree = ast.parse(data, filename=rel)
            compile(tree, rel, "exec", dont_inherit=True)  # the compiler's own checks ('return' outside def)
        except SyntaxError as exc:
            where = Location(rel, exc.lineno or 0, exc.offset or 0)
            diags.error("E-COMPILE", f"does not compile: {exc.msg}", where,
                        f"gen package packs only modules that compile (Lambda runs Python {PYTHON_VERSION})")
            continue
        except ValueError as exc:  # null bytes, undecodable source
            diags.error("E-COMPILE", f"does not compile: {exc}", Location(rel), "save it as UTF-8 Python source")
            continue
        trees[rel] = tree
    return trees


def top_level_modules(entries: Iterable[str]) -> set[str]:
    """Importable top-level names of zip entries (packages, modules, extension modules)."""
    names: set[str] = set()
    for entry in entries:
        first, _, rest = entry.partition("/")
        if first.endswith((".dist-info", ".data")):
            continue
        if rest:
            names.add(first)
        elif first.endswith((".py", ".so", ".pyd")):
            names.add(first.split(".", 1)[0])
    return {n for n in names if n.isidentifier()}


def check_imports(trees: dict[str, ast.Module], importable: frozenset[str], diags: Diagnostics) -> None:
    """An E-IMPORT error for each unguarded absolute import whose top-level module is not
    `importable`."""
    for rel, tree in trees.items():
        finder = _Imports()
        finder.visit(tree)
        for node, module in finder.found:
            if module not in importable:
                diags.error("E-IMPORT", f"'{module}' is imported, but the zip and the Lambda runtime do not "
                            "provide it", Location(rel, node.lineno, node.col_offset + 1),
                            f"declare the library that provides '{module}' in {REQUIREMENTS} (name==version), "
                            "or guard an optional import with try/except ImportError")


class _Imports(ast.NodeVisitor):
    """Absolute imports that run when the module runs: (node, top-level module)."""

    def __init__(self) -> None:
        self.found: list[tuple[ast.Import | ast.ImportFrom, str]] = []
        self.guarded = 0

    def _guarded(self, body: list[ast.stmt]) -> None:
        self.guarded += 1
        for stmt in body:
            self.visit(stmt)
        self.guarded -= 1

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self._guarded(node.body)
        for stmt in node.orelse:
            self.visit(stmt)

    def visit_Try(self, node: ast.Try) -> None:
        self._try(node)

    def visit_TryStar(self, node: ast.TryStar) -> None:
        self._try(node)

    def _try(self, node: ast.Try | ast.TryStar) -> None:
        if not any(_handles_import_error(h) for h in node.handlers):
            self.generic_visit(node)
            return
        self._guarded(node.body)
        for part in (node.handlers, node.orelse, node.finalbody):
            for child in part:
                self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        if not self.guarded:
            self.found += [(node, alias.name.split(".")[0]) for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not self.guarded and node.level == 0 and node.module:
            self.found.append((node, node.module.split(".")[0]))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _handles_import_error(handler: ast.ExceptHandler) -> bool:
    kinds: list[ast.expr | None] = [*handler.type.elts] if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(k is None or (isinstance(k, ast.Name) and k.id in _IMPORT_ERRORS) for k in kinds)
