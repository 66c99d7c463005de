"""Fixtures of the infrastructure tests: the generated Terraform of each case, parsed once."""

from __future__ import annotations

import pytest
from tests.infra.terraform_stack import CASES, Stack, stack


@pytest.fixture(params=sorted(CASES))
def any_stack(request: pytest.FixtureRequest) -> Stack:
    """The reference spec and every small case under tests/infra/cases/."""
    return stack(request.param)


@pytest.fixture
def reference() -> Stack:
    return stack("reference")
