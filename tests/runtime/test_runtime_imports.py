"""Entry modules import fast and offline: no network, no boto3, no Powertools at import time.

Each check runs in a fresh interpreter (a cold import), with every socket call replaced by one
that raises, so an import that reaches for the network fails loudly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import importlib, json, socket, sys

def deny(*args, **kwargs):
    raise RuntimeError("network access during import")

socket.socket.connect = deny
socket.create_connection = deny
socket.getaddrinfo = deny
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""
LAZY = ("boto3", "botocore", "aws_lambda_powertools", "pydantic", "concurrent.futures",
        "fleet.tables", "fleet.runtime.table", "fleet.runtime.idempotency", "fleet.runtime.observe",
        "fleet.runtime.aws")


@pytest.mark.parametrize("processor", ["apply_readings", "register_devices", "mark_offline"])
def test_entry_module_imports_offline_without_heavy_modules(processor: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "generated" / "python"), str(ROOT)])}
    for key in [k for k in env if k.startswith(("TABLE_", "IDEMPOTENCY"))]:
        del env[key]  # importing must not need the function's environment either
    result = subprocess.run([sys.executable, "-c", SCRIPT, f"fleet.entry.{processor}"], env=env,
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert f"handwritten.processors.{processor}" in loaded
    assert not loaded & set(LAZY), sorted(loaded & set(LAZY))
