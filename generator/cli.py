"""The `gen` command line: parse, call the library, print diagnostics, map to exit codes.

Exit codes: 0 ok; 1 stale or conflicting output; 2 invalid spec or usage; 3 internal error.
Diagnostics and status verbs go to stderr; `--diff` output goes to stdout.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from pathlib import Path

import click

from generator.diagnostics import Diagnostics, GenError

EXAMPLES = """
\b
Examples:
  gen validate                    check spec/ and print every problem
  gen build                       write generated/ (and missing handwritten/ scaffolds)
  gen build --check --diff        CI: exit 1 and show a diff if generated/ is stale
  gen -C examples/shop build      work on another project
  gen dev --port 8000             the whole system locally: API, processors, dashboard
  gen seed --endpoint-url http://127.0.0.1:4566   load seed data into DynamoDB
  gen package                     deterministic Lambda zips under build/lambda/
  gen init my-service             start a new project
  gen review origin/main          what this branch's spec change does (PR comment)
  gen cost                        monthly cost estimate from spec/usage.yaml
"""


class Ctx:
    def __init__(self, root: Path, debug: bool) -> None:
        self.root = root
        self.debug = debug


def _print_diagnostics(diags: Diagnostics) -> None:
    for d in diags:
        click.echo(d.render(), err=True)
    errors, warnings = len(diags.errors), len(diags.warnings)
    if errors:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)


@click.group(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "root", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Project root (default: the current directory).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option("0.1.0", prog_name="gen")
@click.pass_context
def cli(ctx: click.Context, root: Path, debug: bool) -> None:
    """gen: one spec in; Terraform, API Gateway templates, seed data, typed handlers and a local stack out."""
    ctx.obj = Ctx(root, debug)


@cli.command()
@click.pass_obj
def validate(obj: Ctx) -> None:
    """Check spec/ only; print located errors."""
    from generator import pipeline

    ir, diags = pipeline.validate(obj.root)
    _print_diagnostics(diags)
    if ir is None or diags.has_errors():
        sys.exit(2)
    click.echo(f"ok: {len(ir.operations)} operations, {len(ir.tables)} tables, {len(ir.events)} events, "
               f"{len(ir.processors)} processors", err=True)


@cli.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if generated/ is stale or hand-edited.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of what would change.")
@click.option("--force", is_flag=True, help="Overwrite hand edits in generated/ (they are lost).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.pass_obj
def build(obj: Ctx, check: bool, show_diff: bool, force: bool, quiet: bool) -> None:
    """Generate everything into generated/ atomically."""
    from generator.write import memo

    if _OWN_PROCESS:
        # the process ends with this build: no cyclic collection while its modules load either
        gc.disable()
    if not force and not show_diff:
        replay = memo.up_to_date(obj.root)
        if replay is not None:
            for line in replay:
                click.echo(line, err=True)
            if not quiet:
                click.echo("generated/ is up to date" if check else "done: 0 file(s) changed (up to date)", err=True)
            return

    from generator import pipeline

    _HARD_EXIT.append(True)
    result = pipeline.build(obj.root, check=check, force=force)
    _print_diagnostics(result.diagnostics)
    plan = result.plan
    for path, message, hint in plan.warnings:
        click.echo(f"{path}: warning[W-KEEP]: {message}\n  hint: {hint}", err=True)
    if show_diff:
        from generator.write.diff import render_diff

        click.echo(render_diff(plan), nl=False)
    for action in plan.actions:
        if action.verb == "conflict":
            click.echo(f"conflict  {action.path}: {action.reason}\n  hint: move the change into handwritten/ or "
                       "the spec; `gen build --force` discards it", err=True)
        elif action.verb != "identical" and not quiet and (action.verb != "skip" or not check):
            click.echo(f"{'would ' if check else ''}{action.verb:<9} {action.path}", err=True)
    if check:
        if plan.manifest_changed and not plan.changes and not quiet:
            click.echo("would update generated/.gen-manifest.json", err=True)
        if plan.stale:
            click.echo("generated/ is stale: run `gen build`", err=True)
            sys.exit(1)
        if not plan.warnings:
            memo.record(obj.root, plan.manifest_text, [d.render() for d in result.diagnostics])
        if not quiet:
            click.echo("generated/ is up to date", err=True)
        return
    if plan.conflicts:
        click.echo(f"refused: {len(plan.conflicts)} conflict(s); nothing was written", err=True)
        sys.exit(1)
    if not plan.warnings:
        memo.record(obj.root, plan.manifest_text, [d.render() for d in result.diagnostics])
    if not quiet:
        n = len(plan.changes)
        click.echo(f"done: {n} file(s) changed, {len(plan.by_verb('identical'))} identical", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def dev(obj: Ctx, host: str, port: int) -> None:
    """Run the whole system locally (moto, API emulator, processors, dashboard) until Ctrl-C."""
    from generator.dev.server import serve

    serve(obj.root, host=host, port=port)


@cli.command()
@click.option("--endpoint-url", default=None, help="DynamoDB endpoint (default: AWS).")
@click.option("--stage", default="local", show_default=True, help="Stage whose tables to load.")
@click.option("--region", default=None, help="AWS region (default: from the environment).")
@click.pass_obj
def seed(obj: Ctx, endpoint_url: str | None, stage: str, region: str | None) -> None:
    """Load generated/dynamodb/seed.json into DynamoDB (local or real)."""
    from generator.seeding import load_seed_file

    counts = load_seed_file(obj.root, endpoint_url=endpoint_url, stage=stage, region=region)
    for table, n in sorted(counts.items()):
        click.echo(f"seeded {table}: {n} item(s)", err=True)


@cli.command()
@click.pass_obj
def package(obj: Ctx) -> None:
    """Build deterministic Lambda zips under build/lambda/."""
    from generator.package import build_packages

    for path in build_packages(obj.root):
        click.echo(f"built {path}", err=True)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Project name (default: the directory's name).")
def init(directory: Path, name: str | None) -> None:
    """Create a new project in DIRECTORY: spec/, handwritten/, frontend/ skeleton; then build it."""
    from generator.init_project import init_project

    for path in init_project(directory, name):
        click.echo(f"create    {path}", err=True)


# -- gen review, gen cost (generator.review, generator.cost) ---------------------------------


@cli.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.pass_obj
def review(obj: Ctx, base: str, head: str | None, fmt: str) -> None:
    """What changed from BASE to HEAD (git revisions or directories; HEAD: the working tree).

    Exit 1 when a breaking or destructive change is not acknowledged in spec/model.yaml."""
    import json

    from generator.review.report import markdown, to_json
    from generator.review.run import review as run_review
    from generator.review.side import InvalidSide, SideError

    if _OWN_PROCESS:
        # like build: the process ends with this review, so neither cyclic collection over two
        # specs' IRs nor tearing them down at exit does anything useful
        gc.disable()
        _HARD_EXIT.append(True)
    try:
        result = run_review(obj.root, base, head)
    except SideError as exc:
        raise click.UsageError(str(exc)) from None
    except InvalidSide as exc:
        click.echo(f"the spec of {exc.label} is invalid:", err=True)
        _print_diagnostics(exc.diagnostics)
        sys.exit(2)
    click.echo(json.dumps(to_json(result), indent=2) if fmt == "json" else markdown(result), nl=fmt == "json")
    sys.exit(result.exit_code)


@cli.command()
@click.option("--usage", "usage_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Usage profile (default: spec/usage.yaml).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.pass_obj
def cost(obj: Ctx, usage_path: Path | None, fmt: str) -> None:
    """Monthly cost estimate of the generated system from a usage profile."""
    import json

    from generator import pipeline
    from generator.cost.estimate import estimate_project
    from generator.cost.render import markdown, to_json

    ir, diags = pipeline.validate(obj.root)
    if ir is None or diags.has_errors():
        _print_diagnostics(diags)
        sys.exit(2)
    result = estimate_project(obj.root, ir, usage_path)
    click.echo(json.dumps(to_json(result), indent=2) if fmt == "json" else markdown(result), nl=fmt == "json")


_HARD_EXIT: list[bool] = []
_OWN_PROCESS: list[bool] = []


def _hard_exit(code: int) -> None:
    """End a finished `gen build` process without tearing the interpreter down: freeing every
    module and object of a large build costs tens of milliseconds and does nothing useful
    (the writer has renamed its files into place; the caches are written). Used only when gen
    runs as its own process, never when `main` is called in-process (tests)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    if argv is None:
        _OWN_PROCESS.append(True)
        try:
            _main(None)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                click.echo(exc.code, err=True)
        else:
            code = 0
        if _HARD_EXIT:
            _hard_exit(code)
        sys.exit(code)
    _main(argv)


def _main(argv: list[str] | None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="gen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except GenError as exc:
        _print_diagnostics(exc.diagnostics)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # anything else is a gen bug: one line, traceback only on --debug
        if debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}" + ("" if debug else " (rerun with --debug)"),
                   err=True)
        sys.exit(3)


