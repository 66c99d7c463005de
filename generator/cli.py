"""The `gen` command line: parse, call the library, print diagnostics, map to exit codes.

Exit codes are decided here and nowhere else:
  0 ok;
  1 an outcome that failed: stale or conflicting output, failed contract tests, problems in the
    generated Terraform;
  2 the user's to fix: an invalid spec (`SpecError`), usage (`UsageError`, click's usage errors),
    the environment (`EnvError`: credentials, region, endpoint, port, a missing extra);
  3 anything else: a gen bug; one line, the traceback only with --debug.
Diagnostics and status verbs go to stderr; `--diff` output goes to stdout.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from generator.diagnostics import Diagnostics, SpecError
from generator.errors import UsageError, UserError

EXIT_OK, EXIT_FAILED, EXIT_USER, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

EXAMPLES = """
\b
Examples:
  gen validate                    check spec/ and print every problem
  gen build                       write generated/ (and missing handwritten/ scaffolds)
  gen build --check --diff        CI: exit 1 and show a diff if generated/ is stale
  gen -C my-service build         work on another project (e.g. one `gen init` made)
  gen dev --port 8000             the whole system locally: API, processors, dashboard
  gen test --junit report.xml     contract tests against the local stack (or --url a stage)
  gen validate --terraform        also check the generated Terraform offline
  gen seed --endpoint-url http://127.0.0.1:4566   load seed data into DynamoDB
  gen replay --processor P --since 2h             the lake's events through a processor again
  gen package                     deterministic Lambda zips under build/lambda/
  gen init my-service             start a new project
  gen review main                 what this branch changes (breaking, destructive, cost)
  gen cost                        monthly estimate from spec/usage.yaml
  gen review origin/main          what this branch's spec change does (PR comment)
  gen cost                        monthly cost estimate from spec/usage.yaml
