"""Run the contract checks against a target and collect one report (see the package docstring)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.contract import fuzz, ingest, reads
from generator.contract.report import CaseResult, Report
from generator.contract.target import Auth, AuthKind, Target, local_target, region_of, remote_target
from generator.errors import UsageError

Check = Callable[[Target], list[CaseResult]]
FUNCTION_LOG = ".gen-cache/test/functions.log"

CHECKS: dict[str, Check] = {
    "seed": reads.check_seed,
    "listed": reads.check_listed,
    "unknown-key": reads.check_unknown_keys,
    "pagination": reads.check_pagination,
    "sort-range": reads.check_sort_ranges,
    "index": reads.check_indexes,
    "protected": reads.check_protected,
    "rejects": ingest.check_rejects,
    "fuzz": fuzz.check_fuzz,
    "fuzz-ingestion": fuzz.check_fuzz_ingestion,
}
"""Every check, in the order they run; `pipeline` runs last, and only when asked for."""


@dataclass(frozen=True)
class ContractOptions:
    url: str | None = None
    token: str | None = None
    sigv4: bool = False
    api_key: str | None = None
    pipeline: bool = False
    only: Sequence[str] = ()

    def auth(self) -> Auth:
        given = [name for name, on in (("--token", self.token), ("--sigv4", self.sigv4),
                                       ("--api-key", self.api_key)) if on]
        if len(given) > 1:
            raise UsageError(f"{' and '.join(given)}: pass one way to authenticate")
        if self.url is None:
            if given:
                raise UsageError(f"{given[0]} needs --url: the local stack takes its own unsigned tokens")
            return Auth("local")
        kind: AuthKind = "token" if self.token else "sigv4" if self.sigv4 else "api_key" if self.api_key else "none"
        return Auth(kind, self.token or self.api_key, region_of(self.url) if self.sigv4 else None)


def run_checks(target: Target, names: Sequence[str] = (), pipeline: bool = False) -> Report:
    """Run the named checks (all when empty) against `target`; `pipeline` adds that check."""
    unknown = [n for n in names if n not in CHECKS and n != "pipeline"]
    if unknown:
        raise UsageError(f"no check named {', '.join(unknown)}", hint=f"checks: {', '.join([*CHECKS, 'pipeline'])}")
    report = Report(target.description)
    for name, check in CHECKS.items():
        if not names or name in names:
            for case in check(target):
                report.add(case)
    if pipeline or "pipeline" in names:
        for case in ingest.check_pipeline(target):
            report.add(case)
    return report


def run_contract_tests(root: Path, options: ContractOptions) -> Report:
    """Start the local stack (or reach `options.url`), run the checks, stop; the report."""
    auth = options.auth()
    if options.url is None:
        # the functions print their logs and metrics to stdout (as on Lambda): into a file,
        # so the report stays readable
        log = root / FUNCTION_LOG
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w", encoding="utf-8") as out, contextlib.redirect_stdout(out), local_target(root) as target:
            report = run_checks(target, options.only, options.pipeline)
        report.notes.append(f"output of the functions: {FUNCTION_LOG}")
        return report
    target = remote_target(root, options.url, auth)
    if options.pipeline and target.endpoints is None:
        raise UsageError("--pipeline needs the local stack: run gen test without --url, or point --url at a gen dev")
    return run_checks(target, options.only, options.pipeline)
