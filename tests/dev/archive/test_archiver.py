"""The Firehose-like archiver against a real moto Kinesis and S3, and its key naming."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mypy_boto3_kinesis import KinesisClient
from mypy_boto3_s3 import S3Client

from generator.dev.archive.archiver import ArchiveConfig, Archiver, archive_line
from generator.dev.archive.firehose_naming import ObjectNamer, java_pattern_to_strftime
from generator.dev.kinesis.checkpoints import JsonFileCheckpointStore
from generator.dev.local_aws.moto_server import LocalAws
from tests.dev.helpers import cloud_event, put_events, unique

KEY = re.compile(
    r"^(?P<stream>[^/]+)/year=(?P<y>\d{4})/month=(?P<m>\d{2})/day=(?P<d>\d{2})/"
    r"(?P=stream)-archive-1-(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-(?P<id>[0-9a-f-]{36})\.gz$"
)


@pytest.fixture(autouse=True, params=["boto3", "moto-in-process"])
def _shard_readers(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, local_aws: LocalAws
) -> None:
    """Every test twice: shards read through boto3, and as `gen dev` reads them (straight from
    moto's backend with the moto patches on; through the API, as the first run did, when off)."""
    if request.param == "moto-in-process":
        if not local_aws.mode.patched:
            pytest.skip("plain moto: gen dev reads shards through the API, as the boto3 run does")
        from generator.dev.archive import archiver

        monkeypatch.setattr(archiver, "api_readers", local_aws.shard_readers)


@pytest.fixture
def bucket(s3: S3Client) -> str:
    name = unique("lake")
    s3.create_bucket(Bucket=name)
    return name


def archived(s3: S3Client, bucket: str) -> dict[str, list[dict[str, Any]]]:
    """Every object in the bucket: key -> its decoded JSON lines."""
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            text = gzip.decompress(body).decode()
            assert text.endswith("\n")
            out[item["Key"]] = [json.loads(line) for line in text.splitlines()]
    return out


def test_writes_every_record_once_as_date_partitioned_gzip_json_lines(
    kinesis: KinesisClient, s3: S3Client, make_stream: Callable[[int], str], bucket: str
) -> None:
    stream = make_stream(2)
    events = [cloud_event(f"d{i % 9}", i) for i in range(250)]
    put_events(kinesis, stream, events)
    config = ArchiveConfig(stream, bucket, buffer_size_bytes=8 * 1024)
    archiver = Archiver(config, kinesis, s3)

    keys = archiver.flush()

    objects = archived(s3, bucket)
    assert sorted(keys) == sorted(objects)
    assert len(objects) > 2  # the 8 KiB buffer splits 250 records into several objects
    ids = [line["id"] for lines in objects.values() for line in lines]
    assert sorted(ids) == sorted(e["id"] for e in events)
    assert objects[keys[0]][0] == next(e for e in events if e["id"] == objects[keys[0]][0]["id"])
    today = datetime.now(UTC)
    for key in keys:
        match = KEY.match(key)
        assert match, key
        assert match["stream"] == stream
        stamp = datetime.strptime(match["stamp"], "%Y-%m-%d-%H-%M-%S").replace(tzinfo=UTC)
        # The partition is the date of the oldest record's arrival, as in the file name.
        assert (match["y"], match["m"], match["d"]) == (
            f"{stamp:%Y}",
            f"{stamp:%m}",
            f"{stamp:%d}",
        )
        assert abs(stamp - today) < timedelta(minutes=5)
        raw = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert len(gzip.decompress(raw)) <= 8 * 1024
    stats = archiver.stats()
    assert (stats.records_in, stats.records_archived, stats.buffered_records) == (250, 250, 0)
    assert stats.objects_written == len(keys)


def test_flush_with_nothing_new_writes_nothing(
    kinesis: KinesisClient, s3: S3Client, make_stream: Callable[[int], str], bucket: str
) -> None:
    stream = make_stream(1)
    archiver = Archiver(ArchiveConfig(stream, bucket), kinesis, s3)
    assert archiver.flush() == []
    put_events(kinesis, stream, [cloud_event("d", 1)])
    assert len(archiver.flush()) == 1
    assert archiver.flush() == []


def test_background_delivery_after_the_buffer_interval(
    kinesis: KinesisClient, s3: S3Client, make_stream: Callable[[int], str], bucket: str
) -> None:
    stream = make_stream(1)
    config = ArchiveConfig(stream, bucket, buffer_interval_s=0.3, poll_interval_s=0.05)
    archiver = Archiver(config, kinesis, s3)
    archiver.start()
    try:
        put_events(kinesis, stream, [cloud_event("d", i) for i in range(5)])
        deadline = time.monotonic() + 5
        while archiver.stats().records_archived < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        archiver.stop()
    (lines,) = archived(s3, bucket).values()
    assert [line["data"]["n"] for line in lines] == [0, 1, 2, 3, 4]


def test_stop_and_restart_archives_everything_exactly_once(
    kinesis: KinesisClient,
    s3: S3Client,
    make_stream: Callable[[int], str],
    bucket: str,
    tmp_path: Path,
) -> None:
    stream = make_stream(2)
    config = ArchiveConfig(stream, bucket, buffer_interval_s=60)
    put_events(kinesis, stream, [cloud_event(f"d{i}", i) for i in range(100)])
    first = Archiver(config, kinesis, s3, store=JsonFileCheckpointStore(tmp_path))
    first.start()
    deadline = time.monotonic() + 5
    while first.stats().records_in < 100 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.stop()  # delivers its buffer before stopping

    put_events(kinesis, stream, [cloud_event(f"d{i}", i) for i in range(100, 160)])
    second = Archiver(config, kinesis, s3, store=JsonFileCheckpointStore(tmp_path))
    second.flush()
    ids = [line["id"] for lines in archived(s3, bucket).values() for line in lines]
    assert sorted(ids) == sorted(f"d{i}-{i}" for i in range(160))
    assert second.stats().records_in == 60


def test_keys_follow_a_custom_prefix_and_injected_ids(
    kinesis: KinesisClient, s3: S3Client, make_stream: Callable[[int], str], bucket: str
) -> None:
    stream = make_stream(1)
    counter = itertools.count(1)
    config = ArchiveConfig(
        stream,
        bucket,
        delivery_stream_name="fleet-telemetry-archive",
        prefix="lake/telemetry/dt=!{timestamp:yyyy'-'MM'-'dd}/",
    )
    archiver = Archiver(config, kinesis, s3, unique_id=lambda: f"id{next(counter)}")
    put_events(kinesis, stream, [cloud_event("d", 0)])
    (key,) = archiver.flush()
    assert re.fullmatch(
        r"lake/telemetry/dt=\d{4}-\d{2}-\d{2}/fleet-telemetry-archive-1-"
        r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-id1\.gz",
        key,
    )


# ---------------------------------------------------------------- pure parts


def test_archive_lines_are_one_json_document_each() -> None:
    assert archive_line(b'{"a": 1}') == b'{"a": 1}\n'  # single-line JSON kept byte for byte
    assert archive_line(b'{"a": 1}\n') == b'{"a": 1}\n'
    assert archive_line(b'{\n  "a": [1,\n 2]\n}') == b'{"a":[1,2]}\n'
    assert archive_line(b"plain text") == b'"plain text"\n'
    assert archive_line(b"two\nlines") == b'"two\\nlines"\n'


OLDEST = datetime(2024, 2, 29, 23, 59, 58, tzinfo=UTC)


def test_default_firehose_prefix_is_hourly_when_no_timestamp_expression() -> None:
    namer = ObjectNamer("telemetry-archive", "raw/")
    assert namer.key_for(OLDEST, "u") == (
        "raw/2024/02/29/23/telemetry-archive-1-2024-02-29-23-59-58-u.gz"
    )


def test_prefix_expressions_use_the_oldest_arrival_in_utc() -> None:
    from datetime import timezone

    namer = ObjectNamer("s", "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/")
    local = OLDEST.astimezone(timezone(timedelta(hours=5)))  # already 1 March there
    assert namer.prefix_for(local) == "year=2024/month=02/day=29/"


def test_random_string_expression() -> None:
    namer = ObjectNamer(
        "s", "x/!{firehose:random-string}/!{timestamp:HH}/", random_string=lambda: "R"
    )
    assert namer.prefix_for(OLDEST) == "x/R/23/"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("yyyy/MM/dd/HH", "2024/02/29/23"),
        ("yyyy'-'MM'-'dd", "2024-02-29"),
        ("yy.mm.ss", "24.59.58"),
        ("'100%'dd", "100%29"),
    ],
)
def test_java_patterns(pattern: str, expected: str) -> None:
    assert OLDEST.strftime(java_pattern_to_strftime(pattern)) == expected


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("!{partitionKeyFromQuery:id}/", "not supported locally"),
        ("!{firehose:error-output-type}/", "not supported locally"),
        ("!{timestamp:EEE}/", "not supported locally"),
        ("!{timestamp:yyyy'}/", "unterminated quote"),
        ("!{timestamp:yyyy}/!{firehose:random", "unterminated expression"),
    ],
)
def test_unsupported_prefixes_are_refused(prefix: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ObjectNamer("s", prefix)


def test_archive_config_validation() -> None:
    with pytest.raises(ValueError, match="buffer_size_bytes"):
        ArchiveConfig("s", "b", buffer_size_bytes=0)
    assert ArchiveConfig("s", "b").delivery_stream == "s-archive"
    assert ArchiveConfig("s", "b").key_prefix == (
        "s/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
    )
