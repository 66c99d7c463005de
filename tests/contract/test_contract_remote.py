"""`gen test --url` against a running `gen dev` of the reference system, as against a deployed
stage: what it cannot know is skipped with the reason, everything else passes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from generator.contract import ContractOptions, run_contract_tests
from generator.dev.apigw.auth import local_token
from generator.dev.stack import RunningStack, start_stack
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gen_dev() -> Iterator[RunningStack]:
    stack = start_stack(REPO, port=0, run_schedules=True)  # as `gen dev` starts it
    yield stack
    stack.stop()


def test_without_credentials_protected_operations_are_skipped(gen_dev: RunningStack) -> None:
    report = run_contract_tests(REPO, ContractOptions(url=gen_dev.api_url, pipeline=True))
    assert report.ok, "\n".join(report.summary_lines())
    skipped = {c.name: c.detail for c in report.cases if c.status == "skipped"}
    assert skipped["seed: table devices (12 items)"] == "a deployed stage need not hold the seed: see `listed`"
    assert skipped["fuzz: protected operations"] == "pass --token, --sigv4 or --api-key"
    assert skipped["fuzz-ingestion: POST /events"] == "generated events would reach the deployed processors"
    # The reference ingestion is signed (SigV4): without credentials nothing can be posted.
    assert skipped["rejects: POST /events"] == "protected: pass --token, --sigv4 or --api-key"
    assert skipped["pipeline: processors"] == "ingestion is protected: pass --token, --sigv4 or --api-key"
    passed = {c.check for c in report.cases if c.status == "passed"}
    assert {"listed", "pagination", "sort-range", "index", "protected", "fuzz"} <= passed


def test_with_a_token_protected_operations_are_checked(gen_dev: RunningStack) -> None:
    token = "Bearer " + local_token({"sub": "local-operator"})
    result = run_cli("-C", str(REPO), "test", "--url", gen_dev.api_url, "--token", token, "--only", "fuzz")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ok   fuzz: GET /me" in result.stdout


def test_signed_with_the_local_key_pair_ingestion_is_checked(gen_dev: RunningStack,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # gen dev accepts SigV4 with its local key pair, as AWS accepts the producer role's.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", gen_dev.region)
    report = run_contract_tests(REPO, ContractOptions(url=gen_dev.api_url, sigv4=True, pipeline=True,
                                                      only=("rejects",)))
    assert report.ok, "\n".join(report.summary_lines())
    passed = {c.check for c in report.cases if c.status == "passed"}
    assert {"rejects", "pipeline"} <= passed


def test_usage_errors(gen_dev: RunningStack) -> None:
    result = run_cli("-C", str(REPO), "test", "--url", "ftp://x", "--only", "seed")
    assert result.exit_code == 2 and "not an http(s) URL" in result.stderr
    result = run_cli("-C", str(REPO), "test", "--url", gen_dev.api_url, "--only", "nosuch")
    assert result.exit_code == 2 and "no check named nosuch" in result.stderr
    result = run_cli("-C", str(REPO), "test", "--token", "x")
    assert result.exit_code == 2 and "--token needs --url" in result.stderr
