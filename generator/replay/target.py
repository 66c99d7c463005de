"""Where a replay reads the lake and where the processor writes: gen dev's moto, or a stage.

`local_target`: gen dev's AWS endpoint (``--endpoint-url``, else asked of the running gen dev
at ``--dev-url``, ``/_local/status``), under stage ``local`` and its dummy credentials: the
functions' environment is gen dev's own (`function_environment`), so idempotency keys match.
`stage_target`: a deployed stage with the caller's AWS credentials (boto3's usual chain); the
account id names the data-lake bucket; the environment is the deployed function's as the
Terraform sets it, plus ``AWS_LAMBDA_FUNCTION_NAME`` (as Lambda sets it;
the idempotency keys start with the handler's context's function name, the same name) and
the caller's credentials as resolved (keys and session token: they may expire during a long
replay; the checkpoint lets it resume with fresh ones).
Either way the handler runs here, in this process. Every failure to reach AWS is an `EnvError`
of one line.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from generator.dev.lambdas.functions import function_environment
from generator.dev.local_aws.identity import LOCAL_ACCOUNT
from generator.dev.local_aws.resources import LOCAL_STAGE, LocalNames, local_names
from generator.errors import EnvError, UsageError
from generator.ir.names import datalake_bucket
from generator.ir.nodes import Ir, Processor

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

QUIET_FUNCTIONS = {"LOG_LEVEL": "CRITICAL", "POWERTOOLS_METRICS_DISABLED": "true"}
"""The processor's own logs and metrics would bury the replay's summary (why a record failed is
in the failed-records file): no log lines, no EMF metrics."""


@dataclass
class Target:
    """A resolved target: the lake's client and bucket, the tables' client, the names, and the
    environment the processor's handler runs with."""

    stage: str
    region: str
    account: str
    names: LocalNames
    bucket: str
    s3: S3Client
    dynamodb: DynamoDBClient
    env: dict[str, str] = field(default_factory=dict)
    endpoint: str | None = None

    def describe(self) -> str:
        where = f"gen dev at {self.endpoint}" if self.endpoint else f"stage {self.stage} ({self.region})"
        return f"{where}, s3://{self.bucket}"


def dev_endpoint(dev_url: str) -> str:
    """The AWS endpoint the gen dev at `dev_url` serves (from its /_local/status)."""
    url = dev_url.rstrip("/") + "/_local/status"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            endpoint = json.loads(answer.read())["aws"]["endpoint"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = getattr(error, "reason", None) or error
        raise EnvError(f"cannot reach gen dev at {dev_url}: {reason}",
                       hint="start `gen dev`, pass --dev-url (its address) or --endpoint-url (the "
                            "AWS (moto) line it prints), or --stage NAME for a deployed stage") from None
    if not isinstance(endpoint, str):
        raise EnvError(f"gen dev at {dev_url} did not say where its AWS endpoint is")
    return endpoint


LOCAL_CONFIG = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=3)
"""gen dev is on this machine: a dead endpoint is dead, not throttled; say so in seconds."""


def _local_client(service: str, region: str, endpoint: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=region, endpoint_url=endpoint, config=LOCAL_CONFIG,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )


def check_bucket(target: Target) -> None:
    """Fail with one line when the endpoint is dead, credentials are refused or the bucket is
    missing."""
    try:
        target.s3.head_bucket(Bucket=target.bucket)
    except NoCredentialsError:
        raise EnvError("no AWS credentials found",
                       hint="configure them as for the AWS CLI (AWS_PROFILE, aws sso login, ...)") from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        what = "does not exist" if code in ("404", "NoSuchBucket") else f"cannot be read ({code})"
        raise EnvError(f"data-lake bucket {target.bucket} {what} at {target.describe()}",
                       hint="is the stream archived (archive: true) and deployed? --bucket names "
                            "another bucket") from None
    except BotoCoreError as error:
        raise EnvError(f"cannot reach AWS for {target.describe()}: {error}") from None


def local_target(ir: Ir, region: str, endpoint: str, bucket: str | None) -> Target:
    names = local_names(ir, LOCAL_STAGE)
    env = {**function_environment(ir, names, endpoint, region), **QUIET_FUNCTIONS}
    target = Target(
        LOCAL_STAGE, region, LOCAL_ACCOUNT, names, bucket or names.datalake_bucket or "",
        _local_client("s3", region, endpoint), _local_client("dynamodb", region, endpoint),
        env, endpoint,
    )
    check_bucket(target)
    return target


def stage_env(ir: Ir, names: LocalNames, processor: Processor, region: str) -> dict[str, str]:
    """The deployed function's environment (docs/runtime-contract.md), for this process."""
    return {
        **names.table_env(ir),
        ir.names.idempotency_env: names.idempotency_table,
        "POWERTOOLS_SERVICE_NAME": ir.name,
        "POWERTOOLS_METRICS_NAMESPACE": ir.name,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": names.functions[processor.name],
        **QUIET_FUNCTIONS,
    }


def stage_target(ir: Ir, processor: Processor, stage: str, region: str | None,
                 bucket: str | None) -> Target:
    try:
        session = boto3.Session(region_name=region)
        credentials = session.get_credentials()
        if credentials is None:
            raise NoCredentialsError()
        resolved = session.region_name
        if not resolved:
            raise UsageError("no AWS region: pass --region or set AWS_REGION")
        account = session.client("sts").get_caller_identity()["Account"]
        frozen = credentials.get_frozen_credentials()
    except NoCredentialsError:
        raise EnvError("no AWS credentials found for --stage " + stage,
                       hint="configure them as for the AWS CLI (AWS_PROFILE, aws sso login, ...)") from None
    except (ClientError, BotoCoreError) as error:
        raise EnvError(f"AWS refused the credentials: {error}") from None
    names = local_names(ir, stage, account)
    # The handler's own clients get the same credentials, resolved here: the environment it runs
    # in drops AWS_PROFILE (as gen dev's does), and a profile may be an SSO or assumed role.
    keys = {"AWS_ACCESS_KEY_ID": str(frozen.access_key), "AWS_SECRET_ACCESS_KEY": str(frozen.secret_key)}
    if frozen.token:
        keys["AWS_SESSION_TOKEN"] = str(frozen.token)
    target = Target(
        stage, resolved, account, names, bucket or datalake_bucket(ir.names.project, stage, account),
        session.client("s3"), session.client("dynamodb"),
        {**stage_env(ir, names, processor, resolved), **keys},
    )
    check_bucket(target)
    return target
