"""The event-time guard of the ingestion request template (#11 M1), run by the Velocity engine.

Each guarded time (the envelope's `time`, and the payload's `time` where model.yaml names it) is
read as RFC 3339 with integer arithmetic only and compared with `$context.requestTimeEpoch`: an
event dated more than `max_future` (5 minutes in the reference spec) past the request, or a time
that is not a date-time, turns StreamName into `gen-rejected(<field>)`, a name Kinesis refuses
(ValidationException in AWS, ResourceNotFoundException in moto), and the Kinesis 4xx template
turns that refusal into a 400 naming the field. The oracle is Python's datetime.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.vtl.support import EDGE, REPO, STAGE_VARIABLES, error_template, render_template, request_template

NOW = datetime(2026, 12, 5, 7, 45, 30, 250000, tzinfo=UTC)
STREAM = STAGE_VARIABLES["stream_telemetry"]
TIME = ": not a date-time, or later than max_future allows"
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reading(time: str, data_time: str | None = None) -> dict[str, Any]:
    return {"specversion": "1.0", "id": "r-1", "source": "s", "type": "reading.recorded", "subject": "d",
            "time": time, "data": {"deviceId": "d", "time": data_time or time, "temperature": 1, "battery": 5}}


def _registered(time: str) -> dict[str, Any]:
    return {"specversion": "1.0", "id": "g-1", "source": "s", "type": "device.registered", "subject": "d",
            "time": time, "data": {"deviceId": "d", "siteId": "s", "name": "n", "model": "m"}}


def _stream_name(body: list[dict[str, Any]], now: datetime = NOW) -> str:
    out = render_template(request_template(REPO, "ingestEvents"), body=body, request_time=now)
    request = json.loads(out.text)
    assert len(request["Records"]) == len(body)
    name: str = request["StreamName"]
    return name


def _rfc3339(moment: datetime, zone_minutes: int, fraction: str) -> str:
    local = moment.astimezone(timezone(timedelta(minutes=zone_minutes)))
    zone = "Z" if zone_minutes == 0 else local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    return local.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone


@SETTINGS
@given(now=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
       ahead=st.integers(min_value=-3 * 86400, max_value=3 * 86400) | st.integers(min_value=280, max_value=320),
       zone=st.integers(min_value=-14 * 60, max_value=14 * 60), fraction=st.sampled_from(["", ".5", ".000001"]))
def test_times_past_the_tolerance_are_rejected(now: datetime, ahead: int, zone: int, fraction: str) -> None:
    """The template's arithmetic agrees with datetime for any request time, offset and zone:
    seconds are whole on both sides (the fraction of either is dropped), the limit is inclusive."""
    moment = now.replace(microsecond=0) + timedelta(seconds=ahead)
    name = _stream_name([_reading(_rfc3339(moment, zone, fraction))], now)
    assert name == (f"gen-rejected($[0].time{TIME})" if ahead > 300 else STREAM)


@pytest.mark.parametrize(("time", "rejected"), [
    ("2100-01-01T00:00:00Z", True), ("9999-12-31T23:59:59Z", True), ("2026-12-05T07:50:30Z", False),
    ("2026-12-05T07:50:31Z", True), ("2026-12-05t07:50:30.999999999z", False),
    ("2026-12-06T07:45:30+23:59", False), ("2026-12-04T07:51:31-23:59", True), ("2026-12-04T07:51:30-23:59", False),
    ("0000-01-01T00:00:00Z", False), ("1969-12-31T23:59:59Z", False), ("2028-02-29T00:00:00Z", True),
    ("yesterday", True), ("", True), ("2026-12-05 07:45:30Z", True), ("2026-12-05T07:45Z", True),
])
def test_the_envelope_time(time: str, rejected: bool) -> None:
    assert _stream_name([_reading(time, "2026-12-05T07:45:30Z")]) == (f"gen-rejected($[0].time{TIME})" if rejected
                                                                       else STREAM)


def test_the_first_offending_field_is_named() -> None:
    ok = "2026-12-05T07:45:00Z"
    body = [_reading(ok), _registered(ok), _reading(ok, "2100-01-01T00:00:00Z"), _reading("2100-01-01T00:00:00Z")]
    assert _stream_name(body) == f"gen-rejected($[2].data.time{TIME})"
    assert _stream_name([_registered("2100-01-01T00:00:00Z")]) == f"gen-rejected($[0].time{TIME})"


def test_events_without_a_payload_time_check_the_envelope_only() -> None:
    event = _registered("2026-12-05T07:45:00Z")
    event["data"]["time"] = "2100-01-01T00:00:00Z"  # not a field model.yaml names: not guarded
    assert _stream_name([event]) == STREAM


@pytest.mark.parametrize(("type_", "expected"), [("thing.changed", f"gen-rejected($[0].time{TIME})"),
                                                  ("thing.removed", STAGE_VARIABLES["stream_inbox"])])
def test_max_future_null_turns_the_guard_off(type_: str, expected: str) -> None:
    """The edge case keeps the 5-minute default on thing.changed and sets `max_future: null`
    on thing.removed."""
    event = {"specversion": "1.0", "id": "1", "source": "s", "type": type_, "subject": "t",
             "time": "2100-01-01T00:00:00Z", "data": {"thingId": "t", "title": "x"}}
    out = render_template(request_template(EDGE, "postInbox"), body=[event], request_time=NOW)
    assert json.loads(out.text)["StreamName"] == expected


@pytest.mark.parametrize("message", [
    # AWS: the stream name fails its pattern (ValidationException, the value echoed)
    f"1 validation error detected: Value 'gen-rejected($[3].data.time{TIME})' at 'streamName' failed to satisfy "
    "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    # moto: no such stream
    f"Stream gen-rejected($[3].data.time{TIME}) under account 123456789012 not found.",
])
@pytest.mark.parametrize("error_type", ["ValidationException", "ResourceNotFoundException"])
def test_the_refusal_becomes_a_400_naming_the_field(message: str, error_type: str) -> None:
    out = render_template(error_template(REPO, "kinesis", "4xx"), body={"__type": error_type, "message": message})
    assert out.status is None  # the integration response's 400
    assert json.loads(out.text)["message"] == f"Invalid event: $[3].data.time{TIME}"


def test_an_unterminated_mark_still_answers_json() -> None:
    out = render_template(error_template(REPO, "kinesis", "4xx"),
                          body={"__type": "ValidationException", "message": "Value 'gen-rejected($[0].time"})
    assert json.loads(out.text)["message"] == "Invalid event: $[0].time"


@pytest.mark.parametrize(("keys", "expected"), [
    (["k" * 64, "short"], STREAM),
    (["short", "k" * 65], "gen-rejected($[0].data.tags: a key is longer than 64 characters)"),
])
def test_map_keys_beyond_property_names_max_length(keys: list[str], expected: str) -> None:
    """Draft 4 models cannot bound map keys (no propertyNames): the template does."""
    event = _registered("2026-12-05T07:45:00Z")
    event["data"]["tags"] = dict.fromkeys(keys, "v")
    assert _stream_name([event]) == expected
