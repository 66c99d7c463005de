"""`gen seed`: load generated/dynamodb/seed.json into DynamoDB, local (moto) or real.

Each inner list of seed.json is one BatchWriteItem; unprocessed items are retried with
backoff, so throttled tables still end up complete. What the user can fix is raised as one
line of the error family: no project or no seed.json (`UsageError`); no region, no
credentials, an unreachable endpoint, a missing table or a refused call (`EnvError`). A dead
endpoint fails within seconds: small connect/read timeouts and one retry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from generator.errors import EnvError, UsageError

SEED_PATH = "generated/dynamodb/seed.json"
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
MAX_ATTEMPTS = 2
"""Per call, the first try included (botocore's standard retry mode)."""


def project_name(root: Path) -> str:
    import yaml

    data = yaml.safe_load((root / "spec/model.yaml").read_text(encoding="utf-8"))
    return str(data["name"])


def write_batches(client: Any, table: str, batches: list[list[dict[str, Any]]], *, attempts: int = 8) -> int:
    """BatchWriteItem every batch into `table`, retrying unprocessed items. Returns items written."""
    written = 0
    for batch in batches:
        pending: dict[str, Any] = {table: batch}
        for attempt in range(attempts):
            answer = client.batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2 ** attempt, 2.0))
        else:
            raise EnvError(f"{table}: {len(pending.get(table, []))} item(s) still unprocessed after "
                           f"{attempts} attempts", hint="the table is throttled: retry later")
        written += len(batch)
    return written


def _read_seed(root: Path) -> tuple[str, dict[str, Any]]:
    if not (root / "spec").is_dir():
        raise UsageError(f"no project in {root}: there is no spec/ here or in any parent",
                         hint="run gen inside a project, pass -C DIR, or create one with `gen init DIR`")
    try:
        seed = json.loads((root / SEED_PATH).read_text(encoding="utf-8"))
        name = project_name(root)
    except FileNotFoundError:
        missing = SEED_PATH if not (root / SEED_PATH).is_file() else "spec/model.yaml"
        raise UsageError(f"{missing} is missing", hint="run `gen build` first") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"cannot read the seed of {root}: {error}", hint="run `gen build`") from None
    if not isinstance(seed, dict) or not isinstance(seed.get("names"), dict) or not isinstance(
            seed.get("tables"), dict) or set(seed["tables"]) - set(seed["names"]):
        # seed.json of an older gen named no DynamoDB tables: guessing would miss a generation
        raise UsageError(f"{SEED_PATH} does not name its tables' DynamoDB tables",
                         hint="run `gen build` (this gen writes their names)")
    return name, seed


def dynamodb_client(endpoint_url: str | None, region: str | None, *, timeout: float = READ_TIMEOUT_S) -> Any:
    """A DynamoDB client that gives up on a dead endpoint within seconds; EnvError without a region."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(region_name=region)
    if session.region_name is None:
        raise EnvError("no AWS region: pass --region or set AWS_REGION",
                       hint="for gen dev's moto use the region it prints (e.g. --region us-east-1)")
    config = Config(connect_timeout=min(CONNECT_TIMEOUT_S, timeout), read_timeout=timeout,
                    retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"})
    return session.client("dynamodb", endpoint_url=endpoint_url, config=config)


def load_seed_file(root: Path, *, endpoint_url: str | None = None, stage: str = "local",
                   region: str | None = None, client: Any = None,
                   timeout: float = READ_TIMEOUT_S, skip: Collection[str] = ()) -> dict[str, int]:
    """Seed every table of seed.json but those in `skip` (physical names, e.g. tables `gen dev
    --state` restored); returns {physical table name: items written}."""
    name, seed = _read_seed(root)
    if client is None:
        client = dynamodb_client(endpoint_url, region, timeout=timeout)
    counts: dict[str, int] = {}
    for table, batches in sorted(seed["tables"].items()):
        physical = f"{name}-{stage}-{seed['names'][table]}"
        if physical in skip:
            continue
        try:
            counts[physical] = write_batches(client, physical, batches)
        except EnvError:
            raise
        except Exception as error:  # botocore's errors, worded for the user
            raise _environment_error(error, physical, stage, endpoint_url) from None
    return counts


def _environment_error(error: Exception, table: str, stage: str, endpoint_url: str | None) -> Exception:
    """The one-line EnvError for a botocore failure; anything else is returned unchanged."""
    from botocore import exceptions as bx

    where = endpoint_url or "AWS"
    if isinstance(error, bx.NoCredentialsError):
        return EnvError("no AWS credentials found",
                        hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
                             "(gen dev's moto accepts any, e.g. testing/testing)")
    if isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        return EnvError(f"cannot reach DynamoDB at {where}: {error}",
                        hint="check --endpoint-url (gen dev prints its moto endpoint) and that it is running")
    if isinstance(error, bx.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code == "ResourceNotFoundException":
            return EnvError(f"table {table} does not exist at {where}",
                            hint=f"deploy stage '{stage}' first (terraform apply), or pass the --stage it was "
                                 "deployed as")
        return EnvError(f"DynamoDB at {where} refused the write to {table}: {code}: {message}")
    if isinstance(error, bx.BotoCoreError):
        return EnvError(f"DynamoDB at {where}: {error}")
    return error
