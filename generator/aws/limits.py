"""AWS naming limits: how long, and of which characters, the names of AWS resources may be.

Pure data. `generator.ir.aws_names` checks the names gen will create against these limits
before anything is deployed; the generated Terraform enforces `STAGE_MAX` on its `stage`
variable so those checks hold for every stage.
"""

from __future__ import annotations

import re
from typing import Final

STAGE_MAX: Final = 12
"""The longest stage the generated Terraform accepts; physical names are checked with it."""

ACCOUNT_ID_LEN: Final = 12
"""AWS account ids are 12 digits; bucket names end with one to be globally unique."""

ROLE_NAME_MAX: Final = 64

NAME_LIMITS: Final[dict[str, tuple[int, str, str]]] = {
    # kind: (max length, allowed characters, what it is)
    "table": (255, r"^[A-Za-z0-9_.-]+$", "DynamoDB table name"),
    "stream": (128, r"^[A-Za-z0-9_.-]+$", "Kinesis stream name"),
    "function": (64, r"^[A-Za-z0-9_-]+$", "Lambda function name"),
    "role": (ROLE_NAME_MAX, r"^[A-Za-z0-9+=,.@_-]+$", "IAM role name"),
    "bucket": (63, r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", "S3 bucket name"),
    "delivery": (64, r"^[A-Za-z0-9_.-]+$", "Firehose delivery stream name"),
}

API_MODEL_NAME: Final = re.compile(r"[A-Za-z0-9]+")
"""API Gateway model names are alphanumeric."""

STAGE_VARIABLE_NAME: Final = re.compile(r"[A-Za-z0-9_]+")
"""API Gateway stage variable names: letters, digits and underscores."""

DYNAMODB_ITEM_BYTES: Final = 400 * 1024
"""The largest DynamoDB item: attribute names and values, in UTF-8."""
KINESIS_RECORD_BYTES: Final = 1024 * 1024
"""The largest Kinesis record: its data blob plus its partition key."""
