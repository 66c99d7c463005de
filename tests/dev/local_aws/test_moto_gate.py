"""The moto gate: patched on a checked moto, plain (with a one-line warning) on another moto,
plain when switched off -- and the local AWS then reads Kinesis the matching way."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from generator.dev.kinesis.shard_reader import ShardReader
from generator.dev.kinesis.tips import ApiStreamTips
from generator.dev.local_aws.backend_reads import MotoShardReader
from generator.dev.local_aws.moto_server import LocalAws
from generator.dev.local_aws.patches import gate

CHECKED = sorted(gate.CHECKED_MOTO_VERSIONS)[0]


def test_the_installed_moto_is_a_checked_one() -> None:
    # A new moto in the venv must be checked (tests pass with the patches on) and added here.
    assert gate.moto_version() in gate.CHECKED_MOTO_VERSIONS


@pytest.mark.parametrize("switch", [None, "on", "ON", "1", "true", ""])
def test_a_checked_moto_is_patched(switch: str | None) -> None:
    environ = {} if switch is None else {gate.SWITCH: switch}
    assert gate.decide(environ, CHECKED) == gate.MotoMode(True, CHECKED)


@pytest.mark.parametrize("switch", ["off", "OFF", "0", "false", "no"])
def test_the_switch_turns_the_patches_off_without_a_word(switch: str) -> None:
    assert gate.decide({gate.SWITCH: switch}, CHECKED) == gate.MotoMode(False, CHECKED)
    assert gate.decide({gate.SWITCH: switch}, "9.9.9") == gate.MotoMode(False, "9.9.9")


def test_another_moto_runs_plain_with_one_line_of_warning() -> None:
    mode = gate.decide({}, "5.2.0")
    assert not mode.patched and mode.warning is not None
    assert "\n" not in mode.warning
    assert "moto 5.2.0" in mode.warning and CHECKED in mode.warning and gate.SWITCH in mode.warning


def test_a_switch_value_that_means_nothing_warns_and_stays_on() -> None:
    mode = gate.decide({gate.SWITCH: "maybe"}, CHECKED)
    assert mode.patched and mode.warning is not None and "'maybe'" in mode.warning


def test_apply_installs_every_patch_or_none() -> None:
    assert gate.apply(gate.MotoMode(True, CHECKED)).patched
    assert gate.installed() == list(gate.SPEED_PATCHES)
    assert not gate.apply(gate.MotoMode(False, CHECKED)).patched
    assert gate.installed() == []


def test_a_patch_that_refuses_leaves_moto_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    gate.apply(gate.MotoMode(False, CHECKED))
    refusing = gate.patch_module("dynamodb_update_cache")

    def refuse() -> None:
        raise RuntimeError("moto's UpdateExpressionParser has no make(): not supported")

    monkeypatch.setattr(refusing, "install", refuse)
    mode = gate.apply(gate.MotoMode(True, CHECKED))
    assert not mode.patched and mode.warning is not None and "make()" in mode.warning
    assert gate.installed() == []


@pytest.mark.parametrize("name", gate.SPEED_PATCHES)
def test_every_patch_installs_once_and_uninstalls_cleanly(name: str) -> None:
    patch = gate.patch_module(name)
    patch.uninstall()
    assert not patch.installed()
    patch.install()
    patch.install()
    assert patch.installed()
    patch.uninstall()
    patch.uninstall()
    assert not patch.installed()
    assert patch.__doc__ and "Checked against: moto" in patch.__doc__ and "Upstream:" in patch.__doc__


def _start(monkeypatch: pytest.MonkeyPatch, version: str, switch: str | None) -> LocalAws:
    monkeypatch.setattr(gate, "moto_version", lambda: version)
    if switch is None:
        monkeypatch.delenv(gate.SWITCH, raising=False)
    else:
        monkeypatch.setenv(gate.SWITCH, switch)
    return LocalAws.start("us-east-1", hook_boto3=False)


def _reads_through_the_api(aws: LocalAws) -> bool:
    kinesis: Any = aws.client("kinesis")
    reader = aws.shard_readers(kinesis)("s", "shardId-000000000000", None, "TRIM_HORIZON")
    tips = aws.stream_tips(kinesis)
    if isinstance(reader, ShardReader) and isinstance(tips, ApiStreamTips):
        return True
    assert isinstance(reader, MotoShardReader) and not isinstance(tips, ApiStreamTips)
    return False


@pytest.mark.parametrize(("version", "switch", "patched", "warned"), [
    (CHECKED, None, True, False),
    (CHECKED, "off", False, False),
    ("5.2.0", None, False, True),
    ("5.2.0", "off", False, False),
])
def test_the_local_aws_runs_as_the_gate_says(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    version: str, switch: str | None, patched: bool, warned: bool,
) -> None:
    caplog.set_level(logging.WARNING)
    aws = _start(monkeypatch, version, switch)
    try:
        assert aws.mode.patched is patched
        assert (gate.installed() == list(gate.SPEED_PATCHES)) is patched
        assert gate.installed() == [] or patched
        assert aws.in_process.direct_dispatch is patched
        assert _reads_through_the_api(aws) is not patched
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == int(warned)
        if warned:
            assert "moto 5.2.0" in warnings[0].getMessage() and "\n" not in warnings[0].getMessage()
        # Either way it answers, and Kinesis round-trips.
        kinesis: Any = aws.client("kinesis")
        kinesis.create_stream(StreamName="gate-check", ShardCount=1)
        kinesis.put_record(StreamName="gate-check", Data=b"x", PartitionKey="p")
        assert aws.stream_tips(kinesis)("gate-check") == {"shardId-000000000000": 1}
    finally:
        aws.stop()
