"""Each local-AWS test leaves the moto patches as it found them (the session runs patched or plain)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from generator.dev.local_aws.patches import gate


@pytest.fixture(autouse=True)
def _patches_as_they_were() -> Iterator[None]:
    before = set(gate.installed())
    yield
    for name in gate.SPEED_PATCHES:
        patch = gate.patch_module(name)
        if name in before:
            patch.install()
        else:
            patch.uninstall()
