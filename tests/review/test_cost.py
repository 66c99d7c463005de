"""`gen cost` on the reference spec and spec/usage.yaml, every figure worked out by hand here.

The arithmetic is written out so that a reviewer can check it against the price table
(generator/cost/prices/us-east-1.json) without running anything. A month is 730 hours.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest

from generator.cost.components import Line
from generator.cost.estimate import Estimate, estimate_project
from generator.diagnostics import GenError
from generator.pipeline import validate
from tests.conftest import REPO, run_cli

SECONDS = 730 * 3600  # 2,628,000 s in a billing month
GIB = 1024**3
EVENTS = 100 + 20 + 0.01  # reading.recorded + device.heartbeat + device.registered, per second


@pytest.fixture(scope="module")
def reference() -> Estimate:
    ir, diags = validate(REPO, use_cache=False)
    assert ir is not None, [d.render() for d in diags]
    return estimate_project(REPO, ir)


def line(e: Estimate, item: str) -> Line:
    return next(x for x in e.lines if x.item == item)


def usd(e: Estimate, item: str) -> float:
    value = line(e, item).usd
    assert value is not None, f"{item} is unknown"
    return value


def test_api_gateway_requests(reference: Estimate) -> None:
    gets = 5 + 0.5 + 1 + 2 + 0.1 + 0.2 + 0.5 + 0.5  # 9.8 GET/s over the eight operations
    posts = EVENTS / 20  # 6.0005 POST/s: 20 events per ingestion request
    requests = (gets + posts) * SECONDS  # 41,523,714 requests
    assert line(reference, "REST API requests").quantity == pytest.approx(41_523_714)
    assert usd(reference, "REST API requests") == pytest.approx(requests * 3.50 / 1e6)
    assert round(usd(reference, "REST API requests"), 2) == 145.33


def test_kinesis_shards_and_put_payload_units(reference: Estimate) -> None:
    assert usd(reference, "stream telemetry: 2 shard(s)") == pytest.approx(2 * 730 * 0.015)  # $21.90
    units = EVENTS * SECONDS * 1  # every event is under 25 KB: one PUT payload unit each
    assert line(reference, "stream telemetry: PUT payload units").quantity == pytest.approx(units)  # 315,386,280
    assert round(usd(reference, "stream telemetry: PUT payload units"), 2) == 4.42  # x $0.014 per million


def test_firehose_rounds_each_record_up_to_5_kb(reference: Estimate) -> None:
    gb = EVENTS * SECONDS * 5 * 1024 / GIB  # 1,503.88 GB billed for 10.1 GB of data
    assert line(reference, "archive ingestion").quantity == pytest.approx(gb)
    assert round(usd(reference, "archive ingestion"), 2) == 43.61  # x $0.029 per GB


def test_the_data_lake_follows_its_lifecycle(reference: Estimate) -> None:
    raw_per_second = 100 * 400 + 20 * 250 + 0.01 * 600  # 45,006 bytes/s
    daily = raw_per_second * 86400 / GIB * 0.2  # 0.7243 GB a day after gzip (compression 0.2)
    assert usd(reference, "data lake, Standard (first 30 days)") == pytest.approx(daily * 30 * 0.023)  # $0.50
    assert usd(reference, "data lake, Standard-IA (days 30-180)") == pytest.approx(daily * 150 * 0.0125)  # $1.36
    assert usd(reference, "data lake, Glacier IR (after 180 days)") == pytest.approx(daily * 185 * 0.004)  # $0.54
    assert line(reference, "data lake objects written").quantity == pytest.approx(SECONDS / 300)  # one per 5 min


def test_lambda_invocations_and_compute(reference: Estimate) -> None:
    # apply_readings reads 120 events/s from 2 shards: 60/s per shard, under a batch of 100, so
    # Lambda's once-a-second poll of each shard gives 2 invocations a second
    invocations = 2 * SECONDS  # 5,256,000
    assert line(reference, "apply_readings: invocations").quantity == pytest.approx(invocations)
    assert usd(reference, "apply_readings: invocations") == pytest.approx(invocations * 0.20 / 1e6)  # $1.05
    gb_seconds = invocations * 0.150 * 256 / 1024  # 197,100 GB-s
    assert usd(reference, "apply_readings: compute (256 MB)") == pytest.approx(gb_seconds * 0.0000133334)  # $2.63
    # register_devices: 0.01 events/s, fewer than one per poll: one invocation per event
    assert line(reference, "register_devices: invocations").quantity == pytest.approx(0.01 * SECONDS)
    # mark_offline runs on rate(5 minutes): 12 an hour
    assert line(reference, "mark_offline: invocations").quantity == 730 * 12
    assert line(reference, "mark_offline: invocations").fixed


def test_dynamodb_reads_writes_and_the_idempotency_ledger(reference: Estimate) -> None:
    def page(items: int, size: int) -> float:  # eventually consistent: half a unit per 4 KB read
        return 0.5 * math.ceil(items * size / 4096)

    per_second = (5 * page(1, 800) + 0.1 * page(1, 200) + 0.5 * page(1, 300) + 0.5 * page(1, 300)  # GetItem
                  + 0.5 * page(25, 800) + 1 * page(25, 800) + 2 * page(25, 200) + 0.2 * page(25, 300))  # pages of 25
    assert per_second == 9.0
    assert line(reference, "reads by the API").quantity == pytest.approx(per_second * SECONDS)  # 23,652,000
    assert round(usd(reference, "reads by the API"), 2) == 2.96  # x $0.125 per million
    writes = (120 * 2 + 0.01 * 2) * SECONDS + 20 * 730 * 12  # per event, plus mark_offline's per run
    assert line(reference, "writes by processors").quantity == pytest.approx(writes)
    ledger = EVENTS * 3 * SECONDS  # a transactional claim (2 units) and a completion (1) per event
    assert line(reference, "idempotency ledger writes").quantity == pytest.approx(ledger)  # 946,158,840
    assert round(usd(reference, "idempotency ledger writes"), 2) == 591.35  # x $0.625 per million


def test_dynamodb_storage(reference: Estimate) -> None:
    stored = (200 * (300 + 100)  # sites, with DynamoDB's 100 bytes per item
              + 10_000 * (800 + 100) * 2  # devices, and its index bySite (projection all)
              + 259_200_000 * (200 + 100)  # readings
              + 50 * (300 + 100)  # profiles
              + EVENTS * 86400 * (300 + 100))  # a day of idempotency records
    assert line(reference, "storage (tables, indexes, ledger)").quantity == pytest.approx(stored / GIB)  # 76.3 GB
    assert round(usd(reference, "storage (tables, indexes, ledger)"), 2) == 19.07  # x $0.25
    assert round(usd(reference, "point-in-time recovery"), 2) == 15.26  # x $0.20


def test_totals_fixed_variable_and_per_million_events(reference: Estimate) -> None:
    assert reference.unknown == []
    assert reference.known == pytest.approx(sum(x.usd or 0 for x in reference.lines))
    assert reference.fixed == pytest.approx(sum(x.usd or 0 for x in reference.lines if x.fixed))
    alarms = sum(len(re.findall(r'^resource "aws_cloudwatch_metric_alarm"', f.read_text(), flags=re.M))
                 for f in (REPO / "generated/terraform").glob("*.tf"))
    assert alarms > 20 and usd(reference, "alarms") == pytest.approx(alarms * 0.10)
    assert reference.per_million_events == pytest.approx(reference.known / (EVENTS * SECONDS / 1e6))


def test_what_the_profile_does_not_say_is_unknown_never_zero(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(REPO / "spec", root / "spec")
    usage = root / "spec/usage.yaml"
    usage.write_text(usage.read_text().replace("duration_ms: 150, ", ""))
    ir, _ = validate(root, use_cache=False)
    assert ir is not None
    e = estimate_project(root, ir)
    compute = line(e, "apply_readings: compute (256 MB)")
    assert compute.usd is None and compute.quantity is None
    assert compute.missing == ("processors.apply_readings.duration_ms",)
    assert [x.item for x in e.unknown] == ["apply_readings: compute (256 MB)"]
    usage.unlink()
    bare = estimate_project(root, ir)
    assert line(bare, "REST API requests").usd is None
    assert line(bare, "stream telemetry: 2 shard(s)").usd == pytest.approx(21.90)  # known from the spec alone
    assert all(x.usd is None for x in bare.lines if x.missing)


def test_usage_errors_are_located(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(REPO / "spec", root / "spec")
    usage = root / "spec/usage.yaml"
    usage.write_text(usage.read_text().replace("  getDevice: 5\n", "  getDevise: 5\n")
                     .replace("  retention_days: 365", "  retention_dayz: 365"))
    ir, _ = validate(root, use_cache=False)
    assert ir is not None
    with pytest.raises(GenError) as caught:
        estimate_project(root, ir)
    rendered = [d.render() for d in caught.value.diagnostics]
    assert any(r.startswith("spec/usage.yaml:") and "unknown key 'retention_dayz' in lake" in r
               and "did you mean 'retention_days'?" in r for r in rendered), rendered


def test_usage_names_are_checked_against_the_spec(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(REPO / "spec", root / "spec")
    usage = root / "spec/usage.yaml"
    usage.write_text(usage.read_text().replace("  getDevice: 5\n", "  getDevise: 5\n"))
    result = run_cli("-C", str(root), "cost")
    assert result.exit_code == 2
    assert "error[E-USAGE]: operations: 'getDevise' is not one of the spec's GET operations" in result.stderr
    assert "did you mean 'getDevice'?" in result.stderr


def test_gen_cost_prints_the_estimate() -> None:
    result = run_cli("-C", str(REPO), "cost")
    assert result.exit_code == 0, result.stderr
    assert "| API Gateway | REST API requests | 41.52 M REST API requests | $145.33 | variable |" in result.stdout
    assert "**Total: $" in result.stdout and "per million events: $" in result.stdout
    as_json = run_cli("-C", str(REPO), "cost", "--format", "json")
    assert '"prices_as_of": "2025-06-01"' in as_json.stdout
    assert run_cli("-C", str(REPO), "cost", "--usage", "nowhere.yaml").exit_code == 2
