"""`gen test`: contract tests derived from a project's spec, for the local stack or a deployed stage.

Owns: the checks (`reads`, `ingest`, `fuzz`), what they run against (`target`), the examples
they send (`examples`), their expectations (`shapes`) and the report (`report`, with JUnit XML).
`run_contract_tests(root, ...)` is the entry; the repository's own local-stack tests call the
same checks on their shared stack. May import: generator.dev (the local stack, through
`generator.dev.stack` and the emulator's `local_token`), generator.pipeline, generator.ir and
below; never generator.cli.
"""

from generator.contract.runner import CHECKS, ContractOptions, run_checks, run_contract_tests

__all__ = ["CHECKS", "ContractOptions", "run_checks", "run_contract_tests"]
