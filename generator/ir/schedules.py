"""EventBridge schedule expressions in model.yaml, parsed by the same code the local scheduler runs."""

from __future__ import annotations

from generator.diagnostics import Location
from generator.ir.context import BuildContext
from generator.load.yaml_loader import Pointer


def check_schedule(ctx: BuildContext, text: str, ptr: Pointer) -> None:
    from generator.aws.schedules import ScheduleError, parse_schedule

    try:
        parse_schedule(text)
    except ScheduleError as exc:
        base = ctx.model_doc.locate(ptr)
        column = exc.column - 1 if exc.column > 0 else 0
        # The mark points at the scalar's first character; a quoted scalar starts one earlier.
        raw_line = ctx.spec.texts.get(base.file, "").splitlines()[base.line - 1] if base.line else ""
        quoted = raw_line[base.col - 1:base.col] in ("'", '"')
        col = base.col + (1 if quoted else 0) + column
        ctx.diags.error("E-SCHEDULE", f"invalid schedule '{text}': {exc.message}", Location(base.file, base.line, col),
                        exc.hint or "use rate(5 minutes), rate(1 hour) or cron(0 12 * * ? *) (six fields, UTC)")
