"""checkov over every case's Terraform: no failed check; every skip says why.

checkov pins its own boto3 and hcl2, so it runs from its own virtualenv (.venv-checkov, made by
`make checkov`); the scan is skipped when that is missing. One run covers all cases plus a
canary folder of careless Terraform that must fail, proving the config hides nothing basic.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.infra.terraform_stack import CASES, ROOT, stack, write

CHECKOV = ROOT / ".venv-checkov/bin/checkov"
CONFIG = ROOT / "generator/tfcheck/checkov.yaml"
CANARY = """resource "aws_sqs_queue" "plain" {
  name = "plain"
}

resource "aws_cloudwatch_log_group" "plain" {
  name = "plain"
}
"""


def test_every_configured_skip_gives_its_reason() -> None:
    lines = CONFIG.read_text().splitlines()
    start = lines.index("skip-check:")
    entries = [line for line in lines[start + 1 :] if line.startswith("  - ")]
    assert entries
    for line in entries:
        match = re.fullmatch(r"  - (CKV2?_AWS_\d+) +# (.{30,})", line)
        assert match, f"skip without a reason: {line!r}"


@pytest.mark.slow
@pytest.mark.skipif(not CHECKOV.exists(), reason="no .venv-checkov (make checkov)")
def test_checkov_passes_every_case_and_fails_the_canary(tmp_path: Path) -> None:
    for case in CASES:
        write(stack(case), tmp_path / case)
    (tmp_path / "zz_canary").mkdir()
    (tmp_path / "zz_canary" / "main.tf").write_text(CANARY)
    run = subprocess.run(
        [str(CHECKOV), "--config-file", str(CONFIG), "-d", str(tmp_path), "-o", "json"],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        check=False,
    )
    reports: Any = json.loads(run.stdout)
    (report,) = [
        r
        for r in (reports if isinstance(reports, list) else [reports])
        if r["check_type"] == "terraform"
    ]
    assert report["summary"]["parsing_errors"] == 0
    failed = report["results"]["failed_checks"]
    outside = [
        f"{f['check_id']} {f['resource']} {f['file_path']}"
        for f in failed
        if "zz_canary" not in f["file_path"]
    ]
    assert outside == []
    canary = {f["check_id"] for f in failed}
    assert {
        "CKV_AWS_27",
        "CKV_AWS_158",
        "CKV_AWS_338",
    } <= canary  # SQS and log encryption, log retention
    for skipped in report["results"]["skipped_checks"]:
        reason = (skipped.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.strip()) >= 30, (
            f"{skipped['check_id']} on {skipped['resource']}: no reason"
        )
    assert report["summary"]["passed"] > 100 * len(CASES)