"""


class Ctx:
    def __init__(self, root: Path, debug: bool) -> None:
        self.root = root
        self.debug = debug


def project_root(given: Path | None, cwd: Path | None = None) -> Path:
    """`-C DIR` (which must exist), else the nearest directory from `cwd` up holding spec/ (as git
    finds .git), else `cwd` itself (commands then say there is no project)."""
    if given is not None:
        if not given.is_dir():
            raise UsageError(f"-C {given}: no such directory" if not given.exists()
                             else f"-C {given}: not a directory")
        return given
    start = (cwd or Path.cwd()).resolve()
    return next((d for d in (start, *start.parents) if (d / "spec").is_dir()), start)


def _print_diagnostics(diags: Diagnostics) -> None:
    for d in diags:
        click.echo(d.render(), err=True)
    errors, warnings = len(diags.errors), len(diags.warnings)
    if errors:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)


@click.group(epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "root", type=click.Path(path_type=Path), default=None,
              help="Project root (default: the nearest directory from here up that holds spec/).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option("0.1.0", prog_name="gen")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, debug: bool) -> None:
    """gen: one spec in; Terraform, API Gateway templates, seed data, typed handlers and a local stack out."""
    _COMMAND[:] = [ctx.invoked_subcommand or ""]
    ctx.obj = Ctx(project_root(root) if ctx.invoked_subcommand != "init" else Path("."), debug)


@cli.command()
@click.option("--terraform", is_flag=True,
              help="Also check the generated Terraform offline: fmt -check, validate against the AWS "
                   "provider schema, checkov when installed (needs: pip install 'specstack[terraform]').")
@click.pass_obj
def validate(obj: Ctx, terraform: bool) -> None:
    """Check spec/ (located errors); with --terraform also the Terraform it generates."""
    from generator import pipeline

    ir, diags = pipeline.validate(obj.root)
    if ir is None or diags.has_errors():
        raise SpecError(diags)
    _print_diagnostics(diags)
    click.echo(f"ok: {len(ir.operations)} operations, {len(ir.tables)} tables, {len(ir.events)} events, "
               f"{len(ir.processors)} processors", err=True)
    if terraform:
        from generator.tfcheck.project import check_project

        report = check_project(obj.root)
        for line in report.problems + report.warnings:
            click.echo(line, err=True)
        click.echo(f"terraform: {report.files} file(s), {len(report.problems)} problem(s), "
                   f"{len(report.warnings)} warning(s); checkov: {report.checkov}", err=True)
        if not report.ok:
            sys.exit(EXIT_FAILED)


@cli.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if generated/ is stale or hand-edited.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of what would change.")
@click.option("--force", is_flag=True, help="Overwrite hand edits in generated/ (they are lost).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.pass_obj
def build(obj: Ctx, check: bool, show_diff: bool, force: bool, quiet: bool) -> None:
    """Generate everything into generated/ atomically."""
    from generator.speed import last_build as memo, process

    process.end_without_teardown()
    if not force and not show_diff:
        replay = memo.up_to_date(obj.root)
        if replay is not None:
            for line in replay:
                click.echo(line, err=True)
            if not quiet:
                click.echo("generated/ is up to date" if check else "done: 0 file(s) changed (up to date)", err=True)
            return

    from generator import pipeline

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
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="0: any free port.")
@click.option("--state", "state", default=None, type=click.Path(path_type=Path),
              help="Keep tables, streams, queues and the data lake in this directory across "
                   "restarts (default: in memory, gone on stop).")
@click.option("--log-format", type=click.Choice(["pretty", "json"]), default="pretty", show_default=True,
              help="pretty: readable lines; json: one JSON object per line (time, source, name, level, message).")
@click.option("--watch", is_flag=True, help="On a save under spec/ or handwritten/, rebuild and reload "
              "the running stack (its data kept).")
@click.pass_obj
def dev(obj: Ctx, host: str, port: int, state: Path | None, log_format: str, watch: bool) -> None:
    """Run the whole system locally (moto, API emulator, processors, dashboard) until Ctrl-C."""
    from generator.dev.server import serve

    serve(obj.root, host=host, port=port, state=state, log_format=log_format, watch=watch)


@cli.command(name="test")
@click.option("--url", default=None, help="A deployed stage's invoke URL (default: start the local stack).")
@click.option("--token", default=None, help="Authorization header value for protected operations (deployed).")
@click.option("--sigv4", is_flag=True, help="Sign requests with the AWS credential chain (IAM-protected stage).")
@click.option("--api-key", default=None, help="x-api-key header value (usage-plan-protected stage).")
@click.option("--pipeline", is_flag=True,
              help="Also post events generated from each event schema; every processor must acknowledge them.")
@click.option("--only", "only", multiple=True, metavar="CHECK",
              help="Run only this check (repeatable): seed, listed, unknown-key, pagination, sort-range, "
                   "index, protected, rejects, fuzz, fuzz-ingestion, pipeline.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a JUnit XML report here.")
@click.option("-v", "--verbose", is_flag=True, help="Say what each passed check covered.")
@click.pass_obj
def test_command(obj: Ctx, url: str | None, token: str | None, sigv4: bool, api_key: str | None,
                 pipeline: bool, only: tuple[str, ...], junit: Path | None, verbose: bool) -> None:
    """Contract tests derived from the spec, against the local stack or a deployed stage (--url)."""
    from generator.contract import ContractOptions, run_contract_tests

    options = ContractOptions(url=url, token=token, sigv4=sigv4, api_key=api_key, pipeline=pipeline, only=only)
    report = run_contract_tests(obj.root, options)
    for line in report.summary_lines(verbose):
        click.echo(line)
    if junit is not None:
        report.write_junit(junit)
        click.echo(f"JUnit report: {junit}")
    if not report.ok:
        sys.exit(EXIT_FAILED)


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
@click.option("--frontend", is_flag=True, help="Add a Vite + React + TypeScript app on the typed API client.")
def init(directory: Path, name: str | None, frontend: bool) -> None:
    """Create a complete project in DIRECTORY (spec, tests, Makefile, CI), then build it."""
    from generator.init_project import init_project

    for path in init_project(directory, name, frontend=frontend):
        click.echo(f"create    {path}", err=True)
    click.echo(f"next: cd {directory} && make test   (or: make run)", err=True)


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
    from generator.speed import process

    # like build: the process ends with this review, so neither cyclic collection over two
    # specs' IRs nor tearing them down at exit does anything useful
    process.end_without_teardown()
    result = run_review(obj.root, base, head)  # SideError, InvalidSide: user errors (exit 2)
    click.echo(json.dumps(to_json(result), indent=2) if fmt == "json" else markdown(result), nl=fmt == "json")
    sys.exit(EXIT_FAILED if result.exit_code else EXIT_OK)


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
        raise SpecError(diags)
    result = estimate_project(obj.root, ir, usage_path)
    click.echo(json.dumps(to_json(result), indent=2) if fmt == "json" else markdown(result), nl=fmt == "json")



# -- gen replay (generator.replay) ------------------------------------------------------------


@cli.command()
@click.option("--processor", required=True, help="The stream processor to run the events through.")
@click.option("--type", "types", multiple=True, help="Only events of this CloudEvents type (repeatable; "
              "default: every type the processor handles).")
@click.option("--since", default=None, help="Events from this time: ISO 8601 or an age (2h, 15m, 3d).")
@click.option("--until", default=None, help="Events up to this time: ISO 8601 or an age.")
@click.option("--stage", default=None, help="A deployed stage (AWS credentials); default: the running gen dev.")
@click.option("--region", default=None, help="AWS region (default: from the environment).")
@click.option("--bucket", default=None, help="Data-lake bucket (default: the stage's).")
@click.option("--endpoint-url", default=None, help="gen dev's AWS endpoint (default: asked of gen dev).")
@click.option("--dev-url", default="http://127.0.0.1:8000", show_default=True, help="The running gen dev.")
@click.option("--dry-run", is_flag=True, help="Run against a private copy; report what would change.")
@click.option("--rate", type=float, default=None, help="At most this many records per second.")
@click.option("--checkpoint", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Progress file (default: .gen-cache/replay/<stage>-<processor>.json); "
                   "failures go to <checkpoint>.failed.jsonl.")
@click.option("--restart", is_flag=True, help="Ignore the checkpoint: start from the first record.")
@click.option("--reapply", is_flag=True, help="Delete the selected events' idempotency records first, "
              "so events applied before apply again (rebuilding a wiped table).")
@click.pass_obj
def replay(obj: Ctx, processor: str, types: tuple[str, ...], since: str | None, until: str | None,
           stage: str | None, region: str | None, bucket: str | None, endpoint_url: str | None,
           dev_url: str, dry_run: bool, rate: float | None, checkpoint: Path | None, restart: bool,
           reapply: bool) -> None:
    """Archived events from the data lake through a processor (exit 1: some failed; 130: interrupted)."""
    from generator.replay.run import ReplayOptions
    from generator.replay.run import replay as run_replay

    summary = run_replay(obj.root, ReplayOptions(
        processor=processor, types=types, since=since, until=until, stage=stage, region=region,
        bucket=bucket, endpoint_url=endpoint_url, dev_url=dev_url, dry_run=dry_run, rate=rate,
        checkpoint=checkpoint, restart=restart, reapply=reapply))
    for line in summary.lines():
        click.echo(line)
    sys.exit(summary.exit_code)

_COMMAND: list[str] = []  # the subcommand being run, for the prefix of error lines


def main(argv: list[str] | None = None) -> None:
    if argv is None:
        from generator.speed.process import run_as_command

        run_as_command(lambda: _main(None))  # exits this process (see generator.speed.process)
    _main(argv)


def _main(argv: list[str] | None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    _COMMAND.clear()
    try:
        cli.main(args=argv, prog_name="gen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USER)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except UserError as exc:
        _print_user_error(exc, debug)
        sys.exit(EXIT_USER)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit:
        raise
    except Exception as exc:  # anything else is a gen bug: one line, traceback only on --debug
        if debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}" + ("" if debug else " (rerun with --debug)"),
                   err=True)
        sys.exit(EXIT_INTERNAL)


def _print_user_error(exc: UserError, debug: bool) -> None:
    """Diagnostics as they are; any other user error as `gen COMMAND: message` and its hint."""
    if debug:
        traceback.print_exc()
    lines = exc.lines()
    if not isinstance(exc, SpecError) and lines:
        lines[0] = f"gen{' ' + _COMMAND[0] if _COMMAND and _COMMAND[0] else ''}: {lines[0]}"
    for line in lines:
        click.echo(line, err=True)


