"""Stage 3b, check: rules over the finished IR that no single spec file can decide.

What API Gateway's import (and Terraform's templatefile) would reject is found here, before
anything is emitted. Checks return located diagnostics and never raise.

May import: ir, load, render (templates it lints against), diagnostics, aws. Never emit,
write, dev or the CLI.
"""
