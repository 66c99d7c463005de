"""What a change under spec/ or handwritten/ means for the running stack, and doing it.

Contract: `classify(paths)` says whether the spec or only handwritten code changed;
`apply(stack, root, change)` does what `gen build` does (`pipeline.build`: write generated/,
refuse an unacknowledged destructive change, leave hand-edited generated files alone), then
`RunningStack.reload` with the new IR and API definition, or, for handwritten/ alone,
`RunningStack.reload_functions`. It never raises: every outcome is an `Outcome` (``reloaded``;
``invalid``: located spec errors; ``refused``: a change the stack cannot apply to its data;
``failed``: anything else, e.g. a processor that does not import), and in every outcome but
``reloaded`` the stack serves exactly what it served before.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import pipeline
from generator.diagnostics import Diagnostic, GenError
from generator.dev.freshness import API_DEFINITION
from generator.dev.stack import ReloadRefused, RunningStack
from generator.errors import UserError
from generator.speed import last_build as memo
from generator.write.guard import CODE as DESTRUCTIVE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    paths: tuple[str, ...]
    spec: bool
    handwritten: bool


def classify(paths: list[str]) -> Change:
    return Change(
        tuple(paths),
        spec=any(p.startswith("spec/") for p in paths),
        handwritten=any(p.startswith("handwritten/") for p in paths),
    )


@dataclass
class Outcome:
    """One reload as the terminal and ``/_local/status`` (``reload``) show it."""

    state: str
    change: Change
    took_ms: float = 0.0
    message: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    reloaded: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    """Files the build wrote under the watched folders (new scaffolds): not the user's edits."""
    phases_ms: dict[str, float] = field(default_factory=dict)
    """Where the time went: ``build`` (gen build) and ``stack`` (the reload itself)."""
    at: float = 0.0
    """When the reload ended (epoch seconds): the console says "reloaded at HH:MM:SS"."""

    def lines(self) -> list[str]:
        changed = ", ".join(self.change.paths[:3]) + (" ..." if len(self.change.paths) > 3 else "")
        if self.state == "reloaded":
            text = f"reload: {changed} -> {' and '.join(self.reloaded)} reloaded in {self.took_ms:.0f} ms"
            lines = [text]
            lines += [f"  table {t} created ({n} item(s) seeded)" for t, n in self.created.items()]
            lines += [f"  {k}: no longer in the spec; kept with its data until gen dev restarts"
                      for k in self.kept]
            return lines + [d.render() for d in self.diagnostics]
        head = {
            "invalid": "the spec is invalid",
            "refused": "refused",
            "failed": "failed",
        }[self.state]
        lines = [f"reload: {changed} -> {head}; still serving the previous version"]
        lines += [d.render() for d in self.diagnostics]
        if self.message:
            lines.append(f"  {self.message}" if self.state != "invalid" else self.message)
        return lines

    def to_json(self, generation: int) -> dict[str, Any]:
        return {
            "generation": generation,
            "state": self.state,
            "changed": list(self.change.paths),
            "tookMs": round(self.took_ms, 1),
            "message": self.message,
            "errors": [_diagnostic_json(d) for d in self.diagnostics if d.level == "error"],
            "warnings": [_diagnostic_json(d) for d in self.diagnostics if d.level != "error"],
            "reloaded": self.reloaded,
            "created": self.created,
            "kept": self.kept,
            "phasesMs": {k: round(v, 1) for k, v in self.phases_ms.items()},
            "at": round(self.at, 3),
        }


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    loc = d.location
    return {"file": loc.file, "line": loc.line, "col": loc.col, "level": str(d.level),
            "code": d.code, "message": d.message, "hint": d.hint, "text": d.render()}


def apply(stack: RunningStack, root: Path, change: Change) -> Outcome:
    started = time.perf_counter()
    outcome = Outcome("reloaded", change)
    try:
        if change.spec:
            _reload_spec(stack, root, outcome)
        else:
            stack.reload_functions()
            outcome.reloaded = ["processors"]
    except GenError as error:
        errors = error.diagnostics.errors
        # gen build's guard: a destructive change the spec does not acknowledge
        destructive = bool(errors) and all(d.code == DESTRUCTIVE for d in errors)
        outcome.state = "refused" if destructive else "invalid"
        outcome.diagnostics, outcome.message = error.diagnostics.sorted(), error.message
    except ReloadRefused as error:
        outcome.state, outcome.message = "refused", error.message
    except UserError as error:
        outcome.state, outcome.message = "failed", error.message
    except Exception as error:  # a reload must never take the stack (or the watcher) down
        log.debug("reload failed", exc_info=True)
        outcome.state, outcome.message = "failed", f"internal error: {type(error).__name__}: {error}"
    outcome.took_ms = (time.perf_counter() - started) * 1000
    outcome.at = time.time()
    return outcome


def _reload_spec(stack: RunningStack, root: Path, outcome: Outcome) -> None:
    started = time.perf_counter()
    result = pipeline.build(root)
    outcome.phases_ms["build"] = (time.perf_counter() - started) * 1000
    plan = result.plan
    outcome.diagnostics = result.diagnostics.sorted()
    outcome.written = [a.path for a in plan.changes if a.path.startswith("handwritten/")]
    if plan.conflicts:
        edited = ", ".join(a.path for a in plan.conflicts)
        raise UserError(f"generated/ was edited by hand ({edited}): nothing was written; move the "
                        "change into the spec or handwritten/ (`gen build --force` discards it)")
    if not plan.warnings:  # as `gen build` does: the next `gen dev` starts without a full check
        memo.record(root, plan.manifest_text, [d.render() for d in result.diagnostics])
    ir = result.ir
    assert ir is not None  # build raises GenError without one
    document = json.loads((root / API_DEFINITION).read_text(encoding="utf-8"))
    started = time.perf_counter()
    done = stack.reload(ir, document)
    outcome.phases_ms["stack"] = (time.perf_counter() - started) * 1000
    outcome.reloaded = [f"API ({len(ir.operations)} operations)"] + (["processors"] if done.functions else [])
    outcome.created, outcome.kept = done.created, list(done.kept)
