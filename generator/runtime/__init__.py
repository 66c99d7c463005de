"""Code gen ships into its output, kept as real source so ruff and `mypy --strict` check it here.

`python/` is copied verbatim into ``generated/python/<package>/runtime/`` (the emitter adds
only the DO NOT EDIT header), so it is identical for every spec and may import only the
standard library, its declared third-party packages and itself, by relative imports. gen never
imports anything under this folder: it reads the files as text. Both directions are import-linter
contracts (pyproject.toml); the runtime is no layer of gen.
"""
