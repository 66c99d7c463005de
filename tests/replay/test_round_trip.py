"""`gen replay` end to end against gen dev: wipe a table, replay the lake, the table is back.

Also: a dry run writes nothing and says what would change; without --reapply every event is a
duplicate (its idempotency record survived the wipe), so nothing comes back.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.localstack.support import REPO
from tests.replay.conftest import World

pytestmark = pytest.mark.slow


def counts(output: str) -> dict[str, int]:
    found = re.search(r"read (\d+) record.*applied (\d+), duplicates (\d+), skipped (\d+) "
                      r"\(other types\), failed (\d+)", output)
    assert found, output
    names = ("read", "applied", "duplicates", "skipped", "failed")
    return dict(zip(names, (int(n) for n in found.groups()), strict=True))


def test_wiped_table_is_rebuilt_from_the_lake(world: World, tmp_path: object) -> None:
    table = world.readings_table
    snapshot = world.snapshot  # as gen dev left it (other tests of this package wipe the table)
    idempotency = world.stack.names.idempotency_table
    ledger_before = world.dynamodb.scan(TableName=idempotency, Select="COUNT")["Count"]
    world.wipe(table)

    dry = world.replay("--processor", "apply_readings", "--reapply", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "dry run" in dry.stdout
    assert re.search(rf"readings: {len(world.readings)} added, 0 changed, 0 removed", dry.stdout), dry.stdout
    assert world.items(table) == []  # nothing written
    assert world.dynamodb.scan(TableName=idempotency, Select="COUNT")["Count"] == ledger_before

    plain = world.replay("--processor", "apply_readings", "--restart")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    seen = counts(plain.stdout)
    events = len(world.readings) + len(world.heartbeats)
    assert seen["applied"] == 0 and seen["duplicates"] == events, plain.stdout
    assert world.posted(world.items(table)) == []  # the surviving idempotency records held every event back

    world.reseed()  # a table holds the seed too: `gen seed`, then replay the lake
    again = world.replay("--processor", "apply_readings", "--reapply", "--restart")
    assert again.returncode == 0, again.stdout + again.stderr
    seen = counts(again.stdout)
    assert seen["applied"] == events and seen["failed"] == 0, again.stdout
    assert world.items(table) == snapshot


def test_a_stage_is_reached_with_credentials_and_the_deployed_functions_names(world: World) -> None:
    """`--stage` as against AWS, here against gen dev's moto standing in for an account (boto3's
    AWS_ENDPOINT_URL): credentials from the environment, the account from STS, the stage's bucket
    and tables by their physical names, the function's name in the idempotency keys. Stage
    `local` names the functions gen dev ran, and gen dev keys its records with each function's
    own name as Lambda does, so the events it applied are recognised (duplicates) until
    `--reapply`."""
    table = world.readings_table
    world.wipe(table)
    env = {"AWS_ENDPOINT_URL": world.stack.aws_endpoint, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": world.stack.region}

    def replay(*extra: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "-C", str(world.root), "replay", "--stage", "local",
             "--processor", "apply_readings", "--restart", *extra],
            capture_output=True, text=True, timeout=300,
            env={**{k: v for k, v in os.environ.items() if k != "AWS_PROFILE"}, **env,
                 "PYTHONPATH": str(REPO)},
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "stage local (us-east-1), s3://fleet-local-datalake-123456789012" in done.stdout
        return done

    events = len(world.readings) + len(world.heartbeats)
    seen = counts(replay().stdout)
    assert (seen["applied"], seen["duplicates"]) == (0, events)
    assert world.posted(world.items(table)) == []
    seen = counts(replay("--reapply").stdout)
    assert (seen["applied"], seen["failed"]) == (events, 0)
    assert world.posted(world.items(table)) == world.expected
