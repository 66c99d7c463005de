"""Every case of the AWS-recorded corpus, run through the emulator; known disagreements are xfail.

A case listed in `exceptions.yaml` is expected to differ from AWS, for the reason written there;
it runs all the same (strict xfail), so a case that starts to match fails until its exception is
removed. The terminal summary (conftest) reports how many cases match and lists the exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fidelity.corpus import (
    Case,
    Deployment,
    deploy,
    load_cases,
    load_exceptions,
    run_api_case,
    run_template_case,
)
from tests.fidelity.local import InProcessMoto

CASES = load_cases()
EXCEPTIONS = load_exceptions()


@pytest.fixture(scope="module")
def deployments() -> Iterator[dict[str, Deployment]]:
    deployed: dict[str, Deployment] = {}
    yield deployed
    for deployment in deployed.values():
        deployment.gateway.close()


@pytest.fixture(scope="module")
def local_aws() -> InProcessMoto:
    return InProcessMoto()


def _param(case: Case) -> Any:
    marks = []
    if case.id in EXCEPTIONS:
        marks.append(pytest.mark.xfail(reason=EXCEPTIONS[case.id], strict=True))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_case(case: Case, deployments: dict[str, Deployment], local_aws: InProcessMoto) -> None:
    if case.kind == "template":
        problems = run_template_case(case)
    else:
        assert case.api is not None
        key = case.id.rsplit("/", 1)[0]
        if key not in deployments:
            deployments[key] = deploy(case.api, local_aws)
        problems = run_api_case(case, deployments[key])
    assert not problems, f"{case.what}\n  source: {case.provenance.url}\n  " + "\n  ".join(problems)


def test_corpus_is_large_enough_and_sourced() -> None:
    assert len(CASES) >= 60, f"the corpus has {len(CASES)} cases; the bar is 60"
    assert len({case.id for case in CASES}) == len(CASES), "case ids must be unique"
    for case in CASES:
        assert case.provenance.url.startswith("https://"), case.id
        assert case.provenance.kind in ("snapshot", "docs", "report"), case.id
        assert case.what, case.id


def test_every_exception_names_a_case_and_a_reason() -> None:
    ids = {case.id for case in CASES}
    stale = sorted(set(EXCEPTIONS) - ids)
    assert not stale, f"exceptions for cases that do not exist: {stale}"
    assert all(reason.strip() for reason in EXCEPTIONS.values())
