"""The one family of errors a user can fix; everything else is a gen bug.

Library code raises these and never decides an exit code or prints: `generator.cli` maps them
(`UserError` and its kinds -> 2, anything else -> 3, one line, traceback only with --debug).
Outcomes that are not errors (stale output, failed contract tests, refused conflicts) are
returned as results, and the CLI maps those to exit 1.

    UserError                 base: a one-line message and an optional hint
      SpecError               located problems in spec/ (carries Diagnostics; in
                              generator.diagnostics beside them, also known as GenError)
      UsageError              the command line or the project layout: bad option values, no
                              project found, a missing -C directory, an init over a project
      EnvError                the world around gen: missing credentials or region, an
                              unreachable endpoint, a missing table, a port in use, an
                              optional extra that is not installed

This module is at the bottom of the layers: it imports nothing from gen.
"""

from __future__ import annotations


class UserError(Exception):
    """A failure the user can fix. `message` is one line; `hint` says what to do."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        """What the CLI prints: the message, then an indented ``hint:`` line when there is one."""
        return [self.message] + ([f"  hint: {self.hint}"] if self.hint else [])


class UsageError(UserError):
    """The command line or the project layout is wrong (bad values, no project, no directory)."""


class EnvError(UserError):
    """Something outside gen is missing or unreachable: credentials, region, an endpoint, a
    table, a free port, an optional extra."""
