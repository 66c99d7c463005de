"""`gen validate --terraform`: the Terraform a project's spec produces, checked offline.

`check_project(root)` renders the Terraform in memory (exactly what `gen build` writes to
generated/terraform/, header included), writes it to a temporary directory, and runs
`terraform fmt -check`, `terraform validate` against the AWS provider schema and, when checkov
is installed, the policy scan. Problems come back as lines located in generated/terraform/.
It raises `SpecError` for an invalid spec and `EnvError` when the `terraform` extra is missing;
it never writes into the project (except gen's own cache).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from generator.tfcheck.check import fmt_check, require_extra, validate
from generator.tfcheck.checkov import config_for, find_checkov, scan

TERRAFORM_EMITTER = "generator.emit.terraform:emit_terraform"


@dataclass
class TerraformReport:
    """What the checks found; `ok` when nothing failed (warnings do not fail)."""

    files: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checkov: str = "not installed (pip install checkov, or a .venv-checkov/, to add the policy scan)"

    @property
    def ok(self) -> bool:
        return not self.problems


def check_project(root: Path) -> TerraformReport:
    """Check the Terraform of the project at `root` (see the module docstring)."""
    from generator.emit.terraform import OUT_DIR
    from generator.pipeline import generate
    from generator.render.header import with_header

    require_extra()
    _, files, _ = generate(root, emitters=(TERRAFORM_EMITTER,))
    report = TerraformReport(files=len(files))
    with tempfile.TemporaryDirectory(prefix="gen-terraform-") as tmp:
        tf_dir = Path(tmp)
        for f in files:
            target = tf_dir / f.path.removeprefix(OUT_DIR + "/")
            target.parent.mkdir(parents=True, exist_ok=True)
            text = with_header(f.path, f.source, f.content) if f.header else f.content
            target.write_text(text, encoding="utf-8")
        for name in fmt_check(tf_dir, recursive=True):
            report.problems.append(f"{OUT_DIR}/{name}: not in `terraform fmt` canonical form")
        result = validate(tf_dir)
        for diagnostic in result.diagnostics:
            line = diagnostic.format(Path(OUT_DIR))
            (report.problems if diagnostic.severity == "error" else report.warnings).append(line)
        if not result.ok and not result.errors:
            report.problems.append(f"{OUT_DIR}: terraform validate failed without a diagnostic")
        exe = find_checkov(root)
        if exe is not None:
            scanned = scan(exe, tf_dir, config_for(root))
            for finding in scanned.failed:
                report.problems.append(
                    f"{OUT_DIR}/{finding.file}:{finding.line}: checkov[{finding.check_id}]: "
                    f"{finding.name} ({finding.resource})")
            if scanned.parsing_errors:
                report.problems.append(f"{OUT_DIR}: checkov could not parse "
                                       f"{scanned.parsing_errors} file(s)")
            report.checkov = (f"{scanned.passed} passed, {len(scanned.failed)} failed, "
                              f"{scanned.skipped} skipped ({exe})")
    return report
