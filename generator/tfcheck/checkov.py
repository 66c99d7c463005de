"""checkov, the policy scan, over a directory of Terraform, when checkov is installed.

checkov pins its own boto3 and hcl2, so it is not a dependency of gen: it is used when it is on
PATH or in the project's ``.venv-checkov/`` (what this repository's `make checkov` creates).
`scan(exe, tf_dir, config)` runs it with JSON output and returns the failed checks; it never
writes into `tf_dir`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from generator.errors import EnvError

CONFIG: Final = Path(__file__).with_name("checkov.yaml")
"""The skips that are stack-wide design decisions of gen's output, each with its reason."""
PROJECT_CONFIG: Final = ".checkov.yaml"
PROJECT_VENV: Final = ".venv-checkov/bin/checkov"
TIMEOUT_S: Final = 600.0


@dataclass(frozen=True, slots=True)
class Finding:
    check_id: str
    name: str
    resource: str
    file: str  # relative to the scanned directory
    line: int


@dataclass(frozen=True, slots=True)
class ScanResult:
    failed: tuple[Finding, ...]
    passed: int
    skipped: int
    parsing_errors: int


def find_checkov(root: Path) -> Path | None:
    """checkov on PATH, else the project's .venv-checkov, else None."""
    on_path = shutil.which("checkov")
    if on_path:
        return Path(on_path)
    local = root / PROJECT_VENV
    return local if local.is_file() else None


def config_for(root: Path) -> Path:
    """The project's own .checkov.yaml when it has one, else gen's."""
    own = root / PROJECT_CONFIG
    return own if own.is_file() else CONFIG


def scan(exe: Path, tf_dir: Path, config: Path = CONFIG) -> ScanResult:
    """Run checkov over `tf_dir`; raises EnvError when it cannot run or gives no report."""
    try:
        run = subprocess.run(
            [str(exe), "--config-file", str(config), "-d", str(tf_dir), "-o", "json"],
            capture_output=True, text=True, timeout=TIMEOUT_S, cwd=tf_dir, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EnvError(f"checkov ({exe}) did not run: {error}") from None
    try:
        reports: Any = json.loads(run.stdout)
    except json.JSONDecodeError:
        tail = (run.stderr or run.stdout).strip()[-500:]
        raise EnvError(f"checkov ({exe}) gave no JSON report: {tail}") from None
    found = [r for r in (reports if isinstance(reports, list) else [reports])
             if isinstance(r, dict) and r.get("check_type") == "terraform"]
    if not found:  # nothing to scan: checkov prints a bare summary
        return ScanResult((), 0, 0, 0)
    report = found[0]
    results = report.get("results") or {}
    failed = tuple(
        Finding(
            check_id=str(f.get("check_id")),
            name=str(f.get("check_name") or ""),
            resource=str(f.get("resource") or ""),
            file=str(f.get("file_path") or "").lstrip("/"),
            line=int((f.get("file_line_range") or [0])[0] or 0),
        )
        for f in results.get("failed_checks") or []
    )
    summary = report.get("summary") or {}
    return ScanResult(failed, int(summary.get("passed") or 0), int(summary.get("skipped") or 0),
                      int(summary.get("parsing_errors") or 0))
